"""Golden output: ``recommend --profile chatbot-en --format json`` against tests/golden/.

A change in the catalog, a profile or a formula that moves the recommendation shows up here as
a diff to review. Numbers are compared with a tolerance (1e-3 absolute; p_first 0.02), strings
and structure exactly. After an intended change, regenerate with:

    LLMSELECT_UPDATE_GOLDEN=1 python -m pytest tests/test_recommend_golden.py
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmselect.cli.main import app

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "recommend_chatbot-en.json"
VOLATILE = {"profile_file"}          # absolute path of the checkout


def _clean(data):
    return {k: v for k, v in data.items() if k not in VOLATILE}


def _diff(expected, actual, path="$", tol=1e-3):
    """First difference as a readable string, or None."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        if set(expected) != set(actual):
            return f"{path}: keys differ: {sorted(set(expected) ^ set(actual))}"
        for key in expected:
            found = _diff(expected[key], actual[key], f"{path}.{key}",
                          0.02 if key == "p_first" else tol)
            if found:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return f"{path}: length {len(actual)} != {len(expected)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            found = _diff(e, a, f"{path}[{i}]", tol)
            if found:
                return found
        return None
    if isinstance(expected, float) or isinstance(actual, float):
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)) \
                and math.isclose(expected, actual, abs_tol=tol):
            return None
        return f"{path}: {actual!r} != {expected!r}"
    return None if expected == actual else f"{path}: {actual!r} != {expected!r}"


def test_chatbot_en_matches_golden():
    out = CliRunner().invoke(app, ["recommend", "--profile", "chatbot-en", "--format", "json"])
    assert out.exit_code == 0, out.output
    actual = _clean(json.loads(out.stdout))
    if os.environ.get("LLMSELECT_UPDATE_GOLDEN"):  # rewriting is not a pass: compare on the next run
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n")
        pytest.fail(f"golden file rewritten: {GOLDEN}; review the diff and rerun without "
                    "LLMSELECT_UPDATE_GOLDEN")
    expected = json.loads(GOLDEN.read_text())
    problem = _diff(expected, actual)
    assert problem is None, f"{problem} (regenerate: LLMSELECT_UPDATE_GOLDEN=1 pytest {__file__})"


def test_golden_diff_detects_changes():
    assert _diff({"a": [1.0, "x"]}, {"a": [1.0005, "x"]}) is None
    assert _diff({"a": [1.0, "x"]}, {"a": [1.01, "x"]}) == "$.a[0]: 1.01 != 1.0"
    assert _diff({"a": "x"}, {"a": "y"}) == "$.a: 'y' != 'x'"
    assert _diff({"p_first": 0.5}, {"p_first": 0.51}) is None
    assert "keys differ" in _diff({"a": 1}, {"b": 1})
