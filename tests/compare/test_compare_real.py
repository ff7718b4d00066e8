"""compare and gate on real runs of the two bundled models (llama.cpp backend, offline MMLU).

The session fixture runs the `run:` scripts of `.github/workflows/llmselect-gate.yml` (bench
baseline, bench candidate, gate) with bash, as Actions would, so the example workflow is
tested. Only the environment differs: a small suite (one MMLU subject, 0-shot, the first
ITEMS questions) instead of `quick`, to keep the real runs within minutes on a CPU.

The regressing candidate is built from the baseline's real per-sample log with a corrupted
answer key (see ``corrupt_answer_key``): the model's real answers (the argmax of its real
loglikelihoods) rescored against a key that moves the gold option of every item it got right
to the next option. The result is what a broken candidate looks like to the gate (a
model that lost those answers), on the same questions with the same data hashes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml

from llmselect import store

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "llmselect-gate.yml"
VENV_BIN = Path(os.environ.get("VIRTUAL_ENV") or Path(os.sys.executable).parent.parent) / "bin"
SUBJECT = "mmlu_marketing"
ITEMS = 24
SUITE = f"""description: compare/gate test suite, one MMLU subject 0-shot, first {ITEMS} questions
sampled: true
tasks:
  - {{task: {SUBJECT}, benchmark: mmlu, metric: acc, num_fewshot: 0, limit: {ITEMS}}}
"""


def workflow_steps() -> dict[str, str]:
    """`run:` scripts of the gate job by step id."""
    job = yaml.safe_load(WORKFLOW.read_text())["jobs"]["gate"]
    return {s["id"]: s["run"] for s in job["steps"] if "id" in s and "run" in s}


def run_step(script: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture(scope="session")
def workflow_run(tmp_path_factory, shared_datasets, data_cache):
    """Baseline SmolLM2-135M, candidate Gemma 3 270M: the workflow's three steps, run locally."""
    work = tmp_path_factory.mktemp("gate-workflow")
    (work / "suite.yaml").write_text(SUITE)
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
           "BASELINE_MODEL": "smollm2-135m", "CANDIDATE_MODEL": "gemma3-270m", "MAX_DROP": "5",
           "SUITE": str(work / "suite.yaml"), "BENCH_ARGS": "--backend llamacpp --no-probe",
           "GATE_ARGS": "--junit results/gate.xml", "LLMSELECT_DATA_DIR": str(shared_datasets),
           "LLMSELECT_CACHE_DIR": str(data_cache), "HF_HUB_OFFLINE": "1",
           "HF_DATASETS_OFFLINE": "1", "GITHUB_STEP_SUMMARY": str(work / "summary.md")}
    env.pop("LLMSELECT_RESULTS_DIR", None)
    steps = workflow_steps()
    out = {}
    for step in ("bench-baseline", "bench-candidate", "gate"):
        out[step] = run_step(steps[step], env, work)
        if step != "gate":
            assert out[step].returncode == 0, out[step].stderr[-2000:]
    return work, out


def _latest(folder: Path) -> Path:
    return max(store.iter_run_files(folder), key=lambda p: store.load_run(p).created_at)


def llmselect(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "llmselect"), *args], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, timeout=120)


def test_workflow_gate_step_agrees_with_compare(workflow_run):
    """The gate's verdict (0 or 1, whichever the real models give) follows from compare's
    numbers: exit 1 exactly when a task dropped > MAX_DROP points with p < 0.05."""
    work, out = workflow_run
    gate = out["gate"]
    assert gate.returncode in (0, 1), gate.stderr
    data = json.loads(llmselect("compare", "results/baseline", "results/candidate", "-f", "json",
                                cwd=work).stdout)
    (task,) = data["comparisons"][0]["tasks"]
    assert task["method"] == "mcnemar-midp" and task["paired_n"] == ITEMS
    assert task["ci_low"] <= task["delta"] <= task["ci_high"]
    regressed = task["worse_by"] * 100 > 5 and task["p_value"] < 0.05
    assert gate.returncode == int(regressed)
    md = (work / "results" / "compare.md").read_text()
    assert "smollm2-135m-instruct" in md and "gemma3-270m" in md and "95% CI" in md
    root = ET.parse(work / "results" / "gate.xml").getroot()
    assert [c.get("name") for c in root.iter("testcase")] == [f"{SUBJECT} (acc)"]
    assert (root.find(".//failure") is not None) == regressed
    summary = (work / "summary.md").read_text()
    assert summary.startswith("## llmselect gate: " + ("FAIL" if regressed else "PASS"))


def test_compare_prints_deltas_with_intervals(workflow_run):
    work, _ = workflow_run
    res = llmselect("compare", "results/baseline", "results/candidate", cwd=work)
    assert res.returncode == 0, res.stderr
    base = store.load_run(_latest(work / "results" / "baseline")).tasks[SUBJECT]
    cand = store.load_run(_latest(work / "results" / "candidate")).tasks[SUBJECT]
    delta = f"{(cand.value - base.value) * 100:+.1f} ["
    assert delta in res.stdout and "mcnemar-midp" in res.stdout and "peak RSS" in res.stdout


def test_same_model_twice_passes(workflow_run):
    work, _ = workflow_run
    res = llmselect("gate", "-b", "results/baseline", "-c", "results/baseline", "--max-drop", "0",
                    "--junit", "same.xml", cwd=work)
    assert res.returncode == 0, res.stderr
    assert ET.parse(work / "same.xml").getroot().get("failures") == "0"


def test_tolerant_threshold_passes_real_models(workflow_run):
    work, _ = workflow_run
    res = llmselect("gate", "-b", "results/baseline", "-c", "results/candidate", "--max-drop",
                    "100", cwd=work)
    assert res.returncode == 0, res.stderr


def predicted(line: dict) -> int:
    """The model's answer as lm-eval's acc sees it: the choice with the highest loglikelihood."""
    return int(np.argmax([float(r[0]) for r in line["filtered_resps"]]))


def corrupt_answer_key(src_run: Path, dst_folder: Path) -> Path:
    """A copy of a real run, rescored against a corrupted answer key: every item the model
    answered right gets its gold option moved to the next one. Data/doc/target hashes are kept
    (the gate sees the same questions), so only correctness changes."""
    run = store.load_run(src_run)
    (key, task), = run.tasks.items()
    lines = [json.loads(x) for x in (src_run.parent / task.samples_file).read_text().splitlines() if x]
    for line in lines:
        assert float(predicted(line) == int(line["target"])) == line["acc"]  # lm-eval's rule
        if line["acc"] == 1.0:
            line["target"] = (int(line["target"]) + 1) % len(line["filtered_resps"])
            line["acc"] = float(predicted(line) == line["target"])
    acc = np.array([line["acc"] for line in lines])
    run.run_id += "-corrupted-key"
    run.tasks[key] = task.model_copy(update={
        "value": float(acc.mean()), "stderr": float(acc.std(ddof=1) / np.sqrt(len(acc))),
        "samples_file": f"{run.run_id}/samples.jsonl"})
    (dst_folder / run.run_id).mkdir(parents=True)
    (dst_folder / run.run_id / "samples.jsonl").write_text("\n".join(json.dumps(x) for x in lines))
    return store.save_run(run, dst_folder)


def test_corrupted_answer_key_candidate_regresses(workflow_run):
    from scipy import stats as sps

    work, _ = workflow_run
    base_file = _latest(work / "results" / "baseline")
    base = store.load_run(base_file).tasks[SUBJECT]
    bad = corrupt_answer_key(base_file, work / "corrupted")
    assert store.load_run(bad).tasks[SUBJECT].value == 0.0
    right = round(base.value * base.n)  # McNemar: b = right answers lost, c = 0
    mid_p = 2 * (sps.binom.cdf(0, right, 0.5) - 0.5 * sps.binom.pmf(0, right, 0.5))
    res = llmselect("gate", "-b", str(base_file), "-c", str(bad), "--max-drop", "5", "--junit",
                    "bad.xml", cwd=work)
    # SmolLM2 answers 7 of the 24 right (deterministic): b = 7, mid-p = 0.0078
    assert right >= 5 and mid_p < 0.05, f"only {right} right answers: construction too weak"
    assert res.returncode == 1, res.stderr
    assert f"{SUBJECT} dropped {base.value * 100:.1f} pts" in res.stderr
    assert ET.parse(work / "bad.xml").getroot().get("failures") == "1"


def test_answer_key_from_other_data_is_refused(workflow_run):
    """Apples to oranges on real files: a candidate run whose data checksum differs."""
    work, _ = workflow_run
    src = _latest(work / "results" / "candidate")
    run = store.load_run(src)
    key = next(iter(run.tasks))
    run.run_id += "-other-data"
    old = run.tasks[key].samples_file
    run.tasks[key] = run.tasks[key].model_copy(update={
        "data_hash": "0" * 64, "samples_file": f"{run.run_id}/{Path(old).name}"})
    other = work / "other"
    (other / run.run_id).mkdir(parents=True)
    shutil.copy(src.parent / old, other / run.run_id)
    path = store.save_run(run, other)
    res = llmselect("compare", "results/baseline", str(path), cwd=work)
    assert res.returncode == 2 and "data checksum" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
