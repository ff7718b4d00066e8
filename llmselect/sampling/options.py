"""The sampling options of a bench request, checked before anything loads (one line each)."""

from __future__ import annotations

from llmselect.errors import UserError


def check_options(req) -> None:
    if req.sample is not None and (req.sample <= 0 or (req.sample > 1 and req.sample != int(req.sample))):
        raise UserError(f"--sample {req.sample:g}: give a fraction in (0, 1] or a whole number "
                        "of items > 1")
    if req.precision is not None and req.precision <= 0:
        raise UserError(f"--precision {req.precision:g}: must be > 0 (the 95 % half-width to "
                        "reach, e.g. 0.02 for ±2 points)")
    given = [name for name, v in (("--limit", req.limit), ("--sample", req.sample),
                                  ("--precision", req.precision)) if v is not None]
    if len(given) > 1:
        raise UserError(f"{' and '.join(given)} exclude each other: --limit is lm-eval's first "
                        "documents (a smoke test), --sample a fixed random sample, --precision "
                        "random rounds until the interval is narrow enough")
