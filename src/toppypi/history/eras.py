"""The published methodology by date, for dumps imported without ``snapshots.csv``.

The anchor's timeline (see the shared data README): pypinfo on BigQuery until
2025-06-13, counting pip only until 2024-11-26 and all installers after, with
windows cut to 29..22 days to stay within quota; ClickHouse from 2025-07-05,
always the previous calendar month.
"""

from __future__ import annotations

import datetime as dt

from toppypi.model.period import add_months, month_end

CLICKHOUSE_FROM = dt.date(2025, 7, 5)
ALL_INSTALLERS_FROM = dt.date(2024, 11, 26)
PIP_ONLY = "pypinfo-default"

# Snapshot dates whose pypinfo query used fewer than 30 days.
_SHORT_WINDOWS = {
    dt.date(2024, 12, 1): 29,
    dt.date(2025, 2, 1): 29,
    dt.date(2025, 3, 1): 28,
    dt.date(2025, 4, 1): 27,
    dt.date(2025, 5, 1): 24,
    dt.date(2025, 6, 13): 22,
}


def previous_month(day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before ``day``: what a ClickHouse-era run covers."""
    first = add_months(day.replace(day=1), -1)
    return first, month_end(first)


def calendar_window(day: dt.date, window: int) -> tuple[dt.date, dt.date]:
    """The month before ``day``, or for a 365-day list the 12 months ending with it."""
    first, end = previous_month(day)
    return (add_months(first, -11) if window == 365 else first), end


def pypinfo_period(day: dt.date, days: int) -> tuple[dt.date, dt.date]:
    """pypinfo's approximate coverage: ``days`` whole days up to the day before the run."""
    return day - dt.timedelta(days=days + 1), day - dt.timedelta(days=1)


def pypinfo_days(day: dt.date, window: int) -> int:
    return window if window != 30 else _SHORT_WINDOWS.get(day, 30)


def pypinfo_installers(day: dt.date) -> str:
    return "all" if day >= ALL_INSTALLERS_FROM else PIP_ONLY


PYPINFO_SOURCE = "BigQuery/pypinfo"


def is_clickhouse_era(source: str, day: dt.date) -> bool:
    """Calendar months, as the anchor's ClickHouse runs and every toppypi engine
    (DuckDB, ClickHouse, BigQuery: the source its ClickHouse-layout dumps name) count."""
    if source:
        return source != PYPINFO_SOURCE
    return day >= CLICKHOUSE_FROM
