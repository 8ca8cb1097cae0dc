from __future__ import annotations

import datetime as dt

import pytest

from toppypi.errors import PeriodError
from toppypi.model.period import Period, PeriodKind, parse_day, resolve_period

TODAY = dt.date(2026, 11, 25)


def test_default_is_last_complete_month() -> None:
    p = resolve_period(today=TODAY)
    assert (p.start, p.end, p.kind, p.month) == (
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
        PeriodKind.MONTH,
        "2026-10",
    )


def test_january_rolls_back_a_year() -> None:
    assert resolve_period(today=dt.date(2026, 1, 3)).month == "2025-12"


def test_days_end_yesterday() -> None:
    p = resolve_period(days=30, today=TODAY)
    assert (p.start, p.end, p.days) == (dt.date(2025 + 1, 10, 26), dt.date(2026, 11, 24), 30)


def test_start_end_months_and_days() -> None:
    p = resolve_period(start="2026-02", end="2026-02", today=TODAY)
    assert (p.start, p.end, p.month) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), "2026-02")
    q = resolve_period(start="2026-03-05", end="2026-03-09", today=TODAY)
    assert (q.days, q.month, q.is_whole_months) == (5, None, False)
    assert parse_day("-3", today=TODAY) == dt.date(2026, 11, 22)
    assert parse_day("-3", role="end", today=TODAY) == dt.date(2026, 11, 22)
    assert parse_day("-3", role="start", today=TODAY) == dt.date(2026, 11, 23)


def test_last_12_months() -> None:
    p = resolve_period(last_12_months=True, today=TODAY)
    assert (p.start, p.end) == (dt.date(2025, 11, 1), dt.date(2026, 10, 31))
    assert len(p.months()) == 12


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"month": "2026-13"}, "not between 01 and 12"),
        ({"month": "March"}, "not of the form YYYY-MM"),
        ({"days": 0}, "at least 1"),
        ({"start": "2026-03-10", "end": "2026-03-01"}, "before it starts"),
        ({"start": "2026-02-30"}, "not a valid day"),
        ({"month": "2026-03", "days": 3}, "--month cannot be combined with --days"),
        ({"last_12_months": True, "start": "2026-01"}, "cannot be combined with --start"),
        ({"days": 3, "start": "2026-01"}, "--days cannot be combined with --start"),
        ({"end": "2026-03-01"}, "--end needs --start or --days"),
    ],
)
def test_bad_periods(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        resolve_period(today=TODAY, **kwargs)  # type: ignore[arg-type]


def test_period_is_whole_days() -> None:
    assert Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1)).days == 1


def test_relative_days_are_pypinfos() -> None:
    """``-sd -N`` opens the last N days (today is the Nth), ``-ed -N`` is N days ago."""
    today = dt.date(2026, 10, 1)

    def days(**kw: object) -> tuple[dt.date, dt.date, int]:
        p = resolve_period(today=today, default_days=30, **kw)  # type: ignore[arg-type]
        return p.start, p.end, p.days

    assert days(start="-10", end="-3") == (dt.date(2026, 9, 22), dt.date(2026, 9, 28), 7)
    assert days(start="-31", end="-1") == days() == (dt.date(2026, 9, 1), dt.date(2026, 9, 30), 30)
    assert days(start="-2", end="-1") == (dt.date(2026, 9, 30), dt.date(2026, 9, 30), 1)
    assert days(days=7, end="-3")[:2] == days(start="-10", end="-3")[:2]
    assert days(end="2026-04-30")[:2] == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


def test_the_two_defaults() -> None:
    """``query`` defaults to pypinfo's 30 days, ``top`` and ``update`` to the last month."""
    today = dt.date(2026, 10, 1)
    assert resolve_period(today=today, default_days=30).days == 30
    assert resolve_period(today=today).month == "2026-09"
    assert resolve_period(today=today, days=5).end == dt.date(2026, 9, 30)
