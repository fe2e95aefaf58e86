#pragma once
// A saved session: the scene as the pickers describe it and what the view shows — time,
// camera, layers, the field, the open tool windows — as JSON (docs/formats.md), written
// atomically. `rankflow gui --session F` opens it; the panel saves and loads it.
#include <string>

#include "app/view_state.h"
#include "core/flows/flow_scene.h"
#include "core/flows/schedule.h"
#include "core/flows/solvers.h"

namespace rankflow::app {

// A scene as the pickers describe it; applying it re-integrates in the background.
struct SceneChoice {
  std::string name = "default";
  flows::Schedule schedule = flows::Schedule::Linear;
  flows::Solver solver = flows::Solver::Rk4;
  int particles = 4096;
};

struct Session {
  SceneChoice scene;
  ViewState view;
};

std::string serializeSession(const Session& session);
// Throws InvalidArgument naming `nameForErrors` and the field for malformed JSON, a wrong
// type, an unknown scene, schedule or solver, or a value out of range. Fields left out
// keep their defaults, so older files still open.
Session parseSession(const std::string& json, const std::string& nameForErrors);

// The scene a choice describes, with its particles drawn and not yet integrated.
flows::FlowScene prepareSessionScene(const SceneChoice& choice);

void saveSession(const std::string& path, const Session& session);
Session loadSession(const std::string& path);

}  // namespace rankflow::app
