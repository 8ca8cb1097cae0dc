"""Access logs to compact download events, vectorised in DuckDB.

DuckDB's CSV reader splits every line at its quotes and checks it (see
:mod:`toppypi.logs.scan`); the few lines it cannot judge go to the slow,
whole-line parser (:func:`toppypi.logs.lines.parse_sql`). Python only sees
what repeats little: each distinct request target (is it a distribution
file?), each distinct User-Agent (linehaul) and each distinct client address
(GeoIP, when given). A download is kept as four numbers and a country: its
second, the file's id, the agent's id; the ids point into small dimension
tables, so that no per-line string or nested struct is ever built.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toppypi.logs import targets
from toppypi.logs.agents import AgentParser
from toppypi.logs.geo import GeoIP
from toppypi.logs.lines import parse_sql
from toppypi.logs.rejects import Reject, rejected_lines
from toppypi.logs.scan import BAD, CANDIDATE, METHOD, SLOW, STATUS, reader_sql, scan_sql
from toppypi.logs.views import duck_type, raw_view_sql, sql_string
from toppypi.model.events import DETAILS, arrow_type

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

BAD_LINES_KEPT = 5

# Why a well-formed line is not a download.
SKIP_REASONS = {
    "method": "not a GET (HEAD, POST, ...)",
    "status": "not a successful response (3xx, 4xx, 5xx, 206 partial)",
    "not_file": "not a distribution file (index pages, metadata, other files)",
    "layout": "a distribution file outside the known index layouts (see --url-prefix)",
    "agent": "a User-Agent that PyPI's linehaul ignores (bots, monitors)",
}

# Lines the CSV reader would split, cut or drop become this (one unparseable line each).
PLACEHOLDER = b"-"
_ODD_LINE = re.compile(rb"(?m)^[^\n]*[\r\x01][^\n]*$")
_CRLF = re.compile(rb"\r(?=\n)")
_EMPTY = re.compile(rb"(?:(?<=\n)|\A)(?=\n)")


@dataclass
class LogStats:
    """What a log ingest saw, line by line."""

    lines: int = 0
    downloads: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unparseable: int = 0
    bad_lines: list[int] = field(default_factory=list)  # the first few, 1-based
    layouts: Counter[str] = field(default_factory=Counter)

    def add(self, other: LogStats) -> None:
        self.lines += other.lines
        self.downloads += other.downloads
        self.skipped.update(other.skipped)
        self.unparseable += other.unparseable
        self.bad_lines = sorted([*self.bad_lines, *other.bad_lines])[:BAD_LINES_KEPT]
        self.layouts.update(other.layouts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "downloads": self.downloads,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": {k: self.skipped[k] for k in SKIP_REASONS if self.skipped[k]},
            "unparseable": self.unparseable,
            "first_unparseable_lines": self.bad_lines,
            "downloads_by_layout": dict(sorted(self.layouts.items())),
        }


def sanitize(data: bytes, *, empty: bool = False) -> bytes:
    """Lines as DuckDB's CSV reader can take them, one row per line.

    A CR before the newline is dropped; a line holding any other CR, or a
    ``\\x01``, becomes :data:`PLACEHOLDER` (it is unparseable either way, and
    the reader would split or misread it). With ``empty``, so do empty lines
    (which the reader skips); finding them costs a scan, so only when needed.
    """
    if b"\r" in data or b"\x01" in data:
        data = _ODD_LINE.sub(PLACEHOLDER, _CRLF.sub(b"", data))
    if empty:
        data = _EMPTY.sub(PLACEHOLDER, data)
    return data


class Ids:
    """The next free file and agent ids of a store, shared by an ingest's parsers."""

    def __init__(self, file: int = 0, agent: int = 0) -> None:
        self.file = file
        self.agent = agent


@dataclass(frozen=True)
class Dims:
    """The store's dimension tables, to reuse their ids (None: it has none yet):
    files (``file_id, url, ...``) and agents (``agent_id, agent, details``)."""

    files: str | None = None
    agents: str | None = None


class LogParser:
    """Parses the logs of one ingest into TEMP tables of ``con``, one file at a time.

    Per line only DuckDB works; the distinct targets and User-Agents it finds
    are classified in Python once per ingest (and not at all when the store
    already knows them) and kept in small tables keyed by their hash, with
    the id they are stored under. A file's downloads are kept compactly
    (second, file id, agent id, host) until :meth:`events_sql` gives them in
    the store's form.
    """

    _count = 0

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        fmt: str,
        *,
        prefixes: tuple[str, ...] = (),
        geoip: GeoIP | None = None,
        ids: Ids | None = None,
        dims: Dims | None = None,
    ) -> None:
        LogParser._count += 1
        self.con = con
        self.fmt = fmt
        self.prefixes = prefixes
        self.geoip = geoip
        self.ids = ids or Ids()
        self.agents = AgentParser()
        n = LogParser._count
        self.t_targets, self.t_agents, self.t_events = (
            f"log_targets_{n}",
            f"log_agents_{n}",
            f"log_events_{n}",
        )
        self._first = f"log_first_agent_{n}"
        self._seen: set[int] = set()  # agent hashes whose text is known or being kept
        self._tmpdir = tempfile.TemporaryDirectory(prefix="toppypi-log-")
        self._chunk_path = Path(self._tmpdir.name) / "chunk.log"
        self._new_files = self.ids.file
        self._new_agents = self.ids.agent
        self._register_first()
        self._dims = dims or Dims()
        self._create_tables(self._dims)
        self.start_file()

    def close(self) -> None:
        self._tmpdir.cleanup()
        for t in (self.t_targets, self.t_agents, self.t_events, "log_lines", "log_slow"):
            self.con.execute(f"DROP TABLE IF EXISTS {t}")
        self.con.execute(f"DROP VIEW IF EXISTS {self.t_events}_view")
        self.con.execute(f"DROP TABLE IF EXISTS {self.t_events}_geo")
        self.con.remove_function(self._first)

    def _register_first(self) -> None:
        """``first_agent(hash)``: true for the first row of a hash not seen before.

        Called by the scan on each vector of candidate rows, so that the text of
        each distinct agent is kept once, however many lines repeat it.
        """
        import numpy as np
        import pyarrow as pa
        from duckdb.func import ARROW

        seen = self._seen

        def first(hashes: Any) -> Any:  # a pa.Array of hashes -> a pa.Array of booleans
            values = hashes.to_numpy(zero_copy_only=False)
            uniq, where = np.unique(values, return_index=True)
            out = np.zeros(len(values), dtype=bool)
            for h, i in zip(uniq.tolist(), where.tolist(), strict=True):
                if h not in seen:
                    seen.add(h)
                    out[i] = True
            return pa.array(out)

        first.__annotations__ = {}  # DuckDB would evaluate the hints on every call
        self.con.create_function(
            self._first, first, ["ubigint"], "boolean", type=ARROW, side_effects=True
        )

    def _create_tables(self, dims: Dims) -> None:
        con = self.con
        details = duck_type(arrow_type(DETAILS))
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.t_targets} (th UBIGINT, target VARCHAR, "
            "kind VARCHAR, layout VARCHAR, tid INTEGER, filename VARCHAR, project VARCHAR, "
            "version VARCHAR, type VARCHAR)"
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.t_agents} (ah UBIGINT, aid INTEGER, "
            f"agent VARCHAR, details {details}, ignored BOOLEAN)"
        )
        if dims.agents is not None:
            con.execute(
                f"INSERT INTO {self.t_agents} SELECT hash(agent), agent_id, agent, "  # noqa: S608
                f"details, false FROM {dims.agents}"
            )
        self._seen.update(
            r[0]
            for r in con.execute(f"SELECT ah FROM {self.t_agents}").fetchall()  # noqa: S608
        )

    def start_file(self) -> None:
        """Forget the downloads of the previous file; keep what was learnt."""
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.t_events} "
            "(ts BIGINT, tid INTEGER, aid INTEGER, host VARCHAR)"
        )

    # reading ------------------------------------------------------------

    def add(self, data: bytes, first_line: int, lines: int | None = None) -> LogStats:
        """Parse ``data`` (``lines`` whole lines) whose first line is number ``first_line``."""
        if lines is None:
            lines = data.count(b"\n")
        clean = sanitize(data)
        self._chunk_path.write_bytes(clean)
        stats = self._parse(self._chunk_path, first_line, lines=lines)
        if stats is None:  # the reader skipped empty lines: mark them, read again
            self._chunk_path.write_bytes(sanitize(clean, empty=True))
            stats = self._parse(self._chunk_path, first_line, lines=lines)
        assert stats is not None, "a sanitized chunk reads one row per line"
        return stats

    def add_file(self, path: Path, lines: Callable[[], int]) -> LogStats | None:
        """Parse a whole log that ends in a newline: DuckDB reads it directly, with
        no copy. ``lines`` gives its number of lines, counted meanwhile (-1 if it
        holds a CR or a ``\\x01``, see :func:`sanitize`). None if the reader may
        have split, misread or dropped lines: read it in chunks."""
        import duckdb

        try:
            return self._parse(path, 1, lines=lines)
        except duckdb.InvalidInputException:  # the reader stops at a CR in strict mode
            if lines() >= 0:
                raise
            # Agents it marked as first seen were not kept: forget them again.
            self._seen.clear()
            self._seen.update(
                r[0]
                for r in self.con.execute(f"SELECT ah FROM {self.t_agents}").fetchall()  # noqa: S608
            )
            return None

    def _parse(
        self, path: Path, first_line: int, *, lines: int | Callable[[], int]
    ) -> LogStats | None:
        con = self.con
        rows, bad, method, status, slow = self._scan(path, rejects=False)
        total = lines if isinstance(lines, int) else lines()
        rejected: list[Reject] = []
        if rows != total and total >= 0:  # some were rejected: read again, keeping them
            rows, bad, method, status, slow = self._scan(path, rejects=True)
            rejected = rejected_lines(con, path)
        if rows + len(rejected) != total:
            return None  # the reader skipped empty lines, or split some
        redo = [r for r in rejected if r.text is not None]
        if slow or redo:
            self._slow(redo)
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE log_slow (k BIGINT, state UTINYINT, ts BIGINT, "
                "th UBIGINT, target VARCHAR, ah UBIGINT, agent VARCHAR, host VARCHAR)"
            )
        s_bad, s_method, s_status = con.execute(
            f"SELECT count(*) FILTER (state = {BAD}), count(*) FILTER (state = {METHOD}), "  # noqa: S608
            f"count(*) FILTER (state = {STATUS}) FROM log_slow"
        ).fetchall()[0] or (0, 0, 0)
        stats = LogStats(lines=rows + len(rejected))
        stats.unparseable = bad + s_bad + sum(1 for r in rejected if r.text is None)
        stats.skipped["method"] = method + s_method
        stats.skipped["status"] = status + s_status
        if stats.unparseable:
            stats.bad_lines = self._bad_lines(first_line, rejected)
        self._learn_targets()
        self._learn_agents("log_slow")
        self._join(stats)
        return stats

    def _scan(self, path: Path, *, rejects: bool) -> tuple[int, int, int, int, int]:
        """Read ``path`` into ``log_lines``; its rows, and how many are bad, not a
        GET, not a success, or for the slow path."""
        con = self.con
        con.execute("DROP TABLE IF EXISTS log_rejects").fetchall()
        con.execute("DROP TABLE IF EXISTS log_rejects_scan").fetchall()
        reader = reader_sql(sql_string(str(path)), rejects=rejects)
        scan = scan_sql(reader, self.fmt, self._first, host=self.geoip is not None)
        con.execute(f"CREATE OR REPLACE TEMP TABLE log_lines AS {scan}").fetchall()
        self._learn_agents("log_lines")  # before anything can discard the scan
        (rows, bad, method, status, slow) = con.execute(
            f"SELECT count(*), count(*) FILTER (state = {BAD}), "  # noqa: S608
            f"count(*) FILTER (state = {METHOD}), count(*) FILTER (state = {STATUS}), "
            f"count(*) FILTER (state = {SLOW}) FROM log_lines"
        ).fetchall()[0] or (0, 0, 0, 0, 0)
        return int(rows), int(bad), int(method), int(status), int(slow)

    def _slow(self, rejected: list[Reject]) -> None:
        """The lines the scan left (state SLOW) and the reader rejected for their
        many quotes, through the whole-line parser; ``k`` is the scan's row id, or
        minus the line number for a rejected line."""
        con = self.con
        con.execute("CREATE OR REPLACE TEMP TABLE log_redo (k BIGINT, line VARCHAR)")
        if rejected:
            con.executemany(
                "INSERT INTO log_redo VALUES (?, ?)", [(-r.line, r.text) for r in rejected]
            )
        con.execute(
            f"INSERT INTO log_redo SELECT rowid, line FROM log_lines WHERE state = {SLOW}"  # noqa: S608
        )
        parsed = parse_sql("log_redo", self.fmt, escapes=True, sanitized=True, keep=("k",))
        host = "host" if self.geoip is not None else "NULL::VARCHAR"
        candidate = "ok AND method = 'GET' AND status BETWEEN 200 AND 299 AND status <> 206"
        con.execute(
            "CREATE OR REPLACE TEMP TABLE log_slow AS SELECT k, CAST(CASE "  # noqa: S608
            f"WHEN NOT ok THEN {BAD} WHEN method <> 'GET' THEN {METHOD} "
            f"WHEN NOT ({candidate}) THEN {STATUS} ELSE {CANDIDATE} END AS UTINYINT) AS state, "
            f"CASE WHEN {candidate} THEN epoch(time)::BIGINT END AS ts, "
            f"CASE WHEN {candidate} AND target IS NOT NULL THEN hash(target) END AS th, "
            f"CASE WHEN {candidate} THEN target END AS target, "
            f"CASE WHEN {candidate} AND agent IS NOT NULL THEN hash(agent) END AS ah, "
            f"CASE WHEN {candidate} THEN agent END AS agent, "
            f"CASE WHEN {candidate} THEN {host} END AS host FROM ({parsed})"
        )
        con.execute("DROP TABLE log_redo")

    def _bad_lines(self, first_line: int, rejected: list[Reject]) -> list[int]:
        """Line numbers of the first unparseable lines: the reader's rejects, and the
        rows that did not parse (rows are lines in order, less the rejected ones)."""
        rows = self.con.execute(
            f"SELECT k FROM (SELECT rowid AS k FROM log_lines WHERE state = {BAD} "  # noqa: S608
            f"ORDER BY rowid LIMIT {BAD_LINES_KEPT}) UNION ALL "
            f"SELECT k FROM log_slow WHERE state = {BAD}"
        ).fetchall()
        skipped = sorted(r.line for r in rejected)
        found = [r.line for r in rejected if r.text is None][:BAD_LINES_KEPT]
        for (k,) in rows:
            if k < 0:  # a rejected line, by its number
                found.append(-int(k))
                continue
            line = int(k) + 1
            while True:  # shift past the rejected lines before it
                shifted = int(k) + 1 + sum(1 for r in skipped if r <= line)
                if shifted == line:
                    break
                line = shifted
            found.append(line)
        return [first_line - 1 + n for n in sorted(found)[:BAD_LINES_KEPT]]

    # learning -----------------------------------------------------------

    def _candidates(self, *cols: str) -> str:
        c = ", ".join(cols)
        return (
            f"(SELECT {c} FROM log_lines WHERE state = {CANDIDATE} "  # noqa: S608
            f"UNION ALL SELECT {c} FROM log_slow WHERE state = {CANDIDATE})"
        )

    def _learn_targets(self) -> None:
        """Classify the targets not seen before (see :mod:`toppypi.logs.targets`) and
        give each new download file an id: the store's for a URL it has, else a new one."""
        con = self.con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE log_new AS SELECT th, min(target) AS target, "  # noqa: S608
            f"max(target) AS other FROM {self._candidates('th', 'target')} "
            f"WHERE th IS NOT NULL AND th NOT IN (SELECT th FROM {self.t_targets}) GROUP BY th"
        ).fetchall()
        clash = con.execute("SELECT target, other FROM log_new WHERE target <> other").fetchall()
        if clash:  # two targets with one 64-bit hash: never seen, but never silent
            raise RuntimeError(f"hash collision between request targets {clash[0]!r}")
        targets.classify(con, "log_new", "log_classified", self.prefixes)
        store = (
            f"(SELECT url, max(file_id) AS file_id FROM {self._dims.files} GROUP BY url)"  # noqa: S608
            if self._dims.files
            else "(SELECT NULL::VARCHAR AS url, NULL::INTEGER AS file_id WHERE false)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE log_new AS SELECT c.*, s.file_id AS known, "  # noqa: S608
            "c.kind = 'download' AND s.file_id IS NULL AS fresh "
            f"FROM log_classified c LEFT JOIN {store} s "
            "ON c.kind = 'download' AND s.url = c.target"
        ).fetchall()
        base = int(self.ids.file)
        con.execute(
            f"INSERT INTO {self.t_targets} SELECT th, target, kind, layout, "  # noqa: S608
            "CAST(CASE WHEN kind <> 'download' THEN NULL WHEN NOT fresh THEN known "
            f"ELSE {base} + row_number() OVER (PARTITION BY fresh ORDER BY th) - 1 END "
            "AS INTEGER), filename, project, version, type FROM log_new"
        ).fetchall()
        ((fresh,),) = con.execute("SELECT count(*) FILTER (fresh) FROM log_new").fetchall()
        self.ids.file += int(fresh)
        con.execute("DROP TABLE log_new")
        con.execute("DROP TABLE log_classified")

    def _learn_agents(self, table: str) -> None:
        import pyarrow as pa

        where = f"state = {CANDIDATE} AND " if table == "log_slow" else ""
        rows = self.con.execute(
            f"SELECT DISTINCT ah, agent FROM {table} WHERE {where}agent IS NOT NULL "  # noqa: S608
            f"AND ah NOT IN (SELECT ah FROM {self.t_agents})"
        ).fetchall()
        if not rows:
            return
        if len({h for h, _ in rows}) != len(rows):
            raise RuntimeError("hash collision between two User-Agents")
        parsed = [self.agents(a) for _, a in rows]
        ids = []
        for p in parsed:
            ids.append(None if p.ignored else self.ids.agent)
            self.ids.agent += 0 if p.ignored else 1
        self._seen.update(h for h, _ in rows)
        batch = pa.table(
            {
                "ah": pa.array([h for h, _ in rows], pa.uint64()),
                "aid": pa.array(ids, pa.int32()),
                "agent": pa.array([a for _, a in rows], pa.string()),
                "details": pa.array([p.details for p in parsed], arrow_type(DETAILS)),
                "ignored": pa.array([p.ignored for p in parsed], pa.bool_()),
            }
        )
        self._load(f"INSERT INTO {self.t_agents}", batch)

    def _join(self, stats: LogStats) -> None:
        """Count the candidates by what their target and agent are; keep the downloads."""
        con = self.con
        con.execute(
            "CREATE OR REPLACE TEMP TABLE log_joined AS SELECT c.ts, t.tid, a.aid, c.host, "  # noqa: S608
            "coalesce(t.kind, 'not_file') AS kind, t.layout, "
            "coalesce(a.ignored, false) AS ignored "
            f"FROM {self._candidates('ts', 'th', 'ah', 'host')} c "
            f"LEFT JOIN {self.t_targets} t ON t.th = c.th "
            f"LEFT JOIN {self.t_agents} a ON a.ah = c.ah"
        ).fetchall()
        for kind, ignored, layout, n in con.execute(
            "SELECT kind, ignored, layout, count(*) FROM log_joined GROUP BY ALL"
        ).fetchall():
            if kind != "download":
                stats.skipped[kind] += n
            elif ignored:
                stats.skipped["agent"] += n
            else:
                stats.downloads += n
                stats.layouts[layout or "prefix"] += n
        con.execute(
            f"INSERT INTO {self.t_events} SELECT ts, tid, aid, host FROM log_joined "  # noqa: S608
            "WHERE kind = 'download' AND NOT ignored"
        ).fetchall()
        con.execute("DROP TABLE log_joined")

    def _load(self, into: str, table: pa.Table) -> None:
        """``into`` (an INSERT or CREATE ... AS) fed with an Arrow table."""
        self.con.register("log_batch", table)
        try:
            self.con.execute(f"{into} SELECT * FROM log_batch").fetchall()  # noqa: S608
        finally:
            self.con.unregister("log_batch")

    # results ------------------------------------------------------------

    def events_sql(self) -> str:
        """This file's downloads as the store keeps them:
        ``(timestamp, file_id, agent_id, country_code)``."""
        country = "NULL::VARCHAR"
        geo = ""
        if self.geoip is not None:
            self._learn_countries()
            country = "g.country"
            geo = f" LEFT JOIN {self.t_events}_geo g USING (host)"
        return (
            'SELECT to_timestamp(e.ts) AS "timestamp", e.tid AS file_id, '  # noqa: S608
            f"e.aid AS agent_id, {country} AS country_code FROM {self.t_events} e{geo}"
        )

    def new_files_sql(self) -> str:
        """The files learnt in this ingest, as rows of the store's ``log_files``."""
        return (
            f"SELECT tid AS file_id, target AS url, filename, project, version, type "  # noqa: S608
            f"FROM {self.t_targets} WHERE tid >= {int(self._new_files)} ORDER BY tid"
        )

    def new_agents_sql(self) -> str:
        """The agents learnt in this ingest, as rows of the store's ``log_agents``."""
        return (
            f"SELECT aid AS agent_id, agent, details FROM {self.t_agents} "  # noqa: S608
            f"WHERE aid >= {int(self._new_agents)} ORDER BY aid"
        )

    def counted_sql(self, events: str) -> str:
        """``events`` (in the store's form) counted by UTC day, file and agent, in the
        ``file_downloads`` schema with the count in ``n``: what the roll-ups need."""
        day = 'to_timestamp(epoch("timestamp")::BIGINT // 86400 * 86400) AS "timestamp"'
        grouped = (
            f"(SELECT {day}, NULL::VARCHAR AS country_code, file_id, agent_id, "  # noqa: S608
            f"count(*) AS n FROM {events} GROUP BY ALL)"
        )
        return raw_view_sql(
            grouped, self.t_targets, self.t_agents, ids="tid", agent_ids="aid", extra=", e.n"
        )

    def relation(self) -> str:
        """A view of this file's downloads in the ``file_downloads`` schema."""
        view = f"{self.t_events}_view"
        events = f"({self.events_sql()})"
        body = raw_view_sql(events, self.t_targets, self.t_agents, ids="tid", agent_ids="aid")
        self.con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS {body}")
        return view

    def _learn_countries(self) -> None:
        import pyarrow as pa

        assert self.geoip is not None
        hosts = [
            r[0]
            for r in self.con.execute(
                f"SELECT DISTINCT host FROM {self.t_events}"  # noqa: S608
            ).fetchall()
        ]
        geo = pa.table(
            {
                "host": pa.array(hosts, pa.string()),
                "country": pa.array([self.geoip(h) for h in hosts], pa.string()),
            }
        )
        self._load(f"CREATE OR REPLACE TEMP TABLE {self.t_events}_geo AS", geo)
