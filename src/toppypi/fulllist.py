"""The full list: every project with downloads in a period, written as it streams.

Upstream that is about 800k projects a month. Engines that can stream
(``capabilities.streams``) hand rows over in batches, which go straight into
``.csv``/``.csv.gz``/Parquet writers, so memory stays bounded whatever the
count. Files are written to a temporary sibling and renamed: a failed stream
leaves no partial file.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from toppypi.engines.interface import Engine
from toppypi.errors import EngineError
from toppypi.formats import ALL_BASENAME, DumpFormat
from toppypi.model.period import Period
from toppypi.model.query import Field, InstallerFilter, Query

STREAM_FORMATS = (DumpFormat.CSV, DumpFormat.CSV_GZ, DumpFormat.PARQUET)
ARCHIVE_FORMATS = (DumpFormat.CSV_GZ, DumpFormat.PARQUET)
BATCH_ROWS = 50_000

Batch = list[tuple[int, str]]  # (download_count, project)


def full_list_query(period: Period, installers: InstallerFilter | None = None) -> Query:
    return Query(period, (Field.PROJECT,), installers=installers or InstallerFilter(), limit=None)


def stream_ranking(engine: Engine, query: Query) -> Iterator[Batch]:
    """(count, project) batches, highest first; checks order and types as they pass."""
    batches: Iterator[list[tuple[Any, ...]]] = engine.stream(query, batch_rows=BATCH_ROWS)
    last: int | None = None
    for batch in batches:
        out: Batch = []
        for project, count in batch:
            if not isinstance(count, int) or not isinstance(project, str):
                raise EngineError(f"the engine returned a malformed row: {(project, count)!r}")
            if last is not None and count > last:
                raise EngineError("the engine returned the full list out of order")
            last = count
            out.append((count, project))
        yield out


@dataclass
class ListMeta:
    """What the Parquet file records about where its rows came from."""

    source: str
    period: Period
    last_update: dt.datetime


class _Sink:
    """One output format fed batch by batch."""

    def __init__(self, fmt: DumpFormat, fh: IO[bytes], meta: ListMeta) -> None:
        self.fmt = fmt
        self.fh = fh
        self.meta = meta
        self.rank = 0
        self._gz: gzip.GzipFile | None = None
        self._pq: Any = None
        if fmt is DumpFormat.CSV_GZ:
            self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0)
        if fmt in (DumpFormat.CSV, DumpFormat.CSV_GZ):
            self._text(b"download_count,project\n")
        elif fmt is DumpFormat.PARQUET:
            import pyarrow.parquet as pq

            self._pq = pq.ParquetWriter(fh, _schema(meta), compression="zstd")
        else:
            raise ValueError(f"{fmt} cannot hold the full list")

    def _text(self, data: bytes) -> None:
        (self._gz or self.fh).write(data)

    def write(self, batch: Batch) -> None:
        if self._pq is not None:
            import pyarrow as pa

            start = self.rank + 1
            self._pq.write_table(
                pa.table(
                    {
                        "rank": pa.array(range(start, start + len(batch)), pa.int32()),
                        "project": pa.array([p for _, p in batch], pa.string()),
                        "download_count": pa.array([c for c, _ in batch], pa.int64()),
                    },
                    schema=_schema(self.meta),
                )
            )
        else:
            quote = '"'
            self._text("".join(f'{c},"{p.replace(quote, quote * 2)}"\n' for c, p in batch).encode())
        self.rank += len(batch)

    def close(self) -> None:
        if self._gz is not None:
            self._gz.close()
        if self._pq is not None:
            self._pq.close()


def _schema(meta: ListMeta) -> Any:
    import pyarrow as pa

    return pa.schema(
        [("rank", pa.int32()), ("project", pa.string()), ("download_count", pa.int64())],
        metadata={
            "last_update": meta.last_update.strftime("%Y-%m-%d %H:%M:%S"),
            "source": meta.source,
            "period": meta.period.label(),
        },
    )


def write_streams(
    batches: Iterator[Batch],
    outputs: list[tuple[DumpFormat, IO[bytes]]],
    meta: ListMeta,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Feed every batch to every output; the number of rows written."""
    sinks = [_Sink(fmt, fh, meta) for fmt, fh in outputs]
    n = 0
    try:
        for batch in batches:
            for sink in sinks:
                sink.write(batch)
            n += len(batch)
            if progress:
                progress(len(batch))
    except BaseException:
        # Close the writers while their files are open; otherwise the Parquet
        # writer's finaliser writes to a closed file and prints a traceback.
        for sink in sinks:
            with suppress(Exception):
                sink.close()
        raise
    for sink in sinks:
        sink.close()
    return n


def write_files(
    batches: Iterator[Batch],
    paths: list[tuple[DumpFormat, Path]],
    meta: ListMeta,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Like :func:`write_streams` into files, all renamed into place only on success."""
    from toppypi.atomic import atomic_open

    with ExitStack() as stack:
        outputs = [(fmt, stack.enter_context(atomic_open(path))) for fmt, path in paths]
        return write_streams(batches, outputs, meta, progress)


def archive_names() -> dict[DumpFormat, str]:
    return {fmt: f"{ALL_BASENAME}.{fmt.value}" for fmt in ARCHIVE_FORMATS}
