"""``llmselect suite new`` on good and bad files: bad ones give one line naming the row and
the column, exit 2, and leave nothing behind."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from llmselect.cli.main import app
from llmselect.errors import UserError
from llmselect.ownsuite import ingest

runner = CliRunner()


def _new(tmp_path: Path, src: Path, *args: str):
    return runner.invoke(app, ["suite", "new", "faq", "--from", str(src), "--output",
                               str(tmp_path / "suites"), *args])


def _write(path: Path, text: str | bytes) -> Path:
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


BAD = [
    ("missing column", "q,reply\nWhat?,Yes\n", ["--map", "question=q,answer=a"],
     ["header", "'a'", "--map answer=a"]),
    ("no answer column", "q,reply\nWhat?,Yes\n", ["--map", "question=q"],
     ["header", "no answer column", "--map answer=COLUMN"]),
    ("empty answer", "id,question,answer\n1,What?,Yes\n2,Why?,\n", [],
     ["row 2 (line 3)", "column 'answer'", "empty answer"]),
    ("duplicate id", "id,question,answer\nq1,What?,Yes\nq2,Why?,No\nq1,How?,So\n", [],
     ["row 3 (line 4)", "column 'id'", "duplicate id 'q1'"]),
    ("non-utf8", b"id,question,answer\n1,What?,Yes\n2,Caf\xe9?,Oui\n", [],
     ["line 3", "not valid UTF-8", "0xe9"]),
    ("differing choice counts", "question,choices,answer\nA?,x|y|z,x\nB?,x|y,y\n", [],
     ["row 2 (line 3)", "column 'choices'", "2 choices, but the first row has 3"]),
    ("answer not a choice", "question,choices,answer\nA?,x|y|z,x\nB?,x|y|z,w\n", [],
     ["row 2 (line 3)", "column 'answer'", "'w' is not among the choices"]),
    ("empty file", "", [], ["the file is empty"]),
    ("header only", "question,answer\n", [], ["no items"]),
]


@pytest.mark.parametrize("case,text,args,expected", BAD, ids=[b[0] for b in BAD])
def test_bad_file_one_line_exit_2(tmp_path, case, text, args, expected):
    src = _write(tmp_path / "items.csv", text)
    res = _new(tmp_path, src, *args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("llmselect: error: "), res.output
    for part in expected:
        assert part in lines[0], (part, lines[0])
    assert "Traceback" not in res.output
    assert not list((tmp_path / "suites").glob("*")), "a bad file must leave nothing behind"


def test_jsonl_bad_row_names_line_and_column(tmp_path):
    src = tmp_path / "items.jsonl"
    src.write_text(json.dumps({"question": "A?", "answer": "x"}) + "\n" +
                   json.dumps({"question": "", "answer": "y"}) + "\n", encoding="utf-8")
    res = _new(tmp_path, src)
    assert res.exit_code == 2
    assert "row 2 (line 2), column 'question': empty question" in res.output


def test_million_rows_streamed_and_refused_at_the_limit(tmp_path):
    """A 1,000,000-row export is refused at the item limit without reading the rest: peak Python
    memory stays a small fraction of the file (~45 MB). (The limit is lowered to 1,000 here only
    because tracemalloc slows Python tenfold; the default limit is checked below.)"""
    src = tmp_path / "big.csv"
    with open(src, "w", encoding="utf-8") as fh:
        fh.write("id,question,answer\n")
        for i in range(1_000_000):
            fh.write(f"q{i},What is the number {i} plus zero?,{i}\n")
    assert src.stat().st_size > 40e6
    tracemalloc.start()
    try:
        with pytest.raises(UserError) as err:
            ingest.ingest(src, tmp_path / "out.jsonl", "answer", {}, ["exact_match"], max_items=1000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "row 1001 (line 1002): more than 1000 items" in str(err.value)
    assert peak < 2e6, f"peak {peak / 1e6:.1f} MB: the file was not streamed"
    assert not (tmp_path / "out.jsonl").exists()
    res = _new(tmp_path, src)  # the default limit, through the CLI
    assert res.exit_code == 2 and "row 100001 (line 100002): more than 100000 items" in res.output


def test_million_rows_accepted_when_allowed_and_bad_last_row_named(tmp_path):
    """Raising --max-items streams the whole file; a defect in the very last row is found and named."""
    src = tmp_path / "big.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for i in range(999_999):
            fh.write(f'{{"id": "q{i}", "question": "Q{i}?", "answer": "{i}"}}\n')
        fh.write('{"id": "last", "question": "Q?", "answer": ""}\n')
    res = _new(tmp_path, src, "--max-items", "2000000")
    assert res.exit_code == 2
    assert "row 1000000 (line 1000000), column 'answer': empty answer" in res.output


def test_csv_answer_suite_written_with_detected_columns(tmp_path):
    src = _write(tmp_path / "faq.csv", "id,question,answer,context,category,must_pass\n"
                 "a1,Capital of France?,Paris,,geo,true\n"
                 "a2,Combien font 2+2 ?,4,Arithmétique simple.,math,no\n")
    res = _new(tmp_path, src, "--metrics", "exact_match,token_f1,chrf")
    assert res.exit_code == 0, res.output
    suite = yaml.safe_load((tmp_path / "suites" / "faq.yaml").read_text(encoding="utf-8"))
    assert suite["own"]["kind"] == "answer" and suite["own"]["items"] == 2
    assert suite["own"]["columns"] == {"id": "id", "question": "question", "answer": "answer",
                                       "context": "context", "tags": "category",
                                       "must_pass": "must_pass"}
    task = suite["tasks"][0]
    assert (task["benchmark"], task["metric"]) == ("own:faq", "exact_match")
    assert "chrf_stderr" in task["extra_metrics"]
    rows = [json.loads(x) for x in (tmp_path / "suites" / "faq.task" / "test.jsonl").read_text(
        encoding="utf-8").splitlines()]
    assert rows[1] == {"id": "a2", "question": "Combien font 2+2 ?", "answer": "4",
                       "context": "Arithmétique simple.", "tags": ["math"], "must_pass": False}
    lm_task = (tmp_path / "suites" / "faq.task" / "own_faq.yaml").read_text(encoding="utf-8")
    assert "process_results: !function hooks.process_results" in lm_task


def test_mc_detected_letters_and_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table({"q": ["2+2?", "Sky colour?"], "opts": [["3", "4"], ["blue", "green"]],
                      "a": ["B", "blue"]})
    pq.write_table(table, tmp_path / "mc.parquet")
    res = _new(tmp_path, tmp_path / "mc.parquet", "--map", "question=q,choices=opts,answer=a")
    assert res.exit_code == 0, res.output
    suite = yaml.safe_load((tmp_path / "suites" / "faq.yaml").read_text(encoding="utf-8"))
    assert suite["own"]["kind"] == "multiple-choice" and suite["own"]["metrics"] == ["acc"]
    rows = [json.loads(x) for x in (tmp_path / "suites" / "faq.task" / "test.jsonl").read_text().splitlines()]
    assert [r["gold"] for r in rows] == [1, 0]


def test_existing_suite_needs_force(tmp_path):
    src = _write(tmp_path / "f.csv", "question,answer\nA?,x\n")
    assert _new(tmp_path, src).exit_code == 0
    res = _new(tmp_path, src)
    assert res.exit_code == 2 and "already exists" in res.output
    assert _new(tmp_path, src, "--force").exit_code == 0


def test_judge_metric_needs_model_and_rubric(tmp_path):
    src = _write(tmp_path / "f.csv", "question,answer\nA?,x\n")
    res = _new(tmp_path, src, "--metrics", "exact_match,judge")
    assert res.exit_code == 2 and "--judge MODEL and --rubric" in res.output
