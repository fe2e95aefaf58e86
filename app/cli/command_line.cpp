#include "app/cli/command_line.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "app/viewer/cli_error.h"

namespace rankflow::app {

CommandLine::CommandLine(std::string command, std::string usage, std::string summary, std::vector<OptionSpec> options,
                         std::size_t maxPositionals)
    : command_(std::move(command)),
      usage_(std::move(usage)),
      summary_(std::move(summary)),
      options_(std::move(options)),
      maxPositionals_(maxPositionals) {}

void CommandLine::fail(const std::string& message) const {
  throw CliError(command_ + ": " + message + " (see '" + command_ + " --help')");
}

const OptionSpec* CommandLine::find(const std::string& name) const {
  for (const auto& o : options_)
    if (o.name == name) return &o;
  return nullptr;
}

bool CommandLine::parse(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") return false;
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) {
      if (positionals_.size() >= maxPositionals_) fail("unexpected argument '" + arg + "'");
      positionals_.push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    bool inlineValue = false;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inlineValue = true;
    }
    const OptionSpec* spec = find(name);
    if (!spec) fail("unknown option '--" + name + "'");
    if (spec->valueName.empty()) {
      if (inlineValue) fail("option '--" + name + "' takes no value");
      values_[name].push_back("1");
      continue;
    }
    if (!inlineValue) {
      if (i + 1 >= args.size()) fail("option '--" + name + "' needs a value (" + spec->valueName + ")");
      value = args[++i];
    }
    values_[name].push_back(value);
  }
  return true;
}

std::string CommandLine::help() const {
  std::ostringstream out;
  out << "usage: " << usage_ << "\n\n" << summary_ << "\n";
  if (!options_.empty()) out << "\noptions:\n";
  for (const auto& o : options_) {
    std::string left = "  --" + o.name + (o.valueName.empty() ? "" : " " + o.valueName);
    if (left.size() < 28) {
      left.resize(28, ' ');
    } else {
      left += "  ";
    }
    out << left << o.help;
    if (!o.defaultValue.empty()) out << " (default: " << o.defaultValue << ")";
    out << "\n";
  }
  out << "  --help                    show this help\n";
  return out.str();
}

bool CommandLine::has(const std::string& name) const {
  return values_.count(name) > 0;
}

std::string CommandLine::text(const std::string& name) const {
  if (const auto it = values_.find(name); it != values_.end()) return it->second.back();
  if (const OptionSpec* spec = find(name)) return spec->defaultValue;
  return {};
}

std::vector<std::string> CommandLine::all(const std::string& name) const {
  if (const auto it = values_.find(name); it != values_.end()) return it->second;
  return {};
}

double CommandLine::number(const std::string& name, double min, double max) const {
  const std::string raw = text(name);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(raw.c_str(), &end);
  if (raw.empty() || *end != '\0' || errno != 0 || !std::isfinite(v))
    fail("--" + name + " must be a number, got '" + raw + "'");
  if (v < min || v > max) {
    std::ostringstream range;
    range << "--" << name << " must lie in [" << min << ", " << max << "], got " << raw;
    fail(range.str());
  }
  return v;
}

int CommandLine::integer(const std::string& name, int min, int max) const {
  const std::string raw = text(name);
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(raw.c_str(), &end, 10);
  if (raw.empty() || *end != '\0' || errno != 0) fail("--" + name + " must be an integer, got '" + raw + "'");
  if (v < min || v > max)
    fail("--" + name + " must lie in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + raw);
  return static_cast<int>(v);
}

}  // namespace rankflow::app
