"""Reproducible runs: ``SOURCE_DATE_EPOCH`` fixes what varies between identical runs.

The reproducible-builds convention: when the variable is set, the clock reads
that time, and an engine's measured query time is written as 0, so the same
data gives the same bytes, the same commit and the same tag id. Without it, a
run records the real time and the real query duration, as the anchor does.
"""

from __future__ import annotations

import datetime as dt
import os

from toppypi.engines.interface import Engine, EngineWrapper
from toppypi.errors import UsageError
from toppypi.model.query import Query
from toppypi.model.result import Result

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


class UntimedEngine(EngineWrapper):
    """Wraps an engine so its results carry no measured duration; all else passes through."""

    def run(self, query: Query) -> Result:
        result = self.inner.run(query)
        prov = result.provenance
        prov.elapsed = 0.0
        stats = prov.extra.get("statistics")
        if isinstance(stats, dict) and "elapsed" in stats:
            prov.extra["statistics"] = {**stats, "elapsed": 0}
        return result


def reproducible(engine: Engine) -> Engine:
    """``engine`` itself, or untimed when $SOURCE_DATE_EPOCH asks for reproducible output."""
    return UntimedEngine(engine) if fixed_epoch() is not None else engine
