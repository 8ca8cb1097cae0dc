"""The local DuckDB store: roll-ups in a DuckDB file, raw events kept beside it.

Raw events are kept as Parquet in ``<db>.events/`` (named by content hash) so
that any pypinfo field can still be answered; the roll-ups answer the common
queries without touching them. An ingest stages every input first and then
folds them all in one transaction: a bad input leaves the store's files
byte-identical. Access logs are remembered by stream (``log_checkpoints``),
so re-reading a log, or its rotated copy, adds only lines not seen before.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toppypi.engines.duckdb.rollups import ROLLUPS, Rollup
from toppypi.engines.duckdb.staging import (
    LOG_AGENTS,
    LOG_EVENTS,
    LOG_FILES,
    LOG_INGESTS,
    LogOptions,
    Staged,
    Stager,
    file_sha256,
    sql_string,
)
from toppypi.errors import InputError, UsageError
from toppypi.logs.streams import Checkpoint
from toppypi.logs.views import raw_view_sql
from toppypi.model.events import duckdb_columns

if TYPE_CHECKING:
    import duckdb

__all__ = ["IngestedFile", "LogOptions", "connect", "file_sha256", "ingest", "raw_relation"]

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


def connect(db: Path, *, read_only: bool = False, create: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection to the store; a writable one holds its lock (one writer at a time).

    ``create=False`` opens without creating the tables: an ingest creates them
    in its own transaction, so that a refused input changes nothing.
    """
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
    if not read_only and create:
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
    con.execute(
        "CREATE TABLE IF NOT EXISTS log_checkpoints (head VARCHAR NOT NULL, "
        'stream VARCHAR NOT NULL, "offset" BIGINT NOT NULL, lines BIGINT NOT NULL, '
        "tail VARCHAR NOT NULL, source VARCHAR NOT NULL, ingested_at TIMESTAMP NOT NULL)"
    )
    for rollup in ROLLUPS:
        con.execute(rollup.ddl())
    details = ", ".join(f"{k} {v}" for k, v in duckdb_columns().items() if k == "details")
    # Access-log downloads, kept compactly: ids into two small tables (see raw_relation).
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LOG_FILES} (file_id INTEGER NOT NULL, url VARCHAR, "
        "filename VARCHAR, project VARCHAR, version VARCHAR, type VARCHAR)"
    )
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {LOG_AGENTS} (agent_id INTEGER NOT NULL, agent VARCHAR, "
        f"{details})"
    )
    con.execute(
        f'CREATE TABLE IF NOT EXISTS {LOG_EVENTS} ("timestamp" TIMESTAMP WITH TIME ZONE, '
        "file_id INTEGER NOT NULL, agent_id INTEGER, country_code VARCHAR)"
    )
    con.execute(f"CREATE TABLE IF NOT EXISTS {LOG_INGESTS} (sha256 VARCHAR PRIMARY KEY)")


@dataclass(frozen=True)
class IngestedFile:
    """What one input gave: its events and days, or why it added nothing."""

    name: str
    sha256: str
    events: int
    first_day: dt.date | None
    last_day: dt.date | None
    skipped: bool = False
    kind: str = "parquet"
    log: dict[str, Any] | None = None  # LogStats.as_dict() for access logs
    notes: tuple[str, ...] = ()


Progress = Callable[[str, int], None]


def ingest(
    db: Path,
    files: list[Path],
    *,
    progress: Progress | None = None,
    log_options: LogOptions | None = None,
) -> list[IngestedFile]:
    """Load event files and access logs into the store, all or nothing.

    Every input is staged first (read, checked, aggregated) without writing
    the store; then one transaction folds them all in. Any bad input leaves
    the store's files byte-identical, and a file already ingested (or the
    lines of a log already ingested) adds nothing.
    """
    for f in files:
        if not f.is_file():
            raise InputError(f"{f}: no such file")
    if files and all(f.stat().st_size == 0 for f in files):
        raise InputError(f"{files[0]}: the file is empty; nothing to ingest")
    created = not db.exists()
    con = connect(db, create=False)
    edir = events_dir(db)
    had_edir = edir.exists()
    known, names = _known_files(con, edir)
    stager = Stager(con, edir, known, _checkpoints(con), log_options or LogOptions(), names)
    staged: list[Staged] = []
    committed = False
    try:
        for src in files:
            st = stager.stage(src)
            staged.append(st)
            if progress:
                progress(src.name, st.events)
        committed = _commit(con, edir, staged, stager.log_dims_sql())
    finally:
        for st in staged:
            if st.raw is not None:  # staged but not placed: the ingest failed
                st.raw.unlink(missing_ok=True)
        stager.close()
        con.close()
        if not committed:
            _remove_leftovers(db if created else None, None if had_edir else edir)
    return [_report(st) for st in staged]


def _report(st: Staged) -> IngestedFile:
    notes = list(st.notes)
    if st.resumed_at_line and not st.skipped:
        notes.append(f"continued its log after line {st.resumed_at_line:,}")
    if st.format:
        notes.append(f"{st.format} log format")
    if st.restore:
        notes.append("its lost raw copy was restored")
    return IngestedFile(
        st.source.name,
        st.id,
        st.events,
        st.first_day,
        st.last_day,
        skipped=st.skipped,
        kind=st.kind,
        log=st.log.as_dict() if st.log is not None else None,
        notes=tuple(notes),
    )


def _remove_leftovers(db: Path | None, edir: Path | None) -> None:
    """An ingest that added nothing leaves no store or events folder it created."""
    if db is not None:
        for p in (db, db.with_name(db.name + ".wal")):
            p.unlink(missing_ok=True)
    if edir is not None:
        with suppress(OSError):
            edir.rmdir()


def _table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    row = con.execute(
        "SELECT COUNT(*) FROM duckdb_tables() WHERE table_name = ? AND NOT temporary", [name]
    ).fetchall()[0]
    return bool(row and row[0])


def _known_files(con: duckdb.DuckDBPyConnection, edir: Path) -> tuple[dict[str, bool], set[str]]:
    """Ingested ids (with whether the raw copy is there), and the names they came by."""
    if not _table_exists(con, "ingested_files"):
        return {}, set()
    rows = con.execute("SELECT sha256, name FROM ingested_files").fetchall()
    inside = _log_ingests(con)
    known = {r[0]: r[0] in inside or (edir / f"{r[0]}.parquet").is_file() for r in rows}
    return known, {r[1] for r in rows}


def _log_ingests(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The ingested log slices whose events are in the store itself, not in a file."""
    if not _table_exists(con, LOG_INGESTS):
        return set()
    return {r[0] for r in con.execute(f"SELECT sha256 FROM {LOG_INGESTS}").fetchall()}  # noqa: S608


def _checkpoints(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Checkpoint]]:
    if not _table_exists(con, "log_checkpoints"):
        return []
    rows = con.execute(
        'SELECT head, stream, "offset", lines, tail FROM log_checkpoints ORDER BY ALL'
    ).fetchall()
    return [(r[0], Checkpoint(r[1], int(r[2]), int(r[3]), r[4])) for r in rows]


def _commit(
    con: duckdb.DuckDBPyConnection, edir: Path, staged: list[Staged], log_dims: list[str]
) -> bool:
    """Fold every staged input in, in one transaction; place the raw copies.

    Returns whether anything was written.
    """
    todo = [st for st in staged if st.table or st.checkpoint or st.restore]
    if not todo:
        return False
    placed: list[Path] = []
    # Roll-ups are written in parallel; the month ones keep their ORDER BY.
    con.execute("SET preserve_insertion_order = false").fetchall()
    con.execute("BEGIN TRANSACTION")
    try:
        _create_schema(con)
        for st in todo:
            if st.table and st.first_day is not None and st.last_day is not None:
                # One input at a time: usually a new period, so each fold is a plain
                # INSERT (a union of inputs would re-aggregate what is already summed).
                con.execute(
                    f"CREATE OR REPLACE TEMP VIEW staged AS SELECT * FROM {st.table}"  # noqa: S608
                ).fetchall()
                _fold_all(con, st.first_day, st.last_day)
        if any(st.log_events for st in todo):
            for sql in log_dims:
                con.execute(sql).fetchall()
        for st in todo:
            if st.log_events:
                con.execute(f"INSERT INTO {LOG_EVENTS} SELECT * FROM {st.log_events}").fetchall()  # noqa: S608
                con.execute(f"INSERT INTO {LOG_INGESTS} VALUES (?)", [st.id])  # noqa: S608
            if st.table:
                con.execute(
                    "INSERT INTO ingested_files VALUES (?, ?, ?, ?, ?, now()::TIMESTAMP)",
                    [st.id, st.source.name, st.events, st.first_day, st.last_day],
                )
            if st.checkpoint is not None:
                cp = st.checkpoint
                con.execute(
                    "INSERT INTO log_checkpoints VALUES (?, ?, ?, ?, ?, ?, now()::TIMESTAMP)",
                    [st.head, cp.stream, cp.offset, cp.lines, cp.tail, st.source.name],
                )
            if st.raw is not None:
                final = edir / f"{st.id}.parquet"
                os.replace(st.raw, final)
                st.raw = None
                placed.append(final)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        for p in placed:
            p.unlink(missing_ok=True)
        raise
    _sweep(edir)
    return True


def _sweep(edir: Path) -> None:
    """Remove staging files an ingest that was killed left behind.

    This ingest holds the store's write lock, so any other process's staging
    file is a leftover; nothing reads them (the raw events are listed by
    ``ingested_files``).
    """
    mine = f".staging-{os.getpid()}-"
    for p in edir.glob(".staging-*"):
        if not p.name.startswith(mine):
            with suppress(OSError):
                p.unlink()


def _fold_all(con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date) -> None:
    """Fold the staged rows into every roll-up, finest first; a coarser roll-up is
    rebuilt for the touched period from a finer one that covers it."""
    done: list[Rollup] = []
    for rollup in sorted(ROLLUPS, key=lambda r: (r.grain != "day", -len(r.fields))):
        source = next((d for d in done if rollup.derivable_from(d)), None)
        if source is None:
            _fold(con, rollup, first, last)
        else:
            lo, hi = rollup.bounds(first, last)
            for sql in rollup.derive_sql(source):
                con.execute(sql, [lo, hi]).fetchall()
        done.append(rollup)


def _overlaps(
    con: duckdb.DuckDBPyConnection, rollup: Rollup, first: dt.date, last: dt.date
) -> bool:
    lo, hi = rollup.bounds(first, last)
    overlap = con.execute(rollup.overlap_sql(), [lo, hi]).fetchall()[0]
    return bool(overlap and overlap[0])


def _fold(con: duckdb.DuckDBPyConnection, rollup: Rollup, first: dt.date, last: dt.date) -> None:
    lo, hi = rollup.bounds(first, last)
    if not _overlaps(con, rollup, first, last):
        con.execute(rollup.insert_sql("staged"))
        return
    for sql in rollup.merge_sql("staged"):
        con.execute(sql, [lo, hi] if "?" in sql else [])


def raw_relation(con: duckdb.DuckDBPyConnection, db: Path) -> str | None:
    """Every ingested event in the ``file_downloads`` schema, or None when there are none.

    Events files are read where they are kept (``read_parquet`` over the
    events folder); access-log downloads are rows of ids in ``log_events``,
    joined here with their files and agents, so every field still answers.
    """
    inside = _log_ingests(con)
    shas = [
        r[0]
        for r in con.execute("SELECT sha256 FROM ingested_files ORDER BY 1").fetchall()
        if r[0] not in inside
    ]
    logs = f"({raw_view_sql(LOG_EVENTS, LOG_FILES, LOG_AGENTS)})" if inside else None
    if not shas:
        return logs
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
    parquet = f"read_parquet([{paths}], union_by_name = true)"
    if logs is None:
        return parquet
    return f"(SELECT * FROM {parquet} UNION ALL BY NAME SELECT * FROM {logs})"  # noqa: S608


def _hex(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


def store_info(db: Path) -> dict[str, Any]:
    con = connect(db, read_only=True)
    try:
        files, events, first, last = con.execute(
            "SELECT COUNT(*), COALESCE(SUM(events), 0), MIN(first_day), MAX(last_day) "
            "FROM ingested_files"
        ).fetchall()[0] or (0, 0, None, None)
    finally:
        con.close()
    return {
        "db": str(db),
        "files": files,
        "events": int(events),
        "first_day": first,
        "last_day": last,
    }
