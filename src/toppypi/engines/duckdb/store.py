"""The local DuckDB store: roll-ups in a DuckDB file, raw events kept beside it.

Raw events are kept as Parquet in ``<db>.events/`` (named by content hash) so
that any pypinfo field can still be answered; the roll-ups answer the common
queries without touching them. An ingest is one transaction: a bad file
leaves the store exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toppypi.engines.duckdb.fields import REQUIRED_COLUMNS
from toppypi.engines.duckdb.rollups import ROLLUPS, Rollup, staged_select
from toppypi.errors import InputError, UsageError

if TYPE_CHECKING:
    import duckdb

DB_ENV = "TOPPYPI_DB"


def default_db_path() -> Path:
    """``$TOPPYPI_DB``, else ``store.duckdb`` in the user data directory."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_data_dir("toppypi")) / "store.duckdb"


def events_dir(db: Path) -> Path:
    return db.with_name(db.name + ".events")


def connect(db: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    import duckdb

    if read_only and not db.exists():
        raise UsageError(
            f"no local store at {db}; run `toppypi ingest FILE --db {db}` first "
            "(or `toppypi demo` for sample data)"
        )
    if not _is_store(db):
        raise UsageError(f"{db} is not a DuckDB store; give --db a .duckdb file (or a new path)")
    db.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(db), read_only=read_only)
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0]
        if "Could not set lock" in first:  # one writer, or any number of readers
            raise UsageError(
                f"the store {db} is in use by another process (an ingest, or a query while "
                "ingesting); try again when it has finished"
            ) from None
        raise UsageError(f"cannot open store {db}: {first}") from None
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        _create_schema(con)
    return con


def _is_store(db: Path) -> bool:
    """A new path, or a DuckDB file (magic ``DUCK`` at byte 8).

    DuckDB opens some other files (a ``.json`` dump) as an empty in-memory
    database, so an ingest into one would report success and keep nothing.
    """
    try:
        with db.open("rb") as fh:
            head = fh.read(12)
    except (FileNotFoundError, IsADirectoryError):
        return True
    except OSError:
        return True  # let DuckDB say why it cannot open it
    return head == b"" or head[8:12] == b"DUCK"


def _create_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "CREATE TABLE IF NOT EXISTS ingested_files (sha256 VARCHAR PRIMARY KEY, "
        "name VARCHAR NOT NULL, events BIGINT NOT NULL, first_day DATE, last_day DATE, "
        "ingested_at TIMESTAMP NOT NULL)"
    )
    for rollup in ROLLUPS:
        con.execute(rollup.ddl())


@dataclass(frozen=True)
class IngestedFile:
    name: str
    sha256: str
    events: int
    first_day: dt.date | None
    last_day: dt.date | None
    skipped: bool = False


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _is_parquet(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"PAR1"


def _check_schema(con: duckdb.DuckDBPyConnection, relation: str, name: str) -> None:
    sql = f"DESCRIBE SELECT * FROM {relation}"  # noqa: S608 - relation is our own literal
    cols = {row[0]: str(row[1]) for row in con.execute(sql).fetchall()}
    for col, family in REQUIRED_COLUMNS.items():
        if col not in cols:
            raise InputError(f"{name}: not PyPI download events (no column {col!r})")
        if not cols[col].upper().startswith(family):
            raise InputError(f"{name}: column {col!r} is {cols[col]}, expected {family}")
    for sub in ("project", "version"):
        if f" {sub} " not in cols["file"].replace('"', " ").replace("(", " ( "):
            raise InputError(f"{name}: column 'file' lacks {sub!r}")


def sql_string(text: str) -> str:
    """A single-quoted SQL literal; for our own paths, which may hold quotes."""
    return "'" + text.replace("'", "''") + "'"


def _duckdb_type(t: Any) -> str:
    import pyarrow as pa

    if pa.types.is_struct(t):
        inner = ", ".join(f'"{f.name}" {_duckdb_type(f.type)}' for f in t)
        return f"STRUCT({inner})"
    if pa.types.is_timestamp(t):
        return "TIMESTAMPTZ"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    return "VARCHAR"


def _json_columns() -> str:
    """``read_json``'s columns argument for BigQuery's event schema."""
    from toppypi.sample import event_schema

    cols = ", ".join(
        f"{sql_string(f.name)}: {sql_string(_duckdb_type(f.type))}" for f in event_schema()
    )
    return "{" + cols + "}"


def _copy(src: Path, dest: Path) -> None:
    """A copy of ``src`` the store owns.

    Not a hard link: a tool that rewrites the original in place (``open("wb")``
    truncates the same inode) would change the store's raw events behind the
    roll-ups' back. ``copyfile`` uses the kernel's copy (sendfile) on Linux.
    """
    dest.unlink(missing_ok=True)
    shutil.copyfile(src, dest)


@contextmanager
def _staged_parquet(con: duckdb.DuckDBPyConnection, src: Path, dest_dir: Path) -> Iterator[Path]:
    """A copy of ``src`` as Parquet inside the events folder, removed on failure."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    tmp = dest_dir / f".staging-{os.getpid()}-{src.name}.parquet"
    try:
        if _is_parquet(src):
            _copy(src, tmp)
        else:
            con.execute(
                f"COPY (SELECT * FROM read_json(?, format='newline_delimited', "  # noqa: S608
                f"columns={_json_columns()}, timestampformat='%Y-%m-%d %H:%M:%S.%f UTC')) "
                f"TO {sql_string(str(tmp))} (FORMAT PARQUET, COMPRESSION ZSTD)",
                [str(src)],
            )
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


Progress = Callable[[str, int], None]


def ingest(db: Path, files: list[Path], *, progress: Progress | None = None) -> list[IngestedFile]:
    """Load event files into the store; a file already ingested is skipped."""
    import duckdb

    for f in files:
        if not f.is_file():
            raise InputError(f"{f}: no such file")
        if f.stat().st_size == 0:
            raise InputError(f"{f}: the file is empty")
    con = connect(db)
    out: list[IngestedFile] = []
    try:
        for src in files:
            try:
                out.append(_ingest_one(con, db, src))
            except duckdb.Error as exc:
                first = str(exc).strip().splitlines()[0]
                raise InputError(f"{src}: cannot read events: {first}") from None
            if progress:
                progress(src.name, out[-1].events)
    finally:
        con.close()
    return out


def _ingest_one(con: duckdb.DuckDBPyConnection, db: Path, src: Path) -> IngestedFile:
    sha = file_sha256(src)
    row = con.execute(
        "SELECT events, first_day, last_day FROM ingested_files WHERE sha256 = ?", [sha]
    ).fetchone()
    edir = events_dir(db)
    if row is not None:
        kept = edir / f"{sha}.parquet"
        if not kept.is_file():
            # Its raw copy was lost: put it back; the roll-ups already count it.
            with _staged_parquet(con, src, edir) as staged:
                _check_schema(con, f"read_parquet({sql_string(str(staged))})", str(src))
                os.replace(staged, kept)
        return IngestedFile(src.name, sha, row[0], row[1], row[2], skipped=True)
    with _staged_parquet(con, src, edir) as staged:
        relation = f"read_parquet({sql_string(str(staged))})"
        _check_schema(con, relation, str(src))
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(f"CREATE TEMP TABLE staged AS {staged_select(relation)}")
            events, first, last = con.execute(
                "SELECT COALESCE(SUM(count), 0)::BIGINT, MIN(day), MAX(day) FROM staged"
            ).fetchone() or (0, None, None)
            bad = con.execute(
                "SELECT COALESCE(SUM(count), 0) FROM staged WHERE day IS NULL OR project IS NULL"
            ).fetchone()
            if bad and bad[0]:
                raise InputError(f"{src}: {bad[0]:,} events lack a timestamp or file.project")
            if first is not None:
                for rollup in ROLLUPS:
                    _fold(con, rollup, first, last)
            con.execute("DROP TABLE staged")
            con.execute(
                "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
                [sha, src.name, events, first, last],
            )
            os.replace(staged, edir / f"{sha}.parquet")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            (edir / f"{sha}.parquet").unlink(missing_ok=True)
            raise
    return IngestedFile(src.name, sha, int(events), first, last)


def _fold(con: duckdb.DuckDBPyConnection, rollup: Rollup, first: dt.date, last: dt.date) -> None:
    lo, hi = rollup.bounds(first, last)
    overlap = con.execute(rollup.overlap_sql(), [lo, hi]).fetchone()
    if not (overlap and overlap[0]):
        con.execute(rollup.insert_sql("staged"))
        return
    for sql in rollup.merge_sql("staged"):
        con.execute(sql, [lo, hi] if "?" in sql else [])


def raw_relation(con: duckdb.DuckDBPyConnection, db: Path) -> str | None:
    """A ``read_parquet`` over every ingested file, or None when there are none."""
    shas = [r[0] for r in con.execute("SELECT sha256 FROM ingested_files ORDER BY 1").fetchall()]
    if not shas:
        return None
    edir = events_dir(db)
    files = [edir / f"{sha}.parquet" for sha in shas if _hex(sha)]
    missing = [f for f in files if not f.is_file()]
    if missing:
        names = {
            r[0]: r[1] for r in con.execute("SELECT sha256, name FROM ingested_files").fetchall()
        }
        lost = ", ".join(sorted({names.get(f.stem, f.stem) for f in missing}))
        raise InputError(
            f"the raw events of {len(missing)} ingested file(s) are missing from {edir} "
            f"({lost}); run `toppypi ingest` on them again to restore them"
        )
    paths = ", ".join(sql_string(str(f)) for f in files)
    # By name: a file may lack optional (nested) columns or order them otherwise,
    # and the first file's schema must not decide what the others can answer.
    return f"read_parquet([{paths}], union_by_name = true)"


def _hex(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def store_info(db: Path) -> dict[str, Any]:
    con = connect(db, read_only=True)
    try:
        files, events, first, last = con.execute(
            "SELECT COUNT(*), COALESCE(SUM(events), 0), MIN(first_day), MAX(last_day) "
            "FROM ingested_files"
        ).fetchone() or (0, 0, None, None)
    finally:
        con.close()
    return {
        "db": str(db),
        "files": files,
        "events": int(events),
        "first_day": first,
        "last_day": last,
    }
