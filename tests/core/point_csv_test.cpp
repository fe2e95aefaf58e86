// The points CSV format of docs/formats.md: what it accepts, and that every malformed file
// is refused with file:line and the reason.
#include "core/io/point_csv.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>
#include <random>

#include "core/common/error.h"
#include "tests/support/reference_flow.h"

namespace rankflow {
namespace {

std::string errorOf(const std::string& text) {
  try {
    io::parsePointsCsv(text, "pts.csv");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(PointCsv, ReadsCommaSemicolonAndWhitespaceRowsWithCommentsAndAHeader) {
  const std::string text =
      "# a triangle\n"
      "x,y\n"
      "\n"
      "0,0\n"
      "1.5; -2   # trailing comment\n"
      "  3e-1\t4  \r\n"
      "+5 , 6\n";
  const auto points = io::parsePointsCsv(text, "pts.csv");
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].x, 0.0f);
  EXPECT_EQ(points[1].x, 1.5f);
  EXPECT_EQ(points[1].y, -2.0f);
  EXPECT_EQ(points[2].x, 0.3f);
  EXPECT_EQ(points[2].y, 4.0f);
  EXPECT_EQ(points[3].x, 5.0f);
  EXPECT_EQ(points[3].y, 6.0f);
}

TEST(PointCsv, WriteThenReadGivesTheSameFloats) {
  const std::uint64_t seed = testing::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const std::vector<Vec2f> points = testing::randomPoints(200, 3.0f, seed);
  const auto path = std::filesystem::temp_directory_path() / ("rankflow_points_" + std::to_string(seed) + ".csv");
  io::writePointsCsv(path.string(), points);
  const std::vector<Vec2f> back = io::readPointsCsv(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(back.size(), points.size());
  for (std::size_t i = 0; i < points.size(); ++i) {
    EXPECT_EQ(back[i].x, points[i].x) << i;
    EXPECT_EQ(back[i].y, points[i].y) << i;
  }
}

TEST(PointCsv, RejectsMalformedFilesNamingFileLineAndReason) {
  EXPECT_NE(errorOf("").find("pts.csv: no points"), std::string::npos) << errorOf("");
  EXPECT_NE(errorOf("# only a comment\n\n").find("no points"), std::string::npos);
  EXPECT_NE(errorOf("x,y\n").find("no points"), std::string::npos);  // a header alone is no data
  EXPECT_NE(errorOf("1,2\nabc,3\n").find("pts.csv:2: 'abc' is not a number"), std::string::npos)
      << errorOf("1,2\nabc,3\n");
  // Only the first content row may be a header.
  EXPECT_NE(errorOf("x,y\n1,2\nx,y\n").find("pts.csv:3:"), std::string::npos);
  EXPECT_NE(errorOf("1,2,3\n").find("pts.csv:1: expected 2 columns (x,y), found 3"), std::string::npos);
  EXPECT_NE(errorOf("1\n").find("found 1"), std::string::npos);
  EXPECT_NE(errorOf("1,,2\n").find("found 3"), std::string::npos);
  EXPECT_NE(errorOf("1,2\n3 4 5\n").find("pts.csv:2: expected 2 columns"), std::string::npos);
  EXPECT_NE(errorOf("1,nan\n").find("'nan' is not a finite number"), std::string::npos);
  EXPECT_NE(errorOf("inf,1\n").find("is not a finite number"), std::string::npos);
  EXPECT_NE(errorOf("1e999,1\n").find("is not a finite number"), std::string::npos);
  EXPECT_NE(errorOf("1e39,1\n").find("outside the float range"), std::string::npos);
  EXPECT_NE(errorOf("1,2x\n").find("'2x' is not a number"), std::string::npos);
  EXPECT_NE(errorOf("x,1\n").find("pts.csv:1: 'x' is not a number"), std::string::npos);  // half a header is data
}

TEST(PointCsv, MissingFileAndNonFinitePointsAreInvalidArguments) {
  EXPECT_THROW(io::readPointsCsv("/nonexistent/rankflow/points.csv"), InvalidArgument);
  EXPECT_THROW(io::formatPointsCsv({{1.0f, std::numeric_limits<float>::quiet_NaN()}}), InvalidArgument);
}

}  // namespace
}  // namespace rankflow
