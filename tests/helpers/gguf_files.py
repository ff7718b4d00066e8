"""GGUF files made in tests."""

from __future__ import annotations

from pathlib import Path


def write_unknown_arch_gguf(path: Path) -> Path:
    """A valid GGUF of an architecture llama.cpp does not know (used by the backend test too)."""
    import gguf
    import numpy as np

    w = gguf.GGUFWriter(str(path), "alienformer")
    w.add_block_count(1)
    w.add_context_length(128)
    w.add_tensor("token_embd.weight", np.zeros((4, 8), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
