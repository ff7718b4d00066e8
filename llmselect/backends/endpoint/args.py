"""lm-eval ``model_args`` for ``llmselect-endpoint`` and the generative stand-ins for tasks that
need prompt logprobs. Pure and light: no lm-eval import, so specs and unit tests stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llmselect.errors import UserError

if TYPE_CHECKING:
    from llmselect.specs import ModelSpec

#: options passed through to EndpointLM, with their types
ENDPOINT_OPTIONS: dict[str, type] = {
    "num_concurrent": int, "timeout": float, "max_retries": int, "backoff": float,
    "max_gen_toks": int, "max_length": int, "seed": int, "logprobs": str, "extra_body": str,
}

#: loglikelihood task -> (generative lm-eval task, metric kept, extra metrics, num_fewshot or None
#: to keep the suite's). lm-eval ships these variants; the metric names are theirs.
GENERATIVE_VARIANTS: dict[str, tuple[str, str, list[str], int | None]] = {
    "mmlu": ("mmlu_generative", "exact_match,get_response", [], None),
    **{f"gpqa_{subset}_{kind}": (f"gpqa_{subset}_generative_n_shot",
                                 "exact_match,flexible-extract", ["exact_match,strict-match"],
                                 0 if kind == "zeroshot" else None)
       for subset in ("main", "diamond", "extended") for kind in ("zeroshot", "n_shot")},
}


def model_args(spec: ModelSpec, options: dict[str, Any]) -> dict[str, Any]:
    """``endpoint:URL[#model]`` (+ ``--model-name``/``model_name`` option) -> EndpointLM args.

    The API key is deliberately not an argument: model_args are written into every result file.
    """
    if spec.kind != "endpoint":
        raise UserError(f"backend 'endpoint' needs endpoint:http(s)://HOST:PORT/v1; got "
                        f"{spec.text!r}")
    if any(k.lower() in {"api_key", "key", "token", "auth_token"} for k in options):
        raise UserError("do not pass the API key as an option (it would be saved with the "
                        "results); set LLMSELECT_API_KEY or OPENAI_API_KEY in the environment")
    url = spec.weights.rstrip("/")
    for suffix in ("/chat/completions", "/completions"):
        url = url.removesuffix(suffix)
    args: dict[str, Any] = {"base_url": url}
    model = options.get("model_name") or options.get("model") or spec.endpoint_model
    if model:
        args["model"] = str(model)
    for key, kind in ENDPOINT_OPTIONS.items():
        if options.get(key) is not None:
            try:
                args[key] = kind(options[key])
            except ValueError:
                raise UserError(f"--backend-arg {key}={options[key]!r}: expected "
                                f"{kind.__name__}") from None
    if "extra_body" in args:
        _check_extra_body(args["extra_body"])
    return args


def _check_extra_body(text: str) -> None:
    """``extra_body``: JSON object merged into every request (server-specific sampling knobs,
    e.g. llama-cpp-python's repeat_penalty, which defaults to 1.1 even at temperature 0)."""
    import json

    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"--backend-arg extra_body={text!r}: not JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise UserError(f"--backend-arg extra_body={text!r}: expected a JSON object {{...}}")
