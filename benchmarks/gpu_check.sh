#!/usr/bin/env bash
# Issue 14, GPU paths: run on a machine with an NVIDIA GPU (CI has none). Benches the two bundled
# models through transformers on CUDA (and vLLM when it installs), with the plan/ETA first.
# Usage: bash benchmarks/gpu_check.sh [DATA_DIR]   (default ../shared/datasets). Record the
# printed lines in benchmarks/README.md ("GPU check").
set -euo pipefail
DATA=${1:-../shared/datasets}
OUT=$(mktemp -d)
export HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1
PY=${PYTHON:-python}
echo "== machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
$PY -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, 'available', torch.cuda.is_available())"
$PY -m llmselect hardware || true
for model in smollm2-135m gemma3-270m; do
  echo "== $model: plan (hf on CUDA)"
  $PY -m llmselect bench "$model" --backend hf --device cuda --suite quick --tasks mmlu,gsm8k_cot \
      --data-dir "$DATA" --plan --format json | $PY -c "import json,sys; r=json.load(sys.stdin); print('eta_total_s', r['eta_total_s'], '|', r['eta_method']); print('compute', r['compute'])"
  echo "== $model: run (hf on CUDA)"
  $PY -m llmselect bench "$model" --backend hf --device cuda --suite quick --tasks mmlu,gsm8k_cot \
      --data-dir "$DATA" -o "$OUT/hf-$model" --format json > "$OUT/hf-$model.json"
  $PY - "$OUT/hf-$model.json" <<'PYEOF'
import json, sys
r = json.load(open(sys.argv[1]))
for k, t in r["tasks"].items():
    print(f"  {k}: {t['metric']}={t['value']:.4f} n={t['n']} wall={r['task_wall_time_s'][k]:.1f}s")
print("  speed:", {k: r["speed"].get(k) for k in ("prompt_tokens_per_s", "gen_tokens_per_s", "ttft_s")})
print("  memory:", r["memory"], "| quantization:", r["model"]["quantization"])
for n in r["notes"]:
    if n.startswith("ETA"): print("  ", n)
PYEOF
done
echo "== vLLM"
if $PY -c "import vllm" 2>/dev/null || pip install -q vllm; then
  for model in smollm2-135m gemma3-270m; do
    $PY -m llmselect bench "$model" --backend vllm --suite quick --tasks mmlu,gsm8k_cot \
        --data-dir "$DATA" -o "$OUT/vllm-$model" --no-probe --format json \
      | $PY -c "import json,sys; r=json.load(sys.stdin); print('$model vllm', {k: (t['value'], t['n']) for k, t in r['tasks'].items()}, 'wall', r['wall_time_s'])" \
      || echo "$model vllm: failed (record the error line)"
  done
else
  echo "vLLM not installable here: record that"
fi
echo "results under $OUT"
