"""``python -m llmselect.backends.llamacpp run --model llmselect-llamacpp ...``: lm-eval's own CLI
with llmselect's llama.cpp LM registered (importing ``lm`` registers it)."""

from llmselect.backends.llamacpp.lm import main

if __name__ == "__main__":
    main()
