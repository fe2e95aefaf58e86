// libFuzzer harness: matrix function JSON (matfun::parseMatrixFunctionJson), then what
// `rankflow ranks --function` does with a small accepted one: its value and derivatives
// (docs/RELIABILITY.md, "Fuzzing"; seeds in tests/fuzz/corpus/matrix_function).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/matfun/json_format.h"
#include "core/matfun/matrix_function.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(rankflow::fuzz::inputText(data, size));
  rankflow::fuzz::parsedOrRefused([&] {
    const rankflow::matfun::MatrixFunction f = rankflow::matfun::parseMatrixFunctionJson(text);
    if (f.rows() * f.cols() <= 64 * 64) {
      for (int order = 0; order <= 3; ++order) f.derivative(order).evaluate(0.37);
    }
  });
  return 0;
}
