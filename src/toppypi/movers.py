"""What changed between two rankings: new, dropped, climbers and fallers.

Shared by ``toppypi movers``/``diff``, the release notes and the site.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from toppypi.snapshot import Snapshot


@dataclass(frozen=True)
class Move:
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


def compare(previous: Snapshot, current: Snapshot, *, top: int = 25) -> Movers:
    """Rank movement from ``previous`` to ``current``; lists are longest moves first."""
    prev = {r.project: (i, r.download_count) for i, r in enumerate(previous.rows, 1)}
    cur = {r.project: (i, r.download_count) for i, r in enumerate(current.rows, 1)}
    out = Movers()
    for name, (rank, dl) in cur.items():
        p = prev.get(name)
        move = Move(name, rank, p[0] if p else None, dl, p[1] if p else None)
        out.by_project[name] = move
        if p is None:
            out.new.append(move)
    for name, (rank, dl) in prev.items():
        if name not in cur:
            out.dropped.append(Move(name, None, rank, None, dl))
    # heapq.nsmallest is sorted(...)[:top] without sorting 15,000 moves.
    changes = [(m.rank_change or 0, m.rank or 0, m) for m in out.by_project.values()]
    up = ((-c, r, m) for c, r, m in changes if c > 0)
    down = ((c, r, m) for c, r, m in changes if c < 0)
    out.climbers = [t[2] for t in heapq.nsmallest(top, up, key=lambda t: t[:2])]
    out.fallers = [t[2] for t in heapq.nsmallest(top, down, key=lambda t: t[:2])]
    out.new.sort(key=lambda m: m.rank or 0)
    out.dropped.sort(key=lambda m: m.previous_rank or 0)
    return out
