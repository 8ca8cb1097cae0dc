"""Bytes of any dump format from a :class:`Ranking`."""

from __future__ import annotations

import gzip
import io

from toppypi.formats import DumpFormat, JsonLayout, csvdump, jsondump, parquet
from toppypi.model.ranking import Ranking


def encode(ranking: Ranking, fmt: DumpFormat, layout: JsonLayout | None = None) -> bytes:
    """The dump's bytes; ``layout`` defaults to the ranking's own era."""
    chosen = layout or jsondump.layout_of(ranking)
    if fmt is DumpFormat.JSON:
        return jsondump.encode_indented(ranking, chosen)
    if fmt is DumpFormat.MIN_JSON:
        return jsondump.encode_compact(ranking, chosen)
    if fmt is DumpFormat.CSV:
        return csvdump.encode(ranking.counts, ranking.projects)
    if fmt is DumpFormat.CSV_GZ:
        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
            gz.write(csvdump.encode(ranking.counts, ranking.projects))
        return buf.getvalue()
    if fmt is DumpFormat.PARQUET:
        return parquet.encode(ranking)
    raise ValueError(f"{fmt} is not a file format")
