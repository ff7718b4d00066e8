#!/usr/bin/env bash
# The full benchmark the real race is priced against, measured rather than estimated: each of the
# race's two candidates runs SUITE in full, llama.cpp on one thread as in real_race.sh, one after
# the other (so the sum is the single-core wall a race would have replaced).
#   LLMSELECT_SUITES_PATH=benchmarks/suites bash benchmarks/full_bench.sh mmlu-stem
#   bash benchmarks/full_bench.sh mmlu smollm2-135m   # one candidate (two cores: one per model)
# Writes benchmarks/out/full-SUITE-MODEL/ (ordinary run files) and full-SUITE-MODEL.wall (command
# wall seconds); benchmarks/bench_race.py reads both.
set -euo pipefail
suite=$1
shift
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(smollm2-135m gemma3-270m)
out=benchmarks/out
mkdir -p "$out"
for model in "${models[@]}"; do
  start=$(date +%s.%N)
  llmselect bench "$model" --suite "$suite" --n-threads 1 \
    --data-dir "${LLMSELECT_DATA_DIR:-../shared/datasets}" -o "$out/full-$suite-$model" > /dev/null
  echo "$(date +%s.%N) - $start" | bc > "$out/full-$suite-$model.wall"
  echo "$model $(cat "$out/full-$suite-$model.wall")"
done
