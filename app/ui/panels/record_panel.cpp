#include "app/ui/panels/record_panel.h"

#include <imgui.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "app/ui/imgui_style.h"
#include "app/ui/keys.h"
#include "app/ui/widgets/text_input.h"

namespace rankflow::app {
namespace {

struct VideoSize {
  const char* label;
  uint32_t width;
  uint32_t height;
};
constexpr std::array kSizes = {VideoSize{"1280 x 720", 1280, 720}, VideoSize{"1920 x 1080", 1920, 1080},
                               VideoSize{"3840 x 2160", 3840, 2160}};

}  // namespace

std::string RecordPanel::start(PanelHost& host) {
  VideoRequest request;
  request.path = path_;
  request.t0 = t0_;
  request.t1 = t1_;
  request.seconds = seconds_;
  request.fps = fps_;
  const VideoSize& size = kSizes[static_cast<std::size_t>(std::clamp(size_, 0, static_cast<int>(kSizes.size()) - 1))];
  request.width = size.width;
  request.height = size.height;
  return recording_.start(host.scene(), host.view(), request);
}

void RecordPanel::draw(PanelHost& host, bool* open) {
  ImGui::SetNextWindowPos({uiScaled(440.0f), uiScaled(560.0f)}, ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize({uiScaled(420.0f), 0.0f}, ImGuiCond_FirstUseEver);
  if (!ImGui::Begin("Record video", open)) {
    ImGui::End();
    return;
  }
  const RecordingStatus status = recording_.status();
  const bool running = status.state == TaskState::Running;
  ImGui::TextWrapped("The scene as the play shows it, t from t0 to t1, rendered offscreen to H.264 (ffmpeg).");
  ImGui::BeginDisabled(running);
  ImGui::SetNextItemWidth(-1.0f);
  widgets::inputText("##path", "file.mp4", path_);
  ImGui::SetNextItemWidth(uiScaled(120.0f));
  ImGui::SliderFloat("t0", &t0_, 0.0f, 1.0f, "%.3f");
  ImGui::SameLine();
  if (ImGui::SmallButton("t0 = t")) t0_ = host.view().t;
  ImGui::SetNextItemWidth(uiScaled(120.0f));
  ImGui::SliderFloat("t1", &t1_, 0.0f, 1.0f, "%.3f");
  ImGui::SameLine();
  if (ImGui::SmallButton("t1 = t")) t1_ = host.view().t;
  ImGui::SetNextItemWidth(uiScaled(120.0f));
  ImGui::InputFloat("seconds", &seconds_, 1.0f, 5.0f, "%.1f");
  ImGui::SetNextItemWidth(uiScaled(120.0f));
  ImGui::InputInt("fps", &fps_);
  ImGui::SetNextItemWidth(uiScaled(160.0f));
  if (ImGui::BeginCombo("size", kSizes[static_cast<std::size_t>(size_)].label)) {
    for (int i = 0; i < static_cast<int>(kSizes.size()); ++i)
      if (ImGui::Selectable(kSizes[static_cast<std::size_t>(i)].label, i == size_)) size_ = i;
    ImGui::EndCombo();
  }
  if (ImGui::Button("Record")) message_ = start(host);
  ImGui::EndDisabled();
  if (running) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) recording_.cancel();
    char overlay[64];
    std::snprintf(overlay, sizeof overlay, "frame %d / %d", status.framesDone, status.frames);
    ImGui::ProgressBar(
        status.frames > 0 ? static_cast<float>(status.framesDone) / static_cast<float>(status.frames) : 0.0f,
        {-1.0f, 0.0f}, overlay);
  }
  if (!message_.empty()) ImGui::TextColored({1.0f, 0.55f, 0.45f, 1.0f}, "%s", message_.c_str());
  switch (status.state) {
    case TaskState::Done:
      ImGui::TextWrapped("wrote %s (%d frames in %.1f s)", status.path.c_str(), status.frames, status.seconds);
      break;
    case TaskState::Cancelled:
      ImGui::TextDisabled("cancelled after %d of %d frames: nothing written", status.framesDone, status.frames);
      break;
    case TaskState::Failed:
      ImGui::TextColored({1.0f, 0.55f, 0.45f, 1.0f}, "%s", status.error.c_str());
      break;
    default:
      break;
  }
  ImGui::End();
}

std::optional<std::string> RecordPanel::setValue(PanelHost& host, const std::string& name, const std::string& value) {
  if (name == "record.path") {
    if (value.empty()) return "record.path must name a file";
    path_ = value;
    return "";
  }
  const auto number = [&](double lo, double hi, double& out) -> std::string {
    char* end = nullptr;
    out = std::strtod(value.c_str(), &end);
    if (value.empty() || *end != '\0' || !(out >= lo && out <= hi))
      return name + " must be a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + value +
             "'";
    return "";
  };
  double v = 0.0;
  if (name == "record.t0" || name == "record.t1" || name == "record.seconds" || name == "record.fps") {
    const bool time = name == "record.t0" || name == "record.t1";
    if (std::string why = number(time ? 0.0 : 1e-3, time ? 1.0 : (name == "record.fps" ? 240.0 : 3600.0), v);
        !why.empty())
      return why;
    if (name == "record.t0") t0_ = static_cast<float>(v);
    if (name == "record.t1") t1_ = static_cast<float>(v);
    if (name == "record.seconds") seconds_ = static_cast<float>(v);
    if (name == "record.fps") fps_ = static_cast<int>(v);
    return "";
  }
  if (name == "record.start") {
    message_ = start(host);
    return message_;
  }
  if (name == "record.cancel") {
    recording_.cancel();
    return "";
  }
  return std::nullopt;
}

std::optional<double> RecordPanel::value(const std::string& name) const {
  const RecordingStatus status = recording_.status();
  if (name == "record.frames") return status.framesDone;
  if (name == "record.done") return status.state == TaskState::Done ? 1.0 : 0.0;
  return std::nullopt;
}

PanelInfo recordPanelInfo() {
  return {.id = "record",
          .title = "Record video",
          .toggleLabel = "Record F9",
          .shortcut = {keys::kF9, "F9", "Record a video of the play (t0 -> t1) through ffmpeg"},
          .toggleOrder = 7,
          .settable = {"record."},
          .readable = {"record.frames", "record.done"},
          .make = [](PanelHost&) { return std::make_unique<RecordPanel>(); }};
}

}  // namespace rankflow::app
