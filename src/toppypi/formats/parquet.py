"""Parquet of a ranking: ``rank, project, download_count``, the period in the metadata.

One schema for the month's Parquet and the streamed full list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import IO, Any

from toppypi.model.period import Period
from toppypi.model.ranking import Ranking

COMPRESSION = "zstd"
HEADER_KEY = "dump_header"  # the JSON dump's keys but its rows, so that it reads back exactly


def schema(
    last_update: dt.datetime, source: str, period: Period | None, header: str | None = None
) -> Any:
    import pyarrow as pa

    metadata = {
        "last_update": last_update.strftime("%Y-%m-%d %H:%M:%S"),
        "source": source,
        "period": period.label() if period is not None else "",
    }
    if header is not None:
        metadata[HEADER_KEY] = header
    return pa.schema(
        [("rank", pa.int32()), ("project", pa.string()), ("download_count", pa.int64())],
        metadata=metadata,
    )


def dump_header(ranking: Ranking) -> str:
    import json

    from toppypi.formats.jsondump import envelope_object, layout_of

    obj = envelope_object(ranking, layout_of(ranking), [])
    del obj["rows"]
    return json.dumps(obj, separators=(",", ":"))


def table(first_rank: int, projects: Sequence[str], counts: Sequence[int], sch: Any) -> Any:
    import pyarrow as pa

    return pa.table(
        {
            "rank": pa.array(range(first_rank, first_rank + len(projects)), pa.int32()),
            "project": pa.array(projects, pa.string()),
            "download_count": pa.array(counts, pa.int64()),
        },
        schema=sch,
    )


def encode(ranking: Ranking) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sch = schema(ranking.last_update, ranking.source, ranking.period, dump_header(ranking))
    sink = pa.BufferOutputStream()
    pq.write_table(table(1, ranking.projects, ranking.counts, sch), sink, compression=COMPRESSION)
    return bytes(sink.getvalue().to_pybytes())


def writer(fh: IO[bytes], sch: Any) -> Any:
    import pyarrow.parquet as pq

    return pq.ParquetWriter(fh, sch, compression=COMPRESSION)
