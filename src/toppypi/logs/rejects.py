"""The lines DuckDB's CSV reader rejected, and their text for the slow parser."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from toppypi.logs.lines import MAX_LINE

if TYPE_CHECKING:
    import duckdb


@dataclass(frozen=True)
class Reject:
    line: int  # its number in the file read (1-based)
    text: str | None  # the whole line, to read with the slow path; None: unparseable


def rejected_lines(con: duckdb.DuckDBPyConnection, path: Path) -> list[Reject]:
    """The lines the reader rejected: too many quotes (it gives their text), too
    long in bytes (their text is read again: they may still be short enough in
    characters), or unreadable (invalid UTF-8)."""
    rows = con.execute(
        "SELECT line, bool_and(error_type = 'TOO MANY COLUMNS'), "
        "bool_or(error_type = 'LINE SIZE OVER MAXIMUM'), any_value(csv_line) "
        "FROM log_rejects GROUP BY line ORDER BY line"
    ).fetchall()
    long = {int(n) for n, _, size, _ in rows if size}
    texts = read_lines(path, long) if long else {}
    return [
        Reject(int(n), text if many else texts.get(int(n)) if size else None)
        for n, many, size, text in rows
    ]


def read_lines(path: Path, numbers: set[int]) -> dict[int, str | None]:
    """The lines of ``path`` with these numbers, decoded; None where a line is not
    UTF-8 or longer than MAX_LINE characters (unparseable either way)."""
    out: dict[int, str | None] = {}
    last = max(numbers)
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if n in numbers:
                try:
                    text: str | None = raw.rstrip(b"\n").decode("utf-8")
                except UnicodeDecodeError:
                    text = None
                out[n] = text if text is not None and len(text) <= MAX_LINE else None
            if n >= last:
                break
    return out
