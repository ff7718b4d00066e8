"""Original benchmark files -> local dataset folders shaped like the model hub's copies.

Each converter writes ``<out>/<benchmark>/`` with data files plus a README.md whose YAML header
lists ``configs:`` and ``data_files`` per split: ``datasets.load_dataset(<folder>, <config>)``
then reads it offline with the same configs, splits and columns as the hub dataset lm-eval's
task names (cais/mmlu, openai/gsm8k, Idavidrein/gpqa, openai/openai_humaneval).
Converters copy values verbatim: lm-eval's own processing (prompts, shuffles, filters) runs later.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import zipfile
from pathlib import Path

import yaml

from llmselect.errors import UserError

# The authors publish this password in their README so that the questions stay out of crawlable
# plain text (not for secrecy); the zip is only ever extracted into the private cache.
GPQA_ZIP_PASSWORD = b"deserted-untie-orchid"
GPQA_CONFIGS = ("gpqa_main", "gpqa_diamond", "gpqa_extended", "gpqa_experts")
MMLU_SPLITS = {"test": "test", "validation": "val", "dev": "dev"}


def write_readme(folder: Path, configs: list[dict], title: str) -> None:
    header = yaml.safe_dump({"configs": configs}, sort_keys=False)
    (folder / "README.md").write_text(f"---\n{header}---\n# {title} (converted by llmselect)\n",
                                      encoding="utf-8")


def files_for(benchmark: str, manifest: dict[str, str]) -> list[str]:
    """The original files a benchmark's conversion reads (checked against the manifest)."""
    prefix = {"mmlu": "mmlu/", "gsm8k": "gsm8k/", "gpqa": "gpqa/dataset.zip",
              "humaneval": "humaneval/HumanEval.jsonl.gz"}[benchmark]
    if benchmark == "mmlu":
        return sorted(n for n in manifest if n.startswith(prefix) and n.endswith(".csv"))
    if benchmark == "gsm8k":
        return sorted(n for n in manifest if n.startswith(prefix) and n.endswith(".jsonl"))
    return [prefix] if prefix in manifest else []


def mmlu(src: Path, out: Path) -> None:
    """hendrycks CSVs (no header: question, A, B, C, D, letter) -> cais/mmlu layout."""
    rows: dict[str, dict[str, list[dict]]] = {}
    for split, folder in MMLU_SPLITS.items():
        for path in sorted((src / folder).glob(f"*_{folder}.csv")):
            subject = path.name[: -len(f"_{folder}.csv")]
            with path.open(newline="", encoding="utf-8") as fh:
                items = [{"question": r[0], "subject": subject, "choices": r[1:5],
                          "answer": "ABCD".index(r[5].strip())} for r in csv.reader(fh)]
            rows.setdefault(subject, {})[split] = items
    if not rows:
        raise UserError(f"offline data {src}: no MMLU CSVs under test/, val/, dev/")
    configs = []
    for subject in [*sorted(rows), "all"]:
        per_split = rows.get(subject) or {s: [r for subj in sorted(rows) for r in rows[subj].get(s, [])]
                                          for s in MMLU_SPLITS}
        files = []
        for split, items in per_split.items():
            _write_jsonl(out / subject / f"{split}.jsonl", items)
            files.append({"split": split, "path": f"{subject}/{split}.jsonl"})
        configs.append({"config_name": subject, "data_files": files})
    write_readme(out, configs, "MMLU")


def gsm8k(src: Path, out: Path) -> None:
    files = []
    for split in ("train", "test"):
        if (src / f"{split}.jsonl").is_file():
            shutil.copyfile(src / f"{split}.jsonl", _mkparent(out / "main" / f"{split}.jsonl"))
            files.append({"split": split, "path": f"main/{split}.jsonl"})
    write_readme(out, [{"config_name": "main", "data_files": files, "default": True}], "GSM8K")


def gpqa(src: Path, out: Path) -> None:
    """The authors' password zip -> one CSV per config (split ``train``, as on the hub)."""
    try:
        with zipfile.ZipFile(src / "dataset.zip") as zf:
            for config in GPQA_CONFIGS:
                data = zf.read(f"dataset/{config}.csv", pwd=GPQA_ZIP_PASSWORD)
                _mkparent(out / config / "train.csv").write_bytes(data)
    except (zipfile.BadZipFile, KeyError, RuntimeError) as exc:
        raise UserError(f"offline data {src / 'dataset.zip'}: cannot extract GPQA ({type(exc).__name__}); "
                        "expected the authors' original dataset.zip") from None
    configs = [{"config_name": c, "data_files": [{"split": "train", "path": f"{c}/train.csv"}]}
               for c in GPQA_CONFIGS]
    write_readme(out, configs, "GPQA")
    for path in [out, *out.rglob("*")]:  # the questions stay private to this user
        path.chmod(0o700 if path.is_dir() else 0o600)


def humaneval(src: Path, out: Path) -> None:
    with gzip.open(src / "HumanEval.jsonl.gz", "rb") as fh:
        _mkparent(out / "openai_humaneval" / "test.jsonl").write_bytes(fh.read())
    write_readme(out, [{"config_name": "openai_humaneval", "default": True,
                        "data_files": [{"split": "test", "path": "openai_humaneval/test.jsonl"}]}],
                 "HumanEval")


CONVERTERS = {"mmlu": mmlu, "gsm8k": gsm8k, "gpqa": gpqa, "humaneval": humaneval}


def _mkparent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _write_jsonl(path: Path, items: list[dict]) -> None:
    with _mkparent(path).open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
