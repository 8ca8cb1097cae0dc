"""Periods resolved to explicit whole UTC days before any engine sees them.

pypinfo's window depends on the time of day a query runs; ours is aligned to
whole days so that the same command always asks for the same data.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from toppypi.errors import PeriodError

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class PeriodKind(StrEnum):
    MONTH = "month"
    DAYS = "days"
    RANGE = "range"
    YEAR = "last-12-months"


def shift(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``; a day outside the calendar is a PeriodError, not a crash."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        raise PeriodError(f"{days:+,} days from {day} is outside the calendar") from None


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def utc_now() -> dt.datetime:
    """Now as the dumps write it: naive UTC, whole seconds."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive range of UTC days ``[start, end]``."""

    start: dt.date
    end: dt.date
    kind: PeriodKind = PeriodKind.RANGE

    def __post_init__(self) -> None:
        if self.end >= dt.date.max:  # engines bound the period by the day after its end
            raise PeriodError(f"the period must end before {dt.date.max}")
        if self.end < self.start:
            raise PeriodError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_whole_months(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.end)

    @property
    def month(self) -> str | None:
        """``YYYY-MM`` when the period is exactly one calendar month."""
        if self.is_whole_months and (self.start.year, self.start.month) == (
            self.end.year,
            self.end.month,
        ):
            return f"{self.start:%Y-%m}"
        return None

    def months(self) -> list[dt.date]:
        """First days of the months the period touches."""
        out = []
        cur = self.start.replace(day=1)
        while cur <= self.end:
            out.append(cur)
            cur = add_months(cur, 1)
        return out

    def label(self) -> str:
        return self.month or f"{self.start.isoformat()}..{self.end.isoformat()}"

    def __str__(self) -> str:
        return self.label()

    # constructors -------------------------------------------------------

    @classmethod
    def for_month(cls, year: int, month: int) -> Period:
        if not 1 <= month <= 12:
            raise PeriodError(f"month {month} is not between 01 and 12")
        first = dt.date(year, month, 1)
        return cls(first, month_end(first), PeriodKind.MONTH)

    @classmethod
    def last_complete_month(cls, today: dt.date | None = None) -> Period:
        today = today or utc_today()
        prev = add_months(today.replace(day=1), -1)
        return cls.for_month(prev.year, prev.month)

    @classmethod
    def last_days(cls, n: int, today: dt.date | None = None) -> Period:
        """``n`` whole days ending yesterday."""
        if n < 1:
            raise PeriodError(f"--days must be at least 1, not {n}")
        today = today or utc_today()
        end = today - dt.timedelta(days=1)
        return cls(shift(end, -(n - 1)), end, PeriodKind.DAYS)

    @classmethod
    def last_12_months(cls, today: dt.date | None = None) -> Period:
        last = cls.last_complete_month(today)
        start = add_months(last.start, -11)
        return cls(start, last.end, PeriodKind.YEAR)


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(first: dt.date, n: int) -> dt.date:
    idx = first.year * 12 + (first.month - 1) + n
    return dt.date(idx // 12, idx % 12 + 1, 1)


def parse_month(text: str) -> Period:
    """Parse ``YYYY-MM`` into that calendar month."""
    m = _MONTH_RE.match(text.strip())
    if not m:
        raise PeriodError(f"month {text!r} is not of the form YYYY-MM")
    return Period.for_month(int(m.group(1)), int(m.group(2)))


def parse_day(text: str, *, is_end: bool = False, today: dt.date | None = None) -> dt.date:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` (its first or, for an end, last day) or ``-N``.

    A negative integer is an offset in days from today, as in pypinfo.
    """
    s = text.strip()
    if re.fullmatch(r"-\d+", s):
        return shift(today or utc_today(), int(s))
    m = _DATE_RE.match(s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            raise PeriodError(f"date {text!r} is not a valid day: {exc}") from None
    if _MONTH_RE.match(s):
        p = parse_month(s)
        return p.end if is_end else p.start
    raise PeriodError(f"date {text!r} is not of the form YYYY-MM-DD, YYYY-MM or -N (days ago)")


def resolve_period(
    *,
    month: str | None = None,
    days: int | None = None,
    start: str | None = None,
    end: str | None = None,
    last_12_months: bool = False,
    today: dt.date | None = None,
) -> Period:
    """Turn the CLI's period options into one :class:`Period`.

    With nothing given, the last complete calendar month, as the anchor does.
    """
    given = [
        name
        for name, value in (
            ("--month", month),
            ("--days", days),
            ("--start/--end", start or end),
            ("--last-12-months", last_12_months or None),
        )
        if value is not None
    ]
    if len(given) > 1:
        raise PeriodError(f"choose one of {', '.join(given)}")
    if month is not None:
        return parse_month(month)
    if days is not None:
        return Period.last_days(days, today)
    if last_12_months:
        return Period.last_12_months(today)
    if start is not None or end is not None:
        today = today or utc_today()
        s = parse_day(start, today=today) if start else None
        e = parse_day(end, is_end=True, today=today) if end else today - dt.timedelta(days=1)
        if s is None:
            raise PeriodError("--end needs --start")
        period = Period(s, e, PeriodKind.RANGE)
        if period.month:
            return Period(s, e, PeriodKind.MONTH)
        return period
    return Period.last_complete_month(today)
