#include "core/flows/schedule.h"

#include "core/common/error.h"

namespace rankflow::flows {

const char* scheduleName(Schedule schedule) {
  switch (schedule) {
    case Schedule::Linear:
      return "linear";
    case Schedule::Trigonometric:
      return "trig";
    case Schedule::VpCosine:
      return "vp-cosine";
    case Schedule::Cubic:
      return "cubic";
  }
  return "?";
}

std::vector<Schedule> allSchedules() {
  return {Schedule::Linear, Schedule::Trigonometric, Schedule::VpCosine, Schedule::Cubic};
}

Schedule parseSchedule(const std::string& name) {
  for (Schedule s : allSchedules()) {
    if (name == scheduleName(s)) return s;
  }
  if (name == "trigonometric") return Schedule::Trigonometric;
  throw InvalidArgument("unknown schedule '" + name + "' (schedules: linear, trig, vp-cosine, cubic)");
}

}  // namespace rankflow::flows
