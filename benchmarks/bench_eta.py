"""ETA vs actual wall time (issue 14): `llmselect bench` on the two bundled models, MMLU and GSM8K
samples, each run recording its own ETA (probe of the loaded model + lm-eval's counted
requests) next to the measured wall time of each task (result notes "ETA <task>: predicted
X s, actual Y s"). Target: actual/predicted within 0.65..1.35 (ETA within +-35 %).

    PYTHONPATH=. python benchmarks/bench_eta.py [--data-dir ../shared/datasets] [--mmlu-limit 1]
        [--gsm8k-limit 5]

Prints one line per (model, task) and writes nothing outside a temp folder.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

MODELS = ("smollm2-135m", "gemma3-270m")
NOTE = re.compile(r"ETA (\S+): predicted ([\d.]+) s, actual ([\d.]+) s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "datasets"))
    ap.add_argument("--mmlu-limit", default="1")
    ap.add_argument("--gsm8k-limit", default="5")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        suite = Path(tmp) / "suites"
        suite.mkdir()
        (suite / "etacheck.yaml").write_text(
            "description: ETA check\nsampled: true\ntasks:\n"
            f"  - {{task: mmlu, benchmark: mmlu, metric: acc, num_fewshot: 5, limit: {args.mmlu_limit}}}\n"
            "  - {task: gsm8k_cot, benchmark: gsm8k, metric: 'exact_match,strict-match', "
            f"num_fewshot: 8, limit: {args.gsm8k_limit}, gen_kwargs: {{max_gen_toks: 256}}}}\n")
        env = {**os.environ, "LLMSELECT_SUITES_PATH": str(suite), "HF_HUB_OFFLINE": "1",
               "HF_DATASETS_OFFLINE": "1"}
        for model in MODELS:
            out = Path(tmp) / model
            subprocess.run([sys.executable, "-m", "llmselect", "bench", model, "--suite",
                            "etacheck", "--data-dir", args.data_dir, "-o", str(out),
                            "--format", "json"], env=env, check=True, stdout=subprocess.DEVNULL)
            import json

            [result] = [json.loads(p.read_text()) for p in out.glob("*.json")]
            for note in result["notes"]:
                if m := NOTE.match(note):
                    task, eta, actual = m.group(1), float(m.group(2)), float(m.group(3))
                    ok = "ok" if 0.65 <= actual / eta <= 1.35 else "MISS"
                    print(f"{model:14s} {task:10s} predicted {eta:7.1f} s  actual {actual:7.1f} s"
                          f"  actual/predicted {actual / eta:.2f}  {ok}", flush=True)
                elif note.startswith("ETA method"):
                    print(f"{model:14s} {note}", flush=True)


if __name__ == "__main__":
    main()
