#pragma once
// The JSON reports of the adapter and checkpoint tools (docs/cli.md, "JSON output fields"):
// `lora-ranks --json`, `lora-resize --json` and `cascade-fit --json` print them, and the
// Python module returns them as dicts, so both name every field the same way.
#include <string>
#include <vector>

#include "core/learn/checkpoint_cascade.h"
#include "core/learn/lora_profile.h"
#include "core/learn/lora_resize.h"

namespace rankflow::learn {

// rank_fro uses `fro` (kohya's sv_fro share).
std::string loraProfileReport(const std::string& path, double tolerance, double fro, const LoraProfile& profile);
std::string loraResizeReport(const std::string& path, const std::string& out, const LoraResize& resize);
std::string checkpointCascadeReport(const std::string& basePath, const std::vector<std::string>& targetPaths,
                                    const CheckpointCascade& fit, const CheckpointCascadeOptions& options);

}  // namespace rankflow::learn
