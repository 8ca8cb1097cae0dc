"""The embedded DuckDB engine and its local store.

Names are imported on first use, so that reading this package's capabilities
(the engine catalog does) does not import the engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DuckDBEngine", "open_engine"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from toppypi.engines.duckdb import engine

        return getattr(engine, name)
    raise AttributeError(name)
