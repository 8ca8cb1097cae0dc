"""The anchor's CSV: ``download_count,project`` then ``1880218825,"boto3"`` lines.

The standard library's ``csv`` with ``QUOTE_NONNUMERIC`` writes exactly the
published bytes (counts bare, every project quoted, quotes doubled); reading
uses ``csv`` in strict mode, so a field cut inside a quote is an error, not a
project.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from toppypi.errors import InvalidDump

HEADER = "download_count,project"
HEADER_LINE = (HEADER + "\n").encode()
FIELD_LIMIT = 1 << 17  # csv's own default (128 KiB): no project name comes near it


def encode_rows(rows: Iterable[tuple[int, str]]) -> bytes:
    """The data lines (no header) for ``(download_count, project)`` pairs."""
    buf = io.StringIO()
    csv.writer(buf, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


def encode(counts: Iterable[int], projects: Iterable[str]) -> bytes:
    return HEADER_LINE + encode_rows(zip(counts, projects, strict=True))


def decode(text: str, name: str) -> Iterator[tuple[int, int, str]]:
    """``(line, count, project)`` per data line; a repeated header is an error.

    Counts must be plain non-negative integers of at most 19 digits (int64).
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    seen_header = False
    try:
        for rec in reader:
            line = reader.line_num
            if not rec:
                continue
            if rec == ["download_count", "project"]:
                if seen_header:
                    raise InvalidDump(
                        f"{name}: line {line}: the header repeats: two dumps in one file"
                    )
                seen_header = True
                continue
            if not seen_header:
                raise InvalidDump(f"{name}: line {line}: expected the header {HEADER} first")
            if len(rec) != 2:
                raise InvalidDump(f"{name}: line {line}: expected 2 columns, found {len(rec)}")
            count, project = rec
            if not (count.isascii() and count.isdigit() and len(count) <= 19):
                raise InvalidDump(f"{name}: line {line}: {_short(count)!r} is not a count")
            yield line, int(count), project
    except csv.Error as exc:
        raise InvalidDump(f"{name}: line {reader.line_num}: broken CSV ({exc})") from None


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[:most] + "..."
