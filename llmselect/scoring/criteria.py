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
from typing import Any, Callable

from llmselect import memory
from llmselect.config.profile_schema import Profile
from llmselect.scoring.deployment import Candidate
from llmselect.scoring.quality import quality
from llmselect.scoring.result_types import CriterionResult, clip01, log_scale

GRID_VALUE = {"yes": 1.0, "partial": 0.5, "in-progress": 0.5, "no": 0.0, "none-found": 0.0}

#: Licence openness (lower-case licence id prefix -> score). OSI-approved permissive licences
#: allow any use and modification; community licences (Llama, Gemma, Qwen) publish the weights
#: but add use restrictions (Llama: 700M MAU cap, acceptable-use policy); research licences
#: publish the weights for non-commercial use only; proprietary = API only.
LICENSE_OPENNESS = {"apache": 1.0, "mit": 1.0, "bsd": 1.0, "llama": 0.6, "gemma": 0.6,
                    "qwen": 0.6, "mistral-research": 0.3, "proprietary": 0.0}

#: Scale anchors, chosen so the models of DOMAIN.md §4 spread over [0, 1].
COST_MIN, COST_DECADES = 0.01, 5.0          # $0.01/Mtok -> 1, $1,000/Mtok -> 0 (TCO of an idle node)
SPEED_MIN, SPEED_MAX = 5.0, 200.0           # tokens/s (log scale); ~reading speed to instant
CONTEXT_MIN, CONTEXT_MAX = 2048, 131072     # tokens (log scale)
ECOSYSTEM_MAX = 2000                        # HF derived models (log scale)
TCO2_MIN, TCO2_DECADES = 10.0, 3.0          # 10 t -> 1, 10,000 t -> 0
ACTIVE_MIN_B, ACTIVE_DECADES = 0.1, 4.0     # 0.1B -> 1, 1,000B active -> 0


def _grid(c: Candidate, key: str) -> tuple[float | None, str | None]:
    entry = c.vendor.grid.get(key) if c.vendor else None
    if entry is None or entry.answer not in GRID_VALUE:
        return None, None
    return GRID_VALUE[entry.answer], entry.source


def _combine(parts: list[tuple[str, float | None, float, str | None]]) -> CriterionResult:
    """Weighted mean of the known parts: (name, score or None, weight, source). Unknown parts are
    recorded in ``parts``; the pipeline gives them the field's median (``fill_unknown_parts``),
    so a vendor that answers less is not scored on its best answers only."""
    known = [(n, s, w, src) for n, s, w, src in parts if s is not None]
    facts: dict[str, Any] = {n: (None if s is None else round(s, 3)) for n, s, _, _ in parts}
    missing = [n for n, s, _, _ in parts if s is None]
    if missing:
        facts["missing"] = missing
    if not known:
        return CriterionResult(None, facts, "unknown")
    score = sum(s * w for _, s, w, _ in known) / sum(w for _, _, w, _ in known)
    sources = sorted({src for *_, src in known if src})
    return CriterionResult(score, facts, "published", sources,
                           parts=[(n, s, w) for n, s, w, _ in parts])


#: Share of the GDPR & data-security score that rests on where the data goes. The survey's top
#: band names two halves, GDPR and data security (A §1); GDPR is residency, and half of data
#: security is residency too (no third party sees the flow) while the other half is tooling that
#: secures the flow itself (guard models filtering inputs and outputs): 1/2 + 1/4 = 0.75.
RESIDENCY_SHARE = 0.75


def gdpr_security(c: Candidate, p: Profile, benchmarks: dict) -> CriterionResult:
    """The survey's top band has two halves, GDPR (where personal data goes) and data security
    (the prompt/response flows): 0.75 × R + 0.25 × T (``RESIDENCY_SHARE``).

    R, residency: self-hosted open weights = 1: prompts and answers never leave the organisation
    (DOMAIN.md §5, the GDPR argument for self-hosting). Through an API = 0.8 × (0.7·G + 0.3·J),
    capped at 0.8 because the data flows to a third party: G = mean of the vendor's grid answers
    on standards, AI-Act standards, regulatory frameworks, published GDPR policy and prompt-data
    use (prompts neither kept nor used = 1); J = 1 for an EU-based vendor (GDPR applies
    directly), 0.5 else. T, flow-security tooling shipped with the model (input/output guard
    models, code shields; study B credits Llama 3's Llama Guard 2, CyberSecEval 2 and Code
    Shield): 1 when the card lists some, 0 when it lists none (none documented)."""
    tooling = c.card.safety_tooling
    t = 1.0 if tooling and tooling.value else 0.0
    t_facts = {"flow_security_tooling": tooling.value if tooling else "none documented"}
    t_sources = [tooling.source] if tooling else []
    if c.deployment.mode == "self-hosted":
        return CriterionResult(RESIDENCY_SHARE + (1 - RESIDENCY_SHARE) * t,
                               {"deployment": "self-hosted: prompts stay in-house", **t_facts},
                               "published", [c.card.open_weights.source, *t_sources])
    keys = ["standards", "ai_act_standards", "regulatory_frameworks", "gdpr_policy"]
    grid = _combine([(k, *_grid_pair(c, k)) for k in keys] + [_prompt_use(c)])
    if grid.score is None:
        return CriterionResult(None, {"deployment": "api", **grid.facts}, "unknown")
    eu = c.vendor.eu_based if c.vendor else None
    j = 0.5 if eu is None else (1.0 if eu.value else 0.5)
    score = RESIDENCY_SHARE * 0.8 * (0.7 * grid.score + 0.3 * j) + (1 - RESIDENCY_SHARE) * t
    facts = {"deployment": "api: prompts leave the organisation", "grid": round(grid.score, 3),
             "eu_based": None if eu is None else eu.value, **grid.facts, **t_facts}
    parts = [(n, v, RESIDENCY_SHARE * 0.8 * 0.7 * w / sum(pw for _, _, pw in grid.parts))
             for n, v, w in grid.parts]
    parts += [("eu_based", j, RESIDENCY_SHARE * 0.8 * 0.3),
              ("third_party_cap", 0.0, RESIDENCY_SHARE * 0.2),  # the 0.2 an API gives up
              ("flow_security_tooling", t, 1 - RESIDENCY_SHARE)]
    return CriterionResult(score, facts, "published",
                           grid.sources + ([eu.source] if eu else []) + t_sources, parts=parts)


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
    """1 − log10(cost / $0.01) / 5 on $ per 1M tokens, clipped: $0.01 -> 1, $1 -> 0.6, $1,000 -> 0,
    where cost = the monthly total cost of ownership / the monthly volume (``deployment.cost``:
    API list prices; cloud hours the replicas run × $/h; owned machines' monthly cost + energy).
    stderr: the cost figure's relative spread (ln units) / (ln 10 × 5)."""
    est = c.cost_per_mtok
    if est is None:
        return CriterionResult(None, {"cost_per_mtok_usd": None}, "unknown")
    score = clip01(1 - math.log10(max(est.value, 1e-9) / COST_MIN) / COST_DECADES)
    facts = {"cost_per_mtok_usd": round(est.value, 4), "basis": est.note,
             "monthly_usd": round(c.monthly_cost.value, 2) if c.monthly_cost else None}
    return CriterionResult(score, facts, est.provenance, est.sources,
                           est.spread / (math.log(10) * COST_DECADES))


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
    """Generation tokens/s on a log scale: 5 t/s -> 0, 200 t/s -> 1. Measured speed on the target's
    kind of hardware first, else the target's memory-bandwidth roofline (self-hosted) or the
    published speed of the vendor's API (``deployment.speed``); stderr from the figure's spread. ``live`` workloads
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
                           [s for s in est.sources if s], est.spread / math.log(SPEED_MAX / SPEED_MIN))


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
    """Mean of the vendor grid answers that apply to how the model is served (DOMAIN.md §3):
    through the API, customer support/training/community, fine-tuning offer, API + UI
    availability and copyright indemnity; self-hosted, only support/community and fine-tuning
    (the vendor's API and the indemnity it attaches to its paid services do not cover weights
    an organisation downloads and runs itself)."""
    keys = ["support", "fine_tuning"]
    if c.deployment.mode != "self-hosted":
        keys += ["api_ui", "copyright_indemnity"]
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
