"""The embedded engine answers every field: it keeps the raw events."""

from toppypi.engines.capabilities import Capabilities

CAPABILITIES = Capabilities(name="duckdb", display_name="DuckDB", streams=True)
