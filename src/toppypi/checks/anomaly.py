"""Anomalies: a project whose downloads jump many times over its own history.

Values are shares of the top 4,000's total, so window length, engine and N
changes do not look like jumps. A project absent from a past snapshot is
taken at that snapshot's last row (it was below it), so the factor is a lower
bound. A jump into the top ranks fails (the July 2025 bots reached ranks 1-3);
elsewhere it is listed as a warning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from toppypi.checks import Finding, Severity
from toppypi.checks.shares import base_total
from toppypi.model.ranking import Ranking

NAME = "anomaly"


@dataclass(frozen=True)
class AnomalyLimits:
    jump: float = 20.0  # times the project's highest share in the history
    top_ranks: int = 50  # a jump landing at or above this rank fails
    warn_ranks: int = 1000  # a jump below the top ranks but within this rank warns
    history: int = 6  # past snapshots of the same window to compare with


@dataclass(frozen=True)
class Jump:
    project: str
    rank: int
    download_count: int
    factor: float

    def text(self) -> str:
        return f"{self.project} (rank {self.rank}, {self.download_count:,}, x{self.factor:,.0f})"


def jumps(cur: Ranking, history: Sequence[Ranking], limits: AnomalyLimits) -> list[Jump]:
    past = list(history)[-limits.history :]
    if not past:
        return []
    totals = [base_total(h) for h in past]
    # Anything absent from a past ranking was below its last row.
    floors = [h.counts[-1] / t if h.counts else 0.0 for h, t in zip(past, totals, strict=True)]
    cur_total = base_total(cur)
    out = []
    for rank in range(1, min(limits.warn_ranks, len(cur.counts)) + 1):
        project = cur.projects[rank - 1]
        baseline = 0.0
        for h, total, floor in zip(past, totals, floors, strict=True):
            r = h.ranks.get(project)
            baseline = max(baseline, h.counts[r - 1] / total if r else floor)
        if baseline <= 0:
            continue
        factor = (cur.counts[rank - 1] / cur_total) / baseline
        if factor >= limits.jump:
            out.append(Jump(project, rank, cur.counts[rank - 1], factor))
    return out


def check_anomaly(
    cur: Ranking, history: Sequence[Ranking], limits: AnomalyLimits = AnomalyLimits()
) -> list[Finding]:
    if not history:
        return [Finding(NAME, Severity.OK, "no history to compare with")]
    found = jumps(cur, history, limits)
    top = [j for j in found if j.rank <= limits.top_ranks]
    rest = [j for j in found if j.rank > limits.top_ranks]
    n = min(len(history), limits.history)
    out = []
    if top:
        out.append(
            Finding(
                NAME,
                Severity.FAIL,
                f"{len(top)} project(s) jumped at least x{limits.jump:g} over their last {n} "
                f"snapshot(s) into the top {limits.top_ranks}: " + ", ".join(j.text() for j in top),
            )
        )
    if rest:
        shown = ", ".join(j.text() for j in rest[:5])
        more = f" and {len(rest) - 5} more" if len(rest) > 5 else ""
        out.append(
            Finding(
                NAME,
                Severity.WARN,
                f"{len(rest)} project(s) jumped at least x{limits.jump:g} below the top "
                f"{limits.top_ranks}: {shown}{more}",
            )
        )
    if not out:
        out.append(Finding(NAME, Severity.OK, f"no jump of x{limits.jump:g} over {n} snapshot(s)"))
    return out
