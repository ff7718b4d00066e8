"""How good is the quality estimator? Leave-one-out over the built-in catalog's published cells.

Each published benchmark score is hidden in turn, the estimator is refitted without it, and the
cell is estimated from the model's other scores and its size, as ``recommend`` does for a
benchmark a model lacks. Reported per benchmark, in points of the benchmark's scale: RMSE, mean
error (bias), the stderr the estimator states for such a cell, and the share of hidden cells that
fall inside ±1.96 of it. The peer is the old rule (a missing benchmark left out of the mean),
whose error for the model's quality is not measured at all: it reports no error.

Run:  python benchmarks/bench_quality_estimator.py
"""

from __future__ import annotations


def main() -> None:
    from llmselect.catalog import load_catalog
    from llmselect.catalog.benchmarks import BENCHMARKS
    from llmselect.scoring.quality_model import leave_one_out_report

    report = leave_one_out_report(load_catalog().models.values(), BENCHMARKS)
    print(f"{'benchmark':10s} {'cells':>5s} {'RMSE pts':>9s} {'bias pts':>9s} {'stated se':>9s} {'in ±1.96 se':>11s}")
    for key, row in report.items():
        print(f"{key:10s} {row['n']:5d} {row['rmse_pts']:9.1f} {row['bias_pts']:9.1f} "
              f"{row['stated_stderr_pts']:9.1f} {row['coverage_95']:11.0%}")


if __name__ == "__main__":
    main()
