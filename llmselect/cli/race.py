"""``llmselect race A B C --suite S``: the same random items for all, round by round, until the
choice is made; prints the decision, items used, the pairwise table; writes ordinary run files."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from llmselect.cli.output import FORMAT_OPTION, OutputFormat, emit, err_console


def register(app: typer.Typer) -> None:
    app.command("race")(race)


def race(
    models: list[str] = typer.Argument(..., help="Two or more candidates (catalog alias, "
                                       "hf:org/name, .gguf, endpoint:URL#model)."),
    suite: str = typer.Option(..., "--suite", "-s", help="Suite (one task, or pick one with --task)."),
    task: Optional[str] = typer.Option(None, "--task", "-t", help="The suite task to race on."),
    confidence: float = typer.Option(0.95, "--confidence", help="Confidence of every decision."),
    margin: Optional[float] = typer.Option(None, "--margin", help="Stop when those left are "
                                           "within this many points of each other."),
    budget: Optional[int] = typer.Option(None, "--budget", help="Items per candidate at most."),
    profile: Optional[str] = typer.Option(None, "--profile", "-p", help="Stop once this "
                                          "profile's #1 no longer depends on the quality left "
                                          "to measure."),
    seed: int = typer.Option(0, "--seed", help="Seed of the random item order."),
    backend: Optional[str] = typer.Option(None, "--backend", "-b", help="Backend for all."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Results folder."),
    data_dir: Optional[Path] = typer.Option(None, "--data-dir", envvar="LLMSELECT_DATA_DIR",
                                            help="Offline benchmark files."),
    backend_arg: Optional[list[str]] = typer.Option(None, "--backend-arg", help="Backend option "
                                                    "KEY=VALUE for every candidate (repeatable)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Fake models (checks the pipeline)."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Race candidates on the same random items; stop as soon as the choice is made."""
    from llmselect.errors import UserError
    from llmselect.sampling.race_run import RaceRequest, run_race

    options = {}
    for item in backend_arg or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UserError(f"--backend-arg {item!r}: expected KEY=VALUE")
        options[key.strip()] = value
    req = RaceRequest(models=models, suite=suite, task=task, confidence=confidence,
                      margin=margin, budget=budget, seed=seed, profile=profile, output=output,
                      data_dir=data_dir, backend=backend, dry_run=dry_run,
                      backend_options=options)

    def progress(look) -> None:
        gone = ", ".join(f"{a} (behind {b})" for a, b in look.dropped.items())
        err_console.print(f"after {look.n} items: in the race {', '.join(look.alive)}"
                          + (f"; dropped {gone}" if gone else ""))

    res = run_race(req, on_look=progress)
    look = res.look
    rows = [{"a": p.a, "b": p.b, "items": p.n, "delta_pts": round(100 * p.delta, 1),
             "low_pts": round(100 * p.low, 1), "high_pts": round(100 * p.high, 1)}
            for p in look.pairs]
    payload = {"decision": look.decision, "winner": look.winner, "confidence": confidence,
               "alive": look.alive, "task": res.task, "population": res.population,
               "items": res.items, "wall_s": res.wall_s, "p_first": res.p_first,
               "pairs": rows, "pair_bound_confidence": res.pair_confidence,
               "runs": {k: str(v) for k, v in res.run_files.items()},
               "dropped": {d: who for lk in res.history for d, who in lk.dropped.items()},
               "rounds": [{"items": lk.n, "wall_s": {k: round(v, 1) for k, v in w.items()}}
                          for lk, w in zip(res.history, res.round_wall_s)]}
    emit(rows, fmt, title=f"race on {res.task}: a − b, points, one-sided "
         f"{_percent(res.pair_confidence)} anytime bounds", payload=payload)
    err_console.print(f"decision: {_decision_line(res, confidence)}")
    for name, n in res.items.items():
        err_console.print(f"  {name}: {n} of {res.population} items "
                          f"({n / res.population:.1%}), {res.wall_s[name]:.0f} s → {res.run_files[name]}")


def _decision_line(res, confidence: float) -> str:
    look = res.look
    if look.decision in ("winner", "profile") or (look.decision == "exhausted" and look.winner):
        if look.decision == "profile":
            why = f"the profile's #1 (p={res.p_first:.2f})"
        else:
            why = "the others are behind it" if look.decision == "winner" else "full benchmark scored"
        return f"{look.winner} wins with {confidence:.0%} confidence ({why})"
    if look.decision == "within-margin":
        return f"{', '.join(look.alive)} are within the margin of each other ({confidence:.0%})"
    if look.decision == "exhausted":
        return f"{', '.join(look.alive)} tie on the full benchmark"
    return f"undecided after the budget; still in the race: {', '.join(look.alive)}"


def _percent(p: float) -> str:
    """97.5 % stays 97.5 %, 95 % prints as 95 %: as many digits as the confidence has."""
    return f"{100 * p:.1f}".rstrip("0").rstrip(".") + "%"
