"""lm-eval 0.4 output on disk: the results JSON, its per-sample logs, its recorded settings.

Layout written by lm-eval's EvaluationTracker (``--output_path OUT --log_samples``)::

    OUT/<model_name_sanitized>/results_<date_id>.json
    OUT/<model_name_sanitized>/samples_<leaf task>_<date_id>.jsonl     (one line per doc, filter)

A results file must carry the 0.4 layout (``results``, ``configs``, ``versions``,
``n-samples``): older layouts lack the per-task item counts a comparison needs, so they are
refused rather than half-read.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llmselect.errors import UserError
from llmselect.fileio import jsonl_lines

REQUIRED = ("results", "configs", "versions", "n-samples")


@dataclass
class LmEvalOutput:
    path: Path
    data: dict[str, Any]
    sha256: str
    samples: dict[str, Path] = field(default_factory=dict)
    """leaf task -> its samples file (when lm-eval logged samples)."""

    @property
    def version(self) -> str | None:
        return self.data.get("lm_eval_version")

    @property
    def settings(self) -> dict[str, Any]:
        return self.data.get("config") or {}

    def model_args(self) -> dict[str, str]:
        """``config.model_args`` as a dict (lm-eval records the CLI string or a dict)."""
        raw = self.settings.get("model_args")
        if isinstance(raw, dict):
            return {str(k): str(v) for k, v in raw.items()}
        out = {}
        for part in str(raw or "").split(","):
            key, sep, value = part.partition("=")
            if sep and key.strip():
                out[key.strip()] = value.strip()
        return out

    def top_tasks(self) -> list[str]:
        """Tasks the user asked for: results entries that are no group's subtask."""
        children = {c for subs in (self.data.get("group_subtasks") or {}).values() for c in subs}
        return [t for t in self.data["results"] if t not in children]

    def leaves(self, name: str) -> list[str]:
        if name in self.data["n-samples"]:
            return [name]
        subs = (self.data.get("group_subtasks") or {}).get(name, [])
        return [leaf for child in subs for leaf in self.leaves(child)]


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for every ``results_*.json`` under it."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.rglob("results_*.json"))
            if not found:
                raise UserError(f"{p}: no lm-eval results_*.json under this folder; give the "
                                "results files lm-eval wrote with --output_path")
            out += found
        elif p.is_file():
            out.append(p)
        else:
            raise UserError(f"{p}: no such file; give lm-eval results_*.json files or their folder")
    return list(dict.fromkeys(out))


def read_output(path: Path) -> LmEvalOutput:
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError as exc:
        raise UserError(f"{path}: not valid JSON ({exc}); give a results_*.json lm-eval "
                        "wrote") from None
    if not isinstance(data, dict) or not isinstance(data.get("results"), dict):
        raise UserError(f"{path}: not an lm-eval results file (no 'results' mapping); a "
                        "samples_*.jsonl is read with its results_*.json, give that one")
    missing = [k for k in REQUIRED if not isinstance(data.get(k), dict)]
    if missing:
        version = data.get("lm_eval_version") or "before 0.4"
        raise UserError(f"{path}: lm-eval results of another layout (lm-eval {version}: no "
                        f"{', '.join(repr(m) for m in missing)}); llmselect reads lm-eval 0.4 "
                        "output: re-run the evaluation with lm-eval >= 0.4 (--output_path, "
                        "--log_samples)")
    out = LmEvalOutput(path, data, hashlib.sha256(raw).hexdigest())
    out.samples = _samples_files(path, data)
    return out


def _samples_files(path: Path, data: dict) -> dict[str, Path]:
    """samples_<leaf>_<date_id>.jsonl beside results_<date_id>.json, per leaf task."""
    m = re.fullmatch(r"results_(.+)\.json", path.name)
    if not m:
        return {}
    date_id = m.group(1)
    found = {}
    for leaf in data["n-samples"]:
        candidate = path.parent / f"samples_{leaf}_{date_id}.jsonl"
        if candidate.is_file():
            found[leaf] = candidate
    return found


def read_samples(path: Path) -> list[dict[str, Any]]:
    rows = []
    for lineno, line in enumerate(jsonl_lines(path.read_text(encoding="utf-8")), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except ValueError as exc:
                raise UserError(f"{path}:{lineno}: not valid JSON ({exc}); the samples file is "
                                "damaged: re-run lm-eval or import without it") from None
    return rows


def hardware(env_info: Any) -> dict[str, Any]:
    """CPU, GPUs and OS from ``pretty_env_info`` (torch's collect_env text) when recorded."""
    text = str(env_info or "")
    out: dict[str, Any] = {}
    cpu = re.search(r"^Model name:\s*(.+)$", text, re.M)
    if cpu:
        out["cpu"] = cpu.group(1).strip()
    gpus = re.findall(r"^GPU \d+:\s*(.+)$", text, re.M)
    single = re.search(r"^GPU models and configuration:\s*(.+)$", text, re.M)
    if not gpus and single and "could not collect" not in single.group(1).lower():
        gpus = [g.strip() for g in re.sub(r"^GPU \d+:\s*", "", single.group(1)).split(";")]
    if gpus:
        out["gpus"] = [{"name": re.sub(r"^GPU \d+:\s*", "", g).strip()} for g in gpus]
    osline = re.search(r"^OS:\s*(.+)$", text, re.M)
    if osline:
        out["platform"] = osline.group(1).strip()
    cores = re.search(r"^Core\(s\) per socket:\s*(\d+)", text, re.M)
    sockets = re.search(r"^Socket\(s\):\s*(\d+)", text, re.M)
    if cores:
        out["cores"] = int(cores.group(1)) * (int(sockets.group(1)) if sockets else 1)
    return out
