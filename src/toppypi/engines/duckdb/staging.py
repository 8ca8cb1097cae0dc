"""Stage one input for the store, touching nothing of the store's own files.

Each input (a Parquet or JSON Lines events file, or an access log) becomes a
raw Parquet copy in the events folder under a staging name, and a day-level
aggregate in a TEMP table of the ingest's connection. Everything that can
fail because of the input fails here, before the store is written; folding
the aggregates in is then one transaction that cannot fail on bad input.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import os
import shutil
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toppypi.engines.duckdb.fields import REQUIRED_COLUMNS
from toppypi.engines.duckdb.rollups import staged_select
from toppypi.errors import InputError
from toppypi.logs.lines import detect_format
from toppypi.logs.parse import Dims, Ids, LogParser, LogStats
from toppypi.logs.streams import (
    WINDOW,
    Checkpoint,
    Chunks,
    LogFile,
    LogReadError,
    count_newlines,
    head_id,
    head_of,
    is_gzip,
    plan_resume,
    prefetch,
)
from toppypi.model.events import duckdb_columns

if TYPE_CHECKING:
    import duckdb

    from toppypi.logs.geo import GeoIP

SNIFF_BYTES = 1 << 20
DIRECT_MAX = 2 << 30  # larger logs go in chunks, so memory stays bounded


def sql_string(text: str) -> str:
    """A single-quoted SQL literal; for our own paths, which may hold quotes."""
    return "'" + text.replace("'", "''") + "'"


@dataclass
class Staged:
    """One input, staged: what phase two folds into the store."""

    source: Path
    kind: str  # "parquet", "jsonl" or "log"
    id: str  # the ingested_files key: the file's sha256, or a log slice's
    raw: Path | None = None  # the raw events under a staging name
    table: str | None = None  # the TEMP table with its day-level aggregate
    events: int = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    skipped: bool = False  # already in the store: nothing to fold
    restore: bool = False  # already counted, but its raw copy was lost: put it back
    log: LogStats | None = None
    log_events: str | None = None  # a log's downloads, in a TEMP table in the store's form
    checkpoint: Checkpoint | None = None
    head: str | None = None
    resumed_at_line: int = 0
    format: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class LogOptions:
    """How to read access logs: the format, extra URL prefixes, and a GeoIP database."""

    fmt: str = "auto"
    prefixes: tuple[str, ...] = ()
    geoip: GeoIP | None = None


def detect_kind(path: Path) -> str:
    """``parquet``, ``jsonl`` or ``log``, from the content (gzip looked through)."""
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic == b"PAR1":
        return "parquet"
    try:
        if magic[:2] == b"\x1f\x8b":
            with gzip.open(path, "rb") as gz:
                head = gz.read(4096)
        else:
            with path.open("rb") as fh:
                head = fh.read(4096)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    return "jsonl" if head.lstrip()[:1] == b"{" else "log"


def _copy_hashing(src: Path, dest: Path) -> str:
    """Copy ``src`` to ``dest`` and return its sha256 of what was copied.

    The kernel copies (``copy_file_range``, no pass through Python) while the
    hash reads the same bytes from the page cache; where the kernel cannot,
    one read feeds both.
    """
    h = hashlib.sha256()
    with src.open("rb") as fi, dest.open("wb") as fo:
        size = os.fstat(fi.fileno()).st_size
        try:
            copied = 0
            while copied < size:
                n = os.copy_file_range(fi.fileno(), fo.fileno(), size - copied, copied, copied)
                if n == 0:
                    break
                copied += n
        except OSError:
            copied = -1
        if copied != size:  # no copy_file_range here: copy as we hash
            fi.seek(0)
            fo.seek(0)
            fo.truncate()
            while chunk := fi.read(1 << 22):
                h.update(chunk)
                fo.write(chunk)
            return h.hexdigest()
        fo.flush()
    with dest.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _link(src: Path, link: Path) -> None:
    """``link``, a name of ours for ``src`` (DuckDB expands globs in the names it is
    given): a symbolic link, or a copy where the file system has none."""
    try:
        os.symlink(src.resolve(), link)
    except OSError:
        shutil.copyfile(src, link)


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


class Stager:
    """Stages inputs in the ingest's connection (TEMP tables) and the events folder."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        edir: Path,
        known: dict[str, bool],
        checkpoints: list[tuple[str, Checkpoint]],
        log_options: LogOptions,
        names: set[str] | None = None,
    ) -> None:
        self.con = con
        self.edir = edir
        self.known = known  # ingested id -> its raw copy is present
        self.names = names or set()  # names of files ingested before (likely re-ingests)
        self.checkpoints = checkpoints  # (head id, checkpoint), this run's included
        self.log_options = log_options
        self._parsers: dict[str, LogParser] = {}
        self._ids: Ids | None = None
        self._dims = Dims()
        self._n = 0

    def close(self) -> None:
        for p in self._parsers.values():
            p.close()

    def _staging_path(self) -> Path:
        self._n += 1
        self.edir.mkdir(parents=True, exist_ok=True)
        return self.edir / f".staging-{os.getpid()}-{threading.get_ident()}-{self._n}.parquet"

    def stage(self, src: Path) -> Staged:
        kind = detect_kind(src)
        if kind == "log":
            return self._stage_log(src)
        return self._stage_events(src, kind)

    # events files -------------------------------------------------------

    def _stage_events(self, src: Path, kind: str) -> Staged:
        import duckdb

        raw = self._staging_path()
        try:
            if kind == "parquet" and src.name not in self.names:
                return self._stage_new_parquet(src, raw)
            sha = _copy_hashing(src, raw) if kind == "parquet" else file_sha256(src)
            st = Staged(src, kind, sha, raw=raw)
            if sha in self.known:
                st.skipped = True
                if self.known[sha]:
                    raw.unlink(missing_ok=True)
                    st.raw = None
                    return st
                st.restore = True  # counted once, but its raw copy is gone: put it back
            if kind == "jsonl":
                self._jsonl_to_parquet(src, raw)
            relation = f"read_parquet({sql_string(str(raw))})"
            _check_schema(self.con, relation, str(src))
            if not st.restore:
                self._aggregate(st, relation)
            self.known[sha] = True
            return st
        except duckdb.Error as exc:
            raw.unlink(missing_ok=True)
            first = str(exc).strip().splitlines()[0]
            raise InputError(f"{src}: cannot read events: {first}") from None
        except BaseException:
            raw.unlink(missing_ok=True)
            raise

    def _stage_new_parquet(self, src: Path, raw: Path) -> Staged:
        """A file not seen before: copy and hash it while DuckDB aggregates it.

        The copy reads the file once (hashing as it goes) on a thread of its
        own, so the two costs overlap instead of adding up. If the hash shows
        the file was ingested after all (under another name), the aggregate
        is dropped.
        """
        from concurrent.futures import ThreadPoolExecutor

        before = _stamp(src)
        st = Staged(src, "parquet", "", raw=raw)
        link = raw.with_name(raw.name + ".src.parquet")  # our name: no glob in it
        _link(src, link)
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="toppypi-copy") as pool:
                copied = pool.submit(_copy_hashing, src, raw)
                try:
                    relation = f"read_parquet({sql_string(str(link))})"
                    _check_schema(self.con, relation, str(src))
                    self._aggregate(st, relation)
                finally:
                    st.id = copied.result()
        finally:
            link.unlink(missing_ok=True)
        if _stamp(src) != before:
            raise InputError(f"{src}: the file changed while it was read; ingest it when complete")
        if st.id in self.known:
            self.con.execute(f"DROP TABLE IF EXISTS {st.table}")
            st.table, st.events, st.first_day, st.last_day = None, 0, None, None
            st.skipped = True
            if self.known[st.id]:
                raw.unlink(missing_ok=True)
                st.raw = None
            else:
                st.restore = True
            return st
        self.known[st.id] = True
        return st

    def _jsonl_to_parquet(self, src: Path, dest: Path) -> None:
        # DuckDB expands globs in paths: read the user's file through a link
        # with a name of ours, so that `a[1].jsonl` is that file and no other.
        link = dest.with_suffix(".jsonl.gz" if is_gzip(src) else ".jsonl")
        link.unlink(missing_ok=True)
        _link(src, link)
        cols = ", ".join(f"{sql_string(k)}: {sql_string(v)}" for k, v in duckdb_columns().items())
        try:
            self.con.execute(
                f"COPY (SELECT * FROM read_json({sql_string(str(link))}, "  # noqa: S608
                f"format='newline_delimited', columns={{{cols}}}, "
                "timestampformat='%Y-%m-%d %H:%M:%S.%f UTC')) "
                f"TO {sql_string(str(dest))} (FORMAT PARQUET, COMPRESSION ZSTD)"
            )
        finally:
            link.unlink(missing_ok=True)

    def _aggregate(self, st: Staged, relation: str, *, counted: bool = False) -> None:
        """The day-level aggregate of ``relation`` (raw events, or with ``counted``
        rows of events that carry their number in a column ``n``)."""
        table = f"staged_{self._n}"
        select = staged_select(relation, count="SUM(n)" if counted else "COUNT(*)")
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS {select}")
        events, first, last, bad = self.con.execute(
            "SELECT COALESCE(SUM(count), 0)::BIGINT, MIN(day), MAX(day), "  # noqa: S608
            "COALESCE(SUM(count) FILTER (day IS NULL OR project IS NULL), 0) "
            f"FROM {table}"
        ).fetchall()[0] or (0, None, None, 0)
        if bad:
            raise InputError(f"{st.source}: {bad:,} events lack a timestamp or file.project")
        st.table, st.events, st.first_day, st.last_day = table, int(events), first, last

    # access logs --------------------------------------------------------

    def _parser(self, fmt: str) -> LogParser:
        if fmt not in self._parsers:
            if self._ids is None:
                self._ids, self._dims = _store_dims(self.con)
            opts = self.log_options
            self._parsers[fmt] = LogParser(
                self.con,
                fmt,
                prefixes=opts.prefixes,
                geoip=opts.geoip,
                ids=self._ids,
                dims=self._dims,
            )
        return self._parsers[fmt]

    def log_dims_sql(self) -> list[str]:
        """INSERTs of the files and agents this ingest's logs taught, for the commit."""
        out = []
        for p in self._parsers.values():
            out.append(f"INSERT INTO {LOG_FILES} {p.new_files_sql()}")
            out.append(f"INSERT INTO {LOG_AGENTS} {p.new_agents_sql()}")
        return out

    def _format_of(self, src: Path) -> str:
        with LogFile(src) as f:
            sample = f.read(SNIFF_BYTES)
        lines = sample.decode("utf-8", "replace").split("\n")[:1000]
        fmt = detect_format(lines)
        if fmt is None:
            raise InputError(
                f"{src}: not an access log in the combined or common format, nor Parquet or "
                "JSON Lines events (no line of its first 1,000 parses); give the right file, "
                "or --log-format if the format was misjudged"
            )
        if self.log_options.fmt != "auto":
            return self.log_options.fmt
        return fmt

    def _stage_log(self, src: Path) -> Staged:
        try:
            return self._stage_log_unchecked(src)
        except LogReadError as exc:
            raise InputError(str(exc)) from None
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{src}: cannot read: {exc}") from None

    def _stage_log_unchecked(self, src: Path) -> Staged:
        head = head_of(src)
        if head is None:
            st = Staged(src, "log", "", skipped=True, log=LogStats())
            st.notes.append("no complete line yet: nothing to ingest")
            return st
        fmt = self._format_of(src)
        hid = head_id(head)
        known = [cp for h, cp in self.checkpoints if h == hid]
        resume = plan_resume(src, head, known)
        stats = LogStats()
        st = Staged(src, "log", "", log=stats, head=hid, format=fmt)
        st.resumed_at_line = resume.lines
        if resume.nothing_new:
            st.skipped = True
            st.notes.append(f"already ingested (up to line {resume.lines:,} of its log)")
            return st
        parser = self._parser(fmt)
        parser.start_file()
        reader: _Read | Chunks | None = None
        direct = _direct(src) if resume.offset == 0 else None
        if direct is not None:
            from concurrent.futures import ThreadPoolExecutor

            link = self._staging_path().with_suffix(".log")  # our name: no glob in it
            _link(src, link)
            try:  # the lines are counted while DuckDB reads them
                with ThreadPoolExecutor(1, thread_name_prefix="toppypi-count") as pool:
                    counted = pool.submit(count_lines, src, direct.size)
                    whole = parser.add_file(link, counted.result)
            finally:
                link.unlink(missing_ok=True)
            # None: it may hold lines the reader drops. A changed size: a live log
            # grew while DuckDB read it, maybe past the checkpoint. Either way,
            # read it again, up to a fixed end, in chunks.
            if whole is not None and src.stat().st_size == direct.size:
                stats.add(whole)
                reader = direct.as_read(stats.lines)
            else:
                parser.start_file()
        if reader is None:
            with LogFile(src) as f:
                chunks = Chunks(f, resume.offset, resume.lines)
                for chunk in prefetch(chunks):
                    stats.add(parser.add(chunk.data, chunk.first_line, chunk.lines))
            reader = chunks
        if reader.end == resume.offset:
            st.skipped = True
            if resume.offset:
                st.notes.append(f"nothing new since line {resume.lines:,}")
            return st
        cp = Checkpoint(resume.stream, reader.end, reader.lines, reader.tail)
        st.checkpoint = cp
        st.id = hashlib.sha256(
            f"log:{cp.stream}:{resume.offset}:{cp.offset}:{cp.tail}".encode()
        ).hexdigest()
        self.checkpoints.append((hid, cp))
        if stats.downloads:
            st.log_events = f"log_staged_{self._n}"
            self._n += 1
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {st.log_events} AS {parser.events_sql()}"
            )
            self._aggregate(st, f"({parser.counted_sql(st.log_events)})", counted=True)
        return st


@dataclass(frozen=True)
class _Read:
    end: int
    lines: int
    tail: str


@dataclass(frozen=True)
class _Direct:
    """A plain log DuckDB can read as it is: complete lines, no CR, no ``\\x01``."""

    size: int
    tail: str

    def as_read(self, lines: int) -> _Read:
        return _Read(self.size, lines, self.tail)


def count_lines(path: Path, size: int) -> int:
    """The lines in the first ``size`` bytes of ``path``; -1 if one holds a CR or a
    ``\\x01``, which the CSV reader would split or misread (see ``sanitize``)."""
    import mmap

    with path.open("rb") as fh, mmap.mmap(fh.fileno(), size, access=mmap.ACCESS_READ) as mm:
        view = memoryview(mm)
        try:
            return count_newlines(view, odd=True)
        finally:
            view.release()


def _direct(src: Path) -> _Direct | None:
    """Whether the whole file can go to DuckDB without a copy (checked with mmap, no read)."""
    import mmap

    if is_gzip(src):
        return None
    with src.open("rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0 or size > DIRECT_MAX:
            return None
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            if mm[size - 1 :] != b"\n":  # CR and \x01 are looked for while it is read
                return None
            tail = hashlib.sha256(mm[max(0, size - WINDOW) : size]).hexdigest()
            return _Direct(size, tail)


LOG_FILES = "log_files"
LOG_AGENTS = "log_agents"
LOG_EVENTS = "log_events"
LOG_INGESTS = "log_ingests"


def _store_dims(con: duckdb.DuckDBPyConnection) -> tuple[Ids, Dims]:
    """The next free ids of the store's log dimensions, and what they hold."""
    names = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE NOT temporary AND schema_name = 'main'"
        ).fetchall()
    }
    if LOG_FILES not in names or LOG_AGENTS not in names:
        return Ids(), Dims()
    next_id = "SELECT coalesce(max({0}) + 1, 0) FROM main.{1}"
    ((nf,),) = con.execute(next_id.format("file_id", LOG_FILES)).fetchall()
    ((na,),) = con.execute(next_id.format("agent_id", LOG_AGENTS)).fetchall()
    return Ids(int(nf), int(na)), Dims(f"main.{LOG_FILES}", f"main.{LOG_AGENTS}")


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
