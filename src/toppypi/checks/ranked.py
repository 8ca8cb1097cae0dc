"""A ranking with its methodology: what drift and anomaly compare.

Kept as plain columns so a replay over 1.5 million historic rows does not
build a Row object for each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from toppypi.model.snapshot import Snapshot

# Shares are taken over the top 4,000 (the smallest N the anchor ever published),
# so a change of N from 5,000 to 8,000 or 15,000 does not move them.
SHARE_BASE = 4000


@dataclass
class Ranked:
    projects: Sequence[str]
    counts: Sequence[int]
    label: str = ""
    window_days: int | None = None
    query_days: int | None = None
    source: str = ""
    installers: str = ""
    known_step: str = ""  # a documented upstream step change at this snapshot
    calendar_month: bool = False  # 28..31 days by the calendar, not a chosen window

    @classmethod
    def from_snapshot(cls, snap: Snapshot, label: str = "", window_days: int = 30) -> Ranked:
        """A freshly queried ranking (``update``): methodology from its period and engine."""
        days = snap.period.days if snap.period is not None else None
        return cls(
            [r.project for r in snap.rows],
            [r.download_count for r in snap.rows],
            label,
            window_days,
            days,
            snap.source,
            snap.installers,
            calendar_month=snap.period is not None and snap.period.month is not None,
        )

    @cached_property
    def base_total(self) -> int:
        return sum(self.counts[:SHARE_BASE]) or 1

    @cached_property
    def ranks(self) -> dict[str, int]:
        return {p: i for i, p in enumerate(self.projects, 1)}

    def share(self, rank: int) -> float:
        return self.counts[rank - 1] / self.base_total

    @property
    def floor_share(self) -> float:
        """The share of the last row: anything absent was below it."""
        return self.counts[-1] / self.base_total if self.counts else 0.0

    def per_day_total(self, n: int) -> float:
        return sum(self.counts[:n]) / (self.query_days or 1)


def methodology_changes(before: Ranked, after: Ranked) -> list[str]:
    """Known reasons the two are not comparable: window, installers, engine, upstream steps."""
    out = []
    months = before.calendar_month and after.calendar_month
    if (
        before.query_days
        and after.query_days
        and before.query_days != after.query_days
        and not months
    ):
        out.append(f"window {before.query_days} -> {after.query_days} days")
    if before.installers and after.installers and before.installers != after.installers:
        out.append(f"installers {before.installers} -> {after.installers}")
    if before.source and after.source and before.source != after.source:
        out.append(f"engine {before.source} -> {after.source}")
    if after.known_step:
        out.append(after.known_step)
    return out
