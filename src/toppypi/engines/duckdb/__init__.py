"""The embedded DuckDB engine and its local store."""

from toppypi.engines.duckdb.engine import DuckDBEngine, open_engine

__all__ = ["DuckDBEngine", "open_engine"]
