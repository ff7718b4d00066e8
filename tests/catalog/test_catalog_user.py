"""User catalog folders ($LLMSELECT_CATALOG_PATH): override, extend, and one-line errors."""

from __future__ import annotations

import os
import textwrap

import pytest

from llmselect.catalog import load_catalog
from llmselect.errors import UserError

OVERRIDE = """
id: llama3-8b-instruct
name: Our fine-tuned Llama 3 8B
aliases: [llama3-8b]
vendor: meta
open_weights: {value: true, source: B-chatbot-en}
"""

NEW_MODEL = """
id: acme-7b
name: ACME 7B
aliases: [acme]
vendor: acme
open_weights: {value: true, source: acme-eval}
scores:
  - {benchmark: mmlu, value: 61.0, shots: 5, source: acme-eval}
"""


def _folder(tmp_path, monkeypatch, files: dict[str, str], *more) -> os.PathLike:
    folder = tmp_path / "cards"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text))
    monkeypatch.setenv("LLMSELECT_CATALOG_PATH", os.pathsep.join([str(folder), *map(str, more)]))
    return folder


def test_user_card_overrides_builtin(tmp_path, monkeypatch):
    folder = _folder(tmp_path, monkeypatch, {"mine.yaml": OVERRIDE})
    cat = load_catalog()
    assert cat.get_model("llama3-8b").name == "Our fine-tuned Llama 3 8B"
    assert cat.origins["llama3-8b-instruct"] == folder / "mine.yaml"
    assert not cat.is_builtin("llama3-8b-instruct") and cat.is_builtin("phi-4")
    assert len(cat.models) == 22


def test_user_folder_adds_model_vendor_and_source(tmp_path, monkeypatch):
    _folder(tmp_path, monkeypatch, {
        "acme.yaml": NEW_MODEL,
        "vendors.yaml": "acme: {name: ACME, jurisdiction: {value: FR, source: acme-eval}}\n",
        "sources.yaml": "acme-eval: {title: Our internal evaluation, kind: derived}\n",
    })
    cat = load_catalog()
    card = cat.get_model("acme")
    assert card.scores[0].value == 61.0
    assert cat.vendor(card).jurisdiction.value == "FR"
    assert "A-whitepaper" in cat.sources and "llama3-8b-instruct" in cat.models


@pytest.mark.parametrize("text,expected", [
    ("id: x\nname: X\nvendor: meta\nopen_weights: {value: maybe, source: A-whitepaper}\n",
     r"bad\.yaml: open_weights\.value: Input should be a valid boolean"),
    ("id: x\nname: X\nvendor: meta\nopen_weights: {value: true, source: A-whitepaper}\n"
     "contxt_tokens: 5\n", r"bad\.yaml: contxt_tokens: unknown field \(did you mean 'context_tokens'\?\)"),
    ("id: x\nname: X\nvendor: meta\nopen_weights: {value: true, source: A-whitepaper}\n"
     "scores:\n  - {benchmark: mmlu, value: 50, shot: 5, source: A-whitepaper}\n",
     r"bad\.yaml: scores\.0\.shot: unknown field \(did you mean 'shots'\?\)"),
    ("id: x\nname: X\nvendor: meta\nopen_weights: {value: true, source: A-whitepapr}\n",
     r"bad\.yaml: open_weights\.source: unknown source 'A-whitepapr' \(did you mean 'A-whitepaper'\?\)"),
    ("id: x\nname: X\nvendor: metta\nopen_weights: {value: true, source: A-whitepaper}\n",
     r"bad\.yaml: vendor: unknown vendor 'metta' \(did you mean 'meta'\?\)"),
    ("id: x\nname: X\nvendor: meta\nopen_weights: {value: true, source: A-whitepaper}\n"
     "scores:\n  - {benchmark: mmlux, value: 50, source: A-whitepaper}\n",
     r"bad\.yaml: scores\.0\.benchmark: unknown benchmark 'mmlux' \(did you mean 'mmlu'\?\)"),
    ("id: x\nname: X\nvendor: meta\nopen_weights: {value: true, source: A-whitepaper}\n"
     "scores:\n  - {benchmark: mmlu, value: 0.5, source: A-whitepaper}\n"
     "  - {benchmark: gsm8k, value: 150, source: A-whitepaper}\n",
     r"bad\.yaml: scores\.1\.value: 150\.0 is outside 0-100"),
    ("id: x\nname: X\naliases: [phi4]\nvendor: meta\nopen_weights: {value: true, source: A-whitepaper}\n",
     r"aliases\.0: 'phi4' already names model"),
    ("id: x\nname: [unclosed\n", r"bad\.yaml: malformed YAML at line \d+, column \d+: "),
])
def test_malformed_user_card_is_one_line(tmp_path, monkeypatch, text, expected):
    _folder(tmp_path, monkeypatch, {"bad.yaml": text})
    with pytest.raises(UserError, match=expected) as info:
        load_catalog()
    assert "\n" not in str(info.value)


def test_missing_user_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMSELECT_CATALOG_PATH", str(tmp_path / "nope"))
    with pytest.raises(UserError, match="LLMSELECT_CATALOG_PATH: .*nope does not exist"):
        load_catalog()


def test_duplicate_id_in_one_folder(tmp_path, monkeypatch):
    _folder(tmp_path, monkeypatch, {"a.yaml": OVERRIDE, "b.yaml": OVERRIDE})
    with pytest.raises(UserError, match=r"b\.yaml: id: 'llama3-8b-instruct' is also the id in"):
        load_catalog()


def test_earlier_folder_wins(tmp_path, monkeypatch):
    second = tmp_path / "second"
    second.mkdir()
    (second / "c.yaml").write_text(OVERRIDE.replace("Our fine-tuned", "Second"))
    _folder(tmp_path, monkeypatch, {"c.yaml": OVERRIDE}, second)
    assert load_catalog().get_model("llama3-8b").name.startswith("Our fine-tuned")
