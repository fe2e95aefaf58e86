// What the fuzz harnesses found (docs/RELIABILITY.md, "Fuzzing"), held in place in the regular
// suite too: each input is also a regression file in tests/fuzz/corpus.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "core/common/error.h"
#include "core/flows/datasets.h"
#include "core/flows/flow_fields.h"
#include "core/io/point_csv.h"
#include "core/io/safetensors.h"
#include "core/theory/matrix_scenes.h"

namespace rankflow {
namespace {

std::string refusal(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "accepted";
}

std::string scratch(const std::string& name, const std::string& bytes) {
  const auto path = std::filesystem::temp_directory_path() / ("rankflow_fuzz_findings_" + name);
  std::ofstream(path, std::ios::binary) << bytes;
  return path.string();
}

TEST(FuzzFindings, AFieldWithAControlByteIsQuotedOnOneLineAndCut) {
  const std::string message = refusal([&] { io::readPointsCsv(scratch("cr.csv", "1,2\nyv-1\r2,3\n")); });
  EXPECT_NE(message.find("'yv-1\\x0d2' is not a number"), std::string::npos) << message;
  const std::string longField(100000, 'z');
  const std::string cut = refusal([&] { io::readPointsCsv(scratch("long.csv", longField + ",1\n")); });
  EXPECT_LT(cut.size(), 400u) << cut.substr(0, 400);
  EXPECT_EQ(cut.find('\n'), std::string::npos);
}

TEST(FuzzFindings, ARankListWithANewlineIsQuotedOnOneLine) {
  const std::string message = refusal([] { theory::parseRankList("=\n1"); });
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.find("\\x0a"), std::string::npos) << message;
}

TEST(FuzzFindings, EveryRefusalIsOneLineAndCappedWhereverItQuotesInput) {
  // A session's field kind "lagr\nangian" made a two-line refusal (CI's 5-second run): the
  // guarantee now lives in InvalidArgument itself, not at each quoting site.
  const std::string kind = refusal([] { flows::parseFieldKind("lagr\nangian"); });
  EXPECT_EQ(kind.find('\n'), std::string::npos) << kind;
  EXPECT_NE(kind.find("'lagr\\x0aangian'"), std::string::npos) << kind;
  // A megabyte-long name keeps its head and the reason at its end, cut on a UTF-8 boundary.
  const std::string huge =
      refusal([] { throw InvalidArgument("name '" + std::string(1 << 20, 'z') + "×' is unknown"); });
  EXPECT_LE(huge.size(), kMaxErrorMessageBytes + 8);
  EXPECT_EQ(huge.rfind("×' is unknown"), huge.size() - std::string("×' is unknown").size()) << huge.substr(0, 80);
  EXPECT_NE(huge.find("…"), std::string::npos);
  for (std::size_t i = 0; i + 1 < huge.size(); ++i) {
    const auto byte = static_cast<unsigned char>(huge[i]);
    if (byte == 0xC3) {
      EXPECT_EQ(static_cast<unsigned char>(huge[i + 1]) & 0xC0, 0x80) << "a cut character at " << i;
    }
  }
}

TEST(FuzzFindings, APngChunkClaimingMoreThanTheFileHoldsIsRefusedBeforeDecoding) {
  // A valid signature and IHDR, then an IDAT that claims 1.6 GB in a file of a few dozen bytes:
  // the decoder used to allocate the claimed length first.
  std::string png("\x89PNG\r\n\x1a\n", 8);
  const auto chunk = [&](const std::string& type, const std::string& data, std::uint32_t claimed) {
    for (int shift : {24, 16, 8, 0}) png += static_cast<char>((claimed >> shift) & 0xff);
    png += type + data + std::string(4, '\0');
  };
  chunk("IHDR", std::string("\0\0\0\x08\0\0\0\x08\x08\0\0\0\0", 13), 13);
  const std::string header = png;
  chunk("IDAT", "xx", 1677721600u);
  const std::string message = refusal([&] { flows::sampleDensityPng(scratch("lie.png", png), 16, 1); });
  EXPECT_NE(message.find("chunk 'IDAT' claims 1677721600 bytes"), std::string::npos) << message;
  // An empty IDAT chunk: stb_image copied it through a null buffer (UBSan).
  png = header;
  chunk("IDAT", "", 0);
  chunk("IEND", "", 0);
  const std::string empty = refusal([&] { flows::sampleDensityPng(scratch("empty-idat.png", png), 16, 1); });
  EXPECT_NE(empty.find("empty IDAT chunk"), std::string::npos) << empty;
  // The same empty IDAT as the last chunk, its CRC cut off: the check skipped a final chunk
  // shorter than 12 bytes, and stb_image copied through null again.
  png = header;
  chunk("IDAT", "", 0);
  png.resize(png.size() - 4);
  png += "x";
  const std::string cut = refusal([&] { flows::sampleDensityPng(scratch("cut-idat.png", png), 16, 1); });
  EXPECT_NE(cut.find("chunk 'IDAT' claims 0 bytes"), std::string::npos) << cut;
}

TEST(FuzzFindings, AnEmptyTensorParsesWithoutCopyingFromNull) {
  // A header with a zero-length tensor: memcpy of 0 bytes from a null buffer was undefined.
  const std::string header = R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})";
  std::string bytes(8, '\0');
  bytes[0] = static_cast<char>(header.size());
  bytes += header;
  const io::SafeTensorsFile file = io::parseSafeTensors(bytes, "empty.safetensors");
  EXPECT_EQ(file.tensors.at("e").bytes.size(), 0u);
}

}  // namespace
}  // namespace rankflow
