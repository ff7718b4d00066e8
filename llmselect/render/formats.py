"""The output formats every data command offers (``--format``)."""

from __future__ import annotations

import enum


class OutputFormat(str, enum.Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
