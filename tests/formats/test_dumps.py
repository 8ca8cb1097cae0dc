"""The published formats, byte for byte against the anchor's files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import run_cli
from toppypi.errors import InputError
from toppypi.formats import DumpFormat, JsonLayout
from toppypi.formats.decode import parse_dump, parse_parquet, read_dump
from toppypi.formats.encode import encode
from toppypi.formats.jsondump import layout_of
from toppypi.model.ranking import Envelope, Ranking

CH = "clickhouse-2026-04-01/top-pypi-packages"
PI = "pypinfo-2022-05-01/top-pypi-packages-30-days"

CASES = [
    (f"{CH}.json", "min.json", f"{CH}.min.json"),
    (f"{CH}.json", "csv", f"{CH}.csv"),
    (f"{CH}.json", "json", f"{CH}.json"),
    (f"{CH}.min.json", "json", f"{CH}.json"),
    (f"{PI}.json", "min.json", f"{PI}.min.json"),
    (f"{PI}.min.json", "json", f"{PI}.json"),
]


@pytest.mark.parametrize(("src", "fmt", "expected"), CASES)
def test_convert_reproduces_published_files(
    shared_history: Path, src: str, fmt: str, expected: str
) -> None:
    samples = shared_history / "samples"
    proc = run_cli("convert", str(samples / src), "--format", fmt)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.encode() == (samples / expected).read_bytes()


@pytest.mark.parametrize(
    "name", [f"{CH}.json", f"{CH}.min.json", f"{CH}.csv", f"{PI}.json", f"{PI}.min.json"]
)
def test_a_published_file_comes_back_byte_for_byte_through_parquet(
    shared_history: Path, name: str
) -> None:
    """The Parquet keeps the JSON's other keys (statistics, meta, query) in its metadata."""
    original = shared_history / "samples" / name
    ranking = read_dump(original)
    back = parse_parquet(encode(ranking, DumpFormat.PARQUET), name=name)
    fmt = DumpFormat.MIN_JSON if name.endswith("min.json") else DumpFormat(Path(name).suffix[1:])
    assert encode(back, fmt) == original.read_bytes()


def test_convert_to_file_and_csv_round_trip(shared_history: Path, tmp_path: Path) -> None:
    samples = shared_history / "samples"
    out = tmp_path / "x.csv"
    proc = run_cli("convert", str(samples / f"{CH}.csv"), "--format", "csv", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == (samples / f"{CH}.csv").read_bytes()


def test_readers_keep_metadata(shared_history: Path) -> None:
    snap = read_dump(shared_history / "samples" / f"{CH}.json")
    env = snap.envelope
    assert (snap.source, env.total_rows, env.rows_before_limit_at_least) == (
        "ClickHouse",
        15000,
        788142,
    )
    assert env.statistics == {"elapsed": 0.389659893, "rows_read": 3042730, "bytes_read": 80277968}
    assert next(snap.rows()) == (1880218825, "boto3")
    assert layout_of(snap) is JsonLayout.CLICKHOUSE
    old = read_dump(shared_history / "samples" / f"{PI}.json")
    assert layout_of(old) is JsonLayout.PYPINFO
    assert old.envelope.query == {
        "bytes_billed": 380158083072,
        "bytes_processed": 380157955498,
        "cached": False,
        "estimated_cost": "1.73",
    }


def _snap(**kw: object) -> Ranking:
    return Ranking.of([(10, "b"), (7, 'a"q')], dt.datetime(2026, 4, 1, 6, 0, 0), **kw)


def test_csv_quotes_every_project() -> None:
    assert encode(_snap(), DumpFormat.CSV) == b'download_count,project\n10,"b"\n7,"a""q"\n'


def test_pypinfo_layout_exact() -> None:
    query = {"bytes_billed": 1, "bytes_processed": 2, "cached": True, "estimated_cost": "0.01"}
    snap = _snap(envelope=Envelope(query=query))
    assert encode(snap, DumpFormat.MIN_JSON, JsonLayout.PYPINFO) == (
        b'{"last_update":"2026-04-01 06:00:00","query":{"bytes_billed":1,"bytes_processed":2,'
        b'"cached":true,"estimated_cost":"0.01"},"rows":[{"download_count":10,"project":"b"},'
        b'{"download_count":7,"project":"a\\"q"}]}\n'
    )


def test_bare_2018_list() -> None:
    snap = parse_dump(
        b'[{"download_count": 5, "project": "pip"}]', default_last_update=dt.datetime(2018, 1, 9)
    )
    assert list(snap.rows()) == [(5, "pip")] and snap.source == "BigQuery/pypinfo"


def test_parquet_round_trip() -> None:
    import io

    import pyarrow.parquet as pq

    table = pq.read_table(io.BytesIO(encode(_snap(), DumpFormat.PARQUET)))
    assert table.to_pydict() == {"rank": [1, 2], "project": ["b", 'a"q'], "download_count": [10, 7]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b'{"rows": [{"download_count": 1, "project": "a"}', "invalid JSON"),
        (b'{"last_update": "2026-01-01 00:00:00", "items": []}', "no 'rows'"),
        (b'{"rows": [{"download_count": -5, "project": "a"}]}', "not a count"),
        (b'{"rows": [{"count": 5, "project": "a"}]}', "lacks"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"name,version\nx,1\n", "not a top-pypi-packages dump"),
        (b'download_count,project\nabc,"x"\n', "not a count"),
    ],
)
def test_bad_dumps(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_dump(data, name="f.json")


def test_readers_refuse_duplicates_and_a_repeated_header() -> None:
    with pytest.raises(InputError, match="appears twice"):
        parse_dump(b'download_count,project\n5,"a"\n4,"A"\n')
    doubled = b'download_count,project\n5,"a"\ndownload_count,project\n6,"b"\n'
    with pytest.raises(InputError, match="header repeats"):
        parse_dump(doubled)


def test_convert_non_dump_is_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n")
    out = tmp_path / "out.csv"
    proc = run_cli("convert", str(bad), "--format", "csv", "-o", str(out))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not a top-pypi-packages dump" in proc.stderr
    assert not out.exists()
