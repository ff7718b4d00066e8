"""Each criterion maps a model's facts to a score in [0, 1], by the formula in its docstring.

A criterion returns ``None`` as its score when the facts it needs are unknown; the profile's
missing-fact policy then decides (``ranking.apply_policy``). When a criterion combines several
facts, it averages the ones that are known (their weights renormalised) and lists the missing
ones in ``facts["missing"]``: a partly known criterion is scored on what is known, not guessed.

Vendor-grid answers (DOMAIN.md §3) map to numbers as: yes = 1, partial / in-progress = 0.5,
no / none-found = 0 ("none found" means the authors looked and found nothing); n/a and unknown
are treated as not known.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable

from llmselect.catalog.benchmarks import PUBLISHED_STDERR_DEFAULT
from llmselect.config.profile_schema import Profile
from llmselect.scoring.deployment import Candidate
from llmselect import memory

GRID_VALUE = {"yes": 1.0, "partial": 0.5, "in-progress": 0.5, "no": 0.0, "none-found": 0.0}

#: Licence openness (lower-case licence id prefix -> score). OSI-approved permissive licences
#: allow any use and modification; community licences (Llama, Gemma, Qwen) publish the weights
#: but add use restrictions (Llama: 700M MAU cap, acceptable-use policy); research licences
#: publish the weights for non-commercial use only; proprietary = API only.
LICENSE_OPENNESS = {"apache": 1.0, "mit": 1.0, "bsd": 1.0, "llama": 0.6, "gemma": 0.6,
                    "qwen": 0.6, "mistral-research": 0.3, "proprietary": 0.0}

#: Scale anchors, chosen so the models of DOMAIN.md §4 spread over [0, 1].
COST_MIN, COST_DECADES = 0.01, 4.0          # $0.01/Mtok -> 1, $100/Mtok -> 0
SPEED_MIN, SPEED_MAX = 5.0, 200.0           # tokens/s (log scale); ~reading speed to instant
CONTEXT_MIN, CONTEXT_MAX = 2048, 131072     # tokens (log scale)
ECOSYSTEM_MAX = 2000                        # HF derived models (log scale)
TCO2_MIN, TCO2_DECADES = 10.0, 3.0          # 10 t -> 1, 10,000 t -> 0
ACTIVE_MIN_B, ACTIVE_DECADES = 0.1, 4.0     # 0.1B -> 1, 1,000B active -> 0


@dataclass
class CriterionResult:
    score: float | None
    facts: dict[str, Any] = field(default_factory=dict)
    provenance: str = "published"   # published | measured | estimated | mixed | unknown
    sources: list[str] = field(default_factory=list)
    stderr: float = 0.0              # uncertainty of the score itself (quality only, for now)


def clip01(x: float) -> float:
    return min(1.0, max(0.0, x))


def log_scale(value: float, low: float, high: float) -> float:
    """0 at ``low``, 1 at ``high``, logarithmic between (a 2x change matters the same anywhere)."""
    return clip01(math.log(value / low) / math.log(high / low)) if value > 0 else 0.0


def _grid(c: Candidate, key: str) -> tuple[float | None, str | None]:
    entry = c.vendor.grid.get(key) if c.vendor else None
    if entry is None or entry.answer not in GRID_VALUE:
        return None, None
    return GRID_VALUE[entry.answer], entry.source


def _combine(parts: list[tuple[str, float | None, float, str | None]]) -> CriterionResult:
    """Weighted mean of the known parts: (name, score or None, weight, source)."""
    known = [(n, s, w, src) for n, s, w, src in parts if s is not None]
    facts: dict[str, Any] = {n: (None if s is None else round(s, 3)) for n, s, _, _ in parts}
    missing = [n for n, s, _, _ in parts if s is None]
    if missing:
        facts["missing"] = missing
    if not known:
        return CriterionResult(None, facts, "unknown")
    score = sum(s * w for _, s, w, _ in known) / sum(w for _, _, w, _ in known)
    sources = sorted({src for *_, src in known if src})
    return CriterionResult(score, facts, "published", sources)


def quality(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Mean over the profile's benchmarks (its weights) of (raw − chance) / (1 − chance), clipped
    to [0, 1] — the Open LLM Leaderboard v2 normalisation, so guessing scores 0. A measured score
    (this organisation's own run) replaces the published one. Missing benchmarks are left out
    (weights renormalised) under ``neutral``/``exclude`` and count 0 under ``penalise``.
    stderr = sqrt(Σ (w_b·se_b/(1 − chance_b))²) / Σ w_b, se from the run or the default."""
    rows, weights, facts, sources, provs = [], [], {}, [], set()
    for key, w in p.criteria.quality_benchmarks.items():
        if w <= 0:
            continue
        raw = _benchmark_value(c, key, benchmarks)
        if raw is None:
            facts[key] = None
            if p.policy("quality") == "penalise":
                rows.append((0.0, 0.0)); weights.append(w)
            continue
        value, se, prov, src = raw
        chance = getattr(benchmarks.get(key), "chance", 0.0) or 0.0
        norm = clip01((value - chance) / (1 - chance))
        rows.append((norm, se / (1 - chance))); weights.append(w)
        facts[key] = {"raw": round(value, 4), "normalised": round(norm, 4), "provenance": prov,
                      "source": src}
        sources.append(src); provs.add(prov)
    known = [f for f in facts.values() if f is not None]
    if not known:
        return CriterionResult(None, facts, "unknown")
    wanted = sum(w for w in p.criteria.quality_benchmarks.values() if w > 0)
    covered = sum(w for k, w in p.criteria.quality_benchmarks.items() if facts.get(k))
    facts["coverage"] = round(covered / wanted, 3)
    total_w = sum(weights)
    score = sum(r[0] * w for r, w in zip(rows, weights)) / total_w
    stderr = math.sqrt(sum((r[1] * w) ** 2 for r, w in zip(rows, weights))) / total_w
    prov = provs.pop() if len(provs) == 1 else "mixed"
    return CriterionResult(score, facts, prov, sources, stderr)


def _benchmark_value(c: Candidate, key: str, benchmarks: dict):
    """(value as a fraction of the scale, stderr, provenance, source): measured first, else
    published. A published stderr is the catalog's documented default for that benchmark
    (binomial at the score over the usual test-set size, ``Benchmark.stderr_at``)."""
    if c.measured and key in c.measured.scores:
        m = c.measured.scores[key]
        se = m.stderr if m.stderr is not None else math.sqrt(
            max(m.value * (1 - m.value), 1e-4) / max(m.n, 1))
        return m.value, se, "measured", m.run_id
    published = next((s for s in c.card.scores if s.benchmark == key), None)
    if published is None:
        return None
    bench = benchmarks.get(key)
    scale = float(getattr(bench, "scale", 100.0) or 100.0)
    stderr_at = getattr(bench, "stderr_at", None)
    se = stderr_at(published.value) if stderr_at else None
    se = PUBLISHED_STDERR_DEFAULT if se is None else se / scale
    return published.value / scale, se, "published", published.source


def gdpr_security(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Self-hosted open weights = 1: prompts and answers never leave the organisation (DOMAIN.md
    §5, the GDPR argument for self-hosting). Through an API = 0.8 × (0.7·G + 0.3·J), capped at 0.8
    because the data flows to a third party: G = mean of the vendor's grid answers on standards,
    AI-Act standards, regulatory frameworks, published GDPR policy and prompt-data use (prompts
    neither kept nor used = 1); J = 1 for an EU-based vendor (GDPR applies directly), 0.5 else."""
    if c.deployment.mode == "self-hosted":
        return CriterionResult(1.0, {"deployment": "self-hosted: prompts stay in-house"},
                               "published", [c.card.open_weights.source])
    keys = ["standards", "ai_act_standards", "regulatory_frameworks", "gdpr_policy"]
    grid = _combine([(k, *_grid_pair(c, k)) for k in keys] + [_prompt_use(c)])
    if grid.score is None:
        return CriterionResult(None, {"deployment": "api", **grid.facts}, "unknown")
    eu = c.vendor.eu_based if c.vendor else None
    j = 0.5 if eu is None else (1.0 if eu.value else 0.5)
    score = 0.8 * (0.7 * grid.score + 0.3 * j)
    facts = {"deployment": "api: prompts leave the organisation", "grid": round(grid.score, 3),
             "eu_based": None if eu is None else eu.value, **grid.facts}
    return CriterionResult(score, facts, "published", grid.sources + ([eu.source] if eu else []))


def _grid_pair(c: Candidate, key: str) -> tuple[float | None, float, str | None]:
    value, source = _grid(c, key)
    return value, 1.0, source


def _prompt_use(c: Candidate):
    """Grid 'prompt data use': 'no' (neither kept nor used) is the good answer."""
    entry = c.vendor.grid.get("prompt_data_use") if c.vendor else None
    mapping = {"no": 1.0, "partial": 0.5, "yes": 0.0, "none-found": 0.0}
    value = mapping.get(entry.answer) if entry else None
    return ("prompt_data_use", value, 1.0, entry.source if entry else None)


def license_openness(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Table ``LICENSE_OPENNESS`` by licence id prefix: permissive OSI (Apache-2.0, MIT) = 1,
    open weights under a community licence with use restrictions (Llama, Gemma, Qwen) = 0.6,
    research-only weights = 0.3, proprietary = 0. Unknown or unlisted licence = unknown."""
    lic = c.card.license
    if lic is None:
        return CriterionResult(None, {"license": None}, "unknown")
    key = next((k for k in LICENSE_OPENNESS if lic.value.lower().startswith(k)), None)
    score = LICENSE_OPENNESS.get(key) if key else None
    facts = {"license": lic.value}
    if c.card.commercial_restriction:
        facts["restriction"] = c.card.commercial_restriction.value
    return CriterionResult(score, facts, "published" if score is not None else "unknown",
                           [lic.source])


def cost(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """1 − log10(cost / $0.01) / 4 on blended $ per 1M tokens, clipped: $0.01 -> 1, $1 -> 0.5,
    $100 -> 0. API: input/output price blended by the workload's input share. Self-hosted:
    owned hardware's monthly cost (share of devices used) / monthly volume, or on-demand $/h over
    the aggregate throughput (see ``deployment``)."""
    est = c.cost_per_mtok
    if est is None:
        return CriterionResult(None, {"cost_per_mtok_usd": None}, "unknown")
    score = clip01(1 - math.log10(max(est.value, 1e-9) / COST_MIN) / COST_DECADES)
    facts = {"cost_per_mtok_usd": round(est.value, 4), "basis": est.note,
             "monthly_usd": round(c.monthly_cost.value, 2) if c.monthly_cost else None}
    return CriterionResult(score, facts, est.provenance, est.sources)


def hardware_fit(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Self-hosted: u = estimated memory / target memory; score = clip(1.5 − u): half the memory
    or less = 1, a full card = 0.5 (no headroom for longer contexts or more users). API = 1:
    nothing to host. Memory estimate: ``memory`` (weights + KV cache + overhead)."""
    dep = c.deployment
    if dep.mode == "api":
        return CriterionResult(1.0, {"deployment": "api: runs at the vendor"}, "published")
    if dep.memory is None or not dep.capacity_gb:
        return CriterionResult(None, {}, "unknown")
    used = dep.memory.total_gb / dep.capacity_gb
    facts = {**dep.memory.facts(), "capacity_gb": round(dep.capacity_gb, 1),
             "share_used": round(used, 3), "devices_used": dep.devices_used}
    sources = [c.card.params_total_b.source] + ([c.card.architecture.source] if c.card.architecture else [])
    return CriterionResult(clip01(1.5 - used), facts, "estimated", sources)


def speed(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Generation tokens/s on a log scale: 5 t/s -> 0, 200 t/s -> 1. Measured speed first, else a
    memory-bandwidth roofline on the target hardware, else the quoted speed. ``live`` workloads
    score what one user sees (single-stream speed); ``batch`` workloads score throughput
    (single-stream × the workload's concurrency: batched decoding shares each weight read)."""
    est = c.speed
    if est is None:
        return CriterionResult(None, {"tokens_per_s": None}, "unknown")
    value, mode = est.value, p.workload.mode
    if mode == "batch":
        value *= p.workload.concurrency
    facts = {"tokens_per_s": round(value, 1), "mode": mode, "basis": est.note or est.provenance}
    return CriterionResult(log_scale(value, SPEED_MIN, SPEED_MAX), facts, est.provenance,
                           [s for s in est.sources if s])


def context(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Context window on a log scale: 2k tokens -> 0, 128k (131,072) or more -> 1."""
    ctx = c.card.context_tokens
    if ctx is None:
        return CriterionResult(None, {"context_tokens": None}, "unknown")
    return CriterionResult(log_scale(ctx.value, CONTEXT_MIN, CONTEXT_MAX),
                           {"context_tokens": ctx.value}, "published", [ctx.source])


def languages(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """With wanted languages (required + preferred): the share of them the model supports.
    Without: breadth, min(1, languages / 8) (8 = Llama 3.1's official set). 'multi' = broad."""
    langs = c.card.languages
    if langs is None:
        return CriterionResult(None, {"languages": None}, "unknown")
    have = set(langs.value)
    wanted = p.wanted_languages
    if wanted:
        covered = [lang for lang in wanted if lang in have]
        score = len(covered) / len(wanted)
        facts = {"wanted": wanted, "covered": covered}
    else:
        score = 1.0 if "multi" in have else min(1.0, len(have) / 8)
        facts = {"languages": sorted(have)}
    return CriterionResult(score, facts, "published", [langs.source])


def ecosystem(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Derived models on Hugging Face (quantizations + fine-tunes + merges + adapters), log scale:
    0 -> 0, 2,000 or more -> 1. A large tree means tooling, quantized builds and help exist."""
    eco = c.card.ecosystem
    if eco is None:
        return CriterionResult(None, {"derived_models": None}, "unknown")
    parts = [eco.quantizations, eco.finetunes, eco.merges, eco.adapters]
    total = sum(x for x in parts if x)
    score = clip01(math.log10(1 + total) / math.log10(1 + ECOSYSTEM_MAX))
    return CriterionResult(score, {"derived_models": total}, "published", [eco.source])


def vendor_support(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Mean of the vendor grid answers on customer support/training/community, fine-tuning
    offer, API + UI availability and copyright indemnity (DOMAIN.md §3)."""
    keys = ["support", "fine_tuning", "api_ui", "copyright_indemnity"]
    return _combine([(k, *_grid_pair(c, k)) for k in keys])


def ecology(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """Equal-weight mean of the known parts: the vendor's grid answer on measuring ecological
    impact; training footprint 1 − log10(tCO2eq / 10) / 3 (10 t -> 1, 10,000 t -> 0); inference
    energy from ACTIVE parameters per token 1 − log10(active_B / 0.1) / 4 (0.1B -> 1, 1,000B -> 0)."""
    grid, grid_src = _grid(c, "ecology")
    tr = c.card.training
    footprint = None
    if tr and tr.tco2eq:
        footprint = clip01(1 - math.log10(tr.tco2eq / TCO2_MIN) / TCO2_DECADES)
    active = memory.active_params_b(c.card)
    inference = clip01(1 - math.log10(active / ACTIVE_MIN_B) / ACTIVE_DECADES) if active else None
    active_src = (c.card.params_active_b or c.card.params_total_b)
    return _combine([
        ("vendor_measures_impact", grid, 1.0, grid_src),
        ("training_footprint", footprint, 1.0, tr.source if tr else None),
        ("inference_energy", inference, 1.0, active_src.source if active_src else None),
    ])


def transparency(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """0.6 × the grid answer on sharing training-data information + 0.4 × open weights (weights
    can be inspected and audited). Known parts only, renormalised."""
    info, src = _grid(c, "training_data_info")
    open_w = 1.0 if c.card.open_weights.value else 0.0
    return _combine([("training_data_info", info, 0.6, src),
                     ("open_weights", open_w, 0.4, c.card.open_weights.source)])


CRITERION_FUNCTIONS: dict[str, Callable[[Candidate, Profile, dict], CriterionResult]] = {
    "quality": quality, "gdpr_security": gdpr_security, "license_openness": license_openness,
    "cost": cost, "hardware_fit": hardware_fit, "speed": speed, "context": context,
    "languages": languages, "ecosystem": ecosystem, "vendor_support": vendor_support,
    "ecology": ecology, "transparency": transparency,
}
