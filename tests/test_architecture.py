"""The shape docs/architecture.md describes, checked on the source: arrows point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "llmselect"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "_builtin" not in p.parts)
#: scoring modules that only declare result types (render may read them)
SCORING_TYPES = {"llmselect.scoring.result"}


def _name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module an import statement in ``path`` names (lazy ones inside functions too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def test_the_scan_sees_the_package():
    names = {_name(p) for p in MODULES}
    assert {"llmselect.cli.main", "llmselect.store", "llmselect.bench.plan",
            "llmselect.render.recommendation"} <= names


@pytest.mark.parametrize("path", [p for p in MODULES if "cli" not in p.relative_to(PACKAGE).parts
                                  and p.name != "__main__.py"], ids=_name)
def test_nothing_outside_cli_imports_the_cli(path):
    assert not [m for m in _imports(path) if m == "llmselect.cli" or m.startswith("llmselect.cli.")]


@pytest.mark.parametrize("path", sorted((PACKAGE / "render").glob("*.py")), ids=_name)
def test_render_reads_results_and_computes_no_scores(path):
    scoring = {m for m in _imports(path) if m.startswith("llmselect.scoring")}
    assert scoring <= SCORING_TYPES | {f"{t}.{n}" for t in SCORING_TYPES
                                       for n in ("RankedModel", "Recommendation", "CriterionDetail",
                                                 "Exclusion")}


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_long_modules_say_why(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    if lines <= 320:
        return
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    assert "long because" in doc.lower(), f"{_name(path)}: {lines} lines and no reason given"


def test_the_result_schema_imports_nothing_of_the_store():
    assert not {m for m in _imports(PACKAGE / "run_schema.py") if m.startswith("llmselect.store")}
    for user in ("hardware.py", "speed_probe.py", "backends/endpoint/lm.py",
                 "backends/endpoint/checks.py"):
        assert "llmselect.store" not in _imports(PACKAGE / user), user


def test_every_backend_is_laid_out_the_same_way():
    from llmselect.backends import BACKENDS

    for name, backend in BACKENDS.items():
        folder = PACKAGE / "backends" / name
        assert (folder / "args.py").is_file(), name
        assert "model_args" in (folder / "args.py").read_text(), name
        assert (folder / "lm.py").is_file() == backend.own_lm, name
