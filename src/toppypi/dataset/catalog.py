"""Every snapshot in ``archive/``, known from its folder, and loaded as a :class:`Ranking`.

Calendar months are ``archive/YYYY-MM/`` (the 30-day dumps, and the 12-month
list ending with that month as the 365-day window); every other snapshot is
``archive/snapshots/<window>d/<YYYY-MM-DD>/`` with a ``meta.json`` saying how
it was made. Folders whose names are not ours are passed over.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from toppypi.dataset.layout import (
    ARCHIVE,
    META_FILE,
    PROVENANCE_FILE,
    SNAPSHOTS,
    day_of,
    month_of,
    window_of,
)
from toppypi.errors import InputError
from toppypi.formats import BASENAME, YEAR_BASENAME, DumpFormat, dump_name
from toppypi.formats.decode import read_dump
from toppypi.model.period import Period, PeriodKind, add_months, month_end
from toppypi.model.ranking import Envelope, Methodology, Ranking, Totals

_TS = "%Y-%m-%d %H:%M:%S"
YEAR_KEY = "365_days"  # provenance.json: the 12-month list's own section


@dataclass(frozen=True, order=True)
class Entry:
    """A snapshot found in the archive, known from its folder name alone."""

    window_days: int
    as_of: dt.date  # the day after its period: the order within a window
    label: str  # YYYY-MM for a calendar month, else YYYY-MM-DD
    path: Path
    monthly: bool  # a calendar-month folder archive/YYYY-MM/
    base: str = BASENAME

    @property
    def rows_file(self) -> Path:
        """The CSV; a month folder from elsewhere may hold only the JSON."""
        csv = self.path / dump_name(DumpFormat.CSV, self.base)
        if not self.monthly or csv.is_file():
            return csv
        return self.path / dump_name(DumpFormat.JSON, self.base)

    @property
    def json_file(self) -> Path:
        return self.path / dump_name(DumpFormat.JSON, self.base)

    @property
    def key(self) -> tuple[int, str]:
        return self.window_days, self.label


def month_period(month: str, months: int = 1) -> Period:
    """The calendar month ``month``, or the ``months`` complete months ending with it."""
    first = dt.date.fromisoformat(f"{month}-01")
    start = add_months(first, -(months - 1))
    kind = PeriodKind.MONTH if months == 1 else PeriodKind.YEAR
    return Period(start, month_end(first), kind)


def catalog(root: Path, window: int | None = None) -> list[Entry]:
    """Every archived snapshot, oldest first within each window."""
    arch = root / ARCHIVE
    out: list[Entry] = []
    if not arch.is_dir():
        return out
    for p in arch.iterdir():
        if month_of(p.name) is None or not p.is_dir():
            continue
        as_of = month_end(dt.date.fromisoformat(p.name + "-01")) + dt.timedelta(days=1)
        if window in (None, 30) and (p / dump_name(DumpFormat.JSON)).is_file():
            out.append(Entry(30, as_of, p.name, p, True))
        if window in (None, 365) and (p / dump_name(DumpFormat.JSON, YEAR_BASENAME)).is_file():
            out.append(Entry(365, as_of, p.name, p, True, YEAR_BASENAME))
    snaps = arch / SNAPSHOTS
    if snaps.is_dir():
        for wdir in snaps.iterdir():
            w = window_of(wdir.name)
            if w is None or not wdir.is_dir() or (window is not None and w != window):
                continue
            for p in wdir.iterdir():
                day = day_of(p.name)
                if day is not None and (p / dump_name(DumpFormat.CSV)).is_file():
                    out.append(Entry(w, _as_of(p, day), p.name, p, False))
    return sorted(out)


def strays(root: Path) -> list[str]:
    """Folders in ``archive/`` that hold no snapshot by their names (``2026-99/``, ``notes/``),
    so that commands can say what they passed over."""
    arch = root / ARCHIVE
    out: list[str] = []
    if not arch.is_dir():
        return out
    for p in sorted(arch.iterdir()):
        if p.name.startswith(".") or not p.is_dir() or p.name == SNAPSHOTS:
            continue
        if month_of(p.name) is None:
            out.append(f"{ARCHIVE}/{p.name}/")
    snaps = arch / SNAPSHOTS
    for wdir in sorted(snaps.iterdir()) if snaps.is_dir() else []:
        if wdir.name.startswith("."):
            continue
        if window_of(wdir.name) is None or not wdir.is_dir():
            out.append(f"{ARCHIVE}/{SNAPSHOTS}/{wdir.name}/")
            continue
        out.extend(
            f"{ARCHIVE}/{SNAPSHOTS}/{wdir.name}/{p.name}/"
            for p in sorted(wdir.iterdir())
            if not p.name.startswith(".") and day_of(p.name) is None
        )
    return out


def _as_of(path: Path, day: dt.date) -> dt.date:
    """The day after a snapshot's period (its date when meta.json cannot say)."""
    try:
        meta = json.loads((path / META_FILE).read_text("utf-8"))
        return dt.date.fromisoformat(meta["period_end"]) + dt.timedelta(days=1)
    except (OSError, ValueError, KeyError, TypeError):
        return day


def months(root: Path) -> list[str]:
    """Archived calendar months (30-day dumps), oldest first."""
    return [e.label for e in catalog(root, 30) if e.monthly]


# --- meta.json of a snapshot folder ------------------------------------------------


def meta_json(r: Ranking) -> dict[str, Any]:
    """How ``archive/snapshots/`` records a snapshot's identity and methodology."""
    assert r.period is not None and r.window_days is not None
    env = r.envelope
    out: dict[str, Any] = {
        "window_days": r.window_days,
        "date": r.date.isoformat(),
        "last_update": r.last_update_text,
        "source": r.source,
        "period_start": r.period.start.isoformat(),
        "period_end": r.period.end.isoformat(),
        "query_days": r.methodology.query_days,
        "installers": r.installers,
        "format": r.format,
        "month": r.month,
        "query": dict(env.query) if env.query is not None else None,
        "statistics": dict(env.statistics) if env.statistics is not None else None,
        "total_rows": env.total_rows,
        "rows_before_limit_at_least": env.rows_before_limit_at_least,
        "note": r.note,
    }
    return {k: v for k, v in sorted(out.items()) if v is not None and v != ""}


def from_meta(obj: dict[str, Any], projects: Any = (), counts: Any = ()) -> Ranking:
    """A ranking from ``meta.json`` (and its rows): the inverse of :func:`meta_json`."""
    window = int(obj["window_days"])
    day = dt.date.fromisoformat(obj["date"])
    month = obj.get("month")
    start = dt.date.fromisoformat(obj["period_start"])
    end = dt.date.fromisoformat(obj["period_end"])
    return Ranking(
        projects,
        counts,
        dt.datetime.strptime(obj["last_update"], _TS),
        period=Period(start, end, PeriodKind.MONTH if month else PeriodKind.RANGE),
        methodology=Methodology(
            source=str(obj["source"]),
            window_days=window,
            query_days=int(obj["query_days"]),
            installers=str(obj.get("installers", "all")),
            calendar_months=bool(month),
            step=Methodology.known_step(window, day),
        ),
        envelope=Envelope(
            total_rows=obj.get("total_rows"),
            rows_before_limit_at_least=obj.get("rows_before_limit_at_least"),
            statistics=obj.get("statistics"),
            query=obj.get("query"),
        ),
        format=str(obj.get("format", "")),
        note=str(obj.get("note", "")),
    )


# --- loading -------------------------------------------------------------------------


def read_json_object(path: Path) -> dict[str, Any] | None:
    """A month's ``checks.json`` or ``provenance.json``; None when it is not there.

    A file that is there but unreadable is a damaged archive: an error, not a
    month shown as if it had no report.
    """
    if not path.is_file():
        return None
    try:
        obj = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: unreadable ({str(exc)[:80]}); repair it from git") from None
    if not isinstance(obj, dict):
        raise InputError(f"{path}: not a JSON object; repair it from git")
    return obj


def _provenance(entry: Entry) -> dict[str, Any]:
    return read_json_object(entry.path / PROVENANCE_FILE) or {}


def _month_header(entry: Entry, ranking: Ranking) -> Ranking:
    """A month folder's dump with the methodology its folder implies."""
    months = 12 if entry.window_days == 365 else 1
    period = month_period(entry.label, months)
    prov = _provenance(entry)
    raw = prov.get(YEAR_KEY) if entry.window_days == 365 else prov
    section: dict[str, Any] = raw if isinstance(raw, dict) else {}
    installers = section.get("installers", "all")
    found = section.get("totals")
    totals: dict[str, Any] = found if isinstance(found, dict) else {}
    return ranking.replace(
        origin=str(entry.path),
        totals=Totals(
            projects=_count(totals.get("projects")), downloads=_count(totals.get("downloads"))
        ),
        period=period,
        methodology=Methodology(
            source=ranking.source,
            window_days=entry.window_days,
            query_days=period.days,
            installers=str(installers),
            calendar_months=True,
            step=Methodology.known_step(entry.window_days, ranking.date),
        ),
    )


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def load(entry: Entry, *, exact: bool = False) -> Ranking:
    """The snapshot with its rows and methodology.

    ``exact`` reads a month's JSON whole, so the ranking carries everything
    its dump says and writes back byte for byte; otherwise the rows come from
    the CSV through pyarrow, ten times faster (movers, gates, the site).
    """
    if entry.monthly:
        if exact or entry.rows_file.suffix == ".json":
            return _month_header(entry, read_dump(entry.json_file))
        projects, counts = columns(entry)
        return header(entry).replace(projects=projects, counts=counts)
    projects, counts = columns(entry)
    return from_meta(_read_meta(entry), projects, counts).replace(origin=str(entry.path))


def header(entry: Entry) -> Ranking:
    """The snapshot's identity and methodology without its rows (fast).

    For a month, the JSON's first and last few hundred bytes say when and by
    what it was made, and how many projects had downloads.
    """
    if not entry.monthly:
        return from_meta(_read_meta(entry))
    import re

    path = entry.json_file
    with path.open("rb") as fh:
        head = fh.read(400).decode("utf-8", "replace")
        size = path.stat().st_size
        fh.seek(max(0, size - 400))
        tail = fh.read().decode("utf-8", "replace")
    m = re.search(r'"last_update":\s*"([^"]+)",\s*"source":\s*"([^"]*)"', head)
    if m is None:  # a pypinfo-layout month: read it whole
        return load(entry, exact=True).head(0)
    stamp = dt.datetime.strptime(m.group(1), _TS)
    seen = re.search(r'"rows_before_limit_at_least":\s*(\d{1,19})\b', tail)
    env = Envelope(rows_before_limit_at_least=int(seen.group(1)) if seen else None)
    empty = Ranking((), (), stamp, methodology=Methodology(source=m.group(2)), envelope=env)
    return _month_header(entry, empty)


def _read_meta(entry: Entry) -> dict[str, Any]:
    path = entry.path / META_FILE
    try:
        obj = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(
            f"{path}: unreadable snapshot metadata ({exc}); repair or remove the folder"
        ) from None
    if not isinstance(obj, dict):
        raise InputError(f"{path}: unreadable snapshot metadata; repair or remove the folder")
    return obj


def rows_table(entry: Entry) -> Any:
    """The ranking as an Arrow table (download_count, project), read with pyarrow."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if entry.rows_file.suffix == ".json":
        r = read_dump(entry.rows_file)
        return pa.table(
            {
                "download_count": pa.array(r.counts, pa.int64()),
                "project": pa.array(r.projects, pa.string()),
            }
        )
    types = {"download_count": pa.int64(), "project": pa.string()}
    try:
        return pacsv.read_csv(
            entry.rows_file, convert_options=pacsv.ConvertOptions(column_types=types)
        )
    except (pa.ArrowInvalid, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{entry.rows_file}: unreadable ({first})") from None


def columns(entry: Entry) -> tuple[list[str], list[int]]:
    """The ranking as two lists: no JSON, no per-row objects (movers has 50 ms)."""
    table = rows_table(entry)
    projects: list[str] = table.column("project").to_pylist()
    counts: list[int] = table.column("download_count").to_pylist()
    return projects, counts
