"""What changed between two rankings: new, dropped, climbers and fallers.

Shared by ``toppypi movers``/``diff``, the release notes and the site.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from toppypi.model.ranking import Ranking


class Move(NamedTuple):
    """A tuple, not a frozen dataclass: 15,000 are made per comparison, and a frozen
    dataclass's ``__init__`` costs several times a tuple's."""

    project: str
    rank: int | None  # None: not in this ranking
    previous_rank: int | None
    downloads: int | None
    previous_downloads: int | None

    @property
    def rank_change(self) -> int | None:
        """Positive when the project climbed."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def percent_change(self) -> float | None:
        if not self.downloads or not self.previous_downloads:
            return None
        return 100.0 * (self.downloads - self.previous_downloads) / self.previous_downloads


@dataclass
class Movers:
    new: list[Move] = field(default_factory=list)
    dropped: list[Move] = field(default_factory=list)
    climbers: list[Move] = field(default_factory=list)
    fallers: list[Move] = field(default_factory=list)
    by_project: dict[str, Move] = field(default_factory=dict)
    climbers_percent: list[Move] = field(default_factory=list)
    fallers_percent: list[Move] = field(default_factory=list)


def compare(previous: Ranking, current: Ranking, *, top: int = 25) -> Movers:
    """Rank movement from ``previous`` to ``current``; lists are longest moves first."""
    return compare_columns(
        previous.projects, previous.counts, current.projects, current.counts, top=top
    )


def compare_columns(
    prev_projects: Sequence[str],
    prev_counts: Sequence[int],
    projects: Sequence[str],
    counts: Sequence[int],
    *,
    top: int = 25,
) -> Movers:
    """:func:`compare` on rankings held as columns, in one pass with heaps for the tops.

    ``toppypi movers`` has 50 ms for two 15,000-row months; Row objects and full
    sorts would take most of it.
    """
    pairs = zip(prev_projects, prev_counts, strict=True)
    prev = {p: (i, c) for i, (p, c) in enumerate(pairs, 1)}
    out = Movers()
    by_project = out.by_project
    moved: list[tuple[int, int, Move]] = []  # (rank change, rank, move)
    grew: list[tuple[float, int, Move]] = []  # (percent change, rank, move)
    for rank, (name, dl) in enumerate(zip(projects, counts, strict=True), 1):
        p = prev.get(name)
        if p is None:
            move = Move(name, rank, None, dl, None)
            out.new.append(move)
        else:
            move = Move(name, rank, p[0], dl, p[1])
            if p[0] != rank:
                moved.append((p[0] - rank, rank, move))
            if dl and p[1] and dl != p[1]:
                grew.append((100.0 * (dl - p[1]) / p[1], rank, move))
        by_project[name] = move
    out.dropped = [
        Move(name, None, rank, None, dl)
        for name, (rank, dl) in prev.items()
        if name not in by_project
    ]
    # heapq.nsmallest(k, ...) is sorted(...)[:k] without sorting 15,000 moves.
    out.climbers = _smallest(top, ((-c, r, m) for c, r, m in moved if c > 0))
    out.fallers = _smallest(top, ((c, r, m) for c, r, m in moved if c < 0))
    out.climbers_percent = _smallest(top, ((-g, r, m) for g, r, m in grew if g > 0))
    out.fallers_percent = _smallest(top, ((g, r, m) for g, r, m in grew if g < 0))
    return out


def _smallest(top: int, items: Iterable[tuple[float, int, Move]]) -> list[Move]:
    return [t[2] for t in heapq.nsmallest(top, items, key=_order)]


def _order(t: tuple[float, int, Move]) -> tuple[float, int]:
    return t[0], t[1]
