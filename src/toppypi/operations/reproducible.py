"""Reproducible runs: ``SOURCE_DATE_EPOCH`` fixes what varies between identical runs.

The reproducible-builds convention: when the variable is set, the clock reads
that time, and the measured query time is written as 0 (``update`` does it to
the ranking, so no engine is wrapped and none loses a method), so the same
data gives the same bytes, the same commit and the same tag id. Without it, a
run records the real time and the real query duration, as the anchor does.
"""

from __future__ import annotations

import datetime as dt
import os

from toppypi.errors import UsageError

EPOCH_ENV = "SOURCE_DATE_EPOCH"


def fixed_epoch() -> dt.datetime | None:
    epoch = os.environ.get(EPOCH_ENV)
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).replace(tzinfo=None)
    except (ValueError, OverflowError, OSError):
        raise UsageError(f"{EPOCH_ENV}={epoch!r} is not a Unix time") from None


def clock() -> dt.datetime:
    """Now in naive UTC, or $SOURCE_DATE_EPOCH when set."""
    return fixed_epoch() or dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
