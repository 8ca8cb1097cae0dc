"""Completeness: the data covers the whole period it claims."""

from __future__ import annotations

import datetime as dt

from toppypi.checks import Finding, Severity
from toppypi.period import Period
from toppypi.snapshot import Snapshot

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


def check_coverage(snapshot: Snapshot, expected_rows: int | None = None) -> list[Finding]:
    """For a dump file: made after its period ended, and not cut short of N rows."""
    out: list[Finding] = []
    p = snapshot.period
    if p is not None and snapshot.last_update.date() <= p.end:
        out.append(
            Finding(
                NAME,
                Severity.FAIL,
                f"made {snapshot.last_update:%Y-%m-%d}, before its period ended ({p.end})",
            )
        )
    n = len(snapshot.rows)
    more = snapshot.rows_before_limit_at_least
    if expected_rows and n < expected_rows and (more is None or more > n):
        out.append(Finding(NAME, Severity.FAIL, f"{n:,} rows, expected {expected_rows:,}"))
    if not out:
        out.append(Finding(NAME, Severity.OK, "the period is covered"))
    return out
