#include "app/cli/flow_data_options.h"

#include <algorithm>
#include <cctype>

#include "core/common/error.h"
#include "core/flows/datasets.h"
#include "core/io/npy.h"
#include "core/io/point_csv.h"

namespace rankflow::app {
namespace {

std::string lowerExtension(const std::string& path) {
  const auto dot = path.find_last_of('.');
  if (dot == std::string::npos) return "";
  std::string ext = path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

std::vector<Vec2f> readPointsNpy(const std::string& path, bool allowEmpty) {
  const io::NpyArray array = io::readNpy(path);
  if (array.shape.size() != 2 || array.shape[1] != 2)
    throw InvalidArgument("'" + path + "': points must be an (N, 2) array");
  if (array.shape[0] < 1 && !allowEmpty) throw InvalidArgument("'" + path + "' holds no points");
  std::vector<Vec2f> points(static_cast<std::size_t>(array.shape[0]));
  for (std::size_t i = 0; i < points.size(); ++i)
    points[i] = {static_cast<float>(array.values[2 * i]), static_cast<float>(array.values[2 * i + 1])};
  return points;
}

std::vector<OptionSpec> flowDataOptions() {
  return {{"data", "NAME", "built-in data set: " + joined(flows::datasetNames()), "8gaussians"},
          {"data-file", "FILE", "points from FILE.csv or FILE.npy (N, 2), or sampled from a grayscale FILE.png", ""},
          {"count", "N", "data points drawn (built-in data sets and PNG densities)", "512"},
          {"seed", "N", "random seed of the data and of the particles", "1"},
          {"mixture", "", "8gaussians only: use its exact Gaussian mixture instead of samples (CPU backend)", ""}};
}

LoadedFlowData loadFlowData(const CommandLine& cmd) {
  const int count = cmd.integer("count", 1, flows::kMaxDatasetCount);
  const auto seed = static_cast<std::uint64_t>(cmd.integer("seed", 0, 2147483647));
  LoadedFlowData loaded;
  try {
    if (cmd.has("data-file")) {
      if (cmd.has("data") || cmd.has("mixture")) cmd.fail("give either --data or --data-file, not both");
      const std::string path = cmd.text("data-file");
      const std::string ext = lowerExtension(path);
      std::vector<Vec2f> points;
      if (ext == "csv") {
        points = io::readPointsCsv(path);
      } else if (ext == "npy") {
        points = readPointsNpy(path);
      } else if (ext == "png") {
        const flows::EmpiricalData sampled = flows::sampleDensityPng(path, count, seed);
        points = sampled.points;
        loaded.labels = sampled.labels;
        loaded.labelCount = sampled.labelCount;
      } else {
        cmd.fail("--data-file must end in .csv, .npy or .png, got '" + path + "'");
      }
      loaded.description = path + ", " + std::to_string(points.size()) + " points";
      if (loaded.labels.empty()) loaded.labels.assign(points.size(), 0);
      loaded.data = flows::FlowData::empirical(std::move(points));
    } else {
      flows::DatasetSpec spec;
      spec.name = cmd.text("data");
      spec.count = count;
      spec.seed = seed;
      const flows::EmpiricalData sampled = flows::makeDataset(spec);
      loaded.labels = sampled.labels;
      loaded.labelCount = sampled.labelCount;
      if (cmd.has("mixture")) {
        const auto mixture = flows::analyticMixture(spec);
        if (!mixture) cmd.fail("--mixture: '" + spec.name + "' has no analytic mixture (only 8gaussians has)");
        loaded.data = flows::FlowData::fromMixture(*mixture);
        loaded.labels.assign(loaded.data.points.size(), 0);
        for (std::size_t i = 0; i < loaded.labels.size(); ++i) loaded.labels[i] = static_cast<int>(i);
        loaded.labelCount = static_cast<int>(loaded.labels.size());
        loaded.description = spec.name + ", exact mixture of " + std::to_string(loaded.labels.size()) + " components";
      } else {
        loaded.data = flows::FlowData::empirical(sampled.points);
        loaded.description = spec.name + ", " + std::to_string(count) + " points, seed " + std::to_string(seed);
      }
    }
    loaded.data.validate();
  } catch (const InvalidArgument& e) {
    cmd.fail(e.what());
  }
  return loaded;
}

}  // namespace rankflow::app
