"""The one ranking type: engine results, dumps read back, history snapshots, gate inputs.

A :class:`Ranking` is immutable and holds its rows as two columns (projects,
counts): a replay over 1.5 million historic rows must not build an object per
row. Its :class:`Methodology` says how it was counted, so that two rankings can
tell a methodology change from a real shift; its :class:`Envelope` keeps what a
published dump said beyond its rows, verbatim, so that a dump read back writes
the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from toppypi.model.period import Period
from toppypi.model.result import Provenance

WINDOWS = (30, 365)
DEFAULT_COLUMNS = (("download_count", "Int64"), ("project", "String"))

# Step changes upstream or in the anchor's tooling, documented in the shared
# data README: the counts jump at these snapshots for reasons that are not trends.
KNOWN_STEPS: Mapping[tuple[int, dt.date], str] = MappingProxyType(
    {
        (
            30,
            dt.date(2021, 5, 1),
        ): "upstream step: pypinfo upgraded before each run from 2021-04-05",
        (365, dt.date(2018, 8, 26)): "upstream step: BigQuery bytes processed 91 -> 145 GB",
    }
)


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return None if value is None else MappingProxyType(dict(value))


@dataclass(frozen=True)
class Methodology:
    """How a ranking was counted: what must match for two rankings to compare as is."""

    source: str = ""  # "ClickHouse", "BigQuery/pypinfo", "DuckDB", "BigQuery"
    window_days: int | None = None  # the nominal window: 30 or 365
    query_days: int | None = None  # the days actually counted
    installers: str = ""  # "all", "pypinfo-default" (pip only), "pip,uv", ...
    calendar_months: bool = False  # whole calendar months: 28..31 days is not a change
    step: str = ""  # a documented upstream step change at this ranking

    @staticmethod
    def known_step(window: int, day: dt.date) -> str:
        return KNOWN_STEPS.get((window, day), "")

    def changes_since(self, before: Methodology) -> list[str]:
        """Why ``before`` and this ranking are not comparable as is; empty when they are."""
        out = []
        months = before.calendar_months and self.calendar_months
        days = before.query_days, self.query_days
        if all(days) and days[0] != days[1] and not months:
            out.append(f"window {before.query_days} -> {self.query_days} days")
        if before.installers and self.installers and before.installers != self.installers:
            out.append(f"installers {before.installers} -> {self.installers}")
        if before.source and self.source and before.source != self.source:
            out.append(f"engine {before.source} -> {self.source}")
        if self.step:
            out.append(self.step)
        return out


@dataclass(frozen=True)
class Envelope:
    """What a published dump carries beside its rows, kept verbatim for byte-exact rewrites.

    ``query`` is the pypinfo era's ``{bytes_billed, bytes_processed, cached,
    estimated_cost}``; ``statistics`` the ClickHouse era's ``{elapsed,
    rows_read, bytes_read}``. Which of the two is set decides the JSON layout.
    """

    columns: tuple[tuple[str, str], ...] = DEFAULT_COLUMNS
    total_rows: int | None = None
    rows_before_limit_at_least: int | None = None
    statistics: Mapping[str, Any] | None = None
    query: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "statistics", _frozen(self.statistics))
        object.__setattr__(self, "query", _frozen(self.query))

    @property
    def pypinfo(self) -> bool:
        """The BigQuery-era ``{last_update, query, rows}`` layout."""
        return self.query is not None and self.statistics is None


@dataclass(frozen=True)
class Totals:
    """The whole period beyond the top N, where the engine or the full list knows it."""

    projects: int | None = None  # projects with at least one download
    downloads: int | None = None  # downloads of every project

    def top_share(self, top_downloads: int) -> float | None:
        if not self.downloads:
            return None
        return top_downloads / self.downloads

    def to_json(self, top_downloads: int) -> dict[str, Any]:
        share = self.top_share(top_downloads)
        return {
            "projects": self.projects,
            "downloads": self.downloads,
            "top_share": None if share is None else round(share, 6),
        }


@dataclass(frozen=True, eq=False)
class Ranking:
    """Projects by downloads, highest first, for one period."""

    projects: Sequence[str]  # a tuple once made: lists given are copied
    counts: Sequence[int]
    last_update: dt.datetime  # naive UTC, whole seconds: when it was made
    period: Period | None = None
    methodology: Methodology = field(default_factory=Methodology)
    envelope: Envelope = field(default_factory=Envelope)
    totals: Totals = field(default_factory=Totals)
    provenance: Provenance | None = None
    checks: Mapping[str, Any] | None = None  # the gate report it was published with
    origin: str = ""  # the file it was read from, for messages
    format: str = ""  # the era's file format it was read from ("clickhouse", "csv", ...)
    note: str = ""  # an irregularity the history records

    def __post_init__(self) -> None:
        if not isinstance(self.projects, tuple):
            object.__setattr__(self, "projects", tuple(self.projects))
        if not isinstance(self.counts, tuple):
            object.__setattr__(self, "counts", tuple(self.counts))
        if len(self.projects) != len(self.counts):
            raise ValueError("a ranking needs as many counts as projects")
        object.__setattr__(self, "checks", _frozen(self.checks))

    # -- construction --------------------------------------------------------

    @classmethod
    def of(
        cls,
        rows: Sequence[tuple[int, str]],
        last_update: dt.datetime,
        **fields: Any,
    ) -> Ranking:
        """From ``(download_count, project)`` pairs: tests and small callers."""
        return cls(tuple(p for _, p in rows), tuple(c for c, _ in rows), last_update, **fields)

    def replace(self, **changes: Any) -> Ranking:
        return dataclasses.replace(self, **changes)

    def with_methodology(self, **changes: Any) -> Ranking:
        return self.replace(methodology=dataclasses.replace(self.methodology, **changes))

    # -- reading -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.projects)

    def __bool__(self) -> bool:
        """A ranking is a value even without rows (a header): ``r or default`` must not
        replace it. Test emptiness with ``len(r)``."""
        return True

    def same_data(self, other: Ranking) -> bool:
        """Same rows from the same source: a rerun that must change nothing."""
        return (
            self.counts == other.counts
            and self.projects == other.projects
            and self.source == other.source
        )

    def rows(self) -> Iterator[tuple[int, str]]:
        """``(download_count, project)``, highest first."""
        return zip(self.counts, self.projects, strict=True)

    @cached_property
    def ranks(self) -> dict[str, int]:
        """1-based rank of each project."""
        return {p: i for i, p in enumerate(self.projects, 1)}

    def head(self, n: int) -> Ranking:
        return self.replace(projects=self.projects[:n], counts=self.counts[:n])

    @property
    def source(self) -> str:
        return self.methodology.source

    @property
    def window_days(self) -> int | None:
        return self.methodology.window_days

    @property
    def installers(self) -> str:
        return self.methodology.installers

    @property
    def total_downloads(self) -> int:
        """Downloads of the projects listed (not of the whole period: see ``totals``)."""
        return sum(self.counts)

    @property
    def last_update_text(self) -> str:
        return self.last_update.strftime("%Y-%m-%d %H:%M:%S")

    @property
    def date(self) -> dt.date:
        """The UTC day it was made: how the published history names snapshots."""
        return self.last_update.date()

    @property
    def month(self) -> str | None:
        """``YYYY-MM`` for a calendar-month ranking."""
        if self.period is None or not self.methodology.calendar_months:
            return None
        return self.period.month

    @property
    def label(self) -> str:
        """How users name it: the month a calendar ranking ends with, else its date."""
        if self.period is not None and self.methodology.calendar_months:
            return f"{self.period.end:%Y-%m}"
        return self.date.isoformat()

    @property
    def as_of(self) -> dt.date:
        """The day after its period: the order of rankings in one window."""
        if self.period is None:
            return self.date
        return self.period.end + dt.timedelta(days=1)

    @property
    def projects_with_downloads(self) -> int | None:
        """Projects with any download in the period, where known."""
        if self.totals.projects is not None:
            return self.totals.projects
        return self.envelope.rows_before_limit_at_least
