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
from typing import Literal

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
        if not dt.MINYEAR <= year <= dt.MAXYEAR:
            raise PeriodError(f"year {year:04d} is outside the calendar (0001..9999)")
        first = dt.date(year, month, 1)
        return cls(first, month_end(first), PeriodKind.MONTH)

    @classmethod
    def last_complete_month(cls, today: dt.date | None = None) -> Period:
        today = today or utc_today()
        prev = add_months(today.replace(day=1), -1)
        return cls.for_month(prev.year, prev.month)

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


DayRole = Literal["day", "start", "end"]


def parse_day(text: str, *, role: DayRole = "day", today: dt.date | None = None) -> dt.date:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` (its first day; its last for an end) or ``-N``.

    ``-N`` counts whole days back from ``today``, as pypinfo's ``-sd``/``-ed`` do:
    as an end it is the day N days ago; as a start it opens a window of the
    last N days, so it is the day N - 1 days ago. Thus ``-sd -31 -ed -1`` is
    the 30 days pypinfo's default covers, and ``-sd -10 -ed -3`` is 7 days.
    """
    s = text.strip()
    if re.fullmatch(r"-\d+", s):
        back = int(s)
        return shift(today or utc_today(), back + 1 if role == "start" and back < 0 else back)
    m = _DATE_RE.match(s)
    if m:
        try:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as exc:
            raise PeriodError(f"date {text!r} is not a valid day: {exc}") from None
    if _MONTH_RE.match(s):
        p = parse_month(s)
        return p.end if role == "end" else p.start
    raise PeriodError(f"date {text!r} is not of the form YYYY-MM-DD, YYYY-MM or -N (days ago)")


@dataclass(frozen=True)
class OptionNames:
    """How a command spells its period options, for messages."""

    month: str = "--month"
    days: str = "--days"
    start: str = "--start"
    end: str = "--end"
    last_12_months: str = "--last-12-months"


TOP_OPTIONS = OptionNames()
PYPINFO_OPTIONS = OptionNames(start="--start-date", end="--end-date")


def resolve_period(
    *,
    month: str | None = None,
    days: int | None = None,
    start: str | dt.date | None = None,
    end: str | dt.date | None = None,
    last_12_months: bool = False,
    today: dt.date | None = None,
    default_days: int | None = None,
    names: OptionNames = TOP_OPTIONS,
) -> Period:
    """Every command's period options as one :class:`Period` of whole UTC days.

    ``--month`` is a calendar month; ``--last-12-months`` the 12 complete months
    ending with the last complete one; ``--days N`` the N days ending at
    ``--end`` (default yesterday); ``--start``/``--end`` are days (see
    :func:`parse_day`). With nothing given: the last ``default_days`` days
    ending yesterday (``query``, as pypinfo), else the last complete calendar
    month (``top``/``update``, as the anchor).
    """
    today = today or utc_today()
    given = {
        names.month: month is not None,
        names.last_12_months: last_12_months,
        names.days: days is not None,
        names.start: start is not None,
        names.end: end is not None,
    }
    for alone in (names.month, names.last_12_months):
        others = [n for n, on in given.items() if on and n != alone]
        if given[alone] and others:
            raise PeriodError(f"{alone} cannot be combined with {' or '.join(others)}")
    if days is not None and start is not None:
        raise PeriodError(f"{names.days} cannot be combined with {names.start}; choose one")
    if month is not None:
        return parse_month(month)
    if last_12_months:
        return Period.last_12_months(today)
    if days is not None and days < 1:
        raise PeriodError(f"{names.days} must be at least 1, not {days}")
    if start is None and end is None and days is None and default_days is None:
        return Period.last_complete_month(today)
    last = _day(end, "end", today) if end is not None else shift(today, -1)
    if start is not None:
        first, kind = _day(start, "start", today), PeriodKind.RANGE
    elif days is not None or default_days is not None:
        first, kind = shift(last, -((days or default_days or 1) - 1)), PeriodKind.DAYS
    else:
        raise PeriodError(f"{names.end} needs {names.start} or {names.days}")
    period = Period(first, last, kind)
    return Period(first, last, PeriodKind.MONTH) if period.month else period


def _day(value: str | dt.date, role: DayRole, today: dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else parse_day(value, role=role, today=today)
