"""The ClickHouse engine: ClickPy's PyPI tables, public or self-hosted, over HTTP.

Names are imported on first use, so that reading this package's capabilities
(the engine catalog does) does not import the engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ClickHouseEngine", "Endpoint", "open_engine"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from toppypi.engines.clickhouse import engine

        return getattr(engine, name)
    raise AttributeError(name)
