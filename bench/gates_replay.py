"""Bench: replay the quality gates over all 260 real snapshots, month by month.

    uv run python bench/gates_replay.py [--history DIR] [--sweep]

Prints the flagged snapshots, precision and false-positive figures for the
default thresholds, and with --sweep the same figures for neighbouring
anomaly thresholds (how the defaults were chosen).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "data" / "top-pypi-history"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--history", type=Path, default=DEFAULT)
    ap.add_argument("--sweep", action="store_true", help="Also try other anomaly thresholds.")
    args = ap.parse_args()

    from toppypi.checks.anomaly import AnomalyLimits
    from toppypi.checks.gates import DEFAULT_THRESHOLDS, Thresholds
    from toppypi.operations.check import replay

    t = time.perf_counter()
    res = replay(args.history)
    took = time.perf_counter() - t
    print(f"| flagged snapshot | window | known bad | failing gates |  ({took:.1f} s)")
    print("|---|---|---|---|")
    for r in res.flagged:
        why = "; ".join(f"{f.check}: {f.message}" for f in r.report.failures())
        print(f"| {r.date} | {r.window_days}d | {'yes' if r.known_bad else 'no'} | {why} |")
    print()
    print("| figure | value |")
    print("|---|---:|")
    for k, v in res.figures().items():
        print(f"| {k} | {v:.1%} |" if isinstance(v, float) else f"| {k} | {v} |")
    if not args.sweep:
        return
    print()
    print("| jump | top ranks | flagged | FP | precision | passed others | bots caught |")
    print("|---:|---:|---:|---:|---:|---:|---|")
    for jump in (5.0, 10.0, 20.0, 50.0, 100.0):
        for ranks in (10, 25, 50, 100):
            th = Thresholds(DEFAULT_THRESHOLDS.drift, AnomalyLimits(jump=jump, top_ranks=ranks))
            fig = replay(args.history, th).figures()
            print(
                f"| {jump:g} | {ranks} | {fig['flagged']} | {fig['false_positives']} | "
                f"{fig['precision']:.0%} | {fig['passed_others']:.1%} | "
                f"{'yes' if fig['recall'] == 1 else 'NO'} |"
            )


if __name__ == "__main__":
    main()
