"""vLLM through lm-eval's own ``vllm`` LM: ``args`` builds its model_args (pure)."""
