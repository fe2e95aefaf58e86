# Flags are scoped to Rankflow's own targets (never directory-wide), so third-party
# headers and CUDA's own sources are not held to -Werror.
function(rankflow_target_defaults target)
  set(cxx_warnings -Wall -Wextra -Wpedantic -Wshadow)
  if(RANKFLOW_WERROR)
    list(APPEND cxx_warnings -Werror)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 reports -Wrestrict falsely inside std::string's operator+ at -O3 (GCC bug 105651).
    list(APPEND cxx_warnings -Wno-restrict)
  endif()
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${cxx_warnings} ${RANKFLOW_CPU_ARCH_FLAGS}>)
  if(RANKFLOW_WERROR)
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CUDA>:--Werror=all-warnings -Xcompiler=-Wall,-Wextra>)
  endif()
  if(RANKFLOW_SANITIZE)
    # Undefined behaviour stops the program (not a warning a passing test would hide).
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer>)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  get_target_property(type ${target} TYPE)
  if((RANKFLOW_UNITY_BUILD AND (type STREQUAL "STATIC_LIBRARY" OR target MATCHES "_tests$"))
     OR (RANKFLOW_UNITY_TESTS AND target MATCHES "_tests$"))
    # Batches of 8 files: Eigen's and GoogleTest's headers and templates are parsed and
    # instantiated once per batch, not once per file. The sanitizer tree batches its libraries
    # and tests, a fresh release tree made by tools/test its tests (docs/RELIABILITY.md, "CI
    # time"); a file whose file-local helpers clash with another's opts out by
    # SKIP_UNITY_BUILD_INCLUSION where it is listed.
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE 8)
  endif()
  if(RANKFLOW_FUZZ)
    # Coverage for libFuzzer in every Rankflow target; only the harnesses link its main.
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
  endif()
endfunction()
