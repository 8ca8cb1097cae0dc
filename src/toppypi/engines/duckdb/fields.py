"""Field expressions over raw events, in DuckDB's spelling, for ingest and tests.

The meanings are the compiler's (:data:`toppypi.engines.compiler.RAW_EVENTS`),
shared with BigQuery: pyversion and impl-version are ``major.minor``, openssl
is the bare version, dates are ``YYYY-MM-DD`` strings (months ``YYYY-MM``,
years ``YYYY``), ci is a boolean, versions are strings, and a missing value
is NULL (never ``''``: an empty string is read as missing).
"""

from __future__ import annotations

from toppypi.engines.compiler import RAW_EVENTS, RawEvents
from toppypi.engines.duckdb.dialect import DUCKDB
from toppypi.model.query import Field

_RAW = RawEvents(DUCKDB, "")
RAW_FIELDS: dict[Field, str] = {fld: _RAW.field(fld) for fld in RAW_EVENTS}

# Columns every event file must have, with the DuckDB type family they need.
REQUIRED_COLUMNS: dict[str, str] = {
    "timestamp": "TIMESTAMP",
    "file": "STRUCT",
    "details": "STRUCT",
    "country_code": "VARCHAR",
}
