"""Bytes on disk, read and written one way everywhere: atomic writes, shared file modes,
checksums, and text reads whose failures are one line naming the file.

WHY one module: results, reports, exported tables and imported cards are all files a teammate
reads later; each must be whole (temp file + rename), readable by the group (the umask's mode,
not mkstemp's 0600), and a file that cannot be read must say which file and why.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from llmselect.errors import EnvironmentProblem, UserError

#: Files llmselect reads as configuration or results are small; anything past this is refused
#: before parsing (a multi-megabyte YAML costs seconds and is never a real profile).
MAX_TEXT_BYTES = 16 * 2**20


def shared_mode() -> int:
    """The mode a plain ``open()`` would give a new file under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder + rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, shared_mode())  # mkstemp's 0600 would hide results from teammates
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_output(path: Path) -> Iterator[Path]:
    """A temp path beside ``path`` for a library that writes files itself (pandas CSV/Parquet,
    matplotlib PNG); renamed over ``path`` only when the writer finished, so a failed export
    never leaves half a file or destroys the previous one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, shared_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def os_reason(exc: OSError) -> str:
    """Why an OS call failed, in words: ``strerror`` when the OS gave one, else the message a
    library put in the exception (pandas raises OSError without errno), never 'None'."""
    return exc.strerror or str(exc) or type(exc).__name__


def cannot_write(path: Path, exc: OSError, hint: str = "choose another path") -> EnvironmentProblem:
    """The one line for an output file that cannot be written."""
    return EnvironmentProblem(f"cannot write {path}: {os_reason(exc)}; {hint}")


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    """sha256 of a file, streamed (weights are gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def jsonl_lines(text: str) -> list[str]:
    """The lines of a JSON-lines text, split at "\\n" only. WHY not ``str.splitlines``: it also
    splits at U+0085, U+2028, U+2029 and other separators, which JSON writers leave raw inside
    strings (``ensure_ascii=False``, as lm-eval and llmselect write per-item logs): an MMLU
    question holding U+0085 broke a race's log into two invalid lines."""
    return text.split("\n")


def read_text(path: Path, what: str = "file", max_bytes: int = MAX_TEXT_BYTES) -> str:
    """UTF-8 text of a configuration or result file, or one UserError line saying why not."""
    try:
        if path.is_dir():
            raise UserError(f"{path}: is a folder, not a {what}; give the path of a file")
        with open(path, "rb") as fh:  # works for pipes (<(...)) as well as regular files
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise UserError(f"{path}: no such {what}") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read {what} ({os_reason(exc)})") from None
    if len(data) > max_bytes:
        raise UserError(f"{path}: {what} is larger than {max_bytes // 2**20} MiB; "
                        "llmselect reads only small configuration and result files")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text (byte {exc.start}); save the {what} as UTF-8") from None
