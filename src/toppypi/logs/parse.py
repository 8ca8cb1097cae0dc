"""Chunks of access-log lines to download events, vectorised in DuckDB.

DuckDB splits and checks every line (see :mod:`toppypi.logs.lines`); Python
only sees what repeats little: each distinct request target (is it a
distribution file?), each distinct User-Agent (linehaul) and each distinct
client address (GeoIP, when given). The events come back as Arrow in the
``file_downloads`` schema.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toppypi.logs.agents import AgentParser
from toppypi.logs.files import classify_target
from toppypi.logs.geo import GeoIP
from toppypi.logs.lines import parse_sql
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

_CANDIDATE = "ok AND method = 'GET' AND status BETWEEN 200 AND 299 AND status <> 206"
_ODD_LINE = re.compile(rb"(?m)^[^\n]*[\r\x01][^\n]*$")
_CRLF = re.compile(rb"\r(?=\n)")


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


def sanitize(data: bytes) -> bytes:
    """Lines as DuckDB's line reader can take them, one row per line.

    A CR before the newline is dropped; a line holding any other CR, or a
    ``\\x01``, becomes empty (it is unparseable either way, and would otherwise
    be split or cut by the reader).
    """
    if b"\r" not in data and b"\x01" not in data:
        return data
    return _ODD_LINE.sub(b"", _CRLF.sub(b"", data))


class LogParser:
    """Parses the chunks of one log after another into TEMP tables of ``con``.

    Per line only DuckDB works; the distinct targets and User-Agents it finds
    are classified in Python once per ingest and kept as small tables with an
    id. A file's downloads are kept compactly (time, host, target id, agent
    id) until :meth:`relation` joins them into the ``file_downloads`` schema.
    """

    _count = 0

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        fmt: str,
        *,
        prefixes: tuple[str, ...] = (),
        geoip: GeoIP | None = None,
    ) -> None:
        LogParser._count += 1
        self.con = con
        self.fmt = fmt
        self.prefixes = prefixes
        self.geoip = geoip
        self.agents = AgentParser()
        n = LogParser._count
        self.t_targets, self.t_agents, self.t_events = (
            f"log_targets_{n}",
            f"log_agents_{n}",
            f"log_events_{n}",
        )
        self._tmpdir = tempfile.TemporaryDirectory(prefix="toppypi-log-")
        self._chunk_path = Path(self._tmpdir.name) / "chunk.log"
        self._targets = 0
        self._agents = 0
        self._create_tables()
        self.start_file()

    def close(self) -> None:
        self._tmpdir.cleanup()
        for t in (self.t_targets, self.t_agents, self.t_events, "log_lines", "log_joined"):
            self.con.execute(f"DROP TABLE IF EXISTS {t}")
        self.con.execute(f"DROP VIEW IF EXISTS {self.t_events}_view")

    def _create_tables(self) -> None:
        import pyarrow as pa

        targets = pa.schema([("tid", pa.int32())] + [(k, pa.string()) for k in _TARGET_COLUMNS])
        agents = pa.schema(
            [
                ("aid", pa.int32()),
                ("agent", pa.string()),
                ("details", arrow_type(DETAILS)),
                ("ignored", pa.bool_()),
            ]
        )
        for name, schema in ((self.t_targets, targets), (self.t_agents, agents)):
            self._load(f"CREATE OR REPLACE TEMP TABLE {name} AS", schema.empty_table())

    def start_file(self) -> None:
        """Forget the downloads of the previous file; keep what was learnt."""
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {self.t_events} "
            "(time TIMESTAMPTZ, host VARCHAR, tid INTEGER, aid INTEGER)"
        )

    def add(self, data: bytes, first_line: int, lines: int | None = None) -> LogStats:
        """Parse ``data`` (whole lines) whose first line is number ``first_line``."""
        clean = sanitize(data)
        self._chunk_path.write_bytes(clean)
        stats = self._parse(self._chunk_path, first_line, escapes=b'\\"' in clean)
        if lines is not None and lines > stats.lines:  # lines the reader lost: unparseable
            stats.unparseable += lines - stats.lines
            stats.lines = lines
        return stats

    def add_file(self, path: Path, *, escapes: bool) -> LogStats:
        """Parse a whole log file that ends in a newline and holds no CR or ``\\x01``
        (see :func:`sanitize`): DuckDB reads it directly, with no copy."""
        return self._parse(path, 1, escapes=escapes)

    def _parse(self, path: Path, first_line: int, *, escapes: bool) -> LogStats:
        con = self.con
        con.execute("DROP TABLE IF EXISTS log_rejects").fetchall()
        con.execute("DROP TABLE IF EXISTS log_rejects_scan").fetchall()
        src = (
            f"read_csv({_sql_string(str(path))}, columns={{'line': 'VARCHAR'}}, "
            "delim='\\x01', quote='', escape='', header=false, auto_detect=false, "
            "strict_mode=false, ignore_errors=true, max_line_size=1048576, "
            "store_rejects=true, rejects_table='log_rejects', rejects_scan='log_rejects_scan')"
        )
        parsed = parse_sql(src, self.fmt, escapes=escapes, sanitized=True)
        con.execute(  # our own SQL: no user value reaches it
            "CREATE OR REPLACE TEMP TABLE log_lines AS SELECT ok, method, status, time, host, "  # noqa: S608
            f"CASE WHEN {_CANDIDATE} THEN target END AS target, "
            f"CASE WHEN {_CANDIDATE} THEN agent END AS agent, "
            f"coalesce({_CANDIDATE}, false) AS candidate FROM ({parsed})"
        ).fetchall()
        rows, bad, not_get, status = con.execute(
            "SELECT count(*), count(*) FILTER (NOT ok), "
            "count(*) FILTER (ok AND method <> 'GET'), "
            "count(*) FILTER (ok AND method = 'GET' AND NOT candidate) FROM log_lines"
        ).fetchall()[0] or (0, 0, 0, 0)
        # Lines the reader could not take (invalid UTF-8, over-long) are its rejects.
        rejects = con.execute("SELECT line FROM log_rejects ORDER BY 1").fetchall()
        rejected = [int(r[0]) for r in rejects]
        stats = LogStats(lines=rows + len(rejected))
        stats.unparseable = bad + len(rejected)
        stats.skipped["method"] = not_get
        stats.skipped["status"] = status
        if stats.unparseable:
            stats.bad_lines = self._bad_lines(first_line, rejected)
        self._learn_targets()
        self._learn_agents()
        con.execute(
            "CREATE OR REPLACE TEMP TABLE log_joined AS SELECT l.time, l.host, t.tid, a.aid, "  # noqa: S608
            "coalesce(t.kind, 'not_file') AS kind, t.layout, coalesce(a.ignored, false) AS ignored "
            f"FROM log_lines l LEFT JOIN {self.t_targets} t USING (target) "
            f"LEFT JOIN {self.t_agents} a USING (agent) WHERE l.candidate"
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
                stats.layouts[layout] += n
        con.execute(
            f"INSERT INTO {self.t_events} SELECT time, host, tid, aid FROM log_joined "  # noqa: S608
            "WHERE kind = 'download' AND NOT ignored"
        ).fetchall()
        return stats

    def _bad_lines(self, first_line: int, rejected: list[int]) -> list[int]:
        """Line numbers of the first unparseable lines: the reader's rejects, and the
        rows that did not parse (rows are lines in order, less the rejected ones)."""
        rows = self.con.execute(
            f"SELECT rowid FROM log_lines WHERE NOT ok ORDER BY rowid LIMIT {BAD_LINES_KEPT}"  # noqa: S608
        ).fetchall()
        found = list(rejected[:BAD_LINES_KEPT])
        for (rowid,) in rows:
            line = int(rowid) + 1
            while True:  # shift past the rejected lines before it
                shifted = int(rowid) + 1 + sum(1 for r in rejected if r <= line)
                if shifted == line:
                    break
                line = shifted
            found.append(line)
        return [first_line - 1 + n for n in sorted(found)[:BAD_LINES_KEPT]]

    def _new(self, column: str, table: str) -> list[str]:
        rows = self.con.execute(
            f"SELECT DISTINCT {column} FROM log_lines WHERE {column} IS NOT NULL "  # noqa: S608
            f"AND {column} NOT IN (SELECT {column} FROM {table})"
        ).fetchall()
        return [r[0] for r in rows]

    def _learn_targets(self) -> None:
        import pyarrow as pa

        new = self._new("target", self.t_targets)
        if not new:
            return
        cols: dict[str, list[str | None]] = {k: [] for k in _TARGET_COLUMNS}
        for target in new:
            t = classify_target(target, self.prefixes)
            f = t.file
            kind = "not_file" if f is None else ("layout" if t.layout is None else "download")
            fields = (f.filename, f.project, f.version, f.type) if f else (None,) * 4
            for k, v in zip(_TARGET_COLUMNS, (target, kind, t.layout, *fields), strict=True):
                cols[k].append(v)
        ids = pa.array(range(self._targets, self._targets + len(new)), pa.int32())
        self._targets += len(new)
        batch = pa.table({"tid": ids, **{k: pa.array(v, pa.string()) for k, v in cols.items()}})
        self._load(f"INSERT INTO {self.t_targets}", batch)

    def _learn_agents(self) -> None:
        import pyarrow as pa

        new = self._new("agent", self.t_agents)
        if not new:
            return
        parsed = [self.agents(a) for a in new]
        ids = pa.array(range(self._agents, self._agents + len(new)), pa.int32())
        self._agents += len(new)
        batch = pa.table(
            {
                "aid": ids,
                "agent": pa.array(new, pa.string()),
                "details": pa.array([p.details for p in parsed], arrow_type(DETAILS)),
                "ignored": pa.array([p.ignored for p in parsed], pa.bool_()),
            }
        )
        self._load(f"INSERT INTO {self.t_agents}", batch)

    def _load(self, into: str, table: pa.Table) -> None:
        """``into`` (an INSERT or CREATE ... AS) fed with an Arrow table."""
        self.con.register("log_batch", table)
        try:
            self.con.execute(f"{into} SELECT * FROM log_batch").fetchall()  # noqa: S608
        finally:
            self.con.unregister("log_batch")

    def relation(self) -> str:
        """A view of this file's downloads in the ``file_downloads`` schema."""
        country = "NULL::VARCHAR"
        if self.geoip is not None:
            self._learn_countries()
            country = "g.country"
        geo = " LEFT JOIN log_geo g USING (host)" if self.geoip is not None else ""
        view = f"{self.t_events}_view"
        self.con.execute(
            f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT e.time AS timestamp, "  # noqa: S608
            f"{country} AS country_code, t.target AS url, t.project, "
            "{'filename': t.filename, 'project': t.project, 'version': t.version, "
            "'type': t.type} AS file, a.details, NULL::VARCHAR AS tls_protocol, "
            f"NULL::VARCHAR AS tls_cipher FROM {self.t_events} e "
            f"JOIN {self.t_targets} t USING (tid) LEFT JOIN {self.t_agents} a USING (aid){geo}"
        )
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
        self._load("CREATE OR REPLACE TEMP TABLE log_geo AS", geo)


_TARGET_COLUMNS = ("target", "kind", "layout", "filename", "project", "version", "type")


def _sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
