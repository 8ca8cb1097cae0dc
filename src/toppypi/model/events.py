"""BigQuery's ``bigquery-public-data.pypi.file_downloads`` event schema, declared once.

The sample generator, the access-log parser and the DuckDB store all speak
this schema; it lives here so that each of them imports it downward. The
declaration is plain data; the Arrow and DuckDB spellings are derived from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa

# A leaf type is "string", "bool" or "timestamp"; a struct is a tuple of fields.
FieldType = str | tuple["EventField", ...]
EventField = tuple[str, FieldType]

_S = "string"

DETAILS: tuple[EventField, ...] = (
    ("installer", (("name", _S), ("version", _S))),
    ("python", _S),
    ("implementation", (("name", _S), ("version", _S))),
    (
        "distro",
        (
            ("name", _S),
            ("version", _S),
            ("id", _S),
            ("libc", (("lib", _S), ("version", _S))),
        ),
    ),
    ("system", (("name", _S), ("release", _S))),
    ("cpu", _S),
    ("openssl_version", _S),
    ("setuptools_version", _S),
    ("rustc_version", _S),
    ("ci", "bool"),
)

FILE: tuple[EventField, ...] = (
    ("filename", _S),
    ("project", _S),
    ("version", _S),
    ("type", _S),
)

EVENT_FIELDS: tuple[EventField, ...] = (
    ("timestamp", "timestamp"),
    ("country_code", _S),
    ("url", _S),
    ("project", _S),
    ("file", FILE),
    ("details", DETAILS),
    ("tls_protocol", _S),
    ("tls_cipher", _S),
)

# BigQuery's ``file.type`` values (linehaul's PackageType).
PACKAGE_TYPES = (
    "bdist_dmg",
    "bdist_dumb",
    "bdist_egg",
    "bdist_msi",
    "bdist_rpm",
    "bdist_wheel",
    "bdist_wininst",
    "sdist",
)


def _arrow_type(t: FieldType) -> pa.DataType:
    import pyarrow as pa

    if isinstance(t, tuple):
        return pa.struct([(name, _arrow_type(sub)) for name, sub in t])
    return {"string": pa.string(), "bool": pa.bool_(), "timestamp": pa.timestamp("us", tz="UTC")}[t]


def arrow_type(fields: tuple[EventField, ...]) -> pa.DataType:
    """The Arrow struct type of a group of fields (``DETAILS``, ``FILE``)."""
    return _arrow_type(fields)


def event_schema() -> pa.Schema:
    """The event schema as Arrow: what sample files and the store's raw events hold."""
    import pyarrow as pa

    return pa.schema([(name, _arrow_type(t)) for name, t in EVENT_FIELDS])


def _duckdb_type(t: FieldType) -> str:
    if isinstance(t, tuple):
        inner = ", ".join(f'"{name}" {_duckdb_type(sub)}' for name, sub in t)
        return f"STRUCT({inner})"
    return {"string": "VARCHAR", "bool": "BOOLEAN", "timestamp": "TIMESTAMPTZ"}[t]


def duckdb_columns() -> dict[str, str]:
    """Column name to DuckDB type, for ``read_json(columns=...)``."""
    return {name: _duckdb_type(t) for name, t in EVENT_FIELDS}
