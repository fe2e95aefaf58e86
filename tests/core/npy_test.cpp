#include "core/io/npy.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/common/error.h"

namespace rankflow {
namespace {

TEST(Npy, RoundTripsFloat32AndFloat64) {
  const std::vector<std::int64_t> shape = {2, 3, 4};
  std::vector<double> values(24);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.25 * static_cast<double>(i) - 3.0;
  for (auto type : {io::NpyType::Float32, io::NpyType::Float64}) {
    const std::string bytes = io::serializeNpy(shape, values, type);
    EXPECT_EQ((bytes.size() - 24 * (type == io::NpyType::Float32 ? 4 : 8)) % 64, 0u);  // aligned header
    const io::NpyArray back = io::parseNpy(bytes, "test");
    EXPECT_EQ(back.shape, shape);
    EXPECT_EQ(back.values, values);
    EXPECT_EQ(back.wasFloat32, type == io::NpyType::Float32);
  }
  const auto path = std::filesystem::temp_directory_path() / "rankflow_npy_test.npy";
  io::writeNpy(path.string(), {3}, {1.0, 2.0, 3.0}, io::NpyType::Float64);
  EXPECT_EQ(io::readNpy(path.string()).values, (std::vector<double>{1.0, 2.0, 3.0}));
}

TEST(Npy, ScalarAndEmptyShapes) {
  EXPECT_EQ(io::parseNpy(io::serializeNpy({}, {7.0}, io::NpyType::Float64), "t").values.size(), 1u);
  EXPECT_TRUE(io::parseNpy(io::serializeNpy({0, 3}, {}, io::NpyType::Float32), "t").values.empty());
}

TEST(Npy, RejectsMalformedFilesWithAReason) {
  const std::string good = io::serializeNpy({2, 2}, {1, 2, 3, 4}, io::NpyType::Float32);
  auto expectBad = [](const std::string& bytes, const std::string& why) {
    try {
      io::parseNpy(bytes, "x.npy");
      ADD_FAILURE() << "accepted: " << why;
    } catch (const InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  expectBad("not numpy at all", "wrong magic");
  expectBad(good.substr(0, good.size() - 3), "data holds");
  expectBad(good + "xx", "data holds");
  std::string fortran = good;
  fortran.replace(fortran.find("False"), 5, "True ");
  expectBad(fortran, "Fortran order");
  std::string int32 = good;
  int32.replace(int32.find("<f4"), 3, "<i4");
  expectBad(int32, "dtype '<i4'");
  std::string longHeader = good;
  longHeader[8] = '\xff';
  longHeader[9] = '\x7f';
  expectBad(longHeader, "past the end");
  std::string badShape = good;
  badShape.replace(badShape.find("(2, 2)"), 6, "(2, x)");
  expectBad(badShape, "not a size");
  std::string version = good;
  version[6] = '\x09';
  expectBad(version, "version");
  EXPECT_THROW(io::readNpy("/nonexistent/file.npy"), InvalidArgument);
  EXPECT_THROW(io::serializeNpy({2, 2}, {1.0}, io::NpyType::Float32), InvalidArgument);
}

// A header's bytes quoted in a message are escaped: a newline in `descr` (found by fuzzing,
// issue 16) printed the error on two lines.
TEST(Npy, MessagesQuotingTheHeaderStayOneLine) {
  std::string bytes = io::serializeNpy({2, 2}, {1, 2, 3, 4}, io::NpyType::Float32);
  bytes.replace(bytes.find("<f4"), 3, "\n4\r");  // the same length: the header stays well-formed
  try {
    io::parseNpy(bytes, "x.npy");
    FAIL() << "accepted";
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_EQ(what.find('\r'), std::string::npos) << what;
    EXPECT_NE(what.find("dtype '\\x0a4\\x0d'"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace rankflow
