"""``update``: the monthly job, from query to archive, refusing bad data.

For one calendar month it queries the top N and, unless turned off, the
12-month list ending with that month; runs every gate; and only then stages
``archive/YYYY-MM/`` (dumps, Parquet, the full list streamed from the engine,
``checks.json``, ``provenance.json``) and swaps it in whole. A month whose rows
are archived already is left byte for byte as it is, so a rerun changes
nothing; a released month is refused unless it is a correction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toppypi import __version__
from toppypi.checks import Finding, Report, Severity
from toppypi.checks.completeness import check_days, check_freshness
from toppypi.checks.gates import DEFAULT_THRESHOLDS, Thresholds, run_gates
from toppypi.dataset import Dataset, Writer
from toppypi.dataset.catalog import YEAR_KEY, month_period
from toppypi.dataset.files import dump_files, json_bytes
from toppypi.dataset.layout import CHECKS_FILE, PROVENANCE_FILE, RELEASE_FILE
from toppypi.engines.interface import Engine, Estimate
from toppypi.errors import CheckFailed, EngineError, UsageError
from toppypi.formats import ALIAS_BASENAME, BASENAME, YEAR_BASENAME, JsonLayout
from toppypi.formats.stream import ListMeta, archive_names, write_files
from toppypi.model.period import Period
from toppypi.model.query import DEFAULT_LIMIT, Field, InstallerFilter, Query
from toppypi.model.ranking import Envelope, Ranking, Totals
from toppypi.model.redact import redact
from toppypi.operations.reproducible import fixed_epoch
from toppypi.operations.top import (
    NoData,
    TopOptions,
    rank,
    require_rows,
    stream_ranking,
    top_query,
)

Say = Callable[[str], None]
YEAR_MONTHS = 12


class MonthRefused(CheckFailed):
    """A gate failed: nothing was written. Carries the whole report for the CLI to show."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class UpdateOptions:
    month: str
    limit: int = DEFAULT_LIMIT
    installers: InstallerFilter = field(default_factory=InstallerFilter)
    force: bool = False
    full_list: bool = True  # archive every project with downloads, streamed
    year_list: bool = True  # the 12 complete months ending with this one (365-day window)
    layout: JsonLayout | None = None  # default: the engine's era
    correction: bool = False  # a --republish: the month may be released
    wait: float = 0.0  # seconds to wait for another run's lock
    build_site: bool = True
    thresholds: Thresholds = DEFAULT_THRESHOLDS

    @property
    def period(self) -> Period:
        return month_period(self.month)

    @property
    def year_period(self) -> Period:
        return month_period(self.month, YEAR_MONTHS)


@dataclass
class ListOutcome:
    """One list (the month's, or the 12-month one) as archived."""

    ranking: Ranking
    report: Report
    unchanged: bool


@dataclass
class UpdateResult:
    month: str
    month_list: ListOutcome
    year_list: ListOutcome | None
    written: list[Path] = field(default_factory=list)
    latest: bool = False
    site_written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # why a list was not made

    @property
    def unchanged(self) -> bool:
        return not self.written

    @property
    def ranking(self) -> Ranking:
        return self.month_list.ranking

    @property
    def report(self) -> Report:
        return self.month_list.report

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "month": self.month,
            "unchanged": self.unchanged,
            "latest": self.latest,
            "written": [str(p) for p in self.written],
            "checks": self.report.to_json(),
            "site_written": [str(p) for p in self.site_written],
        }
        if self.year_list is not None:
            out["checks_365_days"] = self.year_list.report.to_json()
        if self.skipped:
            out["skipped"] = self.skipped
        return out


# --- checks ------------------------------------------------------------------------


def check_completeness(engine: Engine, period: Period, grain: Field = Field.DATE) -> list[Finding]:
    """Fresh up to the period's end, and, where a query costs nothing, no day (or month)
    without downloads."""
    fresh = engine.freshness()
    findings = check_freshness(fresh, period)
    caps = engine.capabilities
    if fresh is None or findings[0].severity is not Severity.OK:
        return findings
    if not caps.free or grain not in caps.dimensions:
        return findings  # BigQuery bills a second scan: the freshness check must do
    query = Query(period, (grain,), installers=InstallerFilter.parse("all"), limit=0)
    res = engine.run(query)
    col = res.column_index(grain.column)
    if grain is Field.MONTH:
        have = {str(r[col])[:7] for r in res.rows}
        missing = [m.strftime("%Y-%m") for m in period.months() if m.strftime("%Y-%m") not in have]
        if missing:
            return [
                Finding(
                    "completeness",
                    Severity.FAIL,
                    f"no downloads in {len(missing)} month(s) of the period: "
                    + ", ".join(missing[:5])
                    + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""),
                )
            ]
        return findings
    days = {dt.date.fromisoformat(str(r[col])[:10]) for r in res.rows}
    return check_days(days, period, fresh)


def run_checks(
    ds: Dataset,
    engine: Engine,
    ranking: Ranking,
    limit: int | None,
    completeness: list[Finding],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> Report:
    """Every gate, against the archived snapshots of the same window before this one."""
    window = ranking.window_days or 30
    history = ds.history_before(ranking.as_of, window, thresholds.anomaly.history)
    report = run_gates(ranking, history, thresholds=thresholds, completeness=completeness)
    findings = list(report.findings)
    if limit and len(ranking) < limit:
        # Fewer projects than asked is only fine when that is all there are.
        total = ranking.projects_with_downloads or len(ranking)
        if total > len(ranking):
            findings.append(
                Finding("structure", Severity.FAIL, f"{len(ranking)} rows, expected {limit}")
            )
    return Report(findings)


# --- the job ------------------------------------------------------------------------


def update(
    ds: Dataset,
    engine: Engine,
    options: UpdateOptions,
    *,
    now: dt.datetime | None = None,
    say: Say = lambda _: None,
) -> UpdateResult:
    """Query one calendar month, check it, and archive it; nothing is written on failure."""
    with ds.writing(wait=options.wait, say=say) as w:
        return update_locked(w, engine, options, now=now, say=say)


def update_locked(
    w: Writer,
    engine: Engine,
    options: UpdateOptions,
    *,
    now: dt.datetime | None = None,
    say: Say = lambda _: None,
) -> UpdateResult:
    """:func:`update` for a caller that already holds the dataset's lock (publishing)."""
    ds = w.dataset
    month = options.month
    if not options.correction:
        w.refuse_released([month], f"update of {month}")
    now = now or fixed_epoch()
    month_list = _query_list(ds, engine, options, options.period, 30, now)
    year_list: ListOutcome | None = None
    skipped: list[str] = []
    if options.year_list:
        year_list, why = _year_list(ds, engine, options, now)
        if why:
            skipped.append(why)
            say(f"{month}: {why}")
    refused = [o for o in (month_list, year_list) if o is not None and not o.report.passed]
    if refused and not options.force:
        report = Report([f for o in refused for f in o.report.findings])
        raise MonthRefused(
            f"{month} refused, nothing written: {report.summary()} (--force publishes)", report
        )
    result = UpdateResult(month, month_list, year_list, skipped=skipped)
    if not (month_list.unchanged and (year_list is None or year_list.unchanged)):
        result.written = _archive(w, engine, options, month_list, year_list)
    result.latest = month == max(ds.months(), default=month)
    if result.latest:
        result.written += _write_latest(w, month)
    if w.write_datapackage():
        result.written.append(w.root / "datapackage.json")
    if options.build_site:
        from toppypi.operations.site import build_locked

        result.site_written = build_locked(w).written
    return result


def _untimed(r: Ranking) -> Ranking:
    """With $SOURCE_DATE_EPOCH, no measured durations: the same data gives the same bytes."""
    env = r.envelope
    stats = dict(env.statistics) if env.statistics is not None else None
    if stats is not None and "elapsed" in stats:
        stats["elapsed"] = 0
    prov = r.provenance
    if prov is not None:
        prov = dataclasses.replace(prov, elapsed=0.0)
    return r.replace(envelope=dataclasses.replace(env, statistics=stats), provenance=prov)


def _query_list(
    ds: Dataset,
    engine: Engine,
    options: UpdateOptions,
    period: Period,
    window: int,
    now: dt.datetime | None,
) -> ListOutcome:
    top = TopOptions(period, options.limit, options.installers, window_days=window)
    try:
        ranking = require_rows(rank(engine, top, now=now), engine)
    except NoData as exc:  # even --force never publishes an empty month
        report = Report([Finding("completeness", Severity.FAIL, str(exc))])
        raise MonthRefused(f"{options.month} refused, {exc}", report) from None

    if fixed_epoch() is not None:
        ranking = _untimed(ranking)
    ranking = _shaped(ranking, _layout_for(ranking, options.layout))
    grain = Field.DATE if window == 30 else Field.MONTH
    completeness = check_completeness(engine, period, grain)
    report = run_checks(ds, engine, ranking, options.limit, completeness, options.thresholds)
    ranking = ranking.replace(checks=report.to_json())
    entry = ds.entry(options.month, window)
    if entry is not None:
        archived = ds.load_entry(entry, exact=True)
        if archived.same_data(ranking):
            # Keep its timestamp and envelope: a rerun changes no byte.
            kept = archived.replace(
                provenance=ranking.provenance, checks=ranking.checks, totals=ranking.totals
            )
            return ListOutcome(kept, report, unchanged=_same_layout(archived, options.layout))
    return ListOutcome(ranking, report, unchanged=False)


def _same_layout(archived: Ranking, layout: JsonLayout | None) -> bool:
    from toppypi.formats.jsondump import layout_of

    return layout is None or layout_of(archived) is layout


def _year_list(
    ds: Dataset, engine: Engine, options: UpdateOptions, now: dt.datetime | None
) -> tuple[ListOutcome | None, str]:
    """The 12-month list, or why it was left out (data that does not cover 12 months)."""
    period = options.year_period
    if engine.capabilities.free and Field.MONTH in engine.capabilities.dimensions:
        probe = check_completeness(engine, period, Field.MONTH)
        if any(f.severity is Severity.FAIL for f in probe):
            why = "; ".join(f.message for f in probe if f.severity is Severity.FAIL)
            return None, f"12-month list skipped: {why}"
    return _query_list(ds, engine, options, period, 365, now), ""


def _layout_for(r: Ranking, layout: JsonLayout | None) -> JsonLayout:
    if layout is not None:
        return layout
    return JsonLayout.PYPINFO if r.envelope.query is not None else JsonLayout.CLICKHOUSE


def _shaped(r: Ranking, layout: JsonLayout) -> Ranking:
    """The pypinfo layout reads back as ``BigQuery/pypinfo``: say so, so a rerun matches."""
    if layout is not JsonLayout.PYPINFO:
        return r
    env = r.envelope
    if env.pypinfo:
        return r.with_methodology(source="BigQuery/pypinfo")
    query = env.query or {
        "bytes_billed": 0,
        "bytes_processed": 0,
        "cached": False,
        "estimated_cost": "0.00",
    }
    return r.replace(
        envelope=Envelope(columns=env.columns, query=query),
    ).with_methodology(source="BigQuery/pypinfo")


def provenance_json(r: Ranking, limit: int | None) -> dict[str, Any]:
    """How a list was made: the engine's record (endpoint, the SQL sent, freshness, bytes,
    cost, elapsed; secrets masked), then the period, installers, N and totals."""
    assert r.period is not None
    out: dict[str, Any] = r.provenance.to_json() if r.provenance is not None else {}
    out.setdefault("engine", r.source)
    endpoint = str(out.get("endpoint", ""))
    if endpoint.startswith("/") or endpoint[1:3] == ":\\":
        # A local store: its name, not where it sits on this machine (published data
        # names no home folder, and a rerun elsewhere writes the same bytes).
        out["endpoint"] = Path(endpoint).name
    out.update(
        {
            "source": r.source,
            "period": {
                "start": r.period.start.isoformat(),
                "end": r.period.end.isoformat(),
                "days": r.period.days,
            },
            "window_days": r.window_days,
            "installers": r.installers,
            "limit": limit,
            "rows": len(r),
            "generated_at": r.last_update_text,
            "toppypi_version": __version__,
            "totals": r.totals.to_json(r.total_downloads),
        }
    )
    return out


def _archive(
    w: Writer,
    engine: Engine,
    options: UpdateOptions,
    month_list: ListOutcome,
    year_list: ListOutcome | None,
) -> list[Path]:
    month = options.month
    mr = _shaped(month_list.ranking, _layout_for(month_list.ranking, options.layout))
    files = dump_files(mr, layout=_layout_for(mr, options.layout))
    checks: dict[str, Any] = dict(month_list.report.to_json())
    if year_list is not None:
        yr = _shaped(year_list.ranking, _layout_for(year_list.ranking, options.layout))
        files.update(dump_files(yr, YEAR_BASENAME, _layout_for(yr, options.layout)))
        checks[YEAR_KEY] = year_list.report.to_json()
    files[CHECKS_FILE] = json_bytes(checks)

    def finish(staged: Path) -> list[str]:
        names: list[str] = []
        month_r = mr
        if options.full_list:
            written, totals = _write_full_list(engine, options, mr, staged)
            names += written
            month_r = mr.replace(totals=totals)
        elif mr.totals.downloads is None:
            month_r = mr.replace(totals=_totals(engine, options.period, options.installers, mr))
        prov = provenance_json(month_r, options.limit)
        if year_list is not None:
            yr = year_list.ranking
            yr = yr.replace(totals=_totals(engine, options.year_period, options.installers, yr))
            prov[YEAR_KEY] = provenance_json(yr, options.limit)
        (staged / PROVENANCE_FILE).write_bytes(json_bytes(prov))
        return [*names, PROVENANCE_FILE]

    return w.write_month(
        month, files, extra=finish, keep=(RELEASE_FILE,), correction=options.correction
    )


def _totals(engine: Engine, period: Period, installers: InstallerFilter, r: Ranking) -> Totals:
    """Total downloads of the period where a query costs nothing (one number)."""
    if not engine.capabilities.free:
        return r.totals
    res = engine.run(Query(period, (), installers=installers, limit=None))
    total = res.rows[0][res.column_index("download_count")] if res.rows else 0
    return Totals(projects=r.totals.projects, downloads=int(total or 0))


def _write_full_list(
    engine: Engine, options: UpdateOptions, r: Ranking, directory: Path
) -> tuple[list[str], Totals]:
    """Every project with downloads, streamed into the staged month; its head must be ``r``."""
    head = list(r.rows())
    query = top_query(TopOptions(options.period, None, options.installers))

    def checked(batches: Iterator[list[tuple[int, str]]]) -> Iterator[list[tuple[int, str]]]:
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

    names = archive_names()
    meta = ListMeta(r.source, options.period, r.last_update)
    paths = [(fmt, directory / name) for fmt, name in names.items()]
    written = write_files(checked(stream_ranking(engine, query)), paths, meta)
    return list(names.values()), Totals(projects=written.rows, downloads=written.downloads)


def _write_latest(w: Writer, month: str) -> list[Path]:
    """The newest month's dumps at the root (stable URLs), copied byte for byte."""
    from toppypi.formats import TEXT_FORMATS, dump_name

    folder = w.layout.month_dir(month)
    files: dict[str, bytes] = {}
    stale: list[str] = []
    for fmt in TEXT_FORMATS:
        data = (folder / dump_name(fmt, BASENAME)).read_bytes()
        files[dump_name(fmt, BASENAME)] = data
        files[dump_name(fmt, ALIAS_BASENAME)] = data
        year = folder / dump_name(fmt, YEAR_BASENAME)
        if year.is_file():
            files[dump_name(fmt, YEAR_BASENAME)] = year.read_bytes()
        else:  # an older month's 12-month list must not stand beside this month
            stale.append(dump_name(fmt, YEAR_BASENAME))
    if w.remove_files(stale):
        w.say(f"removed {YEAR_BASENAME}.* at the top: {month}, the newest, has no 12-month list")
    return w.write_files(files)


def require_month(period: Period) -> str:
    if period.month is None:
        raise UsageError(f"update publishes calendar months; {period} is not one (use --month)")
    return period.month


@dataclass(frozen=True)
class Plan:
    """What a run would do (``--dry-run``): nothing runs, nothing is written."""

    lines: list[str]
    estimate: Estimate | None  # the top-N query's price, where the engine prices queries


def plan(engine: Engine, options: UpdateOptions, ds: Dataset | None = None) -> Plan:
    """What ``update`` would do; refused for a released month of ``ds``, as the run would be."""
    if ds is not None and not options.correction:
        from toppypi.dataset.releases import refuse_released

        refuse_released(ds.root, [options.month], f"update of {options.month}")
    query = top_query(TopOptions(options.period, options.limit, options.installers))
    lines = [
        f"would update {options.month}: engine {engine.name}, top {options.limit:,}, "
        f"installers {options.installers}",
        "sql: " + " ".join(redact(engine.sql(query)).split()),
    ]
    files = [
        f"archive/{options.month}/: json, min.json, csv, parquet, checks.json, provenance.json"
    ]
    if options.full_list:
        files.append("the full list (top-pypi-packages-all.csv.gz, .parquet)")
    if options.year_list:
        files.append(
            f"the 12-month list {options.year_period.label()} (top-pypi-packages-365-days.*)"
        )
    lines.append("would write: " + "; ".join(files))
    return Plan(lines, engine.estimate(query))
