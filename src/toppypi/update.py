"""``update``: the monthly job, from query to dumps, refusing bad data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from toppypi.checks import Finding, Report, Severity
from toppypi.checks.baseline import from_dataset
from toppypi.checks.completeness import check_days, check_freshness
from toppypi.checks.gates import DEFAULT_THRESHOLDS, Thresholds, run_gates
from toppypi.checks.ranked import Ranked
from toppypi.dataset import Dataset, WriteReport, write_month
from toppypi.engines.interface import Engine
from toppypi.errors import CheckFailed, EngineError, UsageError
from toppypi.formats import JsonLayout
from toppypi.model.period import Period
from toppypi.model.query import DEFAULT_LIMIT, Field, InstallerFilter, Query
from toppypi.model.snapshot import Snapshot
from toppypi.ranking import top


class MonthRefused(CheckFailed):
    """A gate failed: nothing was written. Carries the whole report for the CLI to show."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class UpdateResult:
    snapshot: Snapshot
    report: Report
    written: WriteReport


def check_completeness(engine: Engine, period: Period) -> list[Finding]:
    """Fresh up to the period's end, and, where a query costs nothing, no day missing."""
    fresh = engine.freshness()
    findings = check_freshness(fresh, period)
    caps = engine.capabilities
    if fresh is None or findings[0].severity is not Severity.OK:
        return findings
    if not caps.free or Field.DATE not in caps.dimensions:
        return findings  # BigQuery bills a second scan: the freshness check must do
    query = Query(period, (Field.DATE,), installers=InstallerFilter.parse("all"), limit=0)
    res = engine.run(query)
    col = res.column_index(Field.DATE.column)
    days = {dt.date.fromisoformat(str(r[col])[:10]) for r in res.rows}
    return check_days(days, period, fresh)


def run_checks(
    engine: Engine,
    period: Period,
    snapshot: Snapshot,
    limit: int | None,
    dataset: Path | None = None,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Report:
    """Every gate, against the archived snapshots before this month (drift, anomaly)."""
    current = Ranked.from_snapshot(snapshot, period.label())
    history = []
    if dataset is not None:
        as_of = period.end + dt.timedelta(days=1)
        history = from_dataset(dataset, as_of, 30, thresholds.anomaly.history)
    report = run_gates(
        snapshot,
        current,
        history,
        thresholds=thresholds,
        completeness=check_completeness(engine, period),
    )
    findings = report.findings
    if limit and len(snapshot.rows) < limit:
        # Fewer projects than asked is only fine when that is all there are.
        total = snapshot.rows_before_limit_at_least or len(snapshot.rows)
        if total > len(snapshot.rows):
            findings.append(
                Finding("structure", Severity.FAIL, f"{len(snapshot.rows)} rows, expected {limit}")
            )
    return Report(findings)


def update(
    dataset: Path,
    engine: Engine,
    period: Period,
    *,
    limit: int = DEFAULT_LIMIT,
    installers: InstallerFilter | None = None,
    force: bool = False,
    now: dt.datetime | None = None,
    full_list: bool = True,
    layout: JsonLayout | None = None,
) -> UpdateResult:
    """Query one calendar month, check it, and write its dumps; nothing is written on failure.

    ``full_list`` also archives every project with downloads as
    ``top-pypi-packages-all.{csv.gz,parquet}``, streamed from the engine.
    """
    month = period.month
    if month is None:
        raise UsageError(f"update publishes calendar months; {period} is not one (use --month)")
    snapshot = top(engine, period, limit=limit, installers=installers, now=now)
    report = run_checks(engine, period, snapshot, limit, dataset)
    if not report.passed and not force:
        raise MonthRefused(
            f"{month} refused, nothing written: {report.summary()} (--force publishes)", report
        )
    snapshot.checks = report.to_json()
    apply_layout(snapshot, layout)
    extra = _full_list_writer(engine, period, snapshot, installers) if full_list else None
    written = write_month(Dataset(dataset), month, snapshot, report, extra)
    return UpdateResult(snapshot, report, written)


def _full_list_writer(
    engine: Engine, period: Period, snapshot: Snapshot, installers: InstallerFilter | None
) -> Callable[[Path], list[str]]:
    """Streams the full list into a month folder; its head must be the snapshot's rows."""
    from toppypi.fulllist import (
        ListMeta,
        archive_names,
        full_list_query,
        stream_ranking,
        write_files,
    )

    def checked(batches: Iterator[list[tuple[int, str]]]) -> Iterator[list[tuple[int, str]]]:
        head = [(r.download_count, r.project) for r in snapshot.rows]
        seen = 0
        for batch in batches:
            if seen < len(head):
                part = head[seen : seen + len(batch)]
                if batch[: len(part)] != part:
                    raise EngineError(
                        "the full list disagrees with the top-N (did the data change meanwhile?)"
                    )
            seen += len(batch)
            yield batch
        if seen < len(head):
            raise EngineError(f"the full list has {seen:,} rows, fewer than the top-N")

    def write(directory: Path) -> list[str]:
        names = archive_names()
        meta = ListMeta(snapshot.source, period, snapshot.last_update)
        query = full_list_query(period, installers)
        paths = [(fmt, directory / name) for fmt, name in names.items()]
        write_files(checked(stream_ranking(engine, query)), paths, meta)
        return list(names.values())

    return write


def apply_layout(snapshot: Snapshot, layout: JsonLayout | None) -> None:
    """Shape ``snapshot`` so that ``layout_of`` picks ``layout`` (default: the engine's era).

    The pypinfo layout is the BigQuery-era ``{last_update, query, rows}``; read back, it
    says ``BigQuery/pypinfo``, so the source is set to that and a rerun changes nothing.
    """
    if layout is None:
        layout = JsonLayout.PYPINFO if snapshot.query is not None else JsonLayout.CLICKHOUSE
    if layout is JsonLayout.PYPINFO:
        snapshot.query = snapshot.query or {
            "bytes_billed": 0,
            "bytes_processed": 0,
            "cached": False,
            "estimated_cost": "0.00",
        }
        snapshot.statistics = None
        snapshot.source = "BigQuery/pypinfo"
