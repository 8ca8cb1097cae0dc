"""Broken dumps, each made from a good one of the world (``ds/archive/M3/``).

Every maker returns the bytes of one damaged file; the dump readers (``convert``,
``check``, ``history import``, ``diff``) must refuse each in one line.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.reliability.world import M3

Maker = Callable[["Good"], bytes]


class Good:
    """The good dumps a maker starts from."""

    def __init__(self, world: Path) -> None:
        month = world / "ds" / "archive" / M3
        self.csv = (month / "top-pypi-packages.csv").read_text()
        self.json_text = (month / "top-pypi-packages.json").read_text()
        self.json: dict[str, Any] = json.loads(self.json_text)
        self.parquet = (month / "top-pypi-packages.parquet").read_bytes()

    @property
    def csv_lines(self) -> list[str]:
        return self.csv.splitlines()

    def with_rows(self, rows: list[dict[str, Any]], **top: Any) -> bytes:
        obj = {**self.json, **top, "rows": rows}
        return json.dumps(obj, indent=0).encode()

    def rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.json["rows"]]


def _csv(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode()


def _top(g: Good) -> tuple[int, str]:
    first = g.rows()[0]
    return int(first["download_count"]), str(first["project"])


# -- CSV -------------------------------------------------------------------------------


def csv_cut_in_quote(g: Good) -> bytes:
    text = g.csv
    cut = text.index('"', text.index("\n", len(text) // 2)) + 3  # inside a quoted name
    return text[:cut].encode()


def csv_duplicate(g: Good) -> bytes:
    return _csv([*g.csv_lines, f'1,"{_top(g)[1]}"'])


def csv_duplicate_normalised(g: Good) -> bytes:
    name = _top(g)[1]
    return _csv([*g.csv_lines, f'1,"{name.upper().replace("-", "_")}"'])


def csv_not_descending(g: Good) -> bytes:
    lines = g.csv_lines
    lines[2], lines[-1] = lines[-1], lines[2]
    return _csv(lines)


def csv_header_only(g: Good) -> bytes:
    return _csv(g.csv_lines[:1])


def csv_concatenated(g: Good) -> bytes:
    return (g.csv + g.csv).encode()


def csv_concatenated_no_header(g: Good) -> bytes:
    """A second ranking appended without its header: counts step up again."""
    return _csv([*g.csv_lines, *g.csv_lines[1:]])


def csv_huge_count(g: Good) -> bytes:
    lines = g.csv_lines
    lines[1] = "9" * 5000 + "," + lines[1].split(",", 1)[1]
    return _csv(lines)


def csv_big_field(g: Good) -> bytes:
    return _csv([*g.csv_lines, '1,"' + "a" * 140_000 + '"'])


def csv_negative(g: Good) -> bytes:
    return _csv([*g.csv_lines, '-5,"zzz-negative"'])


def csv_float(g: Good) -> bytes:
    return _csv([*g.csv_lines, '1.5,"zzz-float"'])


def csv_text_count(g: Good) -> bytes:
    return _csv([*g.csv_lines, 'many,"zzz-text"'])


def csv_extra_column(g: Good) -> bytes:
    return _csv([*g.csv_lines, '1,"zzz-extra",3'])


def csv_empty_name(g: Good) -> bytes:
    return _csv([*g.csv_lines, '1,""'])


def csv_nul_byte(g: Good) -> bytes:
    return _csv([*g.csv_lines, '1,"zzz\x00nul"'])


def csv_wrong_header(g: Good) -> bytes:
    return _csv(["count,name", *g.csv_lines[1:]])


def csv_invalid_name(g: Good) -> bytes:
    return _csv([*g.csv_lines, '1,"not a/valid name!"'])


def csv_huge_count_4300(g: Good) -> bytes:
    """Just past Python's int-string limit (4,300 digits)."""
    lines = g.csv_lines
    lines[1] = "1" + "0" * 4300 + "," + lines[1].split(",", 1)[1]
    return _csv(lines)


def csv_gz_damaged(g: Good) -> bytes:
    return gzip.compress(g.csv.encode())[:40]


def csv_gz_concatenated(g: Good) -> bytes:
    return gzip.compress(g.csv.encode()) + gzip.compress(g.csv.encode())


def csv_gz_row_bomb(g: Good) -> bytes:
    """11M one-letter rows in about 300 KB: more rows than PyPI has projects."""
    rows = b'1,"a"\n' * 11_000_000
    return gzip.compress(b"download_count,project\n" + rows, compresslevel=1)


def parquet_row_bomb(g: Good) -> bytes:
    """11M rows run-length encoded into a few hundred KB of Parquet."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 11_000_000
    out = io.BytesIO()
    table = pa.table({"project": pa.array(["a"] * n), "download_count": pa.array([1] * n)})
    pq.write_table(table, out)
    return out.getvalue()


# -- JSON ------------------------------------------------------------------------------


def json_truncated(g: Good) -> bytes:
    return g.json_text[: len(g.json_text) // 2].encode()


def json_deep(g: Good) -> bytes:
    return b"[" * 200_000 + b"]" * 200_000


def json_deep_in_object(g: Good) -> bytes:
    deep = "[" * 200_000 + "]" * 200_000
    return ('{"rows": [], "meta": ' + deep + "}").encode()


def json_last_update_9999(g: Good) -> bytes:
    return g.with_rows(g.rows(), last_update="9999-12-31 00:00:00")


def json_last_update_1969(g: Good) -> bytes:
    return g.with_rows(g.rows(), last_update="1969-12-31 23:59:59")


def json_last_update_future(g: Good) -> bytes:
    return g.with_rows(g.rows(), last_update="2099-01-01 00:00:00")


def json_last_update_text(g: Good) -> bytes:
    return g.with_rows(g.rows(), last_update="yesterday")


def json_huge_count(g: Good) -> bytes:
    head = g.json_text.split('"download_count":', 1)
    rest = head[1].split(",", 1)[1]
    return (head[0] + '"download_count": ' + "9" * 5000 + "," + rest).encode()


def json_negative(g: Good) -> bytes:
    return g.with_rows([*g.rows(), {"download_count": -5, "project": "zzz-negative"}])


def json_float(g: Good) -> bytes:
    return g.with_rows([*g.rows(), {"download_count": 1.5, "project": "zzz-float"}])


def json_string_count(g: Good) -> bytes:
    rows = g.rows()
    rows[0]["download_count"] = str(rows[0]["download_count"])
    return g.with_rows(rows)


def json_bool_count(g: Good) -> bytes:
    return g.with_rows([*g.rows(), {"download_count": True, "project": "zzz-bool"}])


def json_nan(g: Good) -> bytes:
    text = g.with_rows([*g.rows(), {"download_count": 0, "project": "zzz-nan"}]).decode()
    return text.replace('"download_count": 0,', '"download_count": NaN,').encode()


def json_duplicate(g: Good) -> bytes:
    return g.with_rows([*g.rows(), {"download_count": 1, "project": _top(g)[1]}])


def json_not_descending(g: Good) -> bytes:
    rows = g.rows()
    rows[1], rows[-1] = rows[-1], rows[1]
    return g.with_rows(rows)


def json_empty_rows(g: Good) -> bytes:
    return g.with_rows([])


def json_rows_not_list(g: Good) -> bytes:
    return g.with_rows({"a": 1})  # type: ignore[arg-type]


def json_row_missing_project(g: Good) -> bytes:
    return g.with_rows([*g.rows(), {"download_count": 1}])


def json_project_number(g: Good) -> bytes:
    return g.with_rows([*g.rows(), {"download_count": 1, "project": 123}])


def json_scalar(g: Good) -> bytes:
    return b"42\n"


def json_concatenated(g: Good) -> bytes:
    return (g.json_text + g.json_text).encode()


def json_two_rows_keys(g: Good) -> bytes:
    """Two ``rows`` keys: which one a reader keeps is undefined."""
    text = g.json_text.rstrip().rstrip("}")
    return (text + ',\n"rows": []\n}\n').encode()


def json_bare_list_scalars(g: Good) -> bytes:
    return b"[1, 2, 3]\n"


def json_total_rows_text(g: Good) -> bytes:
    return g.with_rows(g.rows(), total_rows="many")


def not_utf8(g: Good) -> bytes:
    return g.csv.encode()[:200] + b"\xff\xfe\xfa" + b"\n"


def utf16(g: Good) -> bytes:
    return g.csv.encode("utf-16")


def parquet_foreign(g: Good) -> bytes:
    """A Parquet file that is no dump: its columns are not project and download_count."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    out = io.BytesIO()
    pq.write_table(pa.table({"name": ["a", "b"], "n": [2, 1]}), out)
    return out.getvalue()


def parquet_truncated(g: Good) -> bytes:
    return g.parquet[: len(g.parquet) // 2]


def empty(g: Good) -> bytes:
    return b""


def whitespace(g: Good) -> bytes:
    return b"  \n\n\t\n"


def binary_noise(g: Good) -> bytes:
    return bytes(range(256)) * 8


# kind -> maker; the kind names the file: bad/<kind>.csv, .csv.gz or .json
CSV_MAKERS: dict[str, Maker] = {
    "csv-cut-inside-quote": csv_cut_in_quote,
    "csv-duplicate-project": csv_duplicate,
    "csv-duplicate-after-normalising": csv_duplicate_normalised,
    "csv-non-descending": csv_not_descending,
    "csv-header-only": csv_header_only,
    "csv-two-dumps-concatenated": csv_concatenated,
    "csv-second-ranking-appended": csv_concatenated_no_header,
    "csv-5000-digit-count": csv_huge_count,
    "csv-4301-digit-count": csv_huge_count_4300,
    "csv-field-over-128k": csv_big_field,
    "csv-negative-count": csv_negative,
    "csv-float-count": csv_float,
    "csv-text-count": csv_text_count,
    "csv-extra-column": csv_extra_column,
    "csv-empty-name": csv_empty_name,
    "csv-nul-byte": csv_nul_byte,
    "csv-wrong-header": csv_wrong_header,
    "csv-invalid-project-name": csv_invalid_name,
    "csv-not-utf8": not_utf8,
    "csv-utf16": utf16,
}
GZ_MAKERS: dict[str, Maker] = {
    "csv-gz-damaged": csv_gz_damaged,
    "csv-gz-two-dumps": csv_gz_concatenated,
    "csv-gz-11m-rows": csv_gz_row_bomb,
}
JSON_MAKERS: dict[str, Maker] = {
    "json-truncated": json_truncated,
    "json-deeply-nested": json_deep,
    "json-deeply-nested-meta": json_deep_in_object,
    "json-last-update-9999-12-31": json_last_update_9999,
    "json-last-update-1969": json_last_update_1969,
    "json-last-update-2099": json_last_update_future,
    "json-last-update-not-a-time": json_last_update_text,
    "json-5000-digit-count": json_huge_count,
    "json-negative-count": json_negative,
    "json-float-count": json_float,
    "json-string-count": json_string_count,
    "json-bool-count": json_bool_count,
    "json-nan-count": json_nan,
    "json-duplicate-project": json_duplicate,
    "json-non-descending": json_not_descending,
    "json-empty-rows": json_empty_rows,
    "json-rows-not-a-list": json_rows_not_list,
    "json-row-without-project": json_row_missing_project,
    "json-project-is-a-number": json_project_number,
    "json-a-number": json_scalar,
    "json-two-dumps-concatenated": json_concatenated,
    "json-two-rows-keys": json_two_rows_keys,
    "json-list-of-numbers": json_bare_list_scalars,
    "json-total-rows-not-int": json_total_rows_text,
    "json-parquet-foreign": parquet_foreign,
    "json-parquet-truncated": parquet_truncated,
    "json-parquet-11m-rows": parquet_row_bomb,
    "json-empty-file": empty,
    "json-whitespace-only": whitespace,
    "json-binary-noise": binary_noise,
}


def file_name(kind: str) -> str:
    if kind.startswith("csv-gz"):
        return f"bad/{kind}.csv.gz"
    return f"bad/{kind}.{'csv' if kind.startswith('csv') else 'json'}"


ALL_MAKERS: dict[str, Maker] = {**CSV_MAKERS, **GZ_MAKERS, **JSON_MAKERS}


def write_bad(kind: str) -> Callable[[Path], None]:
    """A case's ``prepare``: the damaged dump at ``bad/<kind>.<ext>`` in the world."""

    def prepare(world: Path) -> None:
        path = world / file_name(kind)
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(ALL_MAKERS[kind](Good(world)))

    return prepare
