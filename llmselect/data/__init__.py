"""Offline benchmark data: verify the original files, convert them once, point lm-eval at them.

``prepare_offline(data_dir, cache_dir)`` is idempotent: the converted datasets live under
``<cache>/offline/<fingerprint of MANIFEST.sha256>/`` and the lm-eval task overrides under a
folder keyed by that fingerprint, lm-eval's version and llmselect's own task files. Building
happens in a temporary folder renamed into place, so concurrent or interrupted runs never see
half a cache. GPQA's questions are only ever extracted there (mode 0600), never printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from llmselect.data import cache_check, convert, manifest
from llmselect.errors import EnvironmentProblem, UserError

CONVERTER_VERSION = "2"  # 2: checksums of the converted files recorded (data/cache_check.py)
BENCHMARK_DIRS = {"mmlu": "mmlu", "gsm8k": "gsm8k", "gpqa": "gpqa", "humaneval": "humaneval"}
ENV_DATA_DIR = "LLMSELECT_DATA_DIR"
ENV_CACHE_DIR = "LLMSELECT_CACHE_DIR"


@dataclass
class OfflineData:
    data_dir: Path
    root: Path  # converted datasets: root/<benchmark>/
    tasks_dir: Path  # lm-eval include_path with the overrides
    benchmarks: list[str] = field(default_factory=list)
    checksums: dict[str, str] = field(default_factory=dict)  # original file -> sha256

    def data_hash(self, benchmark: str) -> str:
        """One checksum over the original files a benchmark was converted from."""
        names = sorted(n for n in self.checksums if n.startswith(BENCHMARK_DIRS[benchmark] + "/"))
        joined = "\n".join(f"{self.checksums[n]}  {n}" for n in names)
        return hashlib.sha256(joined.encode()).hexdigest()


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    return Path(cache_dir or os.environ.get(ENV_CACHE_DIR) or Path.home() / ".cache" / "llmselect")


def data_dir_from_env(data_dir: str | os.PathLike | None = None) -> Path | None:
    value = data_dir or os.environ.get(ENV_DATA_DIR)
    return Path(value).expanduser() if value else None


def prepare_offline(data_dir: str | os.PathLike, cache_dir: str | os.PathLike | None = None) -> Path:
    """Verify + convert ``data_dir`` (once); returns the lm-eval include_path folder."""
    return load_offline(data_dir, cache_dir).tasks_dir


def load_offline(data_dir: str | os.PathLike, cache_dir: str | os.PathLike | None = None) -> OfflineData:
    data_dir = Path(data_dir).expanduser().resolve()
    if not data_dir.is_dir():
        raise EnvironmentProblem(f"offline data folder {data_dir} does not exist; pass --data-dir "
                                 f"DIR (or ${ENV_DATA_DIR}) with the original benchmark files")
    entries = manifest.read_manifest(data_dir)
    present = [b for b in BENCHMARK_DIRS if convert.files_for(b, entries)
               and all((data_dir / n).is_file() for n in convert.files_for(b, entries))]
    key = hashlib.sha256((CONVERTER_VERSION + "\n" + (data_dir / manifest.MANIFEST).read_text()
                          ).encode()).hexdigest()[:16]
    base = cache_root(cache_dir) / "offline" / key
    info_file = base / "datasets" / cache_check.INFO
    if info_file.is_file():  # a hit: the copy must still be what was converted
        why = cache_check.cache_problem(base / "datasets", json.loads(info_file.read_text("utf-8")))
        if why:
            cache_check.discard(base / "datasets", why)
    if not info_file.is_file():
        _build(base / "datasets", lambda tmp: _convert_all(data_dir, entries, present, tmp))
    info = json.loads(info_file.read_text(encoding="utf-8"))
    datasets = {b: base / "datasets" / b for b in info["benchmarks"]}
    tasks_dir = base / f"tasks-{_tasks_key(key)}"
    if not (tasks_dir / ".complete").is_file():
        _build(tasks_dir, lambda tmp: _write_tasks(tmp, datasets))
    return OfflineData(data_dir, base / "datasets", tasks_dir, info["benchmarks"], info["checksums"])


def _convert_all(data_dir: Path, entries: dict, present: list[str], out: Path) -> None:
    checksums: dict[str, str] = {}
    for bench in present:
        checksums |= manifest.verify(data_dir, entries, convert.files_for(bench, entries))
        convert.CONVERTERS[bench](data_dir / BENCHMARK_DIRS[bench], out / bench)
    (out / cache_check.INFO).write_text(json.dumps(
        {"benchmarks": present, "checksums": checksums, "source": str(data_dir),
         "converted": cache_check.converted_checksums(out)}, indent=1))


def _write_tasks(out: Path, datasets: dict[str, Path]) -> None:
    from llmselect.data.task_overrides import write_overrides

    write_overrides(out, datasets)
    (out / ".complete").write_text("ok\n")


def _tasks_key(data_key: str) -> str:
    """Overrides depend on lm-eval's task files and on llmselect's own task folder."""
    from importlib.metadata import version

    from llmselect.resources import PACKAGE_DIR

    digest = hashlib.sha256(f"{data_key}{version('lm-eval')}{CONVERTER_VERSION}".encode())
    for path in sorted((PACKAGE_DIR / "tasks").rglob("*.yaml")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def _build(target: Path, fill) -> None:
    """Fill a temp folder beside ``target`` and rename it into place (atomic; first one wins)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write the data cache {target.parent}: {exc.strerror}; "
                                 f"set ${ENV_CACHE_DIR} to a writable folder") from None
    try:
        fill(tmp)
        os.rename(tmp, target)
    except OSError:
        if not target.exists():
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def missing_data_error(benchmark: str, data_dir: Path | None) -> EnvironmentProblem:
    where = f"{data_dir} has no {benchmark} files" if data_dir else f"no offline {benchmark} data"
    gated = " with an HF token (HF_TOKEN) that has accepted its terms" if benchmark == "gpqa" else ""
    return EnvironmentProblem(
        f"{where}; get it either with --data-dir DIR (or ${ENV_DATA_DIR}) holding the original "
        f"files ({BENCHMARK_DIRS[benchmark]}/ with MANIFEST.sha256), or online from the model "
        f"hub{gated} without --data-dir")


__all__ = ["OfflineData", "prepare_offline", "load_offline", "missing_data_error", "UserError"]
