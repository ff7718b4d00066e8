"""One lm-eval results file -> one llmselect run file (+ its per-sample logs).

Choices (WHY):
- task keys and metrics: a task a built-in suite also runs keeps that suite's metric, so the
  imported run and a local ``bench`` of the same task meet in ``compare``; otherwise the
  task's headline metric (acc, exact_match, pass@1...) with the others as extra metrics;
- per-task settings are lm-eval's own records (``n-shot``, ``config.limit``, ``versions``,
  ``n-samples``, ``task_hashes``), the same fields a local run stores, so compare/gate refuse
  an imported run with other settings exactly as they refuse a local one;
- the model must be a catalog card (the scores count for a card): ``--model``, else the name
  lm-eval recorded (id/alias, HF repo, GGUF file name, or the GGUF's sha256 cited by an
  imported card); otherwise the error says how to import the card first;
- created_at is when lm-eval ran (its ``date``), so "newest run wins" orders measurements.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from llmselect import store
from llmselect.errors import UserError
from llmselect.results_import.lmeval_files import (
    LmEvalOutput,
    hardware,
    read_output,
    read_samples,
)

SUITE = "lm-eval-import"
_PREFERRED = ("acc,none", "exact_match,strict-match", "exact_match,none", "pass@1,create_test",
              "pass_at_1,none", "acc_norm,none", "exact_match,flexible-extract")
_NOT_METRICS = {"alias", "name", "sample_len", "samples"}


def import_file(path: Path, out_dir: Path, model: str | None = None) -> tuple[store.RunResult | None, Path | None, list[str]]:
    """(run, its file, warnings); run None when this exact file was imported before."""
    lm = read_output(path)
    previous = _already_imported(out_dir, lm.sha256)
    if previous is not None:
        return None, previous, [f"{path}: already imported as {previous.name}; skipped"]
    card = match_model(lm, model)
    warnings: list[str] = []
    run = _new_run(lm, card.id)
    for name in lm.top_tasks():
        result = _task(lm, name, run, out_dir, warnings)
        if result is not None:
            run.tasks[name] = result
    if not run.tasks:
        raise UserError(f"{path}: none of its tasks ({', '.join(lm.top_tasks())}) measures a "
                        "benchmark llmselect knows (see `llmselect suites`); nothing imported")
    run.imported.samples_files = sorted(str(p) for p in lm.samples.values())
    if not lm.samples:
        warnings.append(f"{path}: no samples_*.jsonl beside it (lm-eval ran without "
                        "--log_samples): compare will use unpaired z-tests")
    saved = store.save_run(run, out_dir)
    return run, saved, warnings


def _already_imported(out_dir: Path, sha: str) -> Path | None:
    for p in store.iter_run_files(out_dir):
        try:
            run = store.load_run(p)
        except UserError:
            continue
        if run.imported is not None and run.imported.sha256 == sha:
            return p
    return None


def match_model(lm: LmEvalOutput, model: str | None):
    from llmselect.catalog import load_catalog

    catalog = load_catalog()
    if model:
        return catalog.get_model(model)
    args = lm.model_args()
    recorded = [lm.data.get("model_name"), args.get("pretrained"), args.get("model"),
                args.get("gguf_file")]
    names = [str(n) for n in recorded if n]
    for name in names:
        base = Path(name).name
        for candidate in (name, base, base.removesuffix(".gguf")):
            card = catalog.find_model(candidate)
            if card is not None:
                return card
        for card in catalog.models.values():
            w = card.weights
            if w and ((w.hf_repo and w.hf_repo.lower() == name.lower())
                      or (w.gguf_file and w.gguf_file == base) or w.ollama_tag == name):
                return card
    card = _by_gguf_sha(catalog, names)
    if card is not None:
        return card
    shown = names[0] if names else "(none recorded)"
    hint = f"hf:{shown}" if names and "/" in shown and not Path(shown).exists() else \
        "the .gguf file, hf:ORG/NAME or ollama:NAME"
    raise UserError(f"{lm.path}: model {shown!r} (as lm-eval recorded it) is not in the catalog; "
                    f"import its card first (llmselect models import {hint}) and pass "
                    "--model ID, or pass --model with the catalog id it was measured as")


def _by_gguf_sha(catalog, names: list[str]):
    """A local .gguf named by lm-eval whose sha256 an imported card cites (gguf:<sha256>)."""
    from llmselect.catalog.importer.gguf import _sha256

    for name in names:
        p = Path(name).expanduser()
        if p.suffix == ".gguf" and p.is_file():
            key = f"gguf:{_sha256(p)}"
            for card in catalog.models.values():
                if card.params_total_b and card.params_total_b.source == key:
                    return card
    return None


def _new_run(lm: LmEvalOutput, catalog_id: str) -> store.RunResult:
    data, settings, args = lm.data, lm.settings, lm.model_args()
    when = data.get("date")
    created = (datetime.fromtimestamp(float(when), timezone.utc) if isinstance(when, (int, float))
               else datetime.fromtimestamp(lm.path.stat().st_mtime, timezone.utc))
    weights = args.get("pretrained") or data.get("model_name")
    hw = hardware(data.get("pretty_env_info"))
    notes = [f"measured elsewhere: imported from lm-eval output {lm.path.resolve()}"]
    if not hw:
        notes.append("hardware not recorded in the lm-eval output")
    return store.RunResult(
        run_id=store.new_run_id(catalog_id, SUITE, created), created_at=created,
        status="complete", suite=SUITE, lm_eval_version=lm.version,
        model=store.ModelInfo(spec=str(data.get("model_name") or weights or catalog_id),
                              catalog_id=catalog_id, backend=_backend(settings.get("model")),
                              weights=weights, backend_args=args),
        data={"source": "lm-eval output", "git_hash": data.get("git_hash"),
              "transformers_version": data.get("transformers_version"),
              "chat_template_sha": data.get("chat_template_sha"),
              "system_instruction_sha": data.get("system_instruction_sha")},
        hardware=store.Hardware(**hw), wall_time_s=_float(data.get("total_evaluation_time_seconds")),
        notes=notes,
        imported=store.ImportedFrom(tool=f"lm-eval {lm.version or '0.4'}", file=str(lm.path.resolve()),
                                    sha256=lm.sha256, imported_at=datetime.now(timezone.utc)))


def _backend(lm_eval_model: Any) -> str:
    """llmselect's backend name for lm-eval's model name ('llmselect-llamacpp' -> 'llamacpp',
    'hf' -> 'hf'), else lm-eval's name as recorded."""
    from llmselect.backends import BACKENDS

    name = str(lm_eval_model or "unknown")
    return next((b.name for b in BACKENDS.values() if b.lm_eval_model == name), name)


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _suite_task(name: str):
    """The first built-in/user suite task running this lm-eval task (its metric choice)."""
    from llmselect.config.suite_schema import list_suites

    for suite in list_suites().values():
        for t in suite.tasks:
            if t.task == name:
                return t
    return None


def _metrics(res: dict[str, Any]) -> list[str]:
    return [k for k, v in res.items() if k not in _NOT_METRICS and "_stderr," not in k
            and isinstance(v, (int, float)) and not isinstance(v, bool)]


def _task(lm: LmEvalOutput, name: str, run: store.RunResult, out_dir: Path,
          warnings: list[str]) -> store.TaskResult | None:
    from llmselect.bench.lmeval import _hash_of, _num, task_hash
    from llmselect.catalog.benchmarks import benchmark_for_task
    from llmselect.metric_keys import stderr_key as _stderr_key

    data = lm.data
    leaves = lm.leaves(name)
    bench = benchmark_for_task(name) or next(
        (b for b in map(benchmark_for_task, leaves) if b is not None), None)
    if bench is None:
        warnings.append(f"{lm.path}: task {name!r} measures no benchmark llmselect knows; not "
                        "imported (see `llmselect suites` for the tasks it scores)")
        return None
    res = data["results"].get(name) or {}
    metrics = _metrics(res)
    known = _suite_task(name)
    metric = known.metric if known and known.metric in metrics else \
        next((m for m in _PREFERRED if m in metrics), metrics[0] if metrics else None)
    if metric is None:
        warnings.append(f"{lm.path}: task {name!r} has no numeric metric; not imported")
        return None
    n = sum(int(data["n-samples"][t]["effective"]) for t in leaves)
    full = sum(int(data["n-samples"][t]["original"]) for t in leaves)
    shots = {data.get("n-shot", {}).get(t) for t in leaves} - {None}
    hashes = data.get("task_hashes") or {}
    samples = {t: read_samples(lm.samples[t]) for t in leaves if t in lm.samples}
    if samples and len(samples) < len(leaves):
        warnings.append(f"{lm.path}: task {name!r}: samples files for {len(samples)} of "
                        f"{len(leaves)} subtasks; per-sample log not imported (a partial log "
                        "would not pair with other runs)")
    leaf_hashes = [hashes.get(t) or (task_hash(samples[t]) if t in samples else None) for t in leaves]
    limit = (lm.settings or {}).get("limit")
    return store.TaskResult(
        task=name, benchmark=bench.key, metric=metric, value=float(res[metric]),
        stderr=_num(res.get(_stderr_key(metric))), n=n,
        limit=float(limit) if limit is not None else None, sampled=n < full,
        num_fewshot=shots.pop() if len(shots) == 1 else None, chance=bench.chance,
        higher_is_better=bench.higher_is_better,
        task_version=str(data.get("versions", {}).get(name)),
        task_hash=_hash_of(leaf_hashes) if all(leaf_hashes) else None,
        samples_file=_write_samples(run, name, bench.key,
                                    samples if len(samples) == len(leaves) else {}, out_dir, known),
        extra_metrics={m: _num(res.get(m)) for m in metrics if m != metric},
    )


def _write_samples(run: store.RunResult, name: str, benchmark: str, samples: dict[str, list],
                   out_dir: Path, known) -> str | None:
    """The leaves' samples as one llmselect log (``{"task": leaf, **sample}`` per line), with
    the questions of redacted benchmarks dropped as ``bench`` drops them."""
    from llmselect.bench.lmeval import REDACTED_BENCHMARKS, REDACTED_FIELDS, _safe

    if not samples:
        return None
    redact = benchmark in REDACTED_BENCHMARKS or bool(known and known.redact_samples)
    lines = []
    for leaf, rows in samples.items():
        for sample in rows:
            item = {"task": leaf, **sample}
            if redact:
                for key in REDACTED_FIELDS:
                    item.pop(key, None)
            lines.append(json.dumps(item, default=str, ensure_ascii=False))
    rel = f"{run.run_id}/samples_{_safe(name)}.jsonl"
    store.atomic_write_text(Path(out_dir) / rel, "\n".join(lines) + "\n")
    return rel

