"""The ClickHouse engine: ClickPy's PyPI tables, public or self-hosted, over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from toppypi.engines.clickhouse.engine import ClickHouseEngine
from toppypi.engines.clickhouse.source import Endpoint, parse_source

__all__ = ["ClickHouseEngine", "Endpoint", "open_engine"]


def open_engine(spec: str, *, db: str | Path | None = None, **options: Any) -> ClickHouseEngine:
    """``clickhouse`` or ``clickhouse+http(s)://HOST:PORT/?user=U``; ``db`` is unused.

    Options: ``timeout`` (seconds) and ``attempts`` override the URL's.
    """
    return ClickHouseEngine(parse_source(spec, **options))
