#!/usr/bin/env bash
# Runs one libFuzzer harness for a time over its checked-in seeds (docs/RELIABILITY.md,
# "Fuzzing"), and prints one summary line: executions, coverage and corpus size. Used by
# ctest (short runs) and tools/fuzz (long runs).
#   run_fuzzer.sh HARNESS NAME SECONDS SEED_DIR WORK_DIR [RANDOM_SEED]
# RANDOM_SEED fixes libFuzzer's mutation sequence (ctest passes RANKFLOW_FUZZ_SEED, so a clean
# clone's CI explores the inputs a run here explored, not a new draw); 0 or absent draws one.
# New inputs go to WORK_DIR/corpus/NAME (the seeds are never changed); a crash, leak, hang
# or sanitizer report fails the run and leaves the input in WORK_DIR/crashes.
set -uo pipefail
harness="$1" name="$2" seconds="$3" seeds="$4" work="$5" random_seed="${6:-0}"
mkdir -p "$work/corpus/$name" "$work/crashes" "$work/logs"
log="$work/logs/$name.log"
# Leaks are findings here: no harness loads a Vulkan driver.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
"$harness" -seed="$random_seed" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
  -print_final_stats=1 -artifact_prefix="$work/crashes/$name-" "$work/corpus/$name" "$seeds" >"$log" 2>&1
status=$?
executions=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
corpus=$(find "$work/corpus/$name" -type f | wc -l)
echo "fuzz $name: ${executions:-?} executions in ${seconds} s, coverage ${coverage:-?} edges, ${features:-?} features, ${corpus} new corpus inputs"
if [ $status -ne 0 ]; then
  echo "fuzz $name: FAILED (exit $status); the log is $log:"
  grep -E "ERROR|SUMMARY|fuzz harness|Test unit written|runtime error" "$log" | head -20
  echo "fuzz $name: once fixed, copy the input above into tests/fuzz/corpus/$name/ as a regression file"
fi
exit $status
