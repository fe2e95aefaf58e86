#pragma once
// One interface for every tool window beside the flow view, and one registry of them
// (panels/registry.cpp). A panel is one file — its class, deriving from Panel, and a
// function returning its PanelInfo — plus one line in the registry: the Workbench creates,
// draws, saves, exports, scripts and waits for panels only through this interface, the
// control panel lists its toggles from the registry and the keyboard table its shortcuts.
// docs/ARCHITECTURE.md ("One frame") shows where each hook runs.
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "app/viewer/backend_selection.h"
#include "app/viewer/scene_frame.h"
#include "app/viewer/session.h"
#include "app/viewer/view_state.h"
#include "core/flows/flow_scene.h"

namespace rankflow::app {

class Panel;

// What a panel reaches of the application while it runs: the view (which it may change, as
// the controls do), the scene, the compute backends, and the other panels that exist.
class PanelHost {
 public:
  virtual ~PanelHost() = default;
  virtual ViewState& view() = 0;
  virtual const flows::FlowScene& scene() const = 0;
  virtual const BackendSelection& backends() const = 0;
  // The lattice the arrows are drawn on (a panel's scene layer uses its points).
  virtual const LatticeField& field() const = 0;
  // A panel by registry id, or null when it has not been created yet.
  virtual Panel* findPanel(const std::string& id) = 0;
};

// A shortcut that toggles a panel (0: none). ImGui 1.86 indexes keys by GLFW's key codes.
struct PanelShortcut {
  int key = 0;
  const char* label = nullptr;   // "F2", as the help overlay prints it
  const char* action = nullptr;  // "Ranks panel"
};

// What a panel does in lecture mode (full screen, only the scene).
enum class LectureRole {
  Hidden,    // waits until lecture mode ends (and is not created meanwhile)
  Overlay,   // drawn over everything, in lecture mode too (the help), after the other windows
  Presents,  // fills the screen instead of the flow and takes the presenter keys (Theory)
};

struct PanelInfo {
  const char* id = nullptr;           // `--panel NAME`, `panel.NAME` in scripts, the session's "panels" key
  const char* title = nullptr;        // the ImGui window's title (figures crop to it)
  const char* toggleLabel = nullptr;  // the control panel's checkbox, "Ranks F2"
  PanelShortcut shortcut{};
  // Where its checkbox sits among the control panel's (the registry's order is the order the
  // windows are created and drawn in, which decides which is in front when they overlap).
  int toggleOrder = 0;
  bool openAtStart = false;
  // Created with the Workbench (not on first open): panels whose per-frame update() must run
  // from the start, like the timeline's playback.
  bool createAtStart = false;
  // Script names this panel sets (a prefix ending in '.' takes a family, as "fit." for
  // fit.rank.K); setting one creates the panel. `readable`: the values it reports, as
  // `valueNames()` lists them for scripts ("fit.error.K").
  std::vector<std::string> settable{};
  std::vector<std::string> readable{};
  LectureRole lecture = LectureRole::Hidden;
  // Files dropped onto the window with one of these endings (".safetensors") go to this
  // panel's filesDropped, which opens it; the first panel in the registry that takes them wins.
  std::vector<std::string> dropExtensions{};
  std::function<std::unique_ptr<Panel>(PanelHost&)> make{};
};

class Panel {
 public:
  virtual ~Panel() = default;

  // Every frame, for every created panel, before ImGui draws (open or not): playback,
  // polling models whose results other views use.
  virtual void update(PanelHost&, double /*dtSeconds*/) {}
  // Draws the window (open points at the view's flag, which the close button clears).
  // Called while the panel is open, and while closed too when drawsWhileClosed().
  virtual void draw(PanelHost& host, bool* open) = 0;
  virtual bool drawsWhileClosed() const { return false; }
  // Lecture mode (PanelInfo::lecture == Presents): the presenter keys (Right, Left, R) go to
  // the panel instead of stepping t.
  virtual bool presenterNext() { return false; }
  virtual bool presenterPrevious() { return false; }
  virtual bool presenterReset() { return false; }

  // A background job the window is waiting for (figures and scripts wait while true).
  virtual bool busy() const { return false; }

  // The data behind the window, as (suffix, text) files written beside an export prefix:
  // {"-ranks.json", …}.
  virtual std::vector<std::pair<std::string, std::string>> exportFiles() const { return {}; }

  // Scripting (docs/cli.md, `gui --script`): set returns "" on success, else why it was
  // refused, or nullopt for a name that is not this panel's. `value` answers by name.
  virtual std::optional<std::string> setValue(PanelHost&, const std::string& /*name*/, const std::string& /*value*/) {
    return std::nullopt;
  }
  virtual std::optional<double> value(const std::string& /*name*/) const { return std::nullopt; }

  // Session files: the panel's own part of a session (restored once, when the panel is
  // created or a session is loaded; bad values are refused by the models with a message).
  virtual void restore(const Session&) {}
  virtual void save(Session&) const {}

  // What the panel draws over the flow view (the learned flow's arrows or particle errors).
  virtual void sceneLayer(PanelHost&, LearnedLayer&) {}

  // Files dropped onto the window that PanelInfo::dropExtensions routed here: "" when taken,
  // else why not (nothing changes), nullopt when the panel takes no files.
  virtual std::optional<std::string> filesDropped(PanelHost&, const std::vector<std::string>& /*paths*/) {
    return std::nullopt;
  }
};

// The registry, in the order the windows draw and the control panel lists them.
std::span<const PanelInfo> panelRegistry();
const PanelInfo* findPanelInfo(const std::string& id);

// Whether the panel sets the script value `name` (an exact name or under a prefix).
bool panelAnswersTo(const PanelInfo& info, const std::string& name);

}  // namespace rankflow::app
