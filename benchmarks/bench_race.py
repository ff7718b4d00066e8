"""Issue 15's proof: does sampling/racing cheat, and what does it save? Ratios, one run.

  PYTHONPATH=. python benchmarks/bench_race.py [--races 10000] [--real benchmarks/out]

1. Sequential race simulation (``llmselect.sampling.simulate``): 10,000 races of 2-4 synthetic
   candidates on an MMLU-sized benchmark (14,042 items, heterogeneous item difficulty), the
   real ``RaceRule`` at confidence 0.95: wrong-winner rate (≤ 0.05 required); items used when
   the full-set top-2 gap is ≥ 3 points, as full / used (≥ 5x required); the smallest fixed-size
   random sample with the same wrong-winner rate, as fixed / sequential mean items.
2. Coverage of the anytime interval (``looks``) over all looks of the round schedule, 4,000
   permutations each of populations at 3 %, 25 %, 60 % (≥ 95 % required), and its half-width
   against the per-item confidence sequence (``confseq``) on the same permutations.
3. Coverage of the ``--sample`` stratified interval, 1,000 draws from a real per-item log:
   SmolLM2 on three full MMLU subjects (``benchmarks/suites/mmlu-3subjects.yaml``, run with
   ``llmselect bench smollm2-135m --suite mmlu-3subjects -o benchmarks/out/full-3subjects``)
   as the finite population (≥ 93 % required).
4. What the ≥ 5x target needs of a benchmark's size (``size_dependence``): the simulation on
   3,153 and 14,042 items, with and without a 1/5 budget.
5. The real races (``benchmarks/real_race.sh``: MMLU, GSM8K, MMLU STEM; files under --real):
   decision, items, the race's wall time against the full benchmark's, measured where the full
   benchmark was run (``benchmarks/full_bench.sh``, with the true full-set gap), else priced
   (see ``real_race``).
Writes benchmarks/out/bench_race.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from llmselect.fileio import jsonl_lines
from llmselect.sampling import confseq, estimate, looks, simulate, strata

OUT = Path(__file__).resolve().parent / "out"


def race_simulation(races: int) -> dict:
    grid = np.unique(np.geomspace(50, 14042, 80).astype(int))
    started = time.monotonic()
    out = simulate.simulate(races, seed=15, grid=grid)
    gap = np.array([o.gap for o in out])
    items = np.array([o.items for o in out])
    wrong = float(np.mean([o.wrong for o in out]))
    big = gap >= 0.03
    seq_big = items[big].mean()
    big_out = [o for o, b in zip(out, big) if b]
    wrong_big = float(np.mean([o.wrong for o in big_out]))
    floor = 1 / len(big_out)
    fixed_same = simulate.smallest_fixed(big_out, grid, max(wrong_big, 0.0))
    fixed_alpha = simulate.smallest_fixed(big_out, grid, 0.05)
    return {
        "races": races, "seconds": round(time.monotonic() - started, 1),
        "wrong_winner_rate": wrong, "wrong_winner_rate_gap_ge_3": wrong_big,
        "decisions": {d: int(sum(o.decision == d for o in out)) for d in {o.decision for o in out}},
        "gap_ge_3_races": int(big.sum()), "mean_items_gap_ge_3": round(float(seq_big), 1),
        "full_over_mean_items_gap_ge_3": round(14042 / seq_big, 2),
        "share_races_ge_5x_gap_ge_3": round(float(np.mean(14042 / items[big] >= 5)), 4),
        "median_items_gap_3_to_4": float(np.median(items[(gap >= 0.03) & (gap < 0.04)])),
        "fixed_n_same_wrong_rate": fixed_same, "resolution": floor,
        "fixed_over_sequential_same_rate": None if fixed_same is None else round(fixed_same / seq_big, 2),
        "fixed_n_wrong_le_0.05": fixed_alpha,
    }


def size_dependence(races: int = 2000) -> dict:
    """What the ≥ 5x target needs of a benchmark's size. Deciding a gap d takes about as many
    items whatever the benchmark's size (~(z·σ/d)², σ ≈ 0.6 for two near-chance models; the
    finite-population correction helps small ones a little), so 5x fewer items than the full
    benchmark is reachable only when the benchmark is several times that. The same simulation on
    MMLU STEM's 3,153 items (the real race with a measured full run) and on MMLU's 14,042, with no
    budget and with the real races' budget of 1/5: among races with a top-2 gap of 3-4 and of
    ≥ 3 points, the median items used, the share decided with ≥ 5x fewer items, the ceiling on that
    share for any design that names a wrong winner at most 5 % of the time (the most powerful
    fixed test on 1/5 of the items, ``simulate.best_test_rejects``), and the wrong-winner rate."""
    out = {}
    for n_items in (3153, 14042):
        for budget in (None, n_items // 5):
            sims = simulate.simulate(races, seed=23, n_items=n_items, budget=budget)
            gap = np.array([o.gap for o in sims])
            items = np.array([o.items for o in sims])
            decided = np.array([o.decision not in (None, "budget") for o in sims])
            ceiling = np.array([o.ceiling_fifth for o in sims])  # see simulate.best_test_rejects
            row = {"races": races, "budget": budget,
                   "wrong_winner_rate": round(float(np.mean([o.wrong for o in sims])), 4)}
            for name, sel in (("gap_3_to_4", (gap >= 0.03) & (gap < 0.04)), ("gap_ge_3", gap >= 0.03)):
                row[name] = {"races": int(sel.sum()), "median_items": float(np.median(items[sel])),
                             "share_decided_with_ge_5x_fewer": round(float(np.mean(
                                 decided[sel] & (n_items / items[sel] >= 5))), 3),
                             "ceiling_any_valid_design": round(float(np.mean(ceiling[sel])), 3)}
            out[f"{n_items}{'' if budget is None else f'-budget-{budget}'}"] = row
    return out


def look_coverage(draws: int = 4000) -> dict:
    rng = np.random.default_rng(7)
    n_items = 14042
    rounds = strata.growing_rounds(n_items)
    res = {}
    for p in (0.03, 0.25, 0.6):
        pop = (rng.random(n_items) < p).astype(float)
        miss = 0
        for _ in range(draws):
            x = rng.permutation(pop)
            miss += any(lo > pop.mean() or hi < pop.mean()
                        for _, lo, hi in looks.intervals(x, rounds, n_items, 0.05))
        res[f"p={p}"] = 1 - miss / draws
    res["draws"] = draws
    # width vs the exact per-item confidence sequence (confseq), same permutations, p = 0.25
    pop = (rng.random(n_items) < 0.25).astype(float)
    xs = np.stack([rng.permutation(pop) for _ in range(200)])
    lo, hi = confseq.bounds(xs, n_items, 0.05)
    for n in (338, 1142, 3855):
        c = looks.pocock_constant(tuple(rounds), n_items, 0.05)
        widths = [np.subtract(*looks.interval_at(x[:n], n_items, c)[::-1]) / 2 for x in xs]
        res[f"half_width_at_{n}"] = {"looks": round(float(np.mean(widths)), 4),
                                     "confseq": round(float(np.mean(hi[:, n - 1] - lo[:, n - 1]) / 2), 4)}
    return res


def sample_coverage(real: Path, draws: int = 1000, n: int = 60) -> dict | None:
    """The full per-item log of SmolLM2 on three MMLU subjects (benchmarks/suites/
    mmlu-3subjects.yaml, 387 questions) is the finite population; 1,000 seeded stratified
    samples of 60 items: how often does estimate ± 1.96 stderr hold the full-set score?"""
    runs = sorted((real / "full-3subjects").glob("*.json"))
    if not runs:
        return None
    run = json.loads(runs[-1].read_text())
    pop: dict[str, list[float]] = {}
    for key, task in run["tasks"].items():
        for line in jsonl_lines((runs[-1].parent / task["samples_file"]).read_text(encoding="utf-8")):
            if not line.strip():
                continue
            pop.setdefault(key, []).append(float(json.loads(line)["acc"]))
    sizes = {h: len(v) for h, v in pop.items()}
    truth = sum(sum(v) for v in pop.values()) / sum(sizes.values())
    coverage = {}
    for size in (30, n, 120):
        hits = 0
        for seed in range(draws):
            chosen = strata.stratified_sample(sizes, size, seed)
            est = estimate.stratified({h: [pop[h][i] for i in idx] for h, idx in chosen.items()},
                                      sizes)
            low, high = estimate.interval(est, len(chosen))
            hits += low <= truth <= high
        coverage[size] = hits / draws
    return {"population_items": sum(sizes.values()), "strata": len(sizes), "draws": draws,
            "coverage_by_sample_size": coverage, "full_score": round(truth, 4),
            "run": run["run_id"]}


FULL_ITEMS = {"mmlu": 14042, "gsm8k": 1319, "mmlu-stem": 3153}
# Whole-subject runs of the three MMLU subjects (every question of a subject in one lm-eval call,
# the few-shot block shared as in a full run): their seconds per item price the full benchmark.
WHOLE_SUBJECT_RUNS = {"smollm2-135m": "full-3subjects", "gemma3-270m": "full-3subjects-gemma"}


def _whole_subject_rate(real: Path, model: str) -> float | None:
    runs = sorted((real / WHOLE_SUBJECT_RUNS.get(model, "-")).glob("*.json"))
    if not runs:
        return None
    run = json.loads(runs[-1].read_text())
    return sum(run["task_wall_time_s"].values()) / sum(t["n"] for t in run["tasks"].values())


def _plan_eta(real: Path, suite: str, model: str) -> float | None:
    """The full benchmark's ETA from ``llmselect bench MODEL --suite SUITE --plan --n-threads 1
    --format json > benchmarks/out/plan-SUITE-MODEL.json``: every request tokenised through
    lm-eval, prefix sharing counted, at the model's probed speed (actual/predicted 0.96-1.11 on
    the whole-subject runs). Unlike the three subjects, it sees MMLU's long questions (law,
    history)."""
    path = real / f"plan-{suite}-{model}.json"
    return json.loads(path.read_text())["eta_total_s"] if path.is_file() else None


def _full_run(real: Path, suite: str, model: str) -> dict | None:
    """The full benchmark actually run (``benchmarks/full_bench.sh SUITE``): its command wall
    and full-set score, or None."""
    wall, runs = real / f"full-{suite}-{model}.wall", sorted((real / f"full-{suite}-{model}").glob("*.json"))
    if not wall.is_file() or not runs:
        return None
    (task,) = json.loads(runs[-1].read_text())["tasks"].values()
    return {"wall_s": float(wall.read_text()), "score": task["value"], "n": task["n"]}


# A part of the benchmark run in full (MMLU STEM, 3,153 of MMLU's 14,042 questions) prices the
# whole: its measured wall scaled by the ratio of the two --plan ETAs, both computed at the whole
# benchmark's probed speed (so that only the work differs: tokens to evaluate, calls, building).
PARTS = {"mmlu": "mmlu-stem"}


def _eta_at(task: dict, speed: dict) -> float:
    """``--plan``'s ETA of a task from its JSON (``bench.eta.task_eta``) at the given probed speed."""
    from dataclasses import fields

    from llmselect.bench.eta import Rates, task_eta
    from llmselect.bench.requests import TaskCount

    count = TaskCount(key=task["task"], **{f.name: task[f.name] for f in fields(TaskCount)
                                           if f.name != "key" and f.name in task})
    rates = Rates(1 / speed["prefill_tokens_per_s"], speed["eval_overhead_ms"] / 1000,
                  1 / speed["gen_tokens_per_s"], speed["method"])
    return task_eta(count, rates)


def _scaled_part(real: Path, suite: str, model: str) -> float | None:
    part = PARTS.get(suite)
    run = _full_run(real, part, model) if part else None
    plans = [real / f"plan-{name}-{model}.json" for name in (suite, part)]
    if not run or not all(p.is_file() for p in plans):
        return None
    whole, piece = (json.loads(p.read_text()) for p in plans)
    speed = whole["speed"]
    return run["wall_s"] * _eta_at(whole["tasks"][0], speed) / _eta_at(piece["tasks"][0], speed)


def real_race(real: Path) -> dict:
    """The real races (``benchmarks/real_race.sh``): decision, items, and the race command's wall
    time (model loads, task set-up, every round) against the full benchmark's. The full benchmark
    is, in order of preference: run in full for both candidates (``full_bench.sh``: measured wall
    and the true full-set gap); a part of it run in full and scaled (``PARTS``); priced by
    ``--plan``'s ETA alone; priced at the seconds per item of the
    whole-subject runs above (three subjects with short questions, a low price); for GSM8K (one
    8-shot block, generation-bound) priced at the race's first round."""
    out = {}
    for path in sorted(real.glob("race-*.json")):
        name = path.stem.removeprefix("race-")
        suite = name.removesuffix("-nobudget")  # real_race.sh SUITE none: no budget
        full = FULL_ITEMS.get(suite)
        if full is None or not path.read_text().strip():
            continue
        r = json.loads(path.read_text())
        first = r["rounds"][0]
        models = list(first["wall_s"])
        runs = {m: _full_run(real, suite, m) for m in models}
        etas = {m: _plan_eta(real, suite, m) for m in models}
        rate, how = {}, {}
        for m, w in first["wall_s"].items():
            whole = _whole_subject_rate(real, m) if suite == "mmlu" else None
            scaled = _scaled_part(real, suite, m)
            for source, value in (("full run, measured", runs[m] and runs[m]["wall_s"] / full),
                                  (f"{PARTS.get(suite)} full run x --plan ETA ratio", scaled and scaled / full),
                                  ("--plan ETA", etas[m] and etas[m] / full),
                                  ("whole-subject run", whole), ("race's first round", w / first["items"])):
                if value:
                    rate[m], how[m] = value, source
                    break
        full_wall = sum(rate[m] * full for m in rate)
        wall_file = real / f"race-{name}.wall"  # a .wall.how beside it says how, if not one command
        command = float(wall_file.read_text()) if wall_file.is_file() else sum(r["wall_s"].values())
        # what a question costs in the race against the full benchmark (>1: the race's own
        # overhead: model loads, round set-up, the few-shot blocks of few questions); a race
        # decided with k x fewer items then takes ~k / overhead less wall
        race_rate = command / sum(r["items"].values())
        full_rate = full_wall / (full * len(rate))
        later = {m: [round(b["wall_s"][m] / (b["items"] - a["items"]), 3)
                     for a, b in zip(r["rounds"], r["rounds"][1:]) if m in b["wall_s"]] for m in rate}
        row = {"decision": r["decision"], "winner": r["winner"], "alive": r["alive"],
               "items": r["items"], "population": r["population"], "pairs": r["pairs"],
               "rounds": r["rounds"], "eval_wall_s": r["wall_s"],
               "race_command_wall_s": round(command),
               "full_s_per_item": {m: round(v, 3) for m, v in rate.items()},
               "full_s_per_item_from": how, "full_wall_s": round(full_wall),
               "full_over_items": round(full / max(r["items"].values()), 2),
               "full_wall_over_race_wall": round(full_wall / command, 2),
               "race_s_per_item": round(race_rate, 3), "full_s_per_item_mean": round(full_rate, 3),
               "race_overhead_per_item": round(race_rate / full_rate, 2),
               "later_rounds_s_per_new_item": later}
        if all(runs.values()):
            scores = {m: runs[m]["score"] for m in models}
            top = sorted(scores.values(), reverse=True)
            row["full_set"] = {"scores": {m: round(v, 4) for m, v in scores.items()},
                               "top2_gap_pts": round(100 * (top[0] - top[1]), 2),
                               "best": max(scores, key=scores.get),
                               "full_wall_s": {m: round(runs[m]["wall_s"]) for m in models}}
        how_file = real / f"race-{name}.wall.how"
        if how_file.is_file():
            row["race_wall_how"] = how_file.read_text().strip()
        out[name] = row
    return out


def unfinished_race(real: Path, suite: str, budget: int, names: dict[str, str]) -> dict | None:
    """A race stopped (killed) before its decision, for lack of session time: its last look,
    recomputed with the library's ``RaceRule`` and the schedule fixed by its budget before it
    started, from the per-item logs the candidates' run folders hold after every round. Wall:
    from the run files' creation to the last sample log written (excludes the ~10 s of start-up
    before them). ``names``: run-folder fragment -> candidate."""
    from datetime import datetime, timezone

    from llmselect.sampling import race

    folder = real / f"race-{suite}"
    if not folder.is_dir() or (real / f"race-{suite}.json").is_file():
        return None
    values, started, ended = {}, [], []
    for run_file in sorted(folder.glob("*.json")):
        run = json.loads(run_file.read_text())
        name = next(n for frag, n in names.items() if frag in run_file.name)
        logs = list((folder / run_file.stem).glob("samples_*.jsonl"))
        if not logs:
            return None
        rows = [json.loads(line) for line in jsonl_lines(logs[0].read_text(encoding="utf-8")) if line.strip()]
        values[name] = {(r["task"], r["doc_id"]): float(r["acc"]) for r in rows}
        started.append(datetime.fromisoformat(run["created_at"].replace("Z", "+00:00")))
        ended.append(datetime.fromtimestamp(logs[0].stat().st_mtime, timezone.utc))
    population = FULL_ITEMS[suite]
    rule = race.RaceRule(population, race.schedule(population, budget), 0.95, 0.03, budget,
                         len(values))
    common = sorted(set.intersection(*(set(v) for v in values.values())))
    n = len(common)
    if n not in rule.schedule:
        return None
    look = rule.look({m: np.array([v[k] for k in common]) for m, v in values.items()},
                     list(values), n)
    wall = (max(ended) - min(started)).total_seconds()
    rates = {m: _whole_subject_rate(real, m) for m in values}
    full_wall = sum(r * population for r in rates.values()) if None not in rates.values() else None
    etas = {m: _plan_eta(real, suite, m) for m in values}
    plan_wall = sum(etas.values()) if None not in etas.values() else None
    return {"stopped": "killed after this look (session time), no decision yet", "items": n,
            "budget": budget, "schedule": rule.schedule, "decision_at_look": look.decision,
            "scores": {m: round(look.scores[m][0], 4) for m in values},
            "pairs": [{"a": p.a, "b": p.b, "delta_pts": round(100 * p.delta, 1),
                       "low_pts": round(100 * p.low, 1), "high_pts": round(100 * p.high, 1)}
                      for p in look.pairs],
            "wall_s": round(wall), "est_full_wall_s": None if full_wall is None else round(full_wall),
            "full_over_items": round(population / n, 2),
            "full_wall_over_race_wall": None if full_wall is None else round(full_wall / wall, 2),
            "est_full_wall_s_plan": None if plan_wall is None else round(plan_wall),
            "plan_full_wall_over_race_wall": None if plan_wall is None else round(plan_wall / wall, 2),
            "race_s_per_item": round(wall / (n * len(values)), 3),
            "plan_full_s_per_item": None if plan_wall is None else round(plan_wall / (population * len(values)), 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--races", type=int, default=10_000)
    ap.add_argument("--real", type=Path, default=OUT)
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    previous = OUT / "bench_race.json"
    if args.races == 0 and previous.is_file():  # re-read the simulation, redo the real parts
        old = json.loads(previous.read_text())
        sim, cov = old["race_simulation"], old["look_coverage"]
    else:
        sim, cov = race_simulation(args.races), look_coverage()
    sizes = old.get("size_dependence") if args.races == 0 and previous.is_file() else None
    names = {"smollm2": "smollm2-135m", "gemma3": "gemma3-270m"}
    result = {"race_simulation": sim, "look_coverage": cov,
              "size_dependence": sizes or size_dependence(),
              "sample_coverage_real_log": sample_coverage(args.real), "real_race": real_race(args.real),
              "unfinished_race": {s: u for s, b in (("mmlu", 2808), ("gsm8k", 263))
                                  if (u := unfinished_race(args.real, s, b, names))}}
    (OUT / "bench_race.json").write_text(json.dumps(result, indent=2, default=str))
    print(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
