"""Serialise a :class:`Snapshot` exactly as the anchor publishes it."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path
from typing import Any

from toppypi.atomic import atomic_write
from toppypi.formats import DumpFormat, JsonLayout
from toppypi.model.snapshot import Snapshot


def dump_object(snapshot: Snapshot, layout: JsonLayout = JsonLayout.CLICKHOUSE) -> dict[str, Any]:
    """The JSON object in the anchor's key order for ``layout``."""
    rows = [{"download_count": r.download_count, "project": r.project} for r in snapshot.rows]
    if layout is JsonLayout.PYPINFO:
        query = snapshot.query or {
            "bytes_billed": 0,
            "bytes_processed": 0,
            "cached": False,
            "estimated_cost": "0.00",
        }
        return {"last_update": snapshot.last_update_text, "query": query, "rows": rows}
    return {
        "last_update": snapshot.last_update_text,
        "source": snapshot.source,
        "meta": snapshot.meta,
        "rows": rows,
        "total_rows": snapshot.total_rows if snapshot.total_rows is not None else len(rows),
        "rows_before_limit_at_least": (
            snapshot.rows_before_limit_at_least
            if snapshot.rows_before_limit_at_least is not None
            else len(rows)
        ),
        "statistics": snapshot.statistics or {"elapsed": 0.0, "rows_read": 0, "bytes_read": 0},
    }


def render(
    snapshot: Snapshot, fmt: DumpFormat, layout: JsonLayout = JsonLayout.CLICKHOUSE
) -> bytes:
    """Bytes of a text dump (json, min.json, csv, csv.gz)."""
    if fmt is DumpFormat.JSON:
        return (json.dumps(dump_object(snapshot, layout), indent=0) + "\n").encode()
    if fmt is DumpFormat.MIN_JSON:
        obj = dump_object(snapshot, layout)
        return (json.dumps(obj, separators=(",", ":")) + "\n").encode()
    if fmt is DumpFormat.CSV:
        return render_csv(snapshot)
    if fmt is DumpFormat.CSV_GZ:
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
            gz.write(render_csv(snapshot))
        return buf.getvalue()
    raise ValueError(f"{fmt} is not a text format")


def render_csv(snapshot: Snapshot) -> bytes:
    """``download_count,project`` with the project always quoted, as the anchor does."""
    lines = ["download_count,project"]
    lines.extend(
        f'{r.download_count},"{r.project.replace(chr(34), chr(34) * 2)}"' for r in snapshot.rows
    )
    return ("\n".join(lines) + "\n").encode()


def parquet_bytes(snapshot: Snapshot) -> bytes:
    """Parquet of the same rows with their rank, and the period in the file metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "rank": pa.array(range(1, len(snapshot.rows) + 1), pa.int32()),
            "project": pa.array([r.project for r in snapshot.rows], pa.string()),
            "download_count": pa.array([r.download_count for r in snapshot.rows], pa.int64()),
        },
        metadata={
            "last_update": snapshot.last_update_text,
            "source": snapshot.source,
            "period": snapshot.period.label() if snapshot.period else "",
        },
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def dump_bytes(
    snapshot: Snapshot, fmt: DumpFormat, layout: JsonLayout = JsonLayout.CLICKHOUSE
) -> bytes:
    """Bytes of any dump format, Parquet included."""
    return parquet_bytes(snapshot) if fmt is DumpFormat.PARQUET else render(snapshot, fmt, layout)


def write_dump(
    snapshot: Snapshot,
    fmt: DumpFormat,
    path: str | Path,
    layout: JsonLayout = JsonLayout.CLICKHOUSE,
) -> bool:
    """Write one dump atomically; False when the file already held these bytes."""
    return atomic_write(path, dump_bytes(snapshot, fmt, layout))
