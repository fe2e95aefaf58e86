#include "app/models/task.h"

namespace rankflow::app {

const char* taskStateName(TaskState state) {
  switch (state) {
    case TaskState::Idle:
      return "idle";
    case TaskState::Queued:
      return "queued";
    case TaskState::Running:
      return "running";
    case TaskState::Done:
      return "done";
    case TaskState::Cancelled:
      return "cancelled";
    case TaskState::Failed:
      return "failed";
  }
  return "?";
}

}  // namespace rankflow::app
