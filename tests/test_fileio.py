"""fileio: an export that fails keeps the previous file whole; errors never read ': None'; the
YAML reader refuses absurd sizes before parsing and uses libyaml's C loader."""

from __future__ import annotations

import pytest
import yaml

from llmselect import fileio
from llmselect.config import loading
from llmselect.errors import UserError


def test_a_failed_export_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "runs.csv"
    target.write_text("old,complete\n")
    with pytest.raises(RuntimeError):
        with fileio.atomic_output(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("writer died")
    assert target.read_text() == "old,complete\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.csv"]


def test_a_finished_export_replaces_the_file(tmp_path):
    target = tmp_path / "runs.csv"
    target.write_text("old\n")
    with fileio.atomic_output(target) as tmp:
        tmp.write_text("new\n")
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs.csv"]


def test_os_reason_is_never_none():
    assert fileio.os_reason(OSError("Cannot save file into a non-existent directory")) == \
        "Cannot save file into a non-existent directory"
    assert fileio.os_reason(FileNotFoundError(2, "No such file or directory")) == \
        "No such file or directory"
    assert "None" not in str(fileio.cannot_write(fileio.Path("x.csv"), OSError()))


def test_size_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * (fileio.MAX_TEXT_BYTES + 1))
    with pytest.raises(UserError, match="larger than 16 MiB"):
        loading.read_yaml(big, "profile")


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML without libyaml")
def test_yaml_uses_the_c_loader():
    assert loading._Loader is yaml.CSafeLoader


def test_a_five_megabyte_profile_is_parsed_whole(tmp_path):
    """Within the size limit a large file is read, not refused (its speed: see the report)."""
    path = tmp_path / "big.yaml"
    rows = "".join(f"  - source-{i}\n" for i in range(300_000))
    path.write_text("description: big\nuse_case: t\ncriteria: {weights: {quality: 1}}\nsource:\n"
                    + rows)
    assert 4 * 2**20 < path.stat().st_size < fileio.MAX_TEXT_BYTES
    data = loading.read_yaml(path, "profile")
    assert len(data["source"]) == 300_000
