"""Request targets to distribution files, in bulk.

:func:`toppypi.logs.files.classify_target` is the definition. Nearly every
target an index serves is a plain wheel or sdist link or an index page, and a
busy log holds a hundred thousand distinct ones; DuckDB classifies those with
a few regular expressions over all of them at once, Python parses each
distinct version text once (``packaging``), and only the rest (escaped or
legacy names, query strings, full URLs) goes through ``classify_target`` one
by one. Tests hold the two to the same answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from toppypi.logs.files import LAYOUTS, _version, classify_target
from toppypi.model.events import PACKAGE_TYPES

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

COLUMNS = ("th", "target", "kind", "layout", "filename", "project", "version", "type")

# ASCII names only: packaging's rules are then plain character classes.
_WHEEL = r"([A-Za-z0-9_.]+)-([^-]+)-[^-]+-[^-]+-[^-]+(-[^-]+)?\.whl"
_SDIST = r"([A-Za-z0-9_.-]+)-([^-]+)\.(tar\.gz|zip)"
_LAYOUT_SQL = " ".join(
    f"WHEN regexp_matches(target, '{p.pattern.replace(chr(92) + 'Z', '$')}') THEN '{name}'"
    for name, p in LAYOUTS
)
assert "bdist_wheel" in PACKAGE_TYPES and "sdist" in PACKAGE_TYPES


def parse_sql(source: str) -> str:
    """The fast half: each ``(th, target)`` of ``source`` with the file name's
    ``form`` (``dir``, ``wheel``, ``sdist``; NULL: Python decides), the name as
    canonicalised and the version text as written."""
    return f"""
WITH f AS (
    SELECT th, target, regexp_extract(target, '[^/]*$') AS fname,
        NOT regexp_matches(target, '[?#%:]') AS plain
    FROM {source}
)
SELECT th, target, fname,
    CASE WHEN NOT plain THEN NULL WHEN fname = '' THEN 'dir'
        WHEN regexp_full_match(fname, '{_WHEEL}') AND NOT contains(fname, '__') THEN 'wheel'
        WHEN regexp_full_match(fname, '{_SDIST}') THEN 'sdist' END AS form,
    lower(regexp_replace(CASE WHEN regexp_full_match(fname, '{_WHEEL}')
        THEN regexp_extract(fname, '^{_WHEEL}$', 1)
        ELSE regexp_extract(fname, '^{_SDIST}$', 1) END, '[-_.]+', '-', 'g')) AS name,
    CASE WHEN regexp_full_match(fname, '{_WHEEL}') THEN regexp_extract(fname, '^{_WHEEL}$', 2)
        ELSE regexp_extract(fname, '^{_SDIST}$', 2) END AS vtext
FROM f
"""  # noqa: S608 - our own SQL over our own relation


def classify(
    con: duckdb.DuckDBPyConnection, source: str, into: str, prefixes: tuple[str, ...]
) -> None:
    """Classify the targets of ``source`` (``th, target``) into a new TEMP table
    ``into`` with :data:`COLUMNS`; ``kind`` is ``download``, ``layout`` (a file
    outside the known layouts) or ``not_file``."""
    import pyarrow as pa

    con.execute(f"CREATE OR REPLACE TEMP TABLE log_parsed AS {parse_sql(source)}").fetchall()
    texts = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT vtext FROM log_parsed WHERE form IN ('wheel', 'sdist')"
        ).fetchall()
    ]
    norms = pa.array([_norm(v) for v in texts], pa.string())
    versions = pa.table({"vtext": pa.array(texts, pa.string()), "norm": norms})
    prefix = " OR ".join("starts_with(target, ?)" for _ in prefixes) or "false"
    con.register("log_versions", versions)
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {into} AS "  # noqa: S608
            "WITH d AS (SELECT p.th, p.target, p.form, "
            "CASE WHEN p.form IN ('wheel', 'sdist') THEN p.fname END AS filename, "
            "CASE WHEN v.norm IS NOT NULL THEN p.name END AS project, v.norm AS version, "
            "CASE p.form WHEN 'wheel' THEN 'bdist_wheel' WHEN 'sdist' THEN 'sdist' END AS type "
            "FROM log_parsed p LEFT JOIN log_versions v USING (vtext) "
            "WHERE p.form IS NOT NULL) "
            "SELECT th, target, CASE WHEN version IS NULL THEN 'not_file' "
            f"WHEN {prefix} THEN 'download' "
            f"WHEN (CASE {_LAYOUT_SQL} END) IS NOT NULL THEN 'download' ELSE 'layout' END AS kind, "
            f"CASE WHEN version IS NULL THEN NULL WHEN {prefix} THEN 'prefix' "
            f"ELSE CASE {_LAYOUT_SQL} END END AS layout, "
            "CASE WHEN version IS NOT NULL THEN filename END AS filename, "
            "CASE WHEN version IS NOT NULL THEN project END AS project, version, "
            "CASE WHEN version IS NOT NULL THEN type END AS type FROM d",
            [*prefixes, *prefixes],
        ).fetchall()
    finally:
        con.unregister("log_versions")
    rest = con.execute("SELECT th, target FROM log_parsed WHERE form IS NULL").fetchall()
    if rest:
        _insert(con, into, [_python(th, target, prefixes) for th, target in rest])
    con.execute("DROP TABLE log_parsed")


def _norm(text: str) -> str | None:
    try:
        return _version(text)
    except Exception:  # packaging's InvalidVersion, or anything odd
        return None


def _python(th: int, target: str, prefixes: tuple[str, ...]) -> tuple[Any, ...]:
    t = classify_target(target, prefixes)
    f = t.file
    kind = "not_file" if f is None else ("layout" if t.layout is None else "download")
    fields = (f.filename, f.project, f.version, f.type) if f else (None,) * 4
    return (th, target, kind, t.layout if f else None, *fields)


def _insert(con: duckdb.DuckDBPyConnection, into: str, rows: list[tuple[Any, ...]]) -> None:
    import pyarrow as pa

    cols = list(zip(*rows, strict=True))
    table: pa.Table = pa.table(
        {
            k: pa.array(v, pa.uint64() if k == "th" else pa.string())
            for k, v in zip(COLUMNS, cols, strict=True)
        }
    )
    con.register("log_batch", table)
    try:
        con.execute(f"INSERT INTO {into} SELECT * FROM log_batch").fetchall()  # noqa: S608
    finally:
        con.unregister("log_batch")
