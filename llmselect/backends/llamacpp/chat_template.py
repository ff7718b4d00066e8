"""Render a GGUF's Jinja chat template the way transformers' `apply_chat_template` does.

WHY: lm-eval's `--apply_chat_template` calls `lm.apply_chat_template(history,
add_generation_prompt)`; results must match the hf backend's prompts, so we reproduce
transformers' environment (sandboxed Jinja, trim_blocks/lstrip_blocks, raise_exception,
bos/eos tokens) and its `continue_final_message` cut.
"""

from __future__ import annotations

from datetime import datetime

from llmselect.errors import UserError


def _raise(message: str):
    raise UserError(f"chat template error: {message}")


def render_chat(template: str, messages: list[dict[str, str]], add_generation_prompt: bool,
                bos: str = "", eos: str = "") -> str:
    """The prompt text; without a generation prompt the final message is left open to continue."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=["jinja2.ext.loopcontrols"])
    env.globals["raise_exception"] = _raise
    env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
    text = env.from_string(template).render(messages=messages, add_generation_prompt=add_generation_prompt,
                                            bos_token=bos, eos_token=eos)
    if not add_generation_prompt and messages:
        final = messages[-1]["content"].strip()
        cut = text.rfind(final)
        if cut >= 0:
            text = text[: cut + len(final)]
    return text
