"""An OpenAI-compatible endpoint: ``args`` builds model_args (pure), ``lm`` is the lm-eval LM
(registers ``llmselect-endpoint``), ``http`` the client with retries, ``checks`` the prompt-logprob
consistency check and the streamed speed measurement. Nothing heavy is imported here."""
