#pragma once
// Named matrix-function scenes (the Ranks panel's and the CLI's), each with parameters.
#include <map>
#include <string>
#include <vector>

#include "core/matfun/matrix_function.h"

namespace rankflow::theory {

struct MatrixScene {
  std::string name;
  std::string statement;  // what the scene shows, one sentence
  matfun::MatrixFunction b;
};

struct MatrixSceneInfo {
  std::string name;
  std::string parameters;  // "k=4" …, with defaults
  std::string statement;
};

std::vector<MatrixSceneInfo> matrixScenes();

// One of a scene's parameters, as text: "4", "1,3,5,2".
struct SceneParameter {
  std::string name;
  std::string value;
};

// "k=4" / "n=4,degree=3,seed=1" / "ranks=1,3,5,2" (MatrixSceneInfo::parameters) → name/value
// pairs; a list value keeps its commas: an item without '=' continues the previous value.
std::vector<SceneParameter> parseSceneParameters(const std::string& text);

// params: name → value text (e.g. {"k", "5"}, {"ranks", "1,3,5,2"}); unknown names or bad
// values are an InvalidArgument.
MatrixScene buildMatrixScene(const std::string& name, const std::map<std::string, std::string>& params);

// "1,3,5" → {1, 3, 5}; throws InvalidArgument on anything that is not a list of integers >= 0.
std::vector<int> parseRankList(const std::string& text);

}  // namespace rankflow::theory
