#include "python/src/backends.h"

#include <array>
#include <memory>

#include "core/common/error.h"

namespace rankflow::python {
namespace {

kernels::BackendPreference preferenceOf(const std::string& name) {
  if (const auto preference = kernels::parseBackendPreference(name)) return *preference;
  throw InvalidArgument("backend: auto, cpu or cuda, got '" + name + "'");
}

template <class Backend, class Select>
SharedBackend<Backend>& cached(const std::string& name, Select select) {
  static std::mutex lock;
  static std::array<std::unique_ptr<SharedBackend<Backend>>, 3> made;
  const kernels::BackendPreference preference = preferenceOf(name);
  const std::lock_guard held(lock);
  auto& slot = made[static_cast<std::size_t>(preference)];
  if (!slot) {
    auto shared = std::make_unique<SharedBackend<Backend>>();
    try {
      shared->backend = select(preference).backend;
    } catch (const InvalidArgument& e) {
      throw InvalidArgument("backend cuda: " + std::string(e.what()));
    }
    slot = std::move(shared);
  }
  return *slot;
}

}  // namespace

SharedBackend<compute::FlowBackend>& flowBackend(const std::string& name) {
  return cached<compute::FlowBackend>(name, kernels::chooseFlowBackend);
}

SharedBackend<lowrank::LowRankBackend>& lowRankBackend(const std::string& name) {
  return cached<lowrank::LowRankBackend>(name, kernels::chooseLowRankBackend);
}

}  // namespace rankflow::python
