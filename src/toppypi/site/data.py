"""What the site shows, read from ``archive/``: months, sparklines, data shards.

Everything here is derived from the archive alone (no clock, no randomness),
so rebuilding the site from unchanged data yields the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from toppypi.formats import DumpFormat, dump_name
from toppypi.model.period import Period, add_months
from toppypi.model.ranking import Ranking

CHECKS_FILE = "checks.json"


class Archive(Protocol):
    """What the site reads of a dataset; ``toppypi.dataset.Dataset`` is one.

    The site only renders: the dataset owns the folder, lists its snapshots
    (``catalog`` entries have ``window_days``, ``as_of``, ``label``, ``path``
    and ``monthly``) and writes the files the site returns.
    """

    root: Path

    def months(self) -> list[str]: ...

    def load(self, month: str, window: int = 30, *, exact: bool = False) -> Ranking: ...

    def month_file(self, month: str, name: str) -> Path: ...

    def catalog(self, window: int | None = None) -> Sequence[Any]: ...

    def header(self, entry: Any) -> Ranking: ...

    def columns(self, entry: Any) -> tuple[list[str], list[int]]: ...

    def strays(self) -> list[str]: ...

    def checks(self, month: str) -> dict[str, Any] | None: ...


SPARK_MONTHS = 12
# Sparkline levels are one character each, so 15,000 rows cost 12 bytes apiece.
SPARK_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SPARK_GAP = "."
PROJECT_SHARDS = 256  # the project page fetches one of these; keep in step with project.js


def site_key(name: str) -> str:
    """PEP 503-style key that never refuses a name (the data may hold anything)."""
    return re.sub(r"[-_.]+", "-", name).lower()


# Explicit bidirectional formatting characters (embeddings, overrides, isolates, marks).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(name: str) -> str:
    """A name as the site displays it: bidi controls made visible as ``[U+202E]``.

    Together with ``<bdi>`` (or ``unicode-bidi: isolate``) around every name,
    "evil\u202egnp.exe" reads as what it is, never as "evilexe.png". project.js
    and table.js do the same for the rows they draw.
    """
    return BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", name)


def shard_of(key: str) -> int:
    """FNV-1a over UTF-8, the same function the project page runs in JavaScript."""
    h = 0x811C9DC5
    for b in key.encode("utf-8"):
        h = ((h ^ b) * 0x01000193) & 0xFFFFFFFF
    return h % PROJECT_SHARDS


@dataclass
class Quality:
    """The data-quality status recorded in ``checks.json``; None when absent."""

    passed: bool | None
    findings: list[dict[str, str]] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.passed is None:
            return "not recorded"
        if self.passed:
            warned = sum(1 for f in self.findings if f.get("severity") == "warn")
            if warned:
                return f"passed with {warned} warning{'s' if warned > 1 else ''}"
            return "all checks passed"
        return "checks failed (published with --force)"

    @property
    def css(self) -> str:
        return {None: "unknown", True: "ok", False: "fail"}[self.passed]


@dataclass(frozen=True)
class Totals:
    """What the engine knew beyond the top N; None where the month does not say."""

    projects: int | None = None  # projects with any downloads in the period
    downloads: int | None = None  # all downloads in the period
    top_share: float | None = None  # share of ``downloads`` the listed rows cover, 0..1

    @property
    def known(self) -> bool:
        return (self.projects, self.downloads, self.top_share) != (None, None, None)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _share(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
    return float(value) if ok else None


def read_totals(r: Ranking) -> Totals:
    """The whole period's totals the archive knows (``provenance.json``, else ClickHouse's
    ``rows_before_limit_at_least``); unknown values stay None, so the header shows nothing."""
    t = r.totals
    share = t.top_share(r.total_downloads)
    return Totals(
        _count(r.projects_with_downloads),
        _count(t.downloads),
        _share(share) if share is not None else None,
    )


@dataclass
class MonthRow:
    rank: int
    project: str
    downloads: int
    previous_rank: int | None  # None: new this month
    spark: str

    @property
    def change(self) -> int | None:
        return None if self.previous_rank is None else self.previous_rank - self.rank


@dataclass
class Month:
    month: str
    snapshot: Ranking
    quality: Quality
    previous: str | None
    files: list[str]  # dump files present in archive/YYYY-MM/
    totals: Totals = field(default_factory=Totals)
    provenance: bool = False  # archive/YYYY-MM/provenance.json exists

    @property
    def period(self) -> Period:
        return Period.for_month(int(self.month[:4]), int(self.month[5:]))

    @property
    def total_downloads(self) -> int:
        return self.snapshot.total_downloads


@dataclass
class SiteData:
    months: list[Month]
    # month -> {project: (rank, downloads)}
    ranks: dict[str, dict[str, tuple[int, int]]]
    skipped: list[str] = field(default_factory=list)  # archive/ folders that are no month

    @property
    def latest(self) -> Month:
        return self.months[-1]

    def month(self, name: str) -> Month:
        return next(m for m in self.months if m.month == name)

    def rows(self, month: Month) -> list[MonthRow]:
        prev = self.ranks.get(month.previous or "", {})
        window = spark_window(month.month)
        series = [self.ranks.get(m) for m in window]
        out = []
        for i, (count, project) in enumerate(month.snapshot.rows(), 1):
            p = prev.get(project)
            values = [s[project][1] if s and project in s else None for s in series]
            out.append(MonthRow(i, project, count, p[0] if p else None, spark(values)))
        return out


def spark_window(month: str) -> list[str]:
    """The 12 calendar months ending with ``month``."""
    first = dt.date(int(month[:4]), int(month[5:]), 1)
    return [f"{add_months(first, -i):%Y-%m}" for i in reversed(range(SPARK_MONTHS))]


def spark(values: list[int | None]) -> str:
    """Min-max scaled levels, one character a month; gaps where a project was unranked."""
    present = [v for v in values if v is not None]
    if not present:
        return SPARK_GAP * len(values)
    lo, hi = min(present), max(present)
    top = len(SPARK_ALPHABET) - 1
    out = []
    for v in values:
        if v is None:
            out.append(SPARK_GAP)
        elif hi == lo:
            out.append(SPARK_ALPHABET[top // 2])
        else:
            out.append(SPARK_ALPHABET[round(top * (v - lo) / (hi - lo))])
    return "".join(out)


def read_quality(ds: Archive, month: str) -> Quality:
    data = ds.checks(month)  # an unreadable report stops the build: it is never hidden
    if data is None or not isinstance(data.get("findings", []), list):
        return Quality(None)
    findings = [
        {k: str(f.get(k, "")) for k in ("check", "severity", "message")}
        for f in data.get("findings", [])
        if isinstance(f, dict)
    ]
    return Quality(bool(data.get("passed")), findings)


def load_site_data(ds: Archive) -> SiteData:
    """Every archived month; the dataset names the folders it passed over."""
    names = ds.months()
    skipped = ds.strays()
    months: list[Month] = []
    ranks: dict[str, dict[str, tuple[int, int]]] = {}
    for i, name in enumerate(names):
        snap = ds.load(name)
        files = [
            dump_name(f)
            for f in (DumpFormat.JSON, DumpFormat.MIN_JSON, DumpFormat.CSV, DumpFormat.PARQUET)
            if ds.month_file(name, dump_name(f)).is_file()
        ]
        months.append(
            Month(
                name,
                snap,
                read_quality(ds, name),
                names[i - 1] if i else None,
                files,
                read_totals(snap),
                ds.month_file(name, "provenance.json").is_file(),
            )
        )
        ranks[name] = {}
        for rank, (count, project) in enumerate(snap.rows(), 1):
            ranks[name].setdefault(project, (rank, count))
    return SiteData(months, ranks, skipped)


def compact_json(obj: Any) -> bytes:
    return (json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def month_data(rows: list[MonthRow], month: str, has_previous: bool) -> bytes:
    """The file the 1,000 and all views load: columns, not objects, to parse fast.

    ``p`` is the previous rank, 0 for a new entry, and -1 for every row when
    there is no earlier month to compare with.
    """
    return compact_json(
        {
            "month": month,
            "n": [r.project for r in rows],
            "d": [r.downloads for r in rows],
            "p": [(r.previous_rank or 0) if has_previous else -1 for r in rows],
            "s": "".join(r.spark for r in rows),
        }
    )
