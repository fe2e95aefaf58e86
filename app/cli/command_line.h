#pragma once
#include <map>
#include <string>
#include <vector>

namespace rankflow::app {

struct OptionSpec {
  std::string name;       // without the leading dashes
  std::string valueName;  // empty for a flag
  std::string help;
  std::string defaultValue;
};

// Parses one subcommand's arguments: --name value, --name=value, flags, and positionals.
// Every error is a CliError naming the subcommand, so the message is one line.
class CommandLine {
 public:
  CommandLine(std::string command, std::string usage, std::string summary, std::vector<OptionSpec> options,
              std::size_t maxPositionals = 0);

  // Returns false when --help was given (the caller prints help() and exits 0).
  bool parse(const std::vector<std::string>& args);

  std::string help() const;
  bool has(const std::string& name) const;
  std::string text(const std::string& name) const;              // the last value given
  std::vector<std::string> all(const std::string& name) const;  // every value, for repeatable options
  double number(const std::string& name, double min, double max) const;
  int integer(const std::string& name, int min, int max) const;
  const std::vector<std::string>& positionals() const { return positionals_; }
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const OptionSpec* find(const std::string& name) const;

  std::string command_;
  std::string usage_;
  std::string summary_;
  std::vector<OptionSpec> options_;
  std::size_t maxPositionals_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

}  // namespace rankflow::app
