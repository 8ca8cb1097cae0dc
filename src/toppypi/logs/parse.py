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
from toppypi.logs.lines import parse_line, parse_sql
from toppypi.model.events import DETAILS, arrow_type, event_schema

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
    """Parses chunks of one log format; caches what it learns across chunks and files."""

    def __init__(
        self,
        fmt: str,
        *,
        prefixes: tuple[str, ...] = (),
        geoip: GeoIP | None = None,
        workdir: Path | None = None,
    ) -> None:
        import duckdb

        self.fmt = fmt
        self.prefixes = prefixes
        self.geoip = geoip
        self.agents = AgentParser()
        self.con: duckdb.DuckDBPyConnection = duckdb.connect()
        self.con.execute("SET TimeZone = 'UTC'")
        self._tmpdir = tempfile.TemporaryDirectory(prefix="toppypi-log-", dir=workdir)
        self._chunk_path = Path(self._tmpdir.name) / "chunk.log"

    def close(self) -> None:
        self.con.close()
        self._tmpdir.cleanup()

    def parse(self, data: bytes, first_line: int) -> tuple[pa.Table, LogStats]:
        """Events and counts for ``data`` (whole lines) whose first line is ``first_line``."""
        stats = LogStats(lines=data.count(b"\n"))
        clean = sanitize(data)
        self._chunk_path.write_bytes(clean)
        con = self.con
        src = (
            f"read_csv('{self._chunk_path}', columns={{'line': 'VARCHAR'}}, delim='\\x01', "
            "quote='', escape='', header=false, auto_detect=false, strict_mode=false, "
            "ignore_errors=true, max_line_size=1048576)"
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE p AS SELECT ok, host, time, method, target, status, "
            f"agent FROM ({parse_sql(src, self.fmt)})"
        )
        rows, bad, not_get, status = con.execute(
            "SELECT count(*), count(*) FILTER (NOT ok), "
            "count(*) FILTER (ok AND method <> 'GET'), "
            f"count(*) FILTER (ok AND method = 'GET' AND NOT ({_CANDIDATE})) FROM p"
        ).fetchone() or (0, 0, 0, 0)
        dropped = stats.lines - rows  # lines the reader could not take (invalid UTF-8)
        stats.unparseable = bad + dropped
        stats.skipped["method"] = not_get
        stats.skipped["status"] = status
        if stats.unparseable:
            stats.bad_lines = self._bad_lines(data, first_line, dropped)
        self._load_targets()
        self._load_agents()
        counts = con.execute(
            "SELECT t.kind, coalesce(a.ignored, false), t.layout, count(*) FROM p "
            "JOIN targets t USING (target) LEFT JOIN agents a USING (agent) "
            f"WHERE {_CANDIDATE} GROUP BY ALL"
        ).fetchall()
        for kind, ignored, layout, n in counts:
            if kind != "download":
                stats.skipped[kind] += n
            elif ignored:
                stats.skipped["agent"] += n
            else:
                stats.downloads += n
                stats.layouts[layout] += n
        country = "NULL::VARCHAR"
        if self.geoip is not None:
            self._load_geo()
            country = "(SELECT country FROM geo WHERE geo.host = p.host)"
        events = con.sql(
            f"SELECT p.time AS timestamp, {country} AS country_code, p.target AS url, "  # noqa: S608
            "t.project, {'filename': t.filename, 'project': t.project, 'version': t.version, "
            "'type': t.type} AS file, a.details, NULL::VARCHAR AS tls_protocol, "
            "NULL::VARCHAR AS tls_cipher FROM p JOIN targets t USING (target) "
            f"LEFT JOIN agents a USING (agent) WHERE {_CANDIDATE} AND t.kind = 'download' "
            "AND NOT coalesce(a.ignored, false)"
        ).to_arrow_table()
        return events.cast(event_schema()), stats

    def _bad_lines(self, data: bytes, first_line: int, dropped: int) -> list[int]:
        if dropped == 0:
            # One row per line, in order: the rows' positions are the line numbers.
            rows = self.con.execute(
                f"SELECT rowid FROM p WHERE NOT ok ORDER BY rowid LIMIT {BAD_LINES_KEPT}"
            ).fetchall()
            return [first_line + int(r[0]) for r in rows]
        found: list[int] = []
        for i, raw in enumerate(data.split(b"\n")[:-1]):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is None or parse_line(text, self.fmt) is None:
                found.append(first_line + i)
                if len(found) == BAD_LINES_KEPT:
                    break
        return found

    def _load_targets(self) -> None:
        import pyarrow as pa

        rows = self.con.execute(
            f"SELECT DISTINCT target FROM p WHERE {_CANDIDATE} AND target IS NOT NULL"  # noqa: S608
        ).fetchall()
        cols: dict[str, list[str | None]] = {
            k: [] for k in ("target", "kind", "layout", "filename", "project", "version", "type")
        }
        for (target,) in rows:
            t = classify_target(target, self.prefixes)
            kind = "not_file" if t.file is None else ("layout" if t.layout is None else "download")
            f = t.file
            for k, v in (
                ("target", target),
                ("kind", kind),
                ("layout", t.layout),
                ("filename", f.filename if f else None),
                ("project", f.project if f else None),
                ("version", f.version if f else None),
                ("type", f.type if f else None),
            ):
                cols[k].append(v)
        table = pa.table({k: pa.array(v, pa.string()) for k, v in cols.items()})
        self.con.register("targets", table)

    def _load_agents(self) -> None:
        import pyarrow as pa

        rows = self.con.execute(
            f"SELECT DISTINCT agent FROM p WHERE {_CANDIDATE} AND agent IS NOT NULL"  # noqa: S608
        ).fetchall()
        agents = [r[0] for r in rows]
        parsed = [self.agents(a) for a in agents]
        table = pa.table(
            {
                "agent": pa.array(agents, pa.string()),
                "details": pa.array([p.details for p in parsed], arrow_type(DETAILS)),
                "ignored": pa.array([p.ignored for p in parsed], pa.bool_()),
            }
        )
        self.con.register("agents", table)

    def _load_geo(self) -> None:
        import pyarrow as pa

        assert self.geoip is not None
        hosts = [
            r[0]
            for r in self.con.execute(
                f"SELECT DISTINCT host FROM p WHERE {_CANDIDATE}"  # noqa: S608
            ).fetchall()
        ]
        table = pa.table(
            {
                "host": pa.array(hosts, pa.string()),
                "country": pa.array([self.geoip(h) for h in hosts], pa.string()),
            }
        )
        self.con.register("geo", table)
