#pragma once
// Shared by the learned model's tests and the Learned tab's: tiny training sizes and a named
// scene with a chosen schedule.
#include <string>

#include "app/models/learned_model.h"
#include "core/flows/flow_scene.h"

namespace rankflow::testing {

// Tiny sizes: a few steps of a narrow network, so a whole training is well under a second.
inline app::LearnedSettings tinySettings() {
  app::LearnedSettings s;
  s.hiddenLayers = 2;
  s.width = 16;
  s.frequencies = 2;  // 7 input features: ranks up to 7
  s.ranks = {4, 3};
  s.train.baseSteps = 30;
  s.train.baseBatch = 256;
  s.train.adapterSteps = 20;
  s.train.adapterBatch = 128;
  s.targetCount = 2048;
  s.heldOutCount = 512;
  s.sampleCount = 256;
  return s;
}

inline flows::FlowScene sceneNamed(const std::string& name, flows::Schedule schedule = flows::Schedule::Linear) {
  flows::FlowScene scene = flows::prepareScene(name);
  scene.schedule = schedule;
  return scene;
}

}  // namespace rankflow::testing
