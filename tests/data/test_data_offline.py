"""Offline data: checksum-verified conversion into dataset folders that `datasets` reads offline."""

from __future__ import annotations

import shutil

import pytest

from llmselect.data import load_offline, prepare_offline
from llmselect.errors import EnvironmentProblem, UserError


@pytest.fixture(scope="module")
def offline(shared_datasets, data_cache):
    return load_offline(shared_datasets, data_cache)


def test_all_four_benchmarks_converted_with_checksums(offline):
    assert offline.benchmarks == ["mmlu", "gsm8k", "gpqa", "humaneval"]
    assert len(offline.checksums) == 57 * 3 + 2 + 1 + 1
    assert len(offline.data_hash("mmlu")) == 64


def test_local_folders_load_like_the_hub_datasets(offline, monkeypatch):
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    import datasets

    mmlu = datasets.load_dataset(str(offline.root / "mmlu"), "anatomy")
    assert {k: len(v) for k, v in mmlu.items()} == {"test": 135, "validation": 14, "dev": 5}
    assert mmlu["test"].column_names == ["question", "subject", "choices", "answer"]
    assert mmlu["test"][0]["answer"] in range(4) and len(mmlu["test"][0]["choices"]) == 4
    gsm = datasets.load_dataset(str(offline.root / "gsm8k"), "main")
    assert (len(gsm["test"]), len(gsm["train"])) == (1319, 7473)
    gpqa = datasets.load_dataset(str(offline.root / "gpqa"), "gpqa_main")  # never printed
    assert len(gpqa["train"]) == 448 and "Correct Answer" in gpqa["train"].column_names
    he = datasets.load_dataset(str(offline.root / "humaneval"))
    assert len(he["test"]) == 164 and he["test"][0]["task_id"] == "HumanEval/0"


def test_task_overrides_keep_lm_eval_definitions(offline):
    import yaml

    body = yaml.safe_load((offline.tasks_dir / "mmlu_anatomy.yaml").read_text())
    assert body["include"].endswith("lm_eval/tasks/mmlu/default/mmlu_anatomy.yaml")
    assert body["dataset_path"] == str(offline.root / "mmlu")
    assert set(body) == {"include", "task", "dataset_path", "tag"}
    assert (offline.tasks_dir / "gsm8k_cot.yaml").is_file()
    assert (offline.tasks_dir / "humaneval_sandboxed.yaml").is_file()


@pytest.fixture
def counted(monkeypatch):
    """How often each step ran: original files checksummed, benchmarks converted."""
    from llmselect.data import convert, manifest

    calls = {"verify": 0, "convert": 0}
    verify = manifest.verify

    def counting_verify(*args, **kwargs):
        calls["verify"] += 1
        return verify(*args, **kwargs)

    def counting(fn):
        def wrapper(*args, **kwargs):
            calls["convert"] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(manifest, "verify", counting_verify)
    monkeypatch.setattr(convert, "CONVERTERS", {k: counting(f) for k, f in convert.CONVERTERS.items()})
    return calls


def test_second_call_reuses_the_cache(shared_datasets, data_cache, offline, counted, capsys):
    assert prepare_offline(shared_datasets, data_cache) == offline.tasks_dir
    assert counted == {"verify": 0, "convert": 0}  # nothing checksummed or converted again
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize("damage", ["edited", "deleted", "added"])
def test_a_damaged_cache_is_found_and_rebuilt(shared_datasets, tmp_path, counted, capsys, damage):
    """The converted copy is checked against the checksums taken at conversion on every hit (a
    hit used to trust it for good): a damaged copy is named, converted again from the verified
    originals, and comes back byte-identical."""
    _copy_gsm8k(shared_datasets, tmp_path / "d")
    first = load_offline(tmp_path / "d", tmp_path / "cache")
    assert counted == {"verify": 1, "convert": 1}
    files = {p.relative_to(first.root): p.read_bytes() for p in first.root.rglob("*") if p.is_file()}
    [victim] = [p for p in (first.root / "gsm8k").rglob("*") if p.is_file() and "test" in p.name]
    if damage == "edited":
        victim.write_bytes(victim.read_bytes()[:-40])
    elif damage == "deleted":
        victim.unlink()
    else:
        victim = victim.with_name("stray.jsonl")
        victim.write_text("{}\n")
    again = load_offline(tmp_path / "d", tmp_path / "cache")
    assert counted == {"verify": 2, "convert": 2}
    err = capsys.readouterr().err
    assert f"{victim.relative_to(first.root).as_posix()} " in err and "converting again" in err
    assert {p.relative_to(again.root): p.read_bytes() for p in again.root.rglob("*")
            if p.is_file()} == files
    assert not [p for p in again.root.parent.iterdir() if "damaged" in p.name]
    load_offline(tmp_path / "d", tmp_path / "cache")  # and the rebuilt copy is a clean hit
    assert counted == {"verify": 2, "convert": 2}


def test_gpqa_stays_private(offline):
    files = [p for p in (offline.root / "gpqa").rglob("*.csv")]
    assert files and all(p.stat().st_mode & 0o077 == 0 for p in files)


def _copy_gsm8k(shared_datasets, dst):
    (dst / "gsm8k").mkdir(parents=True)
    lines = [l for l in (shared_datasets / "MANIFEST.sha256").read_text().splitlines()
             if "./gsm8k/" in l]
    (dst / "MANIFEST.sha256").write_text("\n".join(lines) + "\n")
    for name in ("test.jsonl", "train.jsonl"):
        shutil.copyfile(shared_datasets / "gsm8k" / name, dst / "gsm8k" / name)


def test_corrupt_file_is_named(shared_datasets, tmp_path):
    _copy_gsm8k(shared_datasets, tmp_path / "d")
    with open(tmp_path / "d" / "gsm8k" / "test.jsonl", "a") as fh:
        fh.write("{}\n")
    with pytest.raises(UserError, match=r"gsm8k/test.jsonl: checksum mismatch"):
        load_offline(tmp_path / "d", tmp_path / "cache")


def test_partial_folder_converts_what_it_has(shared_datasets, tmp_path):
    _copy_gsm8k(shared_datasets, tmp_path / "d")
    assert load_offline(tmp_path / "d", tmp_path / "cache").benchmarks == ["gsm8k"]


def test_missing_folder_names_both_ways(tmp_path):
    with pytest.raises(EnvironmentProblem, match="--data-dir"):
        load_offline(tmp_path / "nope", tmp_path / "cache")
