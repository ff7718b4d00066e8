#!/usr/bin/env bash
# Issue 15's real race on this machine: SmolLM2-135M vs Gemma 3 270M on one suite, confidence
# 0.95, margin 3 points, the budget set at 1/5 of the benchmark (a decision with >= 5x fewer items
# or "undecided"). llama.cpp on one thread: two races can run side by side on the two cores.
#   bash benchmarks/real_race.sh mmlu 2808      # 14,042 / 5
#   bash benchmarks/real_race.sh gsm8k 263      # 1,319 / 5
#   LLMSELECT_SUITES_PATH=benchmarks/suites bash benchmarks/real_race.sh mmlu-stem 630   # 3,153 / 5
#   LLMSELECT_SUITES_PATH=benchmarks/suites bash benchmarks/real_race.sh mmlu-stem none  # no budget:
#     runs until decided (writes race-mmlu-stem-nobudget.*)
# Writes benchmarks/out/race-SUITE.json (the race's JSON output) and race-SUITE.wall (command wall
# seconds); benchmarks/bench_race.py reads both. Killed, the same command resumes from the cache.
set -euo pipefail
suite=$1 budget=$2
out=benchmarks/out
name=race-$suite limit=(--budget "$budget")
if [ "$budget" = none ]; then name=race-$suite-nobudget limit=(); fi
mkdir -p "$out"
start=$(date +%s.%N)
llmselect race smollm2-135m gemma3-270m --suite "$suite" "${limit[@]}" --margin 3 \
  --confidence 0.95 --seed 0 --backend-arg n_threads=1 \
  --data-dir "${LLMSELECT_DATA_DIR:-../shared/datasets}" -o "$out/$name" \
  --format json > "$out/$name.json.tmp"
mv "$out/$name.json.tmp" "$out/$name.json"
echo "$(date +%s.%N) - $start" | bc > "$out/$name.wall"
cat "$out/$name.wall"
