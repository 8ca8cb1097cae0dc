"""Read any published dump back into a :class:`Snapshot`.

Accepted: the 2018 bare JSON list, pypinfo-era JSON, ClickHouse-era JSON,
either minified, and the CSV. Bad files raise :class:`InputError` with one
line naming the file and the problem.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from toppypi.errors import InputError
from toppypi.formats import JsonLayout
from toppypi.model.snapshot import Row, Snapshot

CSV_HEADER = "download_count,project"
_TS_FORMAT = "%Y-%m-%d %H:%M:%S"


def layout_of(snapshot: Snapshot) -> JsonLayout:
    """The JSON layout a snapshot was published in (pypinfo era or ClickHouse era)."""
    if snapshot.query is not None and snapshot.statistics is None:
        return JsonLayout.PYPINFO
    return JsonLayout.CLICKHOUSE


def read_dump(
    path: str | Path,
    *,
    strict: bool = False,
    default_last_update: dt.datetime | None = None,
) -> Snapshot:
    """Parse a dump of any era; ``strict`` also refuses duplicate names.

    Files without a timestamp (CSV, the 2018 list) take ``default_last_update``,
    else the file's modification time.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":  # the csv.gz that `convert` and the full list write
        import gzip
        import zlib

        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            raise InputError(f"{p}: a damaged gzip file") from None
    if data[:4] == b"PAR1":
        raise InputError(f"{p}: a Parquet file; give the .json or .csv dump of the same month")
    if default_last_update is None:
        default_last_update = dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC).replace(
            microsecond=0, tzinfo=None
        )
    return parse_dump(data, name=str(p), strict=strict, default_last_update=default_last_update)


def parse_dump(
    data: bytes,
    *,
    name: str = "<input>",
    strict: bool = False,
    default_last_update: dt.datetime | None = None,
) -> Snapshot:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise InputError(f"{name}: the file is empty")
    fallback = default_last_update or dt.datetime(1970, 1, 1)
    if stripped[0] in "[{":
        snap = _parse_json(text, name, fallback)
    elif stripped.startswith(CSV_HEADER):
        snap = _parse_csv(stripped, name, fallback, strict)
    else:
        raise InputError(
            f"{name}: not a top-pypi-packages dump "
            f"(expected JSON with rows[] or a CSV with header {CSV_HEADER})"
        )
    if strict:
        _refuse_duplicates(snap, name)
    return snap


def _parse_json(text: str, name: str, fallback: dt.datetime) -> Snapshot:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if isinstance(obj, list):
        return Snapshot(
            rows=_rows(obj, name), last_update=fallback, source="BigQuery/pypinfo", query=None
        )
    if not isinstance(obj, dict) or "rows" not in obj:
        raise InputError(f"{name}: JSON has no 'rows' list; not a top-pypi-packages dump")
    last_update = _timestamp(obj.get("last_update"), name) or fallback
    rows = _rows(obj["rows"], name)
    if "query" in obj and "source" not in obj:
        query = obj["query"]
        if not isinstance(query, dict):
            raise InputError(f"{name}: 'query' is not an object")
        return Snapshot(rows=rows, last_update=last_update, source="BigQuery/pypinfo", query=query)
    snap = Snapshot(rows=rows, last_update=last_update, source=str(obj.get("source", "")))
    if isinstance(obj.get("meta"), list):
        snap.meta = obj["meta"]
    snap.total_rows = _opt_int(obj.get("total_rows"), "total_rows", name)
    snap.rows_before_limit_at_least = _opt_int(
        obj.get("rows_before_limit_at_least"), "rows_before_limit_at_least", name
    )
    stats = obj.get("statistics")
    snap.statistics = stats if isinstance(stats, dict) else None
    return snap


def _timestamp(value: Any, name: str) -> dt.datetime | None:
    if value is None:
        return None
    try:
        return dt.datetime.strptime(str(value), _TS_FORMAT)
    except ValueError:
        raise InputError(f"{name}: last_update {value!r} is not YYYY-MM-DD HH:MM:SS") from None


def _opt_int(value: Any, key: str, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{name}: {key} is not an integer")
    return value


def _rows(items: Any, name: str) -> list[Row]:
    if not isinstance(items, list):
        raise InputError(f"{name}: 'rows' is not a list")
    rows: list[Row] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or "project" not in item or "download_count" not in item:
            raise InputError(f"{name}: row {i} lacks 'project' or 'download_count'")
        rows.append(_row(item["download_count"], item["project"], i, name))
    return rows


def _row(count: Any, project: Any, i: int, name: str) -> Row:
    if isinstance(count, bool) or not isinstance(count, int):
        raise InputError(f"{name}: row {i}: download_count {count!r} is not an integer")
    if count < 0:
        raise InputError(f"{name}: row {i}: download_count {count} is negative")
    if not isinstance(project, str) or not project:
        raise InputError(f"{name}: row {i}: project {project!r} is not a name")
    return Row(count, project)


def _parse_csv(text: str, name: str, fallback: dt.datetime, strict: bool) -> Snapshot:
    import csv

    rows: list[Row] = []
    headers = 0
    for lineno, rec in enumerate(csv.reader(text.splitlines()), 1):
        if not rec:
            continue
        if rec == ["download_count", "project"]:
            headers += 1
            if headers > 1 and strict:
                raise InputError(f"{name}: line {lineno}: the header repeats (two dumps in one)")
            continue
        if len(rec) != 2:
            raise InputError(f"{name}: line {lineno}: expected 2 columns, found {len(rec)}")
        try:
            count = int(rec[0])
        except ValueError:
            raise InputError(f"{name}: line {lineno}: {rec[0]!r} is not a count") from None
        rows.append(_row(count, rec[1], lineno, name))
    snap = Snapshot(rows=rows, last_update=fallback, source="")
    snap.repeated_headers = headers - 1
    return snap


def _refuse_duplicates(snap: Snapshot, name: str) -> None:
    from packaging.utils import canonicalize_name

    seen: set[str] = set()
    for i, r in enumerate(snap.rows, 1):
        key = canonicalize_name(r.project)
        if key in seen:
            raise InputError(f"{name}: row {i}: project {r.project!r} appears twice")
        seen.add(key)
