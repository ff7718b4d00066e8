"""The built-in catalog: valid, sourced, and faithful to the figures of DOMAIN.md §4/§5."""

from __future__ import annotations

import pytest

from llmselect.catalog import BUILTIN_DIR, load_catalog
from llmselect.catalog.benchmarks import BENCHMARKS, benchmark_for_task, get_benchmark
from llmselect.catalog.checks import cited_sources
from llmselect.errors import UserError

EXPECTED_IDS = {
    "llama3-8b-instruct", "llama3-70b-instruct", "llama3.1-8b", "llama3.1-405b", "llama3.3-70b",
    "mistral-7b-instruct", "mixtral-8x22b", "mistral-large-2", "gemma-7b-it", "qwen2.5-0.5b",
    "qwen2.5-7b", "qwen2.5-coder-32b", "qwen2.5-72b", "deepseek-v3", "phi-4", "gpt-4o",
    "gpt-4o-mini", "claude-3-sonnet", "claude-3.5-sonnet", "gemini-1.5-pro",
    "smollm2-135m-instruct", "gemma3-270m",
}
GRID_VENDORS = ["anthropic", "dinum", "google", "lighton", "meta", "microsoft", "mistral"]


@pytest.fixture(autouse=True)
def _builtin_only(monkeypatch):
    monkeypatch.delenv("LLMSELECT_CATALOG_PATH", raising=False)


@pytest.fixture()
def cat():
    return load_catalog()


def test_exactly_the_contracted_models(cat):
    assert set(cat.models) == EXPECTED_IDS


def test_builtin_file_names_match_ids(cat):
    for model_id, path in cat.origins.items():
        assert path.parent == BUILTIN_DIR / "models"
        assert path.stem == model_id


def test_every_fact_cites_a_known_source(cat):
    cards = [*cat.models.values(), *cat.vendors.values()]
    cited = [key for card in cards for _, key in cited_sources(card)]
    assert len(cited) > 300
    assert set(cited) <= set(cat.sources)
    # every document of DOMAIN.md is used, and no source is listed without being cited
    assert {"A-whitepaper", "B-chatbot-en", "C-top5-2025", "D-mixtral",
            "E-llama31-vs-4omini"} <= set(cited)
    assert set(cat.sources) == set(cited)


def test_sources_kinds(cat):
    for key, src in cat.sources.items():
        assert src.key == key
        prefix = key.split(":")[0]
        expected = {"hf-config": "model-card", "model-card": "model-card", "gguf": "gguf-metadata",
                    "vendor-page": "vendor-page"}.get(prefix)
        if expected:
            assert src.kind == expected, key


def test_every_model_has_a_vendor_with_jurisdiction(cat):
    for card in cat.models.values():
        assert cat.vendor(card).jurisdiction is not None, card.id


@pytest.mark.parametrize("vendor", GRID_VENDORS)
def test_grid_vendors_answer_the_whole_grid(cat, vendor):
    grid = cat.vendors[vendor].grid
    # DOMAIN.md §3 leaves prompt-data use blank ("—") for DiNum, LightOn, Meta and Mistral.
    blank = {"prompt_data_use"} if vendor in {"dinum", "lighton", "meta", "mistral"} else set()
    assert len(grid) == 13 - len(blank)
    assert blank.isdisjoint(grid)


@pytest.mark.parametrize("vendor,question,answer", [
    ("anthropic", "standards", "none-found"), ("dinum", "standards", "yes"),
    ("lighton", "standards", "in-progress"), ("mistral", "copyright_indemnity", "yes"),
    ("microsoft", "prompt_data_use", "partial"), ("google", "prompt_data_use", "no"),
    ("meta", "licences", "partial"), ("lighton", "api_ui", "partial"),
    ("dinum", "multimodal", "no"), ("google", "ecology", "yes"), ("meta", "ecology", "none-found"),
])
def test_grid_answers(cat, vendor, question, answer):
    assert cat.vendors[vendor].grid[question].answer == answer


def test_vendors_outside_the_grid_have_no_grid(cat):
    for vendor in ("alibaba", "deepseek", "huggingface"):
        assert cat.vendors[vendor].grid == {}


@pytest.mark.parametrize("vendor,country,eu", [
    ("mistral", "FR", True), ("lighton", "FR", True), ("dinum", "FR", True), ("meta", "US", False),
    ("alibaba", "CN", False), ("deepseek", "CN", False),
])
def test_jurisdictions(cat, vendor, country, eu):
    v = cat.vendors[vendor]
    assert (v.jurisdiction.value, v.eu_based.value) == (country, eu)


# DOMAIN.md §4 published scores: (model, benchmark, value, shots, cot, source)
PUBLISHED = [
    ("llama3-8b-instruct", "mmlu", 68.4, 5, None, "B-chatbot-en"),
    ("llama3-8b-instruct", "gpqa", 34.2, 0, None, "B-chatbot-en"),
    ("llama3-8b-instruct", "humaneval", 62.2, 0, None, "B-chatbot-en"),
    ("llama3-8b-instruct", "gsm8k", 79.6, 8, True, "B-chatbot-en"),
    ("llama3-8b-instruct", "math", 30.0, 4, True, "B-chatbot-en"),
    *[("gemma-7b-it", b, v, ..., ...) + ("B-chatbot-en",) for b, v in
      zip(["mmlu", "gpqa", "humaneval", "gsm8k", "math"], [53.3, 21.4, 30.5, 30.6, 12.2])],
    *[("mistral-7b-instruct", b, v, ..., ...) + ("B-chatbot-en",) for b, v in
      zip(["mmlu", "gpqa", "humaneval", "gsm8k", "math"], [58.4, 26.3, 36.6, 39.9, 11.0])],
    *[("llama3-70b-instruct", b, v, ..., ...) + ("B-chatbot-en",) for b, v in
      zip(["mmlu", "gpqa", "humaneval", "gsm8k", "math"], [82.0, 39.5, 81.7, 93.0, 50.4])],
    ("gemini-1.5-pro", "mmlu", 81.9, ..., ..., "B-chatbot-en"),
    ("gemini-1.5-pro", "gpqa", 41.5, ..., True, "B-chatbot-en"),
    ("gemini-1.5-pro", "humaneval", 71.9, ..., ..., "B-chatbot-en"),
    ("gemini-1.5-pro", "gsm8k", 91.7, 11, ..., "B-chatbot-en"),
    ("gemini-1.5-pro", "math", 58.5, ..., ..., "B-chatbot-en"),
    ("claude-3-sonnet", "mmlu", 79.0, ..., ..., "B-chatbot-en"),
    ("claude-3-sonnet", "gpqa", 38.5, ..., True, "B-chatbot-en"),
    ("claude-3-sonnet", "humaneval", 73.0, ..., ..., "B-chatbot-en"),
    ("claude-3-sonnet", "gsm8k", 92.3, 0, ..., "B-chatbot-en"),
    ("claude-3-sonnet", "math", 40.5, ..., ..., "B-chatbot-en"),
    ("llama3.3-70b", "mmlu", 88.6, None, None, "C-top5-2025"),
    ("llama3.3-70b", "humaneval", 81.7, None, None, "C-top5-2025"),
    ("llama3.3-70b", "mt_bench", 9.1, None, None, "C-top5-2025"),
    ("mistral-large-2", "mmlu", 84.7, None, None, "C-top5-2025"),
    ("mistral-large-2", "humaneval", 78.2, None, None, "C-top5-2025"),
    ("mistral-large-2", "gsm8k", 74.8, None, None, "C-top5-2025"),
    ("qwen2.5-72b", "mmlu", 85.2, None, None, "C-top5-2025"),
    ("qwen2.5-72b", "gsm8k", 79.1, None, None, "C-top5-2025"),
    ("qwen2.5-coder-32b", "humaneval", 92.3, None, None, "C-top5-2025"),
    ("qwen2.5-coder-32b", "mbpp", 88.1, None, None, "C-top5-2025"),
    ("deepseek-v3", "mmlu", 90.2, None, None, "C-top5-2025"),
    ("deepseek-v3", "humaneval", 89.5, None, None, "C-top5-2025"),
    ("deepseek-v3", "math", 81.7, None, None, "C-top5-2025"),
    ("phi-4", "mmlu", 82.3, None, None, "C-top5-2025"),
    ("phi-4", "humaneval", 71.8, None, None, "C-top5-2025"),
    ("phi-4", "math", 76.2, None, None, "C-top5-2025"),
    ("llama3.1-8b", "mmlu", 73.0, None, None, "E-llama31-vs-4omini"),
    ("llama3.1-8b", "humaneval", 72.6, None, None, "E-llama31-vs-4omini"),
    ("llama3.1-8b", "math", 51.9, None, None, "E-llama31-vs-4omini"),
    ("gpt-4o-mini", "mmlu", 82.0, None, None, "E-llama31-vs-4omini"),
    ("gpt-4o-mini", "humaneval", 87.2, None, None, "E-llama31-vs-4omini"),
    ("gpt-4o-mini", "math", 70.2, None, None, "E-llama31-vs-4omini"),
]


@pytest.mark.parametrize("model,bench,value,shots,cot,source", PUBLISHED)
def test_published_scores(cat, model, bench, value, shots, cot, source):
    """`...` = the setting is the B table's column default, not checked here."""
    found = [s for s in cat.models[model].scores if s.benchmark == bench]
    assert len(found) == 1
    score = found[0]
    assert (score.value, score.source) == (value, source)
    if shots is not ...:
        assert score.shots == shots
    if cot is not ...:
        assert score.cot == cot


def test_no_scores_beyond_the_published_table(cat):
    published = {(m, b) for m, b, *_ in PUBLISHED}
    catalog = {(c.id, s.benchmark) for c in cat.models.values() for s in c.scores}
    assert catalog == published


def _fact(card, path):
    obj = card
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


# (model, fact path, value, source)
FACTS = [
    ("gpt-4o", "price.input_per_mtok_usd", 5, "C-top5-2025"),
    ("gpt-4o", "price.output_per_mtok_usd", 15, "C-top5-2025"),
    ("claude-3.5-sonnet", "price.input_per_mtok_usd", 3, "C-top5-2025"),
    ("claude-3.5-sonnet", "price.output_per_mtok_usd", 15, "C-top5-2025"),
    ("llama3.1-8b", "price.input_per_mtok_usd", 0.234, "E-llama31-vs-4omini"),
    ("llama3.1-8b", "price.output_per_mtok_usd", 0.234, "E-llama31-vs-4omini"),
    ("gpt-4o-mini", "price.input_per_mtok_usd", 0.195, "E-llama31-vs-4omini"),
    ("gpt-4o-mini", "price.output_per_mtok_usd", 0.9, "E-llama31-vs-4omini"),
    ("llama3.1-8b", "speed_tokens_per_s.value", 147, "E-llama31-vs-4omini"),
    ("gpt-4o-mini", "speed_tokens_per_s.value", 99, "E-llama31-vs-4omini"),
    ("llama3.1-8b", "max_output_tokens.value", 4096, "E-llama31-vs-4omini"),
    ("gpt-4o-mini", "max_output_tokens.value", 16384, "E-llama31-vs-4omini"),
    ("llama3.1-8b", "knowledge_cutoff.value", "2023-12", "E-llama31-vs-4omini"),
    ("gpt-4o-mini", "knowledge_cutoff.value", "2023-10", "E-llama31-vs-4omini"),
    ("mixtral-8x22b", "params_total_b.value", 141, "D-mixtral"),
    ("mixtral-8x22b", "params_active_b.value", 39, "D-mixtral"),
    ("deepseek-v3", "params_total_b.value", 671, "C-top5-2025"),
    ("deepseek-v3", "params_active_b.value", 37, "C-top5-2025"),
    ("mistral-large-2", "params_total_b.value", 123, "C-top5-2025"),
    ("phi-4", "params_total_b.value", 14, "C-top5-2025"),
    ("llama3.1-405b", "params_total_b.value", 405, "C-top5-2025"),
    ("qwen2.5-0.5b", "params_total_b.value", 0.5, "C-top5-2025"),
    ("qwen2.5-72b", "params_total_b.value", 72, "C-top5-2025"),
    ("phi-4", "context_tokens.value", 16384, "hf-config:microsoft/phi-4"),  # config, not C's "16k"
    ("llama3.3-70b", "context_tokens.value", 131072, "hf-config:meta-llama/Llama-3.3-70B-Instruct"),
    ("deepseek-v3", "context_tokens.value", 131072, "C-top5-2025"),  # 128k = 131,072 tokens
    ("mistral-large-2", "context_tokens.value", 131072, "hf-config:mistralai/Mistral-Large-Instruct-2407"),
    ("claude-3-sonnet", "context_tokens.value", 200000, "A-whitepaper"),
    ("gemini-1.5-pro", "context_tokens.value", 1000000, "A-whitepaper"),
    ("llama3-8b-instruct", "license.value", "llama3-community", "B-chatbot-en"),
    ("llama3-8b-instruct", "commercial_use.value", True, "B-chatbot-en"),
    ("mistral-7b-instruct", "license.value", "apache-2.0", "A-whitepaper"),
    ("qwen2.5-7b", "license.value", "apache-2.0", "C-top5-2025"),
    ("deepseek-v3", "license.value", "mit", "C-top5-2025"),
    ("phi-4", "license.value", "mit", "C-top5-2025"),
    ("llama3-8b-instruct", "training.gpu_hours", 1_300_000, "B-chatbot-en"),
    ("llama3-8b-instruct", "training.tco2eq", 390, "B-chatbot-en"),
    ("llama3-70b-instruct", "training.gpu_hours", 6_400_000, "B-chatbot-en"),
    ("llama3-70b-instruct", "training.tco2eq", 1900, "B-chatbot-en"),
    ("llama3-8b-instruct", "ecosystem.quantizations", 252, "B-chatbot-en"),
    ("llama3-8b-instruct", "ecosystem.finetunes", 792, "B-chatbot-en"),
    ("llama3-8b-instruct", "ecosystem.merges", 472, "B-chatbot-en"),
    ("mistral-7b-instruct", "ecosystem.quantizations", 93, "B-chatbot-en"),
    ("mistral-7b-instruct", "ecosystem.finetunes", 1032, "B-chatbot-en"),
    ("mistral-7b-instruct", "ecosystem.merges", 345, "B-chatbot-en"),
    ("mistral-7b-instruct", "ecosystem.adapters", 1033, "B-chatbot-en"),
    ("phi-4", "languages.value", ["en"], "C-top5-2025"),
    # where a model card corrects a source's family-wide statement (documented in the note)
    ("mistral-large-2", "license.value", "mistral-research-license",
     "model-card:mistralai/Mistral-Large-Instruct-2407"),
    ("mistral-large-2", "commercial_use.value", False,
     "model-card:mistralai/Mistral-Large-Instruct-2407"),
    ("qwen2.5-72b", "license.value", "qwen", "model-card:Qwen/Qwen2.5-72B-Instruct"),
    ("llama3-8b-instruct", "context_tokens.value", 8192,
     "hf-config:meta-llama/Meta-Llama-3-8B-Instruct"),
]


@pytest.mark.parametrize("model,path,value,source", FACTS)
def test_domain_facts(cat, model, path, value, source):
    card = cat.models[model]
    assert _fact(card, path) == value
    assert _fact(card, path.rsplit(".", 1)[0] + ".source") == source


@pytest.mark.parametrize("model,needle", [
    ("llama3-8b-instruct", "RTX 4090 24 GB"), ("llama3.1-405b", "8x H100 80 GB"),
    ("mistral-large-2", "4x A100 40 GB or 2x A100 80 GB"), ("qwen2.5-7b", "RTX 3060 12 GB"),
    ("qwen2.5-coder-32b", "1x A100 40 GB"), ("qwen2.5-72b", "2x A100 40 GB"),
    ("deepseek-v3", "minimum 4x A100 80 GB"), ("phi-4", "CPU with 32 GB RAM"),
    ("mistral-7b-instruct", "minimum: 8 CPU cores, RTX 3060 12 GB, 16 GB RAM, 100 GB SSD"),
])
def test_quoted_hardware(cat, model, needle):
    assert any(needle in h.value for h in cat.models[model].hardware_quoted)


def test_open_vs_api(cat):
    api = {m for m, c in cat.models.items() if not c.open_weights.value}
    assert api == {"gpt-4o", "gpt-4o-mini", "claude-3-sonnet", "claude-3.5-sonnet",
                   "gemini-1.5-pro"}
    for model_id in api:
        assert cat.models[model_id].architecture is None
        assert cat.models[model_id].params_total_b is None  # never published: stays unknown


def test_open_models_know_where_weights_come_from(cat):
    for card in cat.models.values():
        if card.open_weights.value:
            assert card.weights and card.weights.hf_repo, card.id
        else:
            assert card.weights and card.weights.endpoint_model, card.id


@pytest.mark.parametrize("model,layers,kv,head_dim", [
    ("llama3-8b-instruct", 32, 8, 128), ("llama3-70b-instruct", 80, 8, 128),
    ("llama3.1-405b", 126, 8, 128), ("qwen2.5-0.5b", 24, 2, 64), ("gemma-7b-it", 28, 16, 256),
    ("smollm2-135m-instruct", 30, 3, 64), ("gemma3-270m", 18, 1, 256),
])
def test_architecture(cat, model, layers, kv, head_dim):
    arch = cat.models[model].architecture
    assert (arch.layers, arch.kv_heads, arch.head_dim) == (layers, kv, head_dim)
    if arch.hidden_size and "gemma" not in model:  # Gemma sets head_dim, not hidden / heads
        heads = arch.hidden_size // arch.head_dim
        assert heads * arch.head_dim == arch.hidden_size and heads >= arch.kv_heads


def test_deepseek_has_no_naive_kv_architecture(cat):
    assert cat.models["deepseek-v3"].architecture is None


@pytest.mark.parametrize("name,model_id", [
    ("llama3-8b", "llama3-8b-instruct"), ("LLAMA3-8B", "llama3-8b-instruct"),
    ("llama3-70b", "llama3-70b-instruct"), ("mistral-7b", "mistral-7b-instruct"),
    ("smollm2-135m", "smollm2-135m-instruct"), (" phi4 ", "phi-4"), ("gpt-4o", "gpt-4o"),
])
def test_aliases_resolve(cat, name, model_id):
    assert cat.get_model(name).id == model_id
    assert cat.find_model(name).id == model_id


def test_unknown_model_suggests(cat):
    with pytest.raises(UserError, match=r"unknown model 'lama3-8b' \(did you mean 'llama3-8b'\?\)"):
        cat.get_model("lama3-8b")
    assert cat.find_model("nope") is None


def test_every_score_benchmark_is_registered(cat):
    for card in cat.models.values():
        for score in card.scores:
            bench = BENCHMARKS[score.benchmark]
            assert 0 <= score.value <= bench.scale


@pytest.mark.parametrize("key,chance,scale", [
    ("mmlu", 0.25, 100), ("gpqa", 0.25, 100), ("humaneval", 0.0, 100), ("gsm8k", 0.0, 100),
    ("math", 0.0, 100), ("mbpp", 0.0, 100), ("mt_bench", 0.1, 10),
])
def test_benchmark_registry(key, chance, scale):
    bench = get_benchmark(key)
    assert (bench.chance, bench.scale, bench.higher_is_better) == (chance, scale, True)
    assert bench.default_stderr > 0


@pytest.mark.parametrize("key,value,expected", [
    ("mmlu", 25.0, 0.0), ("mmlu", 100.0, 1.0), ("mmlu", 62.5, 0.5), ("mmlu", 10.0, 0.0),
    ("gsm8k", 79.6, 0.796), ("mt_bench", 9.1, 0.9), ("mt_bench", 1.0, 0.0),
])
def test_normalise_against_chance(key, value, expected):
    assert BENCHMARKS[key].normalise(value) == pytest.approx(expected)


@pytest.mark.parametrize("key,n", [("mmlu", 14042), ("gpqa", 448), ("humaneval", 164),
                                   ("gsm8k", 1319)])
def test_default_stderr_is_worst_case_binomial(key, n):
    bench = BENCHMARKS[key]
    assert bench.default_stderr == pytest.approx(50 / n ** 0.5)
    assert bench.stderr_at(50.0) == pytest.approx(bench.default_stderr)
    assert bench.stderr_at(90.0) == pytest.approx(100 * (0.09 / n) ** 0.5)


@pytest.mark.parametrize("task,key", [
    ("mmlu", "mmlu"), ("mmlu_abstract_algebra", "mmlu"), ("gpqa_diamond_zeroshot", "gpqa"),
    ("gsm8k_cot", "gsm8k"), ("humaneval_sandboxed", "humaneval"), ("minerva_math_algebra", "math"),
    ("belebele_fra_Latn", "belebele"), ("mbpp_plus_instruct", "mbpp"), ("wikitext", None),
])
def test_benchmark_for_task(task, key):
    found = benchmark_for_task(task)
    assert (found.key if found else None) == key


def test_unknown_benchmark_suggests():
    with pytest.raises(UserError, match="did you mean 'gsm8k'"):
        get_benchmark("gsm8")
