"""Drift against the previous snapshot: total downloads, top-N overlap, rank churn.

A month that moves far more than any real month did is more likely a broken
query, an upstream stall or a tooling change than a real shift in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from toppypi.checks import Finding, Severity
from toppypi.checks.shares import per_day_total
from toppypi.model.ranking import Ranking

NAME = "drift"


@dataclass(frozen=True)
class DriftLimits:
    """Tuned on the anchor's 258 consecutive pairs (see BENCHMARKS.md)."""

    total_low: float = 0.6  # per-day total of the top rows, against the previous snapshot
    total_high: float = 1.75
    overlap_top: int = 100
    min_overlap: float = 0.75  # share of the previous top 100 still in the top 100
    churn_top: int = 1000
    max_churn: float = 0.30  # mean |log2(rank now / rank before)| over the previous top 1000
    # Overlap and churn only count projects this large before: below it, sampling
    # noise alone reorders ranks (a demo month of 30,000 events), and would fail.
    min_count: int = 1000
    min_projects: int = 50


@dataclass(frozen=True)
class DriftFigures:
    total_ratio: float
    overlap: float | None  # None: too few large projects to measure
    churn: float | None


def measure(cur: Ranking, prev: Ranking, limits: DriftLimits = DriftLimits()) -> DriftFigures:
    n = min(len(cur.counts), len(prev.counts))
    if n == 0:  # nothing to compare (an empty ranking fails structure on its own)
        return DriftFigures(1.0, None, None)
    ratio = per_day_total(cur, n) / (per_day_total(prev, n) or 1.0)
    large = sum(1 for c in prev.counts[: limits.churn_top] if c >= limits.min_count)
    if large < limits.min_projects:
        return DriftFigures(ratio, None, None)
    k = min(limits.overlap_top, n, large)
    overlap = len(set(cur.projects[:k]) & set(prev.projects[:k])) / k
    m = min(limits.churn_top, n, large)
    ranks = cur.ranks
    churn = (
        sum(
            abs(math.log2(min(ranks.get(p, n + 1), n + 1) / i))
            for i, p in enumerate(prev.projects[:m], 1)
        )
        / m
    )
    return DriftFigures(ratio, overlap, churn)


def check_drift(
    cur: Ranking, prev: Ranking, changes: list[str], limits: DriftLimits = DriftLimits()
) -> list[Finding]:
    """Out-of-bounds drift fails, unless a known methodology change explains it (then warns)."""
    f = measure(cur, prev, limits)
    problems = []
    if not limits.total_low <= f.total_ratio <= limits.total_high:
        problems.append(
            f"total downloads per day x{f.total_ratio:.2f} against {prev.label or 'the baseline'} "
            f"(bounds x{limits.total_low}..x{limits.total_high})"
        )
    if f.overlap is not None and f.overlap < limits.min_overlap:
        problems.append(
            f"top-{limits.overlap_top} overlap {f.overlap:.0%} (at least {limits.min_overlap:.0%})"
        )
    if f.churn is not None and f.churn > limits.max_churn:
        problems.append(
            f"rank churn {f.churn:.3f} over the top {limits.churn_top} (at most {limits.max_churn})"
        )
    figures = f"x{f.total_ratio:.2f} total"
    note = ""
    if f.overlap is not None and f.churn is not None:
        figures += f", {f.overlap:.0%} top overlap, churn {f.churn:.3f}"
    else:
        note = (
            f"; overlap and churn not measured: fewer than {limits.min_projects} of its "
            f"top {limits.churn_top:,} had {limits.min_count:,}+ downloads"
        )
    if not problems:
        against = prev.label or "the baseline"
        return [Finding(NAME, Severity.OK, f"{figures} against {against}{note}")]
    if changes:
        why = "; ".join(changes)
        return [
            Finding(NAME, Severity.WARN, f"{p} (known methodology change: {why})") for p in problems
        ]
    return [Finding(NAME, Severity.FAIL, p) for p in problems]
