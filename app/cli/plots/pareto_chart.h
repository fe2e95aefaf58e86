#pragma once
#include <string>
#include <vector>

#include "core/lowrank/sweep.h"
#include "render/image.h"

namespace rankflow::app {

// Mean error (log scale) against parameters for every schedule, the Pareto front joined
// and labelled with its schedules.
render::RgbaImage renderParetoChart(const std::vector<lowrank::ScheduleResult>& results, const std::string& title,
                                    int width = 1200, int height = 800);

}  // namespace rankflow::app
