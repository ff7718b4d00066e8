"""``llmselect suite new``: from an evaluation file to a runnable suite, all checked first.

Order (WHY): the name, the options and the output folder are checked before the file is read;
the file (and the dev file) are streamed into a staging folder beside the destination; only
when every row is good does the staging folder move into place — a bad row leaves nothing
behind, and an existing suite is never replaced without ``--force``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from llmselect.errors import EnvironmentProblem, UserError
from llmselect.ownsuite import ingest, taskgen
from llmselect.ownsuite.schema import (
    ANSWER_METRICS,
    DEFAULT_ANSWER_METRICS,
    Judge,
    OwnSuite,
)


@dataclass
class NewSuite:
    name: str
    source: Path
    mapping: str | None = None
    kind: str | None = None  # None: multiple-choice when a choices column is found
    metrics: list[str] = field(default_factory=list)
    dev: Path | None = None
    shots: int = 0
    chat_template: bool = False
    template: str | None = None
    answer_label: str = "Answer:"
    judge: str | None = None
    rubric: str | None = None
    redact: bool = False
    output: Path | None = None
    max_items: int = ingest.DEFAULT_MAX_ITEMS
    max_gen_toks: int = 64
    description: str | None = None
    force: bool = False


def output_dir(output: Path | None) -> Path:
    if output is None:
        first = next((p for p in os.environ.get("LLMSELECT_SUITES_PATH", "").split(os.pathsep) if p), None)
        if first is None:
            raise UserError("where should the suite go? pass --output DIR or set "
                            "$LLMSELECT_SUITES_PATH (where `llmselect bench --suite` finds it)")
        output = Path(first)
    try:
        output.expanduser().mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot create {output}: {exc.strerror}; choose another --output") from None
    return output.expanduser()


def _kind(req: NewSuite) -> str:
    if req.kind is not None:
        if req.kind not in {"answer", "multiple-choice"}:
            raise UserError(f"--kind {req.kind!r}: use 'answer' or 'multiple-choice'")
        return req.kind
    header, _ = ingest.read_columns_and_rows(req.source)
    cols = ingest.resolve_columns(req.source, header, ingest.parse_map(req.mapping), "answer", [])
    return "multiple-choice" if "choices" in cols else "answer"


def _metrics(req: NewSuite, kind: str) -> list[str]:
    if kind == "multiple-choice":
        if req.metrics and req.metrics != ["acc"]:
            raise UserError("--metrics: a multiple-choice suite is scored by loglikelihood "
                            "accuracy ('acc'); use --kind answer for generated answers")
        return ["acc"]
    metrics = list(dict.fromkeys(req.metrics or DEFAULT_ANSWER_METRICS))
    for m in metrics:
        if m not in ANSWER_METRICS:
            raise UserError(f"--metrics: unknown metric {m!r}; choose from {', '.join(ANSWER_METRICS)}")
    if req.judge and "judge" not in metrics:
        metrics.append("judge")
    if "judge" in metrics and not (req.judge and req.rubric):
        raise UserError("the judge metric needs --judge MODEL and --rubric TEXT")
    return metrics


def create_suite(req: NewSuite) -> Path:
    name = taskgen.check_name(req.name)
    kind = _kind(req)
    metrics = _metrics(req, kind)
    if req.shots and req.dev is None:
        raise UserError(f"--shots {req.shots} needs --dev FILE (few-shot items come from a dev split)")
    out = output_dir(req.output)
    if taskgen.paths(out, name)[0].exists() and not req.force:
        raise UserError(f"suite {name!r} already exists in {out}; pass --force to replace it "
                        "(runs already in results/ are kept)")
    mapping = ingest.parse_map(req.mapping)
    staged = out / f".{name}.staging-{os.getpid()}"
    shutil.rmtree(staged, ignore_errors=True)
    try:
        test = ingest.ingest(req.source, staged / "test.jsonl", kind, mapping, metrics, req.max_items)
        dev = ingest.ingest(req.dev, staged / "dev.jsonl", kind, mapping, metrics, req.max_items) \
            if req.dev else None
        if dev and dev.items < req.shots:
            raise UserError(f"{req.dev}: {dev.items} items, fewer than --shots {req.shots}")
        if dev and kind == "multiple-choice" and dev.n_choices != test.n_choices:
            raise UserError(f"{req.dev}: {dev.n_choices} choices per item, the test file has "
                            f"{test.n_choices}; both need the same number")
        own = OwnSuite(kind=kind, source=str(req.source.resolve()), source_sha256=_sha(req.source),
                       data_sha256=_sha(*sorted(staged.glob("*.jsonl"))), items=test.items,
                       dev_items=dev.items if dev else 0, columns=test.columns, metrics=metrics,
                       judge=Judge(model=req.judge, rubric=req.rubric) if req.judge else None,
                       redact=req.redact)
        description = req.description or f"own evaluation set from {req.source.name} ({test.items} items, {kind})"
        return taskgen.write_suite(out, name, own, description, staged, shots=req.shots,
                                   chat=req.chat_template, template=req.template,
                                   answer_label=req.answer_label, n_choices=test.n_choices,
                                   max_gen_toks=req.max_gen_toks, force=req.force)
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _sha(*files: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        with open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                digest.update(block)
    return digest.hexdigest()
