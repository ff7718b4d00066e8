"""ETA vs actual wall time (issue 14): `llmselect bench` on the two bundled models, MMLU and GSM8K
samples. Per model: `bench --plan --no-probe` (the estimate from the model's size and this
machine's measured figures, nothing loaded), then the real run, which records its own ETA (its
speed probe + the requests lm-eval hands the model) next to each task's measured wall time
(note "ETA <task>: predicted X s, actual Y s (... model part predicted P s ... actual A s ...)").
Target: actual/predicted within 0.65..1.35 (ETA within +-35 %). Also prints the load average
(the machine is shared: note it with the figures) and the mean length of the GSM8K generations
(characters / 4), which calibrates ``eta.GEN_FILL``.

    PYTHONPATH=. python benchmarks/bench_eta.py [--data-dir ../shared/datasets]
        [--mmlu-subjects abstract_algebra,anatomy,astronomy] [--mmlu-limit 3]
        [--gsm8k-limit 3] [--max-gen 64] [--models smollm2-135m,gemma3-270m]

Writes nothing outside a temp folder.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from llmselect.fileio import jsonl_lines

NOTE = re.compile(r"ETA (\S+): predicted ([\d.]+) s, actual ([\d.]+) s.*model part predicted "
                  r"([\d.]+) s .* actual ([\d.]+) s \(ratio")


def suite_yaml(subjects: list[str], mmlu_limit: int, gsm8k_limit: int, max_gen: int) -> str:
    lines = ["description: ETA check", "sampled: true", "tasks:"]
    lines += [f"  - {{task: mmlu_{s}, benchmark: mmlu, metric: acc, num_fewshot: 5, "
              f"limit: {mmlu_limit}}}" for s in subjects]
    lines.append("  - {task: gsm8k_cot, benchmark: gsm8k, metric: 'exact_match,strict-match', "
                 f"num_fewshot: 8, limit: {gsm8k_limit}, gen_kwargs: {{max_gen_toks: {max_gen}}}}}")
    return "\n".join(lines) + "\n"


def bench(model: str, env: dict, data_dir: str, *extra: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "llmselect", "bench", model, "--suite",
                          "etacheck", "--data-dir", data_dir, "--format", "json", *extra],
                         env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out[out.index("{"):])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "datasets"))
    ap.add_argument("--mmlu-subjects", default="abstract_algebra,anatomy,astronomy")
    ap.add_argument("--mmlu-limit", type=int, default=3)
    ap.add_argument("--gsm8k-limit", type=int, default=3)
    ap.add_argument("--max-gen", type=int, default=64)
    ap.add_argument("--models", default="smollm2-135m,gemma3-270m")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "suites").mkdir()
        (Path(tmp) / "suites" / "etacheck.yaml").write_text(suite_yaml(
            args.mmlu_subjects.split(","), args.mmlu_limit, args.gsm8k_limit, args.max_gen))
        env = {**os.environ, "LLMSELECT_SUITES_PATH": str(Path(tmp) / "suites"),
               "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
        for model in args.models.split(","):
            print(f"{model}: load average before {os.getloadavg()[0]:.1f}", flush=True)
            plan = bench(model, env, args.data_dir, "--plan", "--no-probe")
            estimate = {t["task"]: t["eta_s"] for t in plan["tasks"]}
            print(f"{model}: estimate method: {plan['eta_method']}", flush=True)
            result = bench(model, env, args.data_dir, "-o", str(Path(tmp) / model))
            report(model, result, estimate, Path(tmp) / model)
            print(f"{model}: load average after {os.getloadavg()[0]:.1f}", flush=True)


def report(model: str, result: dict, estimate: dict, out: Path) -> None:
    for note in result["notes"]:
        if note.startswith("ETA method"):
            print(f"{model}: {note}", flush=True)
        elif m := NOTE.match(note):
            task, eta, actual, model_eta, model_actual = m.group(1), *map(float, m.groups()[1:])
            est = estimate.get(task)
            print(f"{model:13s} {task:26s} run ETA {eta:7.1f} s  actual {actual:7.1f} s  "
                  f"ratio {actual / eta:.2f} {'ok' if 0.65 <= actual / eta <= 1.35 else 'MISS'}"
                  f" | model part {model_eta:7.1f} vs {model_actual:7.1f} s ratio "
                  f"{model_actual / max(model_eta, 1e-9):.2f}"
                  + (f" | no-probe estimate {est:7.1f} s ratio {actual / est:.2f}" if est else ""),
                  flush=True)
    gens = []
    for path in out.glob("*/samples_gsm8k_cot.jsonl"):
        for line in jsonl_lines(path.read_text(encoding="utf-8")):
            if not line.strip():
                continue
            resp = json.loads(line).get("resps") or [[""]]
            gens.append(len(str(resp[0][0])) / 4)
    if gens:
        print(f"{model}: GSM8K generations ~{sum(gens) / len(gens):.0f} tokens (chars/4) on "
              f"average over {len(gens)}", flush=True)


if __name__ == "__main__":
    main()
