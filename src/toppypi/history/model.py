"""What the history knows about one snapshot, beyond its rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from toppypi.model.snapshot import Row, Snapshot

WINDOWS = (30, 365)


@dataclass(frozen=True)
class SnapshotMeta:
    """One snapshot's identity (window + date) and its methodology.

    ``date`` is the UTC day of ``last_update``, as the published history names
    snapshots. ``query_days``, ``installers`` and ``source`` say how it was made,
    so that the gates can tell a methodology change from an anomaly.
    """

    window_days: int
    date: dt.date
    last_update: dt.datetime
    source: str
    period_start: dt.date
    period_end: dt.date
    query_days: int
    installers: str = "all"
    format: str = ""
    month: str | None = None  # YYYY-MM when the period is exactly one calendar month
    query: dict[str, Any] | None = None
    statistics: dict[str, Any] | None = None
    total_rows: int | None = None
    rows_before_limit_at_least: int | None = None
    note: str = ""

    @property
    def label(self) -> str:
        """How users name it: the month for monthly snapshots, else the date."""
        return self.month or self.date.isoformat()

    @property
    def as_of(self) -> dt.date:
        """The day after the period: the order of snapshots in one window."""
        return self.period_end + dt.timedelta(days=1)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        for k in ("date", "period_start", "period_end"):
            out[k] = getattr(self, k).isoformat()
        out["last_update"] = self.last_update.strftime("%Y-%m-%d %H:%M:%S")
        return {k: v for k, v in out.items() if v is not None and v != ""}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> SnapshotMeta:
        return cls(
            window_days=int(obj["window_days"]),
            date=dt.date.fromisoformat(obj["date"]),
            last_update=dt.datetime.strptime(obj["last_update"], "%Y-%m-%d %H:%M:%S"),
            source=str(obj["source"]),
            period_start=dt.date.fromisoformat(obj["period_start"]),
            period_end=dt.date.fromisoformat(obj["period_end"]),
            query_days=int(obj["query_days"]),
            installers=str(obj.get("installers", "all")),
            format=str(obj.get("format", "")),
            month=obj.get("month"),
            query=obj.get("query"),
            statistics=obj.get("statistics"),
            total_rows=obj.get("total_rows"),
            rows_before_limit_at_least=obj.get("rows_before_limit_at_least"),
            note=str(obj.get("note", "")),
        )


@dataclass
class HistoricSnapshot:
    """Rows kept as two columns: 1.5 million Row objects would cost the import budget."""

    meta: SnapshotMeta
    projects: list[str]
    counts: list[int]
    origin: str = ""  # the file it came from, for error messages

    def to_snapshot(self) -> Snapshot:
        m = self.meta
        snap = Snapshot(
            rows=[Row(c, p) for c, p in zip(self.counts, self.projects, strict=True)],
            last_update=m.last_update,
            source=m.source,
            window_days=m.window_days,
            total_rows=m.total_rows,
            rows_before_limit_at_least=m.rows_before_limit_at_least,
            statistics=m.statistics,
            query=m.query,
            installers=m.installers,
        )
        from toppypi.model.period import Period, PeriodKind

        kind = PeriodKind.MONTH if m.month else PeriodKind.RANGE
        snap.period = Period(m.period_start, m.period_end, kind)
        return snap

    @classmethod
    def from_snapshot(
        cls, meta: SnapshotMeta, snap: Snapshot, origin: str = ""
    ) -> HistoricSnapshot:
        return cls(
            meta,
            [r.project for r in snap.rows],
            [r.download_count for r in snap.rows],
            origin,
        )
