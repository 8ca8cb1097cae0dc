"""Completeness: the data covers the whole period it claims."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from toppypi.checks import Finding, Severity
from toppypi.model.period import Period
from toppypi.model.ranking import Ranking

NAME = "completeness"


def check_freshness(fresh: dt.date | None, period: Period) -> list[Finding]:
    """The engine has data up to the last day of the period (upstream stalls happen)."""
    if fresh is None or fresh < period.end:
        return [
            Finding(
                NAME,
                Severity.FAIL,
                f"the engine has data up to {fresh or 'nothing'}, the period ends {period.end}",
            )
        ]
    return [Finding(NAME, Severity.OK, f"data up to {fresh}")]


def check_days(days: Iterable[dt.date], period: Period, fresh: dt.date) -> list[Finding]:
    """Every day of the period has downloads: a fresh engine can still have lost days
    (an ingest that missed a month's last files while later months went in)."""
    have = set(days)
    missing: list[dt.date] = []
    day = period.start
    while day <= period.end:
        if day not in have:
            missing.append(day)
        day += dt.timedelta(days=1)
    if not missing:
        return [Finding(NAME, Severity.OK, f"data up to {fresh}")]
    return [
        Finding(
            NAME,
            Severity.FAIL,
            f"no downloads on {len(missing)} day(s) of the period: {_ranges(missing)}",
        )
    ]


def _ranges(days: list[dt.date], most: int = 5) -> str:
    """2026-02-26..2026-02-28, 2026-03-04: consecutive days joined, the first few runs."""
    runs: list[tuple[dt.date, dt.date]] = []
    for d in days:
        if runs and d - runs[-1][1] == dt.timedelta(days=1):
            runs[-1] = (runs[-1][0], d)
        else:
            runs.append((d, d))
    text = [str(a) if a == b else f"{a}..{b}" for a, b in runs[:most]]
    if len(runs) > most:
        text.append(f"and {len(runs) - most} more")
    return ", ".join(text)


def check_coverage(r: Ranking, expected_rows: int | None = None) -> list[Finding]:
    """For a dump file: made after its period ended, and not cut short of N rows."""
    out: list[Finding] = []
    p = r.period
    if p is not None and r.last_update.date() <= p.end:
        out.append(
            Finding(
                NAME,
                Severity.FAIL,
                f"made {r.last_update:%Y-%m-%d}, before its period ended ({p.end})",
            )
        )
    n = len(r)
    more = r.projects_with_downloads
    if expected_rows and n < expected_rows and (more is None or more > n):
        out.append(Finding(NAME, Severity.FAIL, f"{n:,} rows, expected {expected_rows:,}"))
    if not out:
        out.append(Finding(NAME, Severity.OK, "the period is covered"))
    return out
