"""The small interface every engine implements; the core sees only this.

An engine answers a :class:`Query` with a :class:`Result`. What it can answer
is declared in its :class:`Capabilities` and checked before anything runs, so
a refusal names the field and the engines that can answer instead. Callers
never probe an engine's concrete class: everything they may ask is here,
with a default where an engine has nothing special to say.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from toppypi.engines.capabilities import Capabilities
from toppypi.engines.catalog import check
from toppypi.model.query import Query
from toppypi.model.result import Result, Value

__all__ = ["Batch", "Capabilities", "Engine", "EngineWrapper", "Estimate"]

Batch = list[tuple[Value, ...]]
BATCH_ROWS = 50_000


@dataclass(frozen=True)
class Estimate:
    """A priced dry run, where the engine bills by bytes."""

    bytes_processed: int
    estimated_cost: float


class Engine(ABC):
    """What the core calls; each engine lives in its own package."""

    capabilities: Capabilities

    @property
    def name(self) -> str:
        """The ``--source`` name (``duckdb``, ``clickhouse``, ``bigquery``)."""
        return self.capabilities.name

    def check(self, query: Query) -> None:
        """Refuse a query this engine cannot answer, before anything is sent."""
        check(self.capabilities, query)

    @abstractmethod
    def run(self, query: Query) -> Result:
        """Answer the query (after :meth:`check`), with its provenance."""

    @abstractmethod
    def sql(self, query: Query) -> str:
        """The SQL ``run`` sends, for ``--test`` and ``-v``; nothing is sent."""

    def stream_sql(self, query: Query) -> str:
        """The SQL :meth:`stream` sends (``run``'s, unless the engine streams otherwise)."""
        return self.sql(query)

    def stream(self, query: Query, *, batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
        """``run``'s rows, in order, in batches; engines that can stream keep memory bounded.

        The default runs the query whole and slices the rows, so every engine
        (and every wrapper) has it.
        """
        rows = self.run(query).rows
        for i in range(0, len(rows), batch_rows):
            yield rows[i : i + batch_rows]

    def freshness(self) -> dt.date | None:
        """The newest UTC day the engine has complete data for (None: unknown or empty)."""
        return None

    def estimate(self, query: Query) -> Estimate | None:
        """Bytes and cost of the query, or None where the engine cannot price it."""
        return None

    def local_paths(self) -> tuple[Path, ...]:
        """Files and folders on this machine the engine reads (none for a remote one).

        An output must never replace one of them.
        """
        return ()

    def close(self) -> None:  # noqa: B027 - most engines hold nothing to release
        """Release connections; the engine may not be used afterwards."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class EngineWrapper(Engine):
    """An engine around another that forwards everything; subclasses override what they change.

    Streaming, pricing and local paths reach the inner engine, so a wrapper
    cannot hide them by accident.
    """

    def __init__(self, inner: Engine) -> None:
        self.inner = inner
        self.capabilities = inner.capabilities

    def run(self, query: Query) -> Result:
        return self.inner.run(query)

    def sql(self, query: Query) -> str:
        return self.inner.sql(query)

    def stream_sql(self, query: Query) -> str:
        return self.inner.stream_sql(query)

    def stream(self, query: Query, *, batch_rows: int = BATCH_ROWS) -> Iterator[Batch]:
        return self.inner.stream(query, batch_rows=batch_rows)

    def freshness(self) -> dt.date | None:
        return self.inner.freshness()

    def estimate(self, query: Query) -> Estimate | None:
        return self.inner.estimate(query)

    def local_paths(self) -> tuple[Path, ...]:
        return self.inner.local_paths()

    def close(self) -> None:
        self.inner.close()
