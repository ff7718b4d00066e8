"""Fetch model files from the hub with huggingface_hub, and say in one line why when it cannot.

WHY huggingface_hub: it already resolves revisions, writes the shared cache (so later runs and
other tools find the file offline), shows a progress bar, and resumes a transfer cut mid-file
(``http_get`` retries with a ``Range`` request). What it does not do, done here:

- **checksum**: it names an LFS blob by the sha256 the hub states (``X-Linked-Etag``) but never
  hashes the bytes it received; a file whose sha256 differs is deleted and refused;
- **disk**: it only warns when the disk is too small; a download that cannot fit is refused
  before it starts, saying how much is needed;
- **errors**: gated repo without ``HF_TOKEN``, unknown repo or file, no network, offline mode
  become one line each (exit 2 for what the user can fix in the command, 3 for the machine).

The endpoint (``HF_ENDPOINT``) and cache folder are read at call time, not at import.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from llmselect.errors import EnvironmentProblem, UserError
from llmselect.fileio import sha256_file
from llmselect.weights.hubcache import cache_dir

SHA256 = re.compile(r"^[0-9a-f]{64}$")
DEFAULT_ENDPOINT = "https://huggingface.co"


@dataclass(frozen=True)
class RemoteFile:
    name: str
    size: int | None
    sha256: str | None  # LFS files only


def endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def token() -> str | None:
    if os.environ.get("HF_TOKEN"):
        return os.environ["HF_TOKEN"]
    from huggingface_hub import get_token

    return get_token()


def file_url(repo_id: str, filename: str, revision: str = "main") -> str:
    return f"{endpoint()}/{repo_id}/resolve/{revision}/{filename}"


def list_files(repo_id: str, revision: str = "main") -> list[RemoteFile]:
    """The repo's files with size and sha256 (``/api/models/{repo}/revision/{rev}?blobs=true``)."""
    from huggingface_hub import HfApi

    try:
        info = HfApi(endpoint=endpoint(), token=token()).model_info(
            repo_id, revision=revision, files_metadata=True)
    except Exception as exc:  # noqa: BLE001 - translated into one line below
        raise hub_error(exc, repo_id) from None
    return [RemoteFile(s.rfilename, s.size, s.lfs.sha256 if s.lfs else None)
            for s in info.siblings or []]


def check_disk(needed_bytes: int, folder: Path | None = None) -> None:
    folder = Path(folder or cache_dir())
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    if needed_bytes > free:
        raise EnvironmentProblem(
            f"not enough disk for the download: it needs {needed_bytes / 1e9:.2f} GB in {folder} "
            f"but {free / 1e9:.2f} GB are free; free space or point HF_HUB_CACHE elsewhere")


def download(repo_id: str, filename: str, revision: str = "main",
             expected: RemoteFile | None = None) -> Path:
    """The file in the hub cache, downloaded (and resumed) by huggingface_hub, then hashed
    against the sha256 the hub states; a mismatch is deleted and refused."""
    from huggingface_hub import hf_hub_download

    if expected is not None and expected.size:
        check_disk(expected.size)
    try:
        path = Path(hf_hub_download(repo_id, filename, revision=revision, cache_dir=cache_dir(),
                                    endpoint=endpoint(), token=token()))
    except Exception as exc:  # noqa: BLE001 - translated into one line below
        raise hub_error(exc, repo_id, filename) from None
    verify(path, repo_id, filename, expected.sha256 if expected else None)
    return path


def verify(path: Path, repo_id: str, filename: str, want: str | None = None) -> None:
    """sha256 of the cached blob vs the hub's (the blob's own name is the X-Linked-Etag)."""
    blob = path.resolve()
    want = want or (blob.name if SHA256.match(blob.name) else None)
    if want is None:
        return  # a small git-stored file: the hub states only its git sha1
    got = sha256_file(blob)
    if got != want:
        blob.unlink(missing_ok=True)
        path.unlink(missing_ok=True)
        raise EnvironmentProblem(
            f"{repo_id}/{filename}: downloaded bytes have sha256 {got[:12]}... but the hub states "
            f"{want[:12]}...; the corrupt copy was deleted: run the command again (check any "
            "proxy or mirror in HF_ENDPOINT)")


def hub_error(exc: Exception, repo_id: str, filename: str | None = None) -> Exception:
    from huggingface_hub import errors

    what = f"{repo_id}/{filename}" if filename else repo_id
    if isinstance(exc, errors.GatedRepoError):
        if not token():
            return UserError(f"{repo_id} is gated: accept its licence at "
                             f"https://huggingface.co/{repo_id} then set HF_TOKEN to a token of "
                             "that account (or run `hf auth login`)")
        return UserError(f"{repo_id} is gated and the token in HF_TOKEN has no access: accept "
                         f"its licence at https://huggingface.co/{repo_id} with that account")
    if isinstance(exc, errors.RevisionNotFoundError):
        return UserError(f"{repo_id}: no such revision on {endpoint()}")
    if isinstance(exc, errors.EntryNotFoundError):
        return UserError(f"{what}: no such file in the repo on {endpoint()}")
    if isinstance(exc, errors.RepositoryNotFoundError):
        return UserError(f"{repo_id}: no such repo on {endpoint()} (or it is private: set "
                         "HF_TOKEN)")
    if isinstance(exc, errors.OfflineModeIsEnabled) or "offline" in type(exc).__name__.lower():
        return EnvironmentProblem(f"{what} is not in the hub cache {cache_dir()} and "
                                  "HF_HUB_OFFLINE=1 forbids downloading it; unset HF_HUB_OFFLINE "
                                  "or copy the file into the cache")
    if isinstance(exc, errors.HfHubHTTPError):
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return EnvironmentProblem(f"{what}: the hub answered {first}")
    if isinstance(exc, OSError) or "connect" in type(exc).__name__.lower() \
            or "timeout" in type(exc).__name__.lower():
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        return EnvironmentProblem(f"cannot download {what} from {endpoint()}: {first}; check the "
                                  "network (or HF_ENDPOINT), then run the command again")
    return exc
