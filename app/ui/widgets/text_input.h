#pragma once
// A text field over a std::string: the Debian ImGui 1.86 package ships no std::string
// overloads, so the field grows the string through ImGui's resize callback
// (ImGuiInputTextFlags_CallbackResize, as imgui.h describes it).
#include <imgui.h>

#include <string>

namespace rankflow::app::widgets {

inline int growString(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
    auto* text = static_cast<std::string*>(data->UserData);
    text->resize(static_cast<std::size_t>(data->BufTextLen));
    data->Buf = text->data();
  }
  return 0;
}

// True when the text changed (or Enter was pressed, with ImGuiInputTextFlags_EnterReturnsTrue).
inline bool inputText(const char* label, const char* hint, std::string& text, ImGuiInputTextFlags flags = 0) {
  return ImGui::InputTextWithHint(label, hint, text.data(), text.capacity() + 1,
                                  flags | ImGuiInputTextFlags_CallbackResize, growString, &text);
}

}  // namespace rankflow::app::widgets
