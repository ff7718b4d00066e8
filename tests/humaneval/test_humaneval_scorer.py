"""The scorer on the real 164 problems: canonical solutions pass, planted bugs fail, consent."""

from __future__ import annotations

import pytest

from llmselect.errors import UserError
from llmselect.humaneval import ENV_VAR, load_problems, score_completions


@pytest.fixture(scope="module")
def problems():
    return load_problems(online=False)


def test_data_from_shared_folder_matches_packaged_copy(problems, shared_datasets):
    local = load_problems(shared_datasets / "humaneval" / "HumanEval.jsonl.gz")
    assert len(problems) == len(local) == 164
    assert [p["task_id"] for p in local] == [p["task_id"] for p in problems]


def test_bad_data_file_is_one_line(tmp_path):
    bad = tmp_path / "h.jsonl"
    bad.write_text('{"task_id": "x"}\n')
    with pytest.raises(UserError, match="need the fields"):
        load_problems(bad)
    with pytest.raises(UserError, match="not found"):
        load_problems(tmp_path / "missing.jsonl.gz")


def test_all_canonical_solutions_pass(problems, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "1")
    score = score_completions(problems, {p["task_id"]: [p["canonical_solution"]] for p in problems})
    failed = {t: rs[0].output[-300:] for t, rs in score.samples.items() if not rs[0].passed}
    assert failed == {}
    assert score.pass_at == {"pass@1": 1.0}
    assert score.isolation["network"]  # some network barrier was in effect, and recorded


def test_all_wrong_completions_fail(problems, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "1")
    score = score_completions(problems, {p["task_id"]: ["    return None\n"] for p in problems})
    assert [t for t, rs in score.samples.items() if rs[0].passed] == []
    assert all(rs[0].error is None for rs in score.samples.values())
    assert score.pass_at == {"pass@1": 0.0}


def test_planted_bugs_fail_and_pass_at_k_counts_them(problems, monkeypatch):
    monkeypatch.setenv(ENV_VAR, "1")
    by_id = {p["task_id"]: p for p in problems}
    good0, good2 = by_id["HumanEval/0"]["canonical_solution"], by_id["HumanEval/2"]["canonical_solution"]
    bug0 = good0.replace("return True", "return False")
    bug2 = good2.replace("return number % 1.0", "return number % 1.0 + 1e-3")
    assert bug0 != good0 and bug2 != good2
    score = score_completions(problems, {"HumanEval/0": [bug0, good0], "HumanEval/2": [bug2, bug2]},
                              k=(1, 2))
    verdicts = {t: [r.passed for r in rs] for t, rs in score.samples.items()}
    assert verdicts == {"HumanEval/0": [False, True], "HumanEval/2": [False, False]}
    assert score.pass_at == {"pass@1": pytest.approx(0.25), "pass@2": pytest.approx(0.5)}


def test_refuses_without_consent(problems, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(UserError) as err:
        score_completions(problems, {"HumanEval/0": ["    return True\n"]})
    line = str(err.value)
    assert "\n" not in line and "--allow-code-execution" in line and ENV_VAR in line
