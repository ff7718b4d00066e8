"""Licence strings as models publish them -> the catalog's licence keys and commercial use.

WHY a table: the hub's ``license:`` ids, GGUF ``general.license`` and the licence text Ollama
keeps all name the same few licences in different ways, while scoring (``LICENSE_OPENNESS`` in
``llmselect/scoring/criteria.py``) keys on the catalog's ids (``apache-2.0``, ``llama3.1-community``,
``gemma``...). A string not in the table is kept as written and flagged: commercial use and
openness then stay unknown rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    key: str
    commercial_use: bool | None
    restriction: str | None = None
    name: str = ""


_LLAMA = "{} Community License: 700M monthly-active-user cap, Acceptable Use Policy"


def _llama(version: str) -> Licence:
    label = f"Llama {version}"
    return Licence(f"llama{version}-community", True, _LLAMA.format(label), f"{label} Community License")


_TABLE: dict[str, Licence] = {
    "apache-2.0": Licence("apache-2.0", True, None, "Apache 2.0"),
    "mit": Licence("mit", True, None, "MIT"),
    "bsd-2-clause": Licence("bsd-2-clause", True, None, "BSD 2-clause"),
    "bsd-3-clause": Licence("bsd-3-clause", True, None, "BSD 3-clause"),
    "llama2": _llama("2"), "llama3": _llama("3"), "llama3.1": _llama("3.1"),
    "llama3.2": _llama("3.2"), "llama3.3": _llama("3.3"), "llama4": _llama("4"),
    "gemma": Licence("gemma", True, "Gemma Prohibited Use Policy applies; terms pass on to "
                     "redistributed and fine-tuned models", "Gemma Terms of Use"),
    "qwen": Licence("qwen", True, "Qwen licence: a licence from Alibaba is needed above 100M "
                    "monthly active users", "Qwen License Agreement"),
    "qwen-research": Licence("qwen-research", False, "research and non-commercial use only",
                             "Qwen Research License"),
    "mistral-research-license": Licence("mistral-research-license", False, "research and "
                                        "non-commercial use only", "Mistral AI Research License"),
    "cc-by-4.0": Licence("cc-by-4.0", True, None, "CC BY 4.0"),
    "cc-by-sa-4.0": Licence("cc-by-sa-4.0", True, None, "CC BY-SA 4.0"),
    "cc-by-nc-4.0": Licence("cc-by-nc-4.0", False, "non-commercial use only", "CC BY-NC 4.0"),
    "cc-by-nc-sa-4.0": Licence("cc-by-nc-sa-4.0", False, "non-commercial use only",
                               "CC BY-NC-SA 4.0"),
    "openrail": Licence("openrail", True, "OpenRAIL use-based restrictions", "OpenRAIL"),
    "bigscience-openrail-m": Licence("bigscience-openrail-m", True, "OpenRAIL-M use-based "
                                     "restrictions", "BigScience OpenRAIL-M"),
    "deepseek": Licence("deepseek", True, "DeepSeek Model License use-based restrictions",
                        "DeepSeek Model License"),
}
_ALIASES = {
    "apache 2.0": "apache-2.0", "apache2": "apache-2.0", "apache-2": "apache-2.0",
    "apache license 2.0": "apache-2.0", "mit license": "mit", "mrl": "mistral-research-license",
    "mistral-ai-research-license": "mistral-research-license", "tongyi-qianwen": "qwen",
    "llama-3": "llama3", "llama-3.1": "llama3.1", "llama-3.2": "llama3.2", "llama-3.3": "llama3.3",
    "llama3-community": "llama3", "llama3.1-community": "llama3.1", "llama3.2-community": "llama3.2",
    "llama3.3-community": "llama3.3", "llama2-community": "llama2", "gemma-terms-of-use": "gemma",
    "deepseek-license": "deepseek",
}
#: First lines of licence texts (Ollama's licence layer, a LICENSE file) -> id.
_TEXT_PATTERNS = (
    (r"apache license\s*,?\s*version 2\.0", "apache-2.0"),
    (r"\bmit license\b|permission is hereby granted, free of charge", "mit"),
    (r"llama 4 community license", "llama4"), (r"llama 3\.3 community license", "llama3.3"),
    (r"llama 3\.2 community license", "llama3.2"), (r"llama 3\.1 community license", "llama3.1"),
    (r"meta llama 3 community license", "llama3"), (r"llama 2 community license", "llama2"),
    (r"gemma terms of use", "gemma"), (r"qwen research license", "qwen-research"),
    (r"(tongyi qianwen|qwen) license agreement", "qwen"),
    (r"mistral ai research license", "mistral-research-license"),
    (r"attribution-noncommercial-sharealike 4\.0", "cc-by-nc-sa-4.0"),
    (r"attribution-noncommercial 4\.0", "cc-by-nc-4.0"),
    (r"deepseek license agreement", "deepseek"),
)


def normalise_id(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def lookup(licence_id: str) -> Licence | None:
    """A licence id as the hub or a GGUF writes it ('apache-2.0', 'llama3.1', 'other'...)."""
    low = normalise_id(licence_id)
    low = _ALIASES.get(low, low)
    return _TABLE.get(low) or _TABLE.get(low.replace(" ", "-"))


def from_text(text: str) -> Licence | None:
    """The licence a full licence text is (its first 2,000 characters are enough)."""
    head = normalise_id(text[:2000])
    for pattern, key in _TEXT_PATTERNS:
        if re.search(pattern, head):
            return _TABLE[key]
    return None
