"""Read any published dump back into a :class:`Ranking`, refusing broken ones.

Accepted: the 2018 bare JSON list, pypinfo-era JSON, ClickHouse-era JSON,
either minified, the CSV, a gzipped CSV, and the Parquet toppypi writes.
Every reader validates: a file that is truncated, holds a duplicate project,
is out of order, has a count that is not a non-negative int64, repeats its
header, holds two dumps, nests too deeply or is dated outside 2016 to
tomorrow is refused with one line naming the file and the row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from toppypi.errors import InputError, InvalidDump, PeriodError
from toppypi.formats import csvdump, parquet, validate
from toppypi.model.period import Period, parse_month
from toppypi.model.ranking import DEFAULT_COLUMNS, Envelope, Methodology, Ranking

_TS_FORMAT = "%Y-%m-%d %H:%M:%S"
PYPINFO_SOURCE = "BigQuery/pypinfo"
MAX_BYTES = 1 << 30  # a published dump is under 1 MB; a full list under 100 MB
MAX_ROWS = 10_000_000  # PyPI has under a million projects; a full list fits


def read_dump(
    path: str | Path,
    *,
    default_last_update: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Ranking:
    """Parse a dump of any era.

    Files without a timestamp (CSV, the 2018 list) take ``default_last_update``,
    else the file's modification time.
    """
    p = Path(path)
    try:
        if p.stat().st_size > MAX_BYTES:
            raise InvalidDump(f"{p}: {p.stat().st_size:,} bytes is too large for a dump")
        data = p.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{p}: is a folder, not a dump file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if data[:2] == b"\x1f\x8b":  # the csv.gz that `convert` and the full list write
        data = _gunzip(data, p)
    if default_last_update is None:
        default_last_update = dt.datetime.fromtimestamp(p.stat().st_mtime, dt.UTC).replace(
            microsecond=0, tzinfo=None
        )
    if data[:4] == b"PAR1":
        return parse_parquet(
            data, name=str(p), default_last_update=default_last_update, today=today
        )
    return parse_dump(data, name=str(p), default_last_update=default_last_update, today=today)


def _gunzip(data: bytes, p: Path) -> bytes:
    import gzip
    import io
    import zlib

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            out = gz.read(MAX_BYTES + 1)
    except (OSError, EOFError, zlib.error):
        raise InvalidDump(f"{p}: a damaged gzip file") from None
    if len(out) > MAX_BYTES:
        raise InvalidDump(f"{p}: more than {MAX_BYTES:,} bytes uncompressed; not a dump")
    return out


def _rows_estimate(data: bytes) -> int:
    """About how many rows, judged before any is parsed: a 600 KB csv.gz of
    150M tiny rows would take tens of GB as Python lists. A CSV row is a line; a
    JSON row is an object holding one comma and followed by another."""
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return max(data.count(b"{"), data.count(b",") // 2)
    return data.count(b"\n")


def parse_dump(
    data: bytes,
    *,
    name: str = "<input>",
    default_last_update: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Ranking:
    if _rows_estimate(data) > MAX_ROWS:
        raise InvalidDump(
            f"{name}: over {MAX_ROWS:,} rows; a dump holds fewer (PyPI has fewer projects)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidDump(f"{name}: not UTF-8 text (byte {exc.start})") from None
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise InvalidDump(f"{name}: the file is empty")
    fallback = default_last_update or dt.datetime(1970, 1, 1)
    if stripped[0] in "[{":
        ranking = _parse_json(stripped, name, fallback, today)
    elif stripped.startswith(csvdump.HEADER):
        ranking = _parse_csv(stripped, name, fallback)
    else:
        raise InvalidDump(
            f"{name}: not a top-pypi-packages dump "
            f"(expected JSON with rows[] or a CSV with header {csvdump.HEADER})"
        )
    return _validated(ranking, name)


def _validated(ranking: Ranking, name: str) -> Ranking:
    problems = validate.problems(ranking.projects, ranking.counts)
    if problems:
        raise InvalidDump(f"{name}: {problems[0]}")
    return ranking


def parse_parquet(
    data: bytes,
    *,
    name: str = "<input>",
    default_last_update: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Ranking:
    """A Parquet dump toppypi writes: ``rank, project, download_count`` and its metadata.

    Its size is judged before it is decoded: a few hundred KB of run-length or
    dictionary encoded rows would take gigabytes as Python lists.
    """
    import pyarrow as pa

    try:
        projects, counts, meta = _read_parquet(data, name)
    except (pa.ArrowException, OSError, ValueError, LookupError, TypeError) as exc:
        # pyarrow's messages on a damaged file run over several lines
        why = (str(exc).splitlines() or [type(exc).__name__])[0][:80]
        raise InvalidDump(f"{name}: not a readable Parquet file ({why})") from None
    when = _timestamp(meta.get("last_update"), name, today) or default_last_update
    if when is None:
        raise InvalidDump(f"{name}: a Parquet file without last_update metadata")
    for i, (proj, count) in enumerate(zip(projects, counts, strict=True), 1):
        if not isinstance(proj, str) or not isinstance(count, int):
            raise InvalidDump(f"{name}: row {i}: a missing project or count")
    period = _period(meta.get("period", ""), name)
    if parquet.HEADER_KEY in meta:  # the JSON dump's other keys: read back byte for byte
        header = _loads(meta[parquet.HEADER_KEY], name)
        if not isinstance(header, dict) or "rows" in header:
            raise InvalidDump(f"{name}: its {parquet.HEADER_KEY} metadata is not a dump header")
        ranking = _from_object(header, projects, counts, name, when, today).replace(period=period)
    else:
        source = Methodology(source=meta.get("source", ""))
        ranking = Ranking(
            projects, counts, when, period=period, methodology=source, origin=name, format="parquet"
        )
    return _validated(ranking, name)


def _read_parquet(data: bytes, name: str) -> tuple[list[Any], list[Any], dict[str, str]]:
    """The two columns and the metadata, or InvalidDump; pyarrow's own errors pass up."""
    import io

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    wanted = ["project", "download_count"]
    pf = pq.ParquetFile(io.BytesIO(data))
    if not set(wanted) <= set(pf.schema_arrow.names):
        raise InvalidDump(f"{name}: a Parquet file without project and download_count columns")
    if pf.metadata.num_rows > MAX_ROWS:
        raise InvalidDump(
            f"{name}: {pf.metadata.num_rows:,} rows; a dump holds at most "
            f"{MAX_ROWS:,} (PyPI has fewer projects)"
        )
    try:
        meta = {k.decode(): v.decode() for k, v in (pf.schema_arrow.metadata or {}).items()}
    except UnicodeDecodeError:
        raise InvalidDump(f"{name}: the Parquet metadata is not UTF-8 text") from None
    kind = pf.schema_arrow.field("project").type
    text = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    # kept as a dictionary: a name stored once in a dictionary page would be copied to every row
    pf = pq.ParquetFile(io.BytesIO(data), read_dictionary=["project"] if text else None)
    table = pf.read(columns=wanted)
    names = table.column("project")
    if pa.types.is_dictionary(names.type):
        longest = max(
            (pc.max(pc.binary_length(c.dictionary)).as_py() or 0 for c in names.chunks),
            default=0,
        )
        if longest > validate.MAX_NAME:
            raise InvalidDump(f"{name}: a project name longer than {validate.MAX_NAME} characters")
    return names.to_pylist(), table.column("download_count").to_pylist(), meta


def _period(label: str, name: str) -> Period | None:
    """The period a Parquet dump's metadata records (``Period.label``), if any."""
    if not label:
        return None
    try:
        if ".." in label:
            start, end = (dt.datetime.strptime(d, "%Y-%m-%d").date() for d in label.split(".."))
            return Period(start, end)
        return parse_month(label)
    except (PeriodError, ValueError):
        raise InvalidDump(
            f"{name}: period {label[:40]!r} is not YYYY-MM or YYYY-MM-DD..YYYY-MM-DD"
        ) from None


def _loads(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        what = "two dumps in one file" if exc.msg == "Extra data" else exc.msg
        raise InvalidDump(f"{name}: invalid JSON at line {exc.lineno}: {what}") from None
    except RecursionError:
        raise InvalidDump(f"{name}: JSON nested too deeply; not a dump") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        if "digits" in str(exc):
            raise InvalidDump(f"{name}: a number of over 4,300 digits; not a count") from None
        raise InvalidDump(f"{name}: invalid JSON: {str(exc).splitlines()[0][:80]}") from None


def _parse_json(text: str, name: str, fallback: dt.datetime, today: dt.date | None) -> Ranking:
    obj = _loads(text, name)
    if isinstance(obj, list):
        projects, counts = _rows(obj, name)
        return Ranking(
            projects,
            counts,
            fallback,
            methodology=Methodology(source=PYPINFO_SOURCE),
            origin=name,
            format="pypinfo-list",
        )
    if not isinstance(obj, dict) or "rows" not in obj:
        raise InvalidDump(f"{name}: JSON has no 'rows' list; not a top-pypi-packages dump")
    projects, counts = _rows(obj["rows"], name)
    return _from_object(obj, projects, counts, name, fallback, today)


def _from_object(
    obj: dict[str, Any],
    projects: list[str],
    counts: list[int],
    name: str,
    fallback: dt.datetime,
    today: dt.date | None,
) -> Ranking:
    """A ranking from a dump object's keys other than its rows (JSON, or Parquet metadata)."""
    last_update = _timestamp(obj.get("last_update"), name, today) or fallback
    if "query" in obj and "source" not in obj:
        query = obj["query"]
        if not isinstance(query, dict):
            raise InvalidDump(f"{name}: 'query' is not an object")
        return Ranking(
            projects,
            counts,
            last_update,
            methodology=Methodology(source=PYPINFO_SOURCE),
            envelope=Envelope(query=query),
            origin=name,
            format="pypinfo-dict",
        )
    source = obj.get("source", "")
    if not isinstance(source, str):
        raise InvalidDump(f"{name}: 'source' is not a string")
    stats = obj.get("statistics")
    if stats is not None and not isinstance(stats, dict):
        raise InvalidDump(f"{name}: 'statistics' is not an object")
    env = Envelope(
        columns=_columns(obj.get("meta"), name),
        total_rows=_opt_int(obj.get("total_rows"), "total_rows", name),
        rows_before_limit_at_least=_opt_int(
            obj.get("rows_before_limit_at_least"), "rows_before_limit_at_least", name
        ),
        statistics=stats,
    )
    return Ranking(
        projects,
        counts,
        last_update,
        methodology=Methodology(source=source),
        envelope=env,
        origin=name,
        format="clickhouse",
    )


def _columns(meta: Any, name: str) -> tuple[tuple[str, str], ...]:
    if meta is None:
        return DEFAULT_COLUMNS
    ok = isinstance(meta, list) and all(
        isinstance(m, Mapping)
        and set(m) == {"name", "type"}
        and isinstance(m["name"], str)
        and isinstance(m["type"], str)
        for m in meta
    )
    if not ok:
        raise InvalidDump(f"{name}: 'meta' is not a list of {{name, type}} columns")
    return tuple((m["name"], m["type"]) for m in meta)


def _timestamp(value: Any, name: str, today: dt.date | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.strptime(str(value), _TS_FORMAT)
    except ValueError:
        raise InvalidDump(
            f"{name}: last_update {str(value)[:40]!r} is not YYYY-MM-DD HH:MM:SS"
        ) from None
    problem = validate.timestamp_problem(when, today)
    if problem:
        raise InvalidDump(f"{name}: {problem}")
    return when


def _opt_int(value: Any, key: str, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidDump(f"{name}: {key} is not a non-negative integer")
    if value > validate.MAX_COUNT:
        raise InvalidDump(f"{name}: {key} is larger than an int64")
    return value


def _rows(items: Any, name: str) -> tuple[list[str], list[int]]:
    if not isinstance(items, list):
        raise InvalidDump(f"{name}: 'rows' is not a list")
    projects: list[str] = []
    counts: list[int] = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict) or "project" not in item or "download_count" not in item:
            raise InvalidDump(f"{name}: row {i} lacks 'project' or 'download_count'")
        count, project = item["download_count"], item["project"]
        if isinstance(count, bool) or not isinstance(count, int):
            raise InvalidDump(f"{name}: row {i}: download_count {str(count)[:40]!r} is not a count")
        if not isinstance(project, str) or not project:
            raise InvalidDump(f"{name}: row {i}: project {str(project)[:40]!r} is not a name")
        projects.append(project)
        counts.append(count)
    return projects, counts


def _parse_csv(text: str, name: str, fallback: dt.datetime) -> Ranking:
    projects: list[str] = []
    counts: list[int] = []
    for line, count, project in csvdump.decode(text, name):
        if not project:
            raise InvalidDump(f"{name}: line {line}: the project name is empty")
        projects.append(project)
        counts.append(count)
    return Ranking(projects, counts, fallback, origin=name, format="csv")
