"""The embedded engine answers every field: it keeps the raw events."""

from toppypi.engines.interface import Capabilities

CAPABILITIES = Capabilities(name="duckdb", can_estimate=False, free=True)
