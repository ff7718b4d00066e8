"""llama.cpp in process: ``args`` builds lm-eval model_args (pure), ``lm`` is the lm-eval LM
(importing it registers ``llmselect-llamacpp`` with lm-eval and pulls in llama-cpp-python),
``engine`` drives llama.cpp with KV-cache prefix reuse, ``float_weights`` makes the float copy
``--weights auto`` scores from. Nothing heavy is imported here."""
