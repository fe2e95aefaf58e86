#include "app/viewer/backend_selection.h"

#include "app/viewer/cli_error.h"
#include "core/common/error.h"

namespace rankflow::app {
namespace {

// kernels' rule, its "no CUDA" refusal worded as the CLI's usage error.
template <class Select>
auto asCliError(Select&& select) {
  try {
    return select();
  } catch (const InvalidArgument& e) {
    throw CliError(std::string("--backend cuda: ") + e.what());
  }
}

}  // namespace

BackendPreference parseBackendPreference(const std::string& text) {
  if (const auto preference = kernels::parseBackendPreference(text)) return *preference;
  throw CliError("--backend must be auto, cpu or cuda, got '" + text + "'");
}

BackendSelection selectBackend(BackendPreference preference) {
  return asCliError([&] { return kernels::chooseFlowBackend(preference); });
}

std::shared_ptr<learn::TrainingEngine> selectTrainingEngine(BackendPreference preference) {
  return asCliError([&] { return kernels::chooseTrainingEngine(preference); });
}

LowRankSelection selectLowRankBackend(BackendPreference preference) {
  return asCliError([&] { return kernels::chooseLowRankBackend(preference); });
}

}  // namespace rankflow::app
