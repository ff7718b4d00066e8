"""The CI gate: does the candidate regress against the baseline?

Rule (per task): a *regression* is a drop larger than ``max_drop`` percentage points that is
also statistically significant (p < alpha for "the scores differ"). Both halves matter: on a
sampled suite a 5-point drop is often noise (not significant), and on a full suite a 0.3-point
drop can be significant yet too small to care about. A drop beyond the threshold that is not
significant passes with a warning so reviewers see it.

With several tasks the p-values are Holm-adjusted (``--adjust holm``, the default): k tasks
are k chances of a false alarm, and CI gates that cry wolf get switched off.

Speed: with ``max_slowdown`` the worst speed factor (throughputs, time to first token) must
stay at or below it. Speed depends on the machine, so two runs from different hardware refuse
the speed gate unless forced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from llmselect.compare import PairComparison, TaskDelta, same_hardware, slowdown
from llmselect.errors import UserError
from llmselect.metric_keys import short_metric
from llmselect.stats import holm


@dataclass
class Case:
    """One JUnit test case: a task's verdict or the speed verdict."""

    name: str
    classname: str
    status: str  # "pass", "warn", "fail"
    message: str
    detail: str = ""


@dataclass
class GateResult:
    cases: list[Case]
    regressions: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.regressions


def judge_task(t: TaskDelta, max_drop_pts: float, alpha: float, p: float | None = None,
               p_label: str = "p") -> Case:
    """``p`` is the p-value the decision uses (Holm-adjusted over the gated tasks by default)."""
    p = t.p_value if p is None else p
    drop_pts = t.worse_by * 100
    detail = (f"baseline {t.baseline * 100:.1f}, candidate {t.candidate * 100:.1f}, "
              f"delta {t.delta * 100:+.1f} pts [{t.ci_low * 100:+.1f}, {t.ci_high * 100:+.1f}], "
              f"p={t.p_value:.3g} ({t.method})" + (f", {p_label}={p:.3g}" if p_label != "p" else ""))
    name = f"{t.task} ({short_metric(t.metric)})"
    nan_case = judge_not_a_number(t, name, max_drop_pts, p, p_label, detail)
    if nan_case is not None:
        return nan_case
    if drop_pts > max_drop_pts and p < alpha:
        return Case(name, "llmselect.gate", "fail",
                    f"{t.task} dropped {drop_pts:.1f} pts (> {max_drop_pts:g} allowed, "
                    f"{p_label}={p:.3g} < {alpha:g})", detail)
    if drop_pts > max_drop_pts:
        return Case(name, "llmselect.gate", "warn",
                    f"{t.task} dropped {drop_pts:.1f} pts but not significantly "
                    f"({p_label}={p:.3g} >= {alpha:g}): more items would tell", detail)
    return Case(name, "llmselect.gate", "pass", f"{t.task}: {detail}", detail)


def judge_not_a_number(t: TaskDelta, name: str, max_drop_pts: float, p: float, p_label: str,
                       detail: str) -> Case | None:
    """NaN never passes in silence: a score that is not a number fails the gate (nothing was
    measured to pass), and a p-value that is not a number (no test possible) leaves the point
    estimate to decide: a drop beyond the threshold fails."""
    scores = {"baseline": t.baseline, "candidate": t.candidate}
    bad = [who for who, v in scores.items() if math.isnan(v)]
    if bad or math.isnan(t.delta):
        return Case(name, "llmselect.gate", "fail",
                    f"{t.task}: {' and '.join(bad) or 'delta'} score is not a number (NaN); "
                    "a gate cannot pass what was not measured: check the run (e.g. pass@k with "
                    "fewer samples than k)", detail)
    if math.isnan(p) and t.worse_by * 100 > max_drop_pts:
        return Case(name, "llmselect.gate", "fail",
                    f"{t.task} dropped {t.worse_by * 100:.1f} pts (> {max_drop_pts:g} allowed); "
                    f"{p_label} is not a number (no test possible), so the point estimate decides",
                    detail)
    return None


def judge_speed(c: PairComparison, max_slowdown: float, force: bool) -> Case:
    if not same_hardware(c.baseline.run, c.candidate.run) and not force:
        raise UserError("--max-slowdown: the two runs come from different hardware, so their "
                        "speeds compare machines; bench both on one machine or pass --force")
    factor = slowdown(c.ratios)
    if factor is None:
        raise UserError("--max-slowdown: a run has no speed measurement; bench with --probe")
    status = "fail" if factor > max_slowdown else "pass"
    said = ("candidate measured a throughput of zero (infinitely slower)" if math.isinf(factor)
            else f"candidate is {factor:.2f}x slower")
    return Case("speed (worst of throughput and time to first token)", "llmselect.gate.speed",
                status, f"{said} (allowed {max_slowdown:g}x)")


ADJUSTMENTS = ("holm", "none")


def evaluate_gate(c: PairComparison, max_drop_pts: float, alpha: float = 0.05,
                  max_slowdown: float | None = None, force: bool = False,
                  adjust: str = "holm") -> GateResult:
    """Judge every task (p-values Holm-adjusted over the tasks unless ``adjust='none'``), then
    the speed when asked."""
    if max_drop_pts < 0:
        raise UserError(f"--max-drop {max_drop_pts:g}: must be >= 0 percentage points")
    if not 0 < alpha < 1:
        raise UserError(f"--alpha {alpha:g}: must be between 0 and 1")
    if adjust not in ADJUSTMENTS:
        raise UserError(f"--adjust {adjust!r}: choose one of {', '.join(ADJUSTMENTS)}")
    if c.only_baseline and not c.selected:
        raise UserError(f"candidate run {c.candidate.run.run_id} lacks the baseline's task(s) "
                        f"{', '.join(c.only_baseline)}: a gate cannot pass what did not run; "
                        "bench them, or gate the others with --task")
    raw = [t.p_value for t in c.tasks]
    used = holm(raw) if adjust == "holm" and len(raw) > 1 else raw
    label = "p(Holm)" if used is not raw else "p"
    cases = [judge_task(t, max_drop_pts, alpha, p, label) for t, p in zip(c.tasks, used)]
    if max_slowdown is not None:
        if max_slowdown <= 0:
            raise UserError(f"--max-slowdown {max_slowdown:g}: must be > 0 (e.g. 1.2)")
        cases.append(judge_speed(c, max_slowdown, force))
    return GateResult(cases, [case.message for case in cases if case.status == "fail"])


def summary_markdown(result: GateResult, comparison_md: str) -> str:
    """The step summary: the verdict first, then the regressions, then the full comparison."""
    head = "## llmselect gate: " + ("PASS" if result.passed else "FAIL") + "\n"
    lines = [head]
    lines += [f"- :x: {m}" for m in result.regressions]
    lines += [f"- :warning: {c.message}" for c in result.cases if c.status == "warn"]
    return "\n".join(lines) + "\n\n" + comparison_md
