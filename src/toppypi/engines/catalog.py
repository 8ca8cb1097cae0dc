"""Every engine's capabilities, and the one check that refuses what an engine cannot answer.

A refusal names the field and the engines that can answer instead, from
static data alone: no engine is opened, nothing is sent.
"""

from __future__ import annotations

from toppypi.engines.bigquery.capabilities import CAPABILITIES as BIGQUERY
from toppypi.engines.capabilities import Capabilities
from toppypi.engines.clickhouse.capabilities import CAPABILITIES as CLICKHOUSE
from toppypi.engines.duckdb.capabilities import CAPABILITIES as DUCKDB
from toppypi.errors import UnsupportedQuery
from toppypi.model.query import Query

CATALOG: dict[str, Capabilities] = {c.name: c for c in (DUCKDB, CLICKHOUSE, BIGQUERY)}


def answering(query: Query) -> list[str]:
    """The engines that can answer ``query``, in the catalog's order."""
    return [name for name, caps in CATALOG.items() if caps.unsupported(query) is None]


def check(caps: Capabilities, query: Query) -> None:
    """Raise :class:`UnsupportedQuery` unless ``caps`` can answer ``query``."""
    why = caps.unsupported(query)
    if why is None:
        return
    others = [name for name in answering(query) if name != caps.name]
    hint = f"; use --source {' or '.join(others)}" if others else ""
    raise UnsupportedQuery(f"the {caps.name} engine {why}{hint}")
