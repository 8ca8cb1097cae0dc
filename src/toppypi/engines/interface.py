"""The small interface every engine implements; the core sees only this.

An engine answers a :class:`Query` with a :class:`Result`. What it can answer is
declared in :class:`Capabilities`, checked before anything runs, so that a
refusal names the field and the engines that can answer instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from toppypi.errors import UnsupportedQuery
from toppypi.model.query import Field, Query
from toppypi.model.result import Result, Value

ALL_FIELDS: frozenset[Field] = frozenset(Field)


@dataclass(frozen=True)
class Capabilities:
    """What an engine can group by and filter on."""

    name: str
    dimensions: frozenset[Field] = ALL_FIELDS
    filters: frozenset[Field] = ALL_FIELDS
    can_estimate: bool = False
    free: bool = True

    def check(self, query: Query) -> None:
        """Refuse a query this engine cannot answer, before it is sent."""
        for fld in query.dimensions:
            if fld not in self.dimensions:
                raise UnsupportedQuery(self._refusal(fld, "group by"))
        filtered = query.fields_used() - set(query.dimensions)
        for fld in sorted(filtered):
            if fld not in self.filters:
                raise UnsupportedQuery(self._refusal(fld, "filter on"))

    def _refusal(self, fld: Field, verb: str) -> str:
        from toppypi.engines.registry import engines_supporting

        others = [n for n in engines_supporting(fld) if n != self.name]
        hint = f"; use --source {' or '.join(others)}" if others else ""
        return f"the {self.name} engine cannot {verb} field {fld.value!r}{hint}"


@dataclass(frozen=True)
class Estimate:
    """A priced dry run, where the engine bills by bytes."""

    bytes_processed: int
    estimated_cost: float


@runtime_checkable
class Engine(Protocol):
    """What the core calls; each engine lives in its own package."""

    name: str
    capabilities: Capabilities

    def run(self, query: Query) -> Result:
        """Answer the query; refuse via ``capabilities.check`` first."""
        ...

    def sql(self, query: Query) -> str:
        """The SQL ``run`` would send, for ``--test`` and ``-v``."""
        ...

    def stream(
        self, query: Query, *, batch_rows: int = 50_000
    ) -> Iterator[list[tuple[Value, ...]]]:
        """The rows ``run`` returns, in order, in batches; an incomplete reply raises."""
        ...

    def freshness(self) -> dt.date | None:
        """The newest UTC day the engine has complete data for."""
        ...

    def estimate(self, query: Query) -> Estimate | None:
        """Bytes and cost of the query, or None where the engine cannot price it."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class StreamingEngine(Protocol):
    """An engine that can hand over a large result in batches, in bounded memory."""

    def stream(
        self, query: Query, *, batch_rows: int = 50_000
    ) -> Iterator[list[tuple[Value, ...]]]:
        """The rows ``run`` returns, in order, in batches; an incomplete reply raises."""
        ...
