"""transformers through lm-eval's own ``hf`` LM: ``args`` builds its model_args (pure)."""
