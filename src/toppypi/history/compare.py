"""``movers`` and ``diff``: what changed between two rankings, and whether they compare.

Built on :func:`toppypi.movers.compare`, adding the methodology changes
between the two ends, so a jump across an engine or installer change is not
read as a trend.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from toppypi.model.ranking import Ranking
from toppypi.movers import Move, Movers, compare


def describe(r: Ranking) -> str:
    """A dump file by its path, an archived snapshot by its month or date."""
    import os

    return r.origin if r.origin and os.path.isfile(r.origin) else r.label


@dataclass
class Comparison:
    before: Ranking
    after: Ranking
    movers: Movers

    @property
    def methodology_changes(self) -> list[str]:
        return self.after.methodology.changes_since(self.before.methodology)

    def to_json(self) -> dict[str, Any]:
        def side(r: Ranking) -> dict[str, Any]:
            return {
                "snapshot": describe(r),
                "window_days": r.window_days,
                "source": r.source,
                "rows": len(r),
                "total_downloads": r.total_downloads,
            }

        def moves(ms: list[Move]) -> list[dict[str, Any]]:
            return [
                {
                    "project": m.project,
                    "rank": m.rank,
                    "previous_rank": m.previous_rank,
                    "download_count": m.downloads,
                    "previous_download_count": m.previous_downloads,
                    "rank_change": m.rank_change,
                    "percent_change": (
                        None if m.percent_change is None else round(m.percent_change, 2)
                    ),
                }
                for m in ms
            ]

        mv = self.movers
        return {
            "before": side(self.before),
            "after": side(self.after),
            "methodology_changes": self.methodology_changes,
            "new": moves(mv.new),
            "dropped": moves(mv.dropped),
            "climbers": moves(mv.climbers),
            "fallers": moves(mv.fallers),
            "climbers_percent": moves(mv.climbers_percent),
            "fallers_percent": moves(mv.fallers_percent),
        }


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cycle collector: tens of thousands of acyclic Move objects
    would trigger full collections that cost more than the comparison itself."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def comparison(before: Ranking, after: Ranking, *, top: int = 25) -> Comparison:
    with _no_gc():
        return Comparison(before, after, compare(before, after, top=top))
