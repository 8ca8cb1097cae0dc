"""Every archived snapshot of both windows: the project pages' series and the archive list.

The snapshots come from the dataset's catalog: the calendar-month folders (a
month's 30-day list and its 12-month list) and ``archive/snapshots/<window>d/
<date>/``. Methodology changes are derived from the snapshots' own metadata (a
change of source or of installers between two consecutive snapshots of a
window) plus the documented step changes ``Methodology`` knows, so a future
engine switch marks itself without a new date here.
"""

from __future__ import annotations

import datetime as dt
import itertools
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toppypi.errors import InputError
from toppypi.formats import BASENAME
from toppypi.model.ranking import Methodology, Ranking
from toppypi.site.data import (
    CHECKS_FILE,
    PROJECT_SHARDS,
    Archive,
    compact_json,
    shard_of,
    site_key,
)

PROVENANCE_FILE = "provenance.json"
META_FILE = "meta.json"

# Snapshots of one window further apart than this (by the day after their
# periods) mean a run was missed: the rule ``history show`` reports gaps by.
GAP_DAYS = 40
INSTALLERS = {"pypinfo-default": "pip only", "pip": "pip only", "all": "all installers"}
DUMP_BASE = BASENAME  # top-pypi-packages: the dumps and the full list
DATA_FILES = (CHECKS_FILE, PROVENANCE_FILE, META_FILE)
# Dumps first, in the order the month pages list them; then the rest by name.
FILE_ORDER = {"json": 0, "min.json": 1, "csv": 2, "parquet": 3}
MARKER_TITLES = {
    "step": "Step change in the counts",
    "installers": "Installers counted",
    "source": "Data source",
}


@dataclass(frozen=True)
class Snap:
    """One archived snapshot, as the site lists it."""

    index: int  # position in ``History.snaps`` (by window, then date): the shards refer to it
    window: int
    label: str  # YYYY-MM for a calendar month, else the snapshot's date
    date: dt.date  # UTC day of its last_update
    as_of: dt.date  # the day after its period: where it sits on a time axis
    period_start: dt.date
    period_end: dt.date
    days: int  # days actually queried
    source: str
    installers: str
    note: str
    monthly: bool
    rows: int
    downloads: int  # the sum over the listed rows
    top: str
    files: tuple[tuple[str, str], ...] = ()  # (link text, path from the site root)

    @property
    def page(self) -> str | None:
        """The month page the site builds for a calendar month of the 30-day window."""
        return f"month/{self.label}/index.html" if self.monthly and self.window == 30 else None

    @property
    def href(self) -> str:
        """Where a link to this snapshot goes: its month page, else its rows file."""
        return self.page or (self.files[0][1] if self.files else "archive.html")

    @property
    def installers_label(self) -> str:
        return INSTALLERS.get(self.installers, self.installers)


@dataclass(frozen=True)
class Marker:
    """A methodology change: ``index`` is the first snapshot made the new way."""

    window: int
    index: int
    kind: str  # "step", "installers" or "source"
    text: str

    @property
    def title(self) -> str:
        return MARKER_TITLES[self.kind]


@dataclass(frozen=True)
class Gap:
    """No snapshot was taken between ``before`` and ``after`` (indices) for ``days`` days."""

    window: int
    before: int
    after: int
    days: int


@dataclass
class History:
    snaps: list[Snap] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    # key -> (index, rank, downloads) flattened, and the newest other spelling of a key
    series: dict[str, array[int]] = field(default_factory=dict)
    spelled: dict[str, tuple[dt.date, str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # folders that hold no snapshot

    def display(self, key: str) -> str:
        """The name as the newest snapshot spells it (the key when already normalised)."""
        return self.spelled[key][1] if key in self.spelled else key

    def window(self, days: int) -> list[Snap]:
        return [s for s in self.snaps if s.window == days]

    @property
    def latest(self) -> Snap | None:
        """The newest 30-day snapshot: the list badges rank by."""
        monthly = self.window(30)
        return max(monthly, key=lambda s: s.as_of) if monthly else None


# --- finding the snapshots ---------------------------------------------------------


def published_files(root: Path, entry: Any) -> tuple[tuple[str, str], ...]:
    """The data files of a snapshot's folder the site links to, dumps first.

    Only what exists when ``update`` builds the site: the dumps (and full
    list), the quality report, the totals and a snapshot's metadata. Release
    notes are written after the site, so a link to them would make a killed
    publish rebuild a different page than the uninterrupted one.
    """
    folder = entry.path
    names = sorted(
        p.name
        for p in folder.iterdir()
        if (p.name.startswith(DUMP_BASE) or p.name in DATA_FILES) and p.is_file()
    )
    if entry.monthly and entry.window_days != 30:  # a shared month folder: its own files
        names = [n for n in names if f"-{entry.window_days}-days" in n]
    elif entry.monthly:
        names = [n for n in names if "-365-days" not in n]
    names.sort(key=lambda n: (FILE_ORDER.get(_file_label(n), len(FILE_ORDER)), n))
    rel = folder.relative_to(root).as_posix()
    return tuple((_file_label(n), f"{rel}/{n}") for n in names)


def _file_label(name: str) -> str:
    """``top-pypi-packages.min.json`` reads as ``min.json``; other files keep their name."""
    if name.startswith(DUMP_BASE) and len(name) > len(DUMP_BASE):
        return name[len(DUMP_BASE) + 1 :]
    return name


# --- reading them -------------------------------------------------------------------


def _read(
    ds: Archive, entry: Any, months: Mapping[str, Ranking]
) -> tuple[Ranking, Sequence[str], Sequence[int]]:
    """The snapshot's header and rows; a month the site already loaded is not read twice."""
    try:
        meta = ds.header(entry)
        snap = months.get(entry.label) if entry.monthly and entry.window_days == 30 else None
        if snap is not None:
            return meta, snap.projects, snap.counts
        projects, counts = ds.columns(entry)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"{entry.path}: cannot read this snapshot ({exc}); repair or remove the folder"
        ) from None
    return meta, projects, counts


def load_history(ds: Archive, months: Mapping[str, Ranking]) -> History:
    """Every snapshot of every window, each project's series, markers and gaps."""
    root = ds.root
    entries = sorted(ds.catalog(), key=lambda e: (e.window_days, e.as_of, e.label))
    hist = History(skipped=ds.strays())
    keys: dict[str, str] = {}
    for index, entry in enumerate(entries):
        meta, projects, counts = _read(ds, entry, months)
        assert meta.period is not None
        hist.snaps.append(
            Snap(
                index,
                entry.window_days,
                entry.label,
                meta.date,
                entry.as_of,
                meta.period.start,
                meta.period.end,
                meta.methodology.query_days or meta.period.days,
                meta.source,
                meta.installers,
                meta.note,
                entry.monthly,
                len(projects),
                sum(counts),
                projects[0] if projects else "",
                published_files(root, entry),
            )
        )
        _add_ranks(hist, keys, index, entry.as_of, projects, counts)
    for days in sorted({s.window for s in hist.snaps}):
        seq = hist.window(days)
        hist.markers.extend(markers(seq))
        hist.gaps.extend(gaps(seq))
    hist.markers.sort(key=lambda m: (hist.snaps[m.index].as_of, m.window, m.kind))
    return hist


def _add_ranks(
    hist: History,
    keys: dict[str, str],
    index: int,
    as_of: dt.date,
    names: Sequence[str],
    counts: Sequence[int],
) -> None:
    """Append (index, rank, downloads) to each project's series: 1.5 million rows, so lean.

    Typed arrays keep the series small; a spelling other than the key is
    remembered apart (the newest wins), and a key seen twice in one snapshot
    keeps its better rank.
    """
    ks = [keys[n] if n in keys else keys.setdefault(n, site_key(n)) for n in names]
    twice = len(set(ks)) != len(ks)
    series, spelled = hist.series, hist.spelled
    for rank, (key, count) in enumerate(zip(ks, counts, strict=True), 1):
        a = series.get(key)
        if a is None:
            a = series[key] = array("q")
        elif twice and a[-3] == index:
            continue
        a.extend((index, rank, count))
    for name, key in zip(names, ks, strict=True):
        if name != key and as_of >= spelled.get(key, (as_of, ""))[0]:
            spelled[key] = (as_of, name)


def markers(seq: list[Snap]) -> list[Marker]:
    """Where the way of counting changed, from the snapshots' metadata and ``history.eras``."""
    out = []
    for s in seq:
        step = Methodology.known_step(s.window, s.date)
        if step:
            out.append(Marker(s.window, s.index, "step", step))
    for a, b in itertools.pairwise(seq):
        if a.installers and b.installers and a.installers != b.installers:
            text = f"{a.installers_label} → {b.installers_label}"
            out.append(Marker(b.window, b.index, "installers", text))
        if a.source and b.source and a.source != b.source:
            out.append(Marker(b.window, b.index, "source", f"{a.source} → {b.source}"))
    return out


def gaps(seq: list[Snap]) -> list[Gap]:
    return [
        Gap(a.window, a.index, b.index, (b.as_of - a.as_of).days)
        for a, b in itertools.pairwise(seq)
        if (b.as_of - a.as_of).days > GAP_DAYS
    ]


# --- what the project page loads ------------------------------------------------------


def snapshots_json(hist: History) -> bytes:
    """``data/snapshots.json``: the snapshot list every project shard indexes into.

    ``s`` rows are ``[window, label, as_of, period start, period end, days,
    source, installers, href]``; ``k`` markers ``[window, index, kind, title,
    text]``; ``g`` gaps ``[window, before, after, days]``; ``latest`` is the
    snapshot badges rank by (-1: none).
    """
    latest = hist.latest
    return compact_json(
        {
            "s": [
                [
                    s.window,
                    s.label,
                    s.as_of.isoformat(),
                    s.period_start.isoformat(),
                    s.period_end.isoformat(),
                    s.days,
                    s.source,
                    s.installers_label,
                    s.href,
                ]
                for s in hist.snaps
            ],
            "k": [[m.window, m.index, m.kind, m.title, m.text] for m in hist.markers],
            "g": [[g.window, g.before, g.after, g.days] for g in hist.gaps],
            "latest": latest.index if latest else -1,
        }
    )


def project_shards(hist: History) -> list[bytes]:
    """Every project's series, split by ``shard_of`` into ``PROJECT_SHARDS`` files.

    An entry is ``[display name, index, rank, downloads, index, rank, ...]``,
    indices into ``data/snapshots.json``.
    """
    shards: list[dict[str, list[Any]]] = [{} for _ in range(PROJECT_SHARDS)]
    for key in sorted(hist.series):
        shards[shard_of(key)][key] = [hist.display(key), *hist.series[key].tolist()]
    return [compact_json({"p": s}) for s in shards]


def ranked_in(hist: History, snap: Snap | None) -> list[tuple[str, str, int]]:
    """(key, display name, rank) of every project listed in ``snap``, best rank first."""
    if snap is None:
        return []
    out = []
    for key, series in hist.series.items():
        try:
            at = series[0::3].index(snap.index)
        except ValueError:
            continue
        out.append((key, hist.display(key), series[3 * at + 1]))
    return sorted(out, key=lambda x: x[2])
