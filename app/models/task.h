#pragma once
// One task state for every model's background work, and the status fields every result view
// carries: which request it describes, where it is, how far, and why it failed. Models run
// their work on a BackgroundLane (core/common/background_lane.h) and publish a TaskStatus.
#include <cstdint>
#include <string>

namespace rankflow::app {

enum class TaskState {
  Idle,       // nothing asked for (or, for an optional stage, not wanted)
  Queued,     // asked for; waits behind other work on the lane
  Running,    // being computed; `progress` says how far
  Done,       // the value is the latest request's
  Cancelled,  // stopped; an older value (or none) stays
  Failed,     // refused or failed; `error` says why
};

// "idle", "queued", "running", "done", "cancelled", "failed" (as the JSON exports write it).
const char* taskStateName(TaskState state);

// The status fields every published result carries (TimingView, SweepView, FeasibilityView,
// the learned model's progress, comparison and samples derive from it).
struct TaskStatus {
  std::uint64_t generation = 0;  // the request it describes; 0 before any
  TaskState state = TaskState::Idle;
  std::string error;  // why it failed or was refused; empty otherwise
};

}  // namespace rankflow::app
