"""The profile: what one organisation needs from a model, as a validated YAML file.

A profile states hard constraints (a model failing one is excluded, with the reason), the
target hardware and workload (for memory fit, speed and cost), weighted criteria (how much each
matters) and what to do with facts the sources do not give. The criteria are the ones
organisations rank highest in the white paper's survey (DOMAIN.md §1) plus benchmark quality.

Everything is ``extra="forbid"``: a typo in a field or criterion name is an error with a
"did you mean", never a silently ignored setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from llmselect.config.languages import check_languages
from llmselect.errors import UserError, did_you_mean
from llmselect.strict import StrictModel

#: Every criterion a profile may weigh, in display order. Formulas: ``llmselect.scoring.criteria``.
CRITERIA: tuple[str, ...] = (
    "quality", "gdpr_security", "license_openness", "cost", "hardware_fit", "speed",
    "context", "languages", "ecosystem", "vendor_support", "ecology", "transparency",
)

#: Quantization names a profile may allow; bytes per parameter live in ``llmselect.memory``.
QUANTIZATIONS: tuple[str, ...] = (
    "fp32", "bf16", "fp16", "fp8", "int8", "int4", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M",
    "Q4_1", "Q4_0", "Q3_K_M", "Q2_K",
)


class _Strict(StrictModel):
    """No NaN or infinity in any number of a profile: a NaN weight made every total 0.000 and
    an infinite one gave an arbitrary model p(#1) = 100 %; they are typos, never settings."""

    model_config = ConfigDict(allow_inf_nan=False)


class Constraints(_Strict):
    """Hard constraints: a model that fails one is excluded and the output says which one."""

    commercial_use: bool = Field(False, description="Licence must allow commercial use")
    open_weights: bool = Field(False, description="Weights must be downloadable (self-hosting)")
    data_location: Literal["on-premise", "eu", "any"] = Field(
        "any", description="on-premise: self-hosted only; eu: self-hosted or an EU-based vendor")
    min_context: int | None = Field(None, ge=1, description="Minimum context window, tokens")
    languages: list[str] = Field(default_factory=list, description="ISO 639-1 codes required")
    max_memory_gb: float | None = Field(
        None, gt=0, description="Memory available for the model; default: the target hardware's")
    max_cost_per_mtok_usd: float | None = Field(None, gt=0, description="Blended $ per 1M tokens")
    max_monthly_cost_usd: float | None = Field(None, gt=0, description="At the workload's volume")
    min_quality: float | None = Field(
        None, ge=0, le=1, description="Floor on the quality criterion (skill above chance, 0-1): "
        "a weighted sum lets speed and size buy back zero skill; a floor does not")

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        return check_languages(value)


class TargetHardware(_Strict):
    """Where self-hosted models would run. ``memory_gb`` is per device, as vendors quote it (their
    "80 GB" is 80 GiB = 85.9 GB); every size llmselect prints is GB = 10^9 bytes."""

    name: str = Field(description="e.g. '1x RTX 4090 24 GB'")
    kind: Literal["gpu", "cpu"] = "gpu"
    devices: int = Field(1, ge=1)
    memory_gb: float = Field(gt=0, description="Memory per device (VRAM for gpu, RAM for cpu)")
    memory_bandwidth_gbps: float | None = Field(
        None, gt=0, description="Per device; used to estimate decode speed when none is known")
    cost_per_hour_usd: float | None = Field(None, ge=0, description="Whole machine, on demand")
    monthly_cost_usd: float | None = Field(None, ge=0, description="Whole machine, owned/reserved")
    power_watts: float | None = Field(
        None, gt=0, description="Whole machine's draw while serving (W): owned hardware costs its "
        "energy for the hours it serves, on top of ``monthly_cost_usd``")
    energy_usd_per_kwh: float | None = Field(
        None, ge=0, description="Electricity price; default 0.20 USD/kWh (an assumption, stated)")
    quantization: list[str] = Field(
        default_factory=lambda: ["fp16"], min_length=1,
        description="Allowed weight formats, most preferred first")
    source: str | None = Field(None, description="Where the figures come from (DOMAIN.md key)")

    @field_validator("quantization")
    @classmethod
    def _known_quantization(cls, value: list[str]) -> list[str]:
        """Names are matched case-insensitively (q4_k_m = Q4_K_M) and stored canonical."""
        canonical = {q.lower(): q for q in QUANTIZATIONS}
        out = []
        for q in value:
            if q.lower() not in canonical:
                raise ValueError(f"unknown quantization {q!r}{did_you_mean(q, QUANTIZATIONS)}; "
                                 f"known: {', '.join(QUANTIZATIONS)}")
            out.append(canonical[q.lower()])
        return out

    @property
    def total_memory_gb(self) -> float:
        return self.devices * self.memory_gb


class Workload(_Strict):
    """Volume and shape of the traffic, for cost, KV-cache size and speed needs."""

    tokens_per_month: float = Field(10e6, gt=0, description="Input + output tokens per month")
    input_share: float = Field(0.75, ge=0, le=1, description="Share of tokens that are input")
    mode: Literal["live", "batch"] = "live"
    context_tokens: int = Field(4096, ge=1, description="Context held per request (KV cache)")
    concurrency: int = Field(1, ge=1, description="Requests served at once (KV caches, batching)")
    service_hours_per_day: float = Field(
        24, gt=0, le=24, description="Hours a live service is up (and its machines paid for) "
        "per day; a batch workload is billed for the hours its tokens take instead")


class Criteria(_Strict):
    """Weights (any non-negative scale; normalised to sum 1) and per-benchmark quality weights."""

    weights: dict[str, float] = Field(description="criterion -> weight (>= 0)")
    quality_benchmarks: dict[str, float] = Field(
        default_factory=lambda: {"mmlu": 1.0}, description="benchmark key -> weight (>= 0)")

    @field_validator("weights")
    @classmethod
    def _check_weights(cls, value: dict[str, float]) -> dict[str, float]:
        for name in value:
            if name not in CRITERIA:
                raise ValueError(f"unknown criterion {name!r}{did_you_mean(name, CRITERIA)}; "
                                 f"known: {', '.join(CRITERIA)}")
        return _check_non_negative(value, "criterion")

    @field_validator("quality_benchmarks")
    @classmethod
    def _check_benchmark_weights(cls, value: dict[str, float]) -> dict[str, float]:
        return _check_non_negative(value, "benchmark")

    def normalised(self) -> dict[str, float]:
        """criterion -> weight / sum, over every criterion (0 for the ones not named)."""
        total = sum(self.weights.values())
        return {c: self.weights.get(c, 0.0) / total for c in CRITERIA}


def _check_non_negative(value: dict[str, float], kind: str) -> dict[str, float]:
    for name, weight in value.items():
        if weight < 0:
            raise ValueError(f"{kind} {name!r} has a negative weight ({weight}); weights are >= 0")
    if value and sum(value.values()) <= 0:
        raise ValueError(f"all {kind} weights are zero; give at least one a positive weight")
    if not value:
        raise ValueError(f"no {kind} weights given")
    return value


class Reproduces(_Strict):
    """The source a profile restates, and what it concluded: ``recommend`` checks that the
    profile reaches the same pick among the same candidates, or says what differs."""

    source: str = Field(description="DOMAIN.md source key, e.g. B-chatbot-en")
    candidates: list[str] = Field(min_length=2, description="The models the source compared")
    picks: list[str] = Field(min_length=1, description="The source's pick (alternatives it names "
                             "as equally good: 'DeepSeek-V3 or Llama 405B')")
    differences: dict[str, str] = Field(
        default_factory=dict, description="model id -> the catalog fact held differently from "
        "the source, and why (e.g. a licence corrected from the model card)")


class Profile(_Strict):
    """One organisation's needs. ``name`` defaults to the file name."""

    name: str | None = None
    description: str = Field(description="Which organisation this stands for, and why")
    use_case: str
    extends: str | None = Field(None, description="A built-in profile this one starts from")
    constraints: Constraints = Field(default_factory=Constraints)
    hardware: TargetHardware | None = Field(None, description="None: API models only")
    workload: Workload = Field(default_factory=Workload)
    preferred_languages: list[str] = Field(
        default_factory=list, description="Scored by the languages criterion (beyond required)")
    criteria: Criteria
    models: list[str] = Field(
        default_factory=list, description="Shortlist: rank only these catalog ids or aliases "
        "(empty: the whole catalog); `recommend --models` overrides it")
    missing_facts: Literal["neutral", "penalise", "exclude"] = Field(
        "neutral", description="Unknown criterion: field median (neutral), 0 (penalise) or "
                               "exclude the model")
    missing_facts_by_criterion: dict[str, Literal["neutral", "penalise", "exclude"]] = Field(
        default_factory=dict, description="Per-criterion override, e.g. {quality: exclude}")
    sensitivity_draws: int = Field(1000, ge=10, le=100_000)
    weight_perturbation: float = Field(0.2, ge=0, lt=1, description="±fraction for sensitivity")
    seed: int = 0
    source: list[str] = Field(default_factory=list, description="DOMAIN.md keys it rests on")
    reproduces: Reproduces | None = Field(None, description="The source's conclusion this "
                                          "profile restates (checked by recommend)")

    @model_validator(mode="after")
    def _location_needs_hardware(self) -> Profile:
        if self.constraints.data_location == "on-premise" and self.hardware is None:
            raise ValueError("constraints.data_location is on-premise but no hardware is given")
        return self

    @field_validator("preferred_languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        return check_languages(value)

    @field_validator("missing_facts_by_criterion")
    @classmethod
    def _known_criteria(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if name not in CRITERIA:
                raise ValueError(f"unknown criterion {name!r}{did_you_mean(name, CRITERIA)}")
        return value

    def policy(self, criterion: str) -> str:
        """The missing-fact policy that applies to ``criterion``."""
        return self.missing_facts_by_criterion.get(criterion, self.missing_facts)

    @property
    def wanted_languages(self) -> list[str]:
        return list(dict.fromkeys([*self.constraints.languages, *self.preferred_languages]))


def validate_benchmarks(profile: Profile, known: list[str], source: str) -> None:
    """Benchmark keys are checked against the catalog's registry (not known at parse time)."""
    for key in profile.criteria.quality_benchmarks:
        if key.startswith("own:"):
            _check_own_suite(key, source)
        elif key not in known:
            raise UserError(f"{source}: criteria.quality_benchmarks.{key}: unknown benchmark "
                            f"{key!r}{did_you_mean(key, known)}; known: {', '.join(sorted(known))}")


def _check_own_suite(key: str, source: str) -> None:
    """``own:NAME`` weighs an own suite (``llmselect suite new``): its runs' score counts as a
    benchmark; a model without a run on it follows the missing-fact policy. The suite must exist
    on the suite path, so a typo is not silently a missing fact for every model."""
    from llmselect.config.suite_schema import load_suite

    name = key.removeprefix("own:")
    try:
        suite = load_suite(name)
    except UserError as exc:
        raise UserError(f"{source}: criteria.quality_benchmarks.{key}: {exc}") from None
    if suite.own is None:
        raise UserError(f"{source}: criteria.quality_benchmarks.{key}: suite {name!r} is not an "
                        "own suite; weigh public benchmarks by their key (mmlu, gsm8k...)")


def _merge(base: dict, override: dict) -> dict:
    """Deep merge for ``extends``: mappings merge key by key, everything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_profile(name_or_path: str) -> tuple[Profile, Path]:
    """Resolve a built-in/user profile name or a path (a pipe such as ``<(...)`` too), apply
    ``extends``, validate."""
    from llmselect import resources
    from llmselect.config.loading import validate
    from llmselect.errors import unknown

    path = resources.find_named_yaml("profiles", name_or_path)
    if path is None:
        if resources.looks_like_path(name_or_path):
            raise UserError(f"{name_or_path}: no such profile file; give an existing YAML file "
                            "or a profile name (`llmselect profiles`)")
        raise unknown("profile", name_or_path, resources.list_named_yaml("profiles"),
                      hint="list them with: llmselect profiles")
    data = _read_mapping(path)
    data = _resolve_extends(data, path, seen={path.stem})
    data.setdefault("name", path.stem)
    return validate(Profile, data, str(path)), path


def _read_mapping(path: Path) -> dict:
    from llmselect.config.loading import kind_of, read_yaml

    data = read_yaml(path, "profile")
    if not isinstance(data, dict):
        raise UserError(f"{path}: (top level): a profile is a YAML mapping of fields, not "
                        f"{kind_of(data)}")
    return data


def _resolve_extends(data: dict, path: Path, seen: set[str]) -> dict:
    """``extends`` names a built-in profile or one on $LLMSELECT_PROFILES_PATH, never a file:
    a path would let a shared profile read any YAML on the machine."""
    from llmselect import resources
    from llmselect.errors import unknown

    parent = data.get("extends")
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise UserError(f"{path}: extends: give the name of a profile (`llmselect profiles`)")
    if resources.looks_like_path(parent):
        raise UserError(f"{path}: extends: {parent!r} is a path; extends takes a profile name "
                        "(a built-in, or a file in a folder of $LLMSELECT_PROFILES_PATH)")
    if parent in seen:
        raise UserError(f"{path}: extends: cycle through profile {parent!r}")
    parent_path = resources.find_named_yaml("profiles", parent)
    if parent_path is None:
        raise UserError(str(unknown("profile", parent, resources.list_named_yaml("profiles")))
                        .replace("unknown", f"{path}: extends: unknown", 1))
    base = _resolve_extends(_read_mapping(parent_path), parent_path, seen | {parent})
    base = {k: v for k, v in base.items() if k not in {"name", "extends"}}
    return _merge(base, data)
