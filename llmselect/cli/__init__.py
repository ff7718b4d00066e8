"""Command-line interface: one thin module per command group (parse, call the domain, render).

Each module exposes ``register(app)``. Modules here must import nothing heavy at import time:
torch, transformers, lm-eval, llama_cpp, matplotlib are imported inside the command bodies.
"""
