"""BigQuery Standard SQL for any :class:`Query` over ``file_downloads``.

Field meanings are pypinfo's and match the DuckDB engine's ``RAW_FIELDS``
exactly (a missing value is NULL, ties ordered the same way), so the two
engines return the same rows. Bytes are money: only the columns a query
needs are named, and the period is two whole-day ``TIMESTAMP`` literals so
that BigQuery prunes the day partitions. User values travel separately as
query parameters (``@p0``, ``@p1``...), never inside the SQL text.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from toppypi.model.query import Field, InstallerMode, Op, Query
from toppypi.model.result import Column

TABLE = "bigquery-public-data.pypi.file_downloads"


def _major_minor(col: str) -> str:
    return f"NULLIF(REGEXP_EXTRACT({col}, r'^([^.]+\\.[^.]+)'), '')"


def _text(col: str) -> str:
    """Empty strings read as missing (NULL), as every engine does."""
    return f"NULLIF({col}, '')"


# Column types are named as the other engines name them, so dumps agree.
# pypinfo's field meanings over BigQuery's nested schema (see duckdb/fields.py).
FIELDS: dict[Field, str] = {
    Field.PROJECT: "file.project",
    Field.VERSION: _text("file.version"),
    Field.FILE: _text("file.filename"),
    Field.PYVERSION: _major_minor("details.python"),
    Field.IMPL: _text("details.implementation.name"),
    Field.IMPL_VERSION: _major_minor("details.implementation.version"),
    Field.OPENSSL: "NULLIF(REGEXP_EXTRACT(details.openssl_version, r'^OpenSSL ([^ ]+) '), '')",
    Field.DATE: "FORMAT_TIMESTAMP('%Y-%m-%d', timestamp)",
    Field.MONTH: "FORMAT_TIMESTAMP('%Y-%m', timestamp)",
    Field.YEAR: "FORMAT_TIMESTAMP('%Y', timestamp)",
    Field.COUNTRY: _text("country_code"),
    Field.INSTALLER: _text("details.installer.name"),
    Field.INSTALLER_VERSION: _text("details.installer.version"),
    Field.SETUPTOOLS_VERSION: _text("details.setuptools_version"),
    Field.SYSTEM: _text("details.system.name"),
    Field.SYSTEM_RELEASE: _text("details.system.release"),
    Field.DISTRO: _text("details.distro.name"),
    Field.DISTRO_VERSION: _text("details.distro.version"),
    Field.CI: "details.ci",
    Field.CPU: _text("details.cpu"),
    Field.LIBC: _text("details.distro.libc.lib"),
    Field.LIBC_VERSION: _text("details.distro.libc.version"),
}
PY_MAJOR = "NULLIF(REGEXP_EXTRACT(details.python, r'^([^.]+)'), '')"

STRING = "STRING"
STRING_ARRAY = "ARRAY<STRING>"


@dataclass(frozen=True)
class Param:
    """One named query parameter: ``STRING`` or ``ARRAY<STRING>``."""

    name: str
    type: str
    value: str | tuple[str, ...]


@dataclass
class Statement:
    """SQL text and its parameters, kept apart until the client sends them."""

    sql: str
    params: list[Param] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    pending: dict[str, str] = field(default_factory=dict)  # param -> what fills it at run time

    def bind(self, type_: str, value: str | tuple[str, ...]) -> str:
        name = f"p{len(self.params)}"
        self.params.append(Param(name, type_, value))
        return f"@{name}"

    def display(self) -> str:
        """The SQL followed by its parameters as comments, for ``--test``."""
        lines = [self.sql]
        for p in self.params:
            shown = self.pending.get(p.name) or json.dumps(
                list(p.value) if isinstance(p.value, tuple) else p.value
            )
            lines.append(f"-- @{p.name} {p.type} = {shown}")
        return "\n".join(lines)


def timestamp_literal(day: dt.date) -> str:
    """A whole-day UTC ``TIMESTAMP`` literal; dates are validated, never user text."""
    return f"TIMESTAMP '{day.isoformat()} 00:00:00+00'"


def period_clause(query: Query) -> str:
    p = query.period
    return (
        f"timestamp >= {timestamp_literal(p.start)} "
        f"AND timestamp < {timestamp_literal(p.end + dt.timedelta(days=1))}"
    )


def _table(table: str) -> str:
    if "`" in table:
        raise ValueError(f"bad table name {table!r}")
    return f"`{table}`"


def _percent(major: str) -> str:
    # SUM(CASE ...) rather than COUNTIF: the same form as the DuckDB engine, 0 (not NULL)
    # when every value is missing, whichever engine evaluates it.
    return f"ROUND(100 * SUM(CASE WHEN {PY_MAJOR} = '{major}' THEN 1 ELSE 0 END) / COUNT(*), 1)"


def needs_version_list(query: Query) -> bool:
    """Every specifier, even ``==X`` (PEP 440: ``==1.0`` admits ``1.0.0``), is matched
    in Python over the listed versions."""
    return query.specifier is not None


def versions_statement(query: Query, table: str = TABLE) -> Statement:
    """The cheap query listing the versions seen in the period (project-filtered)."""
    st = Statement("")
    clauses = [period_clause(query)]
    if query.project is not None:
        clauses.append(f"{FIELDS[Field.PROJECT]} = {st.bind(STRING, query.project)}")
    st.sql = (
        f"SELECT DISTINCT {FIELDS[Field.VERSION]} AS version\n"
        f"FROM {_table(table)}\nWHERE {' AND '.join(clauses)}"
    )
    st.columns = [Column("version", "String")]
    return st


def build(query: Query, versions: list[str] | None = None, table: str = TABLE) -> Statement:
    """The SELECT for ``query``; ``versions`` are the matches of the specifier."""
    st = Statement("")
    select: list[str] = []
    for fld in query.dimensions:
        if not fld.is_percent:
            select.append(f"{FIELDS[fld]} AS {fld.column}")
            st.columns.append(Column(fld.column, "String"))
    select.append("COUNT(*) AS download_count")
    st.columns.append(Column("download_count", "Int64"))
    for fld in query.dimensions:
        if fld.is_percent:
            select.append(f"{_percent('3' if fld is Field.PERCENT3 else '2')} AS {fld.column}")
            st.columns.append(Column(fld.column, "Float64"))

    clauses = [period_clause(query)]
    if query.project is not None:
        clauses.append(f"{FIELDS[Field.PROJECT]} = {st.bind(STRING, query.project)}")
    spec = query.specifier
    if spec is not None:
        ref = st.bind(STRING_ARRAY, tuple(versions or ()))
        if versions is None:
            st.pending[ref[1:]] = f"the versions matching {query.version!r}, listed at run time"
        clauses.append(f"{FIELDS[Field.VERSION]} IN UNNEST({ref})")
    inst = query.installers
    col = FIELDS[Field.INSTALLER]
    if inst.mode is InstallerMode.ONLY:
        clauses.append(f"{col} IN UNNEST({st.bind(STRING_ARRAY, inst.names)})")
    elif inst.mode is InstallerMode.NO_MIRRORS:
        ref = st.bind(STRING_ARRAY, inst.names)
        clauses.append(f"({col} IS NULL OR {col} NOT IN UNNEST({ref}))")
    for cond in query.where:
        expr = f"CAST({FIELDS[cond.field]} AS STRING)"
        if cond.op is Op.IN:
            clauses.append(f"{expr} IN UNNEST({st.bind(STRING_ARRAY, cond.values)})")
        else:
            clauses.append(f"{expr} {cond.op.value} {st.bind(STRING, cond.values[0])}")

    group = query.group_fields
    if group == (Field.PROJECT,):
        select.append("COUNT(*) OVER () AS _rows_before_limit")
        st.columns.append(Column("_rows_before_limit", "UInt64"))
    first = f"{query.order.column} DESC" if query.order is not None else "download_count DESC"
    ties = [f"{f.column} ASC NULLS LAST" for f in group if f is not query.order]
    order = [first, *([] if query.order is None else ["download_count DESC"]), *ties]
    sql = f"SELECT {', '.join(select)}\nFROM {_table(table)}\nWHERE {' AND '.join(clauses)}"
    if group:
        sql += f"\nGROUP BY {', '.join(str(i + 1) for i in range(len(group)))}"
    else:
        sql += "\nHAVING COUNT(*) > 0"  # no rows is no row, as on every engine
    sql += f"\nORDER BY {', '.join(order)}"
    if query.limit:
        sql += f"\nLIMIT {int(query.limit)}"
    st.sql = sql
    return st
