"""The full list written as it streams: every project with downloads, in bounded memory.

Upstream that is about 800k projects a month. Batches of ``(count, project)``
go straight into CSV, gzipped CSV and Parquet writers, with the same encoders
as the top-N dumps; files are written to temporary siblings and renamed only
when the whole stream arrived, so a failed stream leaves no partial file.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Callable, Iterator
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from toppypi.atomic import atomic_open
from toppypi.formats import ALL_BASENAME, DumpFormat, csvdump, parquet
from toppypi.model.period import Period

STREAM_FORMATS = (DumpFormat.CSV, DumpFormat.CSV_GZ, DumpFormat.PARQUET)
ARCHIVE_FORMATS = (DumpFormat.CSV_GZ, DumpFormat.PARQUET)

Batch = list[tuple[int, str]]  # (download_count, project)


@dataclass(frozen=True)
class ListMeta:
    """What the Parquet file records about where its rows came from."""

    source: str
    period: Period
    last_update: dt.datetime


@dataclass(frozen=True)
class Written:
    rows: int
    downloads: int


class _Sink:
    """One output format fed batch by batch."""

    def __init__(self, fmt: DumpFormat, fh: IO[bytes], meta: ListMeta) -> None:
        self.fmt = fmt
        self.fh = fh
        self.rank = 0
        self._gz: gzip.GzipFile | None = None
        self._pq: Any = None
        self._schema: Any = None
        if fmt is DumpFormat.CSV_GZ:
            self._gz = gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0)
        if fmt in (DumpFormat.CSV, DumpFormat.CSV_GZ):
            self._text(csvdump.HEADER_LINE)
        elif fmt is DumpFormat.PARQUET:
            self._schema = parquet.schema(meta.last_update, meta.source, meta.period)
            self._pq = parquet.writer(fh, self._schema)
        else:
            raise ValueError(f"{fmt} cannot hold the full list")

    def _text(self, data: bytes) -> None:
        (self._gz or self.fh).write(data)

    def write(self, batch: Batch) -> None:
        if self._pq is not None:
            counts = [c for c, _ in batch]
            projects = [p for _, p in batch]
            self._pq.write_table(parquet.table(self.rank + 1, projects, counts, self._schema))
        else:
            self._text(csvdump.encode_rows(batch))
        self.rank += len(batch)

    def close(self) -> None:
        if self._gz is not None:
            self._gz.close()
        if self._pq is not None:
            self._pq.close()


def write_streams(
    batches: Iterator[Batch],
    outputs: list[tuple[DumpFormat, IO[bytes]]],
    meta: ListMeta,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Feed every batch to every output; how many rows and downloads went in."""
    sinks = [_Sink(fmt, fh, meta) for fmt, fh in outputs]
    n = total = 0
    try:
        for batch in batches:
            for sink in sinks:
                sink.write(batch)
            n += len(batch)
            total += sum(c for c, _ in batch)
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
    return Written(n, total)


def write_files(
    batches: Iterator[Batch],
    paths: list[tuple[DumpFormat, Path]],
    meta: ListMeta,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Like :func:`write_streams` into files, all renamed into place only on success."""
    with ExitStack() as stack:
        outputs = [(fmt, stack.enter_context(atomic_open(path))) for fmt, path in paths]
        return write_streams(batches, outputs, meta, progress)


def archive_names() -> dict[DumpFormat, str]:
    return {fmt: f"{ALL_BASENAME}.{fmt.value}" for fmt in ARCHIVE_FORMATS}
