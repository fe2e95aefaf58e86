#pragma once
// Key codes for the shortcuts. ImGui 1.86 indexes keys by the window backend's codes, which
// are GLFW's here; the values are GLFW's (help_overlay.cpp checks them against glfw3.h), so
// panels name their shortcut keys without including the window system.
namespace rankflow::app::keys {

inline constexpr int kF1 = 290;
inline constexpr int kF2 = 291;
inline constexpr int kF3 = 292;
inline constexpr int kF4 = 293;
inline constexpr int kF5 = 294;
inline constexpr int kF6 = 295;
inline constexpr int kF7 = 296;
inline constexpr int kF8 = 297;
inline constexpr int kF9 = 298;
inline constexpr int kF12 = 301;

}  // namespace rankflow::app::keys
