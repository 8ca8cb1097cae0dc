"""``movers`` and ``diff``: what changed between two snapshots of the archive.

Built on :func:`toppypi.movers.compare_columns`, adding the snapshot
resolution users expect (a month, a snapshot date, or a dump file) and the
methodology changes between the two ends.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toppypi.errors import UsageError
from toppypi.history.archive import Entry, catalog, load_meta, load_rows
from toppypi.movers import Move, Movers, compare_columns

_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Side:
    """One end of a comparison: where it came from and its ranking, as columns."""

    label: str
    projects: list[str]
    counts: list[int]
    window_days: int | None = None
    source: str = ""
    query_days: int | None = None
    installers: str | None = None
    calendar_month: bool = False  # 28..31 days by the calendar, not a chosen window

    def to_json(self) -> dict[str, Any]:
        return {
            "snapshot": self.label,
            "window_days": self.window_days,
            "source": self.source,
            "rows": len(self.projects),
            "total_downloads": sum(self.counts),
        }


@dataclass
class Comparison:
    before: Side
    after: Side
    movers: Movers

    @property
    def methodology_changes(self) -> list[str]:
        a, b = self.before, self.after
        out = []
        months = a.calendar_month and b.calendar_month
        for what, x, y in (
            ("window", None if months else a.query_days, None if months else b.query_days),
            ("installers", a.installers, b.installers),
            ("source", a.source, b.source),
        ):
            if x is not None and y is not None and x != y and x != "" and y != "":
                out.append(f"{what} {x} -> {y}")
        return out

    def to_json(self) -> dict[str, Any]:
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
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "methodology_changes": self.methodology_changes,
            "new": moves(mv.new),
            "dropped": moves(mv.dropped),
            "climbers": moves(mv.climbers),
            "fallers": moves(mv.fallers),
            "climbers_percent": moves(mv.climbers_percent),
            "fallers_percent": moves(mv.fallers_percent),
        }


def compare_sides(before: Side, after: Side, *, top: int = 25) -> Comparison:
    mv = compare_columns(before.projects, before.counts, after.projects, after.counts, top=top)
    return Comparison(before, after, mv)


def side_of(entry: Entry) -> Side:
    meta = load_meta(entry)
    projects, counts = load_rows(entry)
    return Side(
        entry.label,
        projects,
        counts,
        entry.window_days,
        meta.source,
        meta.query_days,
        meta.installers,
        entry.monthly,
    )


def side_of_file(path: Path) -> Side:
    from toppypi.formats.readers import read_dump

    snap = read_dump(path)
    projects = [r.project for r in snap.rows]
    return Side(str(path), projects, [r.download_count for r in snap.rows], None, snap.source)


def find(entries: list[Entry], spec: str, window: int) -> Entry:
    """A month (``YYYY-MM``: the snapshot whose period ends in it), or a snapshot date."""
    mine = [e for e in entries if e.window_days == window]
    if not mine:
        raise UsageError(f"the archive has no {window}-day snapshots; run `toppypi history import`")
    if _MONTH.match(spec):
        exact = [e for e in mine if e.monthly and e.label == spec]
        if exact:
            return exact[0]
        inside = [e for e in mine if (e.as_of - dt.timedelta(days=1)).strftime("%Y-%m") == spec]
        if inside:
            return inside[-1]
    elif _DAY.match(spec):
        same = [e for e in mine if e.label == spec or e.as_of.isoformat() == spec]
        if same:
            return same[-1]
    else:
        raise UsageError(f"{spec!r} is not YYYY-MM, YYYY-MM-DD or a dump file")
    span = f"{mine[0].label} .. {mine[-1].label}"
    raise UsageError(f"no {window}-day snapshot for {spec} in the archive ({span})")


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    """Pause the cycle collector: tens of thousands of acyclic Row and Move objects
    would trigger full collections that cost more than the comparison itself."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def movers(root: Path, month: str | None = None, *, window: int = 30, top: int = 25) -> Comparison:
    """A snapshot against the previous snapshot of the same window."""
    with _no_gc():
        return _movers(root, month, window, top)


def _movers(root: Path, month: str | None, window: int, top: int) -> Comparison:
    entries = catalog(root, window)
    cur = find(entries, month, window) if month else _latest(entries, window)
    earlier = [e for e in entries if e.window_days == window and e.as_of < cur.as_of]
    if not earlier:
        raise UsageError(f"{cur.label} is the first {window}-day snapshot: nothing to compare")
    return compare_sides(side_of(earlier[-1]), side_of(cur), top=top)


def _latest(entries: list[Entry], window: int) -> Entry:
    mine = [e for e in entries if e.window_days == window]
    if not mine:
        raise UsageError(f"the archive has no {window}-day snapshots; run `toppypi history import`")
    return mine[-1]


def diff(root: Path, a: str, b: str, *, window: int = 30, top: int = 25) -> Comparison:
    """Any two snapshots (month, date) or dump files."""
    with _no_gc():
        return _diff(root, a, b, window, top)


def _diff(root: Path, a: str, b: str, window: int, top: int) -> Comparison:
    entries: list[Entry] | None = None

    def side(spec: str) -> Side:
        nonlocal entries
        p = Path(spec)
        if p.is_file():
            return side_of_file(p)
        if not (_MONTH.match(spec) or _DAY.match(spec)):
            raise UsageError(f"{spec}: no such file, nor a snapshot (YYYY-MM or YYYY-MM-DD)")
        if entries is None:
            entries = catalog(root, window)
        return side_of(find(entries, spec, window))

    return compare_sides(side(a), side(b), top=top)
