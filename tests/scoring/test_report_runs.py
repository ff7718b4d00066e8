"""The scoring sees measured runs as ``bench`` output: measured replaces published."""

from __future__ import annotations


from llmselect import store

from helpers.report_runs import measured_runs


def test_runs_load_back_and_count_as_measured(tmp_path):
    from llmselect.catalog import load_catalog
    from llmselect.config.profile_schema import load_profile
    from llmselect.scoring import rank_catalog

    written = measured_runs(tmp_path)
    runs = store.load_runs(tmp_path, strict=True)
    assert [r.run_id for r in runs] == [r.run_id for r in written]
    rec = rank_catalog(load_profile("chatbot-en-local")[0], load_catalog(), runs)
    entry = next(e for e in rec.ranked if e.model == "mistral-7b-instruct")
    assert entry.criteria["quality"].facts["mmlu"]["provenance"] == "measured"
    assert entry.criteria["quality"].facts["mmlu"]["raw"] == 0.561
