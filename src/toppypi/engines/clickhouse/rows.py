"""Reading ClickHouse replies into rows that equal the DuckDB engine's.

ClickPy stores ``''`` where a value is missing; rows carry ``None`` there, as
DuckDB does. Counts must be integers; anything else means a bad reply.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from toppypi.engines.clickhouse.client import first_line
from toppypi.errors import EngineError
from toppypi.model.result import Value

_TSV_ESCAPES = {
    "t": "\t",
    "n": "\n",
    "r": "\r",
    "0": "\0",
    "b": "\b",
    "f": "\f",
    "\\": "\\",
    "'": "'",
}


def unescape_tsv(field: str) -> str | None:
    """One TabSeparated field: ``\\N`` is NULL, backslash escapes are undone."""
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    out: list[str] = []
    it = iter(field)
    for ch in it:
        if ch != "\\":
            out.append(ch)
            continue
        nxt = next(it, "")
        out.append(_TSV_ESCAPES.get(nxt, nxt))
    return "".join(out)


def parse_tsv_values(line: str, width: int) -> list[str | None]:
    parts = line.split("\t")
    if len(parts) != width:
        raise ValueError(f"expected {width} fields, got {len(parts)}")
    return [unescape_tsv(p) for p in parts]


class RowReader:
    """Server columns (``names``) to output rows in ``out_names`` order."""

    def __init__(self, names: tuple[str, ...], out_names: tuple[str, ...], label: str) -> None:
        if sorted(names) != sorted(out_names):
            raise AssertionError(f"plan columns {names} differ from {out_names}")
        self.names = names
        self.out_names = out_names
        self.order = [names.index(n) for n in out_names]
        self.count_at = names.index("download_count")
        self.label = label

    def _bad(self, what: str) -> EngineError:
        return EngineError(f"ClickHouse at {self.label}: malformed reply: {what}")

    def _row(self, values: list[Any]) -> tuple[Value, ...]:
        out: list[Value] = []
        for i, v in enumerate(values):
            if i == self.count_at:
                out.append(self._count(v))
            elif v is None or v == "":
                out.append(None)
            elif isinstance(v, str):
                out.append(v)
            else:
                raise self._bad(f"unexpected value {v!r}")
        return tuple(out[i] for i in self.order)

    def _count(self, v: Any) -> int:
        if isinstance(v, bool):
            raise self._bad(f"count {v!r}")
        if isinstance(v, int):
            return v
        if isinstance(v, str) and v.lstrip("-").isdigit():
            return int(v)
        raise self._bad(f"count {v!r} is not an integer")

    def from_json(self, meta: list[Any], data: list[Any]) -> list[tuple[Value, ...]]:
        got = tuple(m.get("name") if isinstance(m, dict) else None for m in meta)
        if got != self.names:
            raise self._bad(f"columns {got}, expected {self.names}")
        rows = []
        for r in data:
            if not isinstance(r, dict):
                raise self._bad("a row is not an object")
            rows.append(self._row([r.get(n) for n in self.names]))
        return rows

    def from_tsv(
        self, lines: Iterable[bytes], batch_rows: int, *, check_sum: bool
    ) -> Iterator[list[tuple[Value, ...]]]:
        """Rows until the blank line and ``WITH TOTALS`` row that must end the reply."""
        width = len(self.names)
        ci = self.out_names.index("download_count")
        batch: list[tuple[Value, ...]] = []
        total = 0
        n = 0
        it = iter(lines)
        for raw in it:
            if raw == b"":
                break
            if raw.startswith(b"Code: "):
                # A query failing after the 200 (a memory limit): ClickHouse appends it.
                message = first_line(raw.decode("utf-8", "replace"))
                raise EngineError(
                    f"ClickHouse at {self.label} failed mid-reply after {n:,} rows: {message}"
                )
            try:
                row = self._row(parse_tsv_values(raw.decode("utf-8"), width))
            except (ValueError, UnicodeDecodeError) as exc:
                raise self._bad(f"line {n + 1}: {exc}") from None
            count = row[ci]
            assert isinstance(count, int)
            total += count
            n += 1
            batch.append(row)
            if len(batch) >= batch_rows:
                yield batch
                batch = []
        else:
            raise self._bad(f"the reply ended after {n:,} rows without its totals row (truncated)")
        tail = [line for line in it if line != b""]
        if len(tail) != 1:
            raise self._bad("the totals row is missing or followed by more data (truncated?)")
        try:
            totals = self._row(parse_tsv_values(tail[0].decode("utf-8"), width))
        except (ValueError, UnicodeDecodeError) as exc:
            raise self._bad(f"totals row: {exc}") from None
        expected = totals[ci]
        if check_sum and expected != total:
            raise self._bad(f"{n:,} rows add up to {total:,}, the totals row says {expected:,}")
        if batch:
            yield batch
