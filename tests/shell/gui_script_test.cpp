// Scripts for the window (--script): malformed ones are refused before any window opens,
// naming the file and line; the key names match the shortcut table the help overlay lists.
#include "app/shell/gui_script.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "app/ui/help_overlay.h"
#include "core/common/error.h"

namespace rankflow {
namespace {

using app::GuiScript;

std::string parseError(const std::string& text) {
  try {
    GuiScript::parse(text, "s.txt");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(GuiScript, ParsesEveryCommandAndSkipsCommentsAndBlankLines) {
  const GuiScript script = GuiScript::parse(
      "# a comment\n\nwait 3\nwait-idle\nwait-idle 30\nset t 0.25\nkey F2\nscreenshot a.png\n"
      "screenshot b.png ranks\nexpect t == 0.25\nexpect fit.error.2 near 0.5 1e-6\nprint t\nquit\n",
      "s.txt");
  ASSERT_EQ(script.commands().size(), 11u);
  EXPECT_EQ(script.commands()[0].verb, "wait");
  EXPECT_EQ(script.commands()[0].line, 3);
  EXPECT_EQ(script.commands()[8].args.size(), 4u);  // expect NAME near VALUE TOL
  EXPECT_FALSE(script.finished());
}

TEST(GuiScript, RefusesMalformedLinesNamingFileAndLine) {
  EXPECT_NE(parseError("wait 1\njump 3\n").find("s.txt:2: unknown command 'jump'"), std::string::npos);
  EXPECT_NE(parseError("set t\n").find("s.txt:1: wrong number of arguments"), std::string::npos);
  EXPECT_NE(parseError("wait -2\n").find("wait takes a number of frames"), std::string::npos);
  EXPECT_NE(parseError("wait-idle 0\n").find("wait-idle takes a number of seconds"), std::string::npos);
  EXPECT_NE(parseError("key F13\n").find("unknown key 'F13'"), std::string::npos);
  EXPECT_NE(parseError("screenshot a.png nowhere\n").find("unknown panel 'nowhere'"), std::string::npos);
  EXPECT_NE(parseError("expect t ~ 3\n").find("expect NAME OP VALUE"), std::string::npos);
  EXPECT_NE(parseError("expect t near 3\n").find("expect NAME OP VALUE"), std::string::npos);
  EXPECT_NE(parseError("expect t < x\n").find("compares with a number"), std::string::npos);
  EXPECT_NE(parseError("expect t < nan\n").find("compares with a number"), std::string::npos);
  EXPECT_THROW(GuiScript::load("/nonexistent/script.txt"), InvalidArgument);
}

// Found by fuzzing (issue 16): these passed validation and failed, hung or did nothing once
// the window was open.
TEST(GuiScript, RefusesWhatWouldFailLaterBeforeTheWindowOpens) {
  EXPECT_NE(parseError("wait 1e308\n").find("s.txt:1: wait takes a number of frames from 0 to 1000000"),
            std::string::npos);
  EXPECT_NE(parseError("wait-idle 1e9\n").find("wait-idle takes a number of seconds"), std::string::npos);
  EXPECT_NE(parseError("wait 1\nset zzz 5\n").find("s.txt:2: unknown setting 'zzz'"), std::string::npos)
      << parseError("wait 1\nset zzz 5\n");
  EXPECT_NE(parseError("print nonexistent\n").find("s.txt:1: unknown value 'nonexistent'"), std::string::npos);
  EXPECT_NE(parseError("expect fit.error.x < 1\n").find("unknown value 'fit.error.x'"), std::string::npos);
  EXPECT_NE(parseError("screenshot /nonexistent/dir/a.png\n").find("no directory '/nonexistent/dir'"),
            std::string::npos);
  // Names a panel answers to, families and numbered values pass.
  EXPECT_EQ(parseError("set adapters.value 3\nset panel.ranks on\nset fit.rank.2 4\nprint fit.error.2\n"
                       "expect panel.cascade == 1\nprint trajectories\nset colour speed\nscreenshot a.png\n"),
            "");
  const auto dir = std::filesystem::temp_directory_path();
  try {
    GuiScript::load(dir.string());
    ADD_FAILURE() << "a directory was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
  try {
    GuiScript::load("/dev/zero");
    ADD_FAILURE() << "/dev/zero was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("not a text file"), std::string::npos) << e.what();
  }
}

TEST(HelpOverlay, EveryShortcutHasADistinctKeyAndItsNameMapsBackToIt) {
  std::set<int> keys;
  for (const auto& s : app::shortcuts()) {
    EXPECT_TRUE(keys.insert(s.key).second) << s.label << " is bound twice";
    EXPECT_EQ(app::keyCodeForName(s.label), s.key) << s.label;
    EXPECT_GT(std::string(s.action).size(), 3u);
  }
  EXPECT_EQ(app::keyCodeForName("f5"), app::shortcutKey(app::ShortcutAction::ToggleLecture));
  EXPECT_EQ(app::keyCodeForName("nope"), -1);
}

}  // namespace
}  // namespace rankflow
