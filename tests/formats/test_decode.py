"""Every reader validates: a dump reads back as it was written, and anything else is one line.

Property-based: decode(encode(r)) == r for every layout and format, and
arbitrary bytes give either a valid ranking or an ``InputError``, never
another exception.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toppypi.errors import InputError, InvalidDump
from toppypi.formats import DumpFormat, JsonLayout
from toppypi.formats.decode import parse_dump
from toppypi.formats.encode import encode
from toppypi.formats.validate import problems
from toppypi.model.ranking import Envelope, Methodology, Ranking

WHEN = dt.datetime(2026, 4, 1, 6, 34, 6)
PYPINFO = {"bytes_billed": 1, "bytes_processed": 2, "cached": False, "estimated_cost": "0.00"}

# PEP 508 names: what a dump may hold (anything else is refused, tested below).
names = st.from_regex(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,28}[A-Za-z0-9])?", fullmatch=True)


@st.composite
def rankings(draw: st.DrawFn) -> Ranking:
    projects = draw(st.lists(names, min_size=1, max_size=40, unique_by=_canonical))
    counts = sorted(
        draw(st.lists(st.integers(0, 2**63 - 1), min_size=len(projects), max_size=len(projects))),
        reverse=True,
    )
    pypinfo = draw(st.booleans())
    env = Envelope(query=PYPINFO) if pypinfo else Envelope(total_rows=len(projects))
    source = "BigQuery/pypinfo" if pypinfo else "ClickHouse"
    return Ranking(projects, counts, WHEN, methodology=Methodology(source=source), envelope=env)


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(name)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(rankings(), st.sampled_from([DumpFormat.JSON, DumpFormat.MIN_JSON, DumpFormat.CSV]))
def test_every_text_format_reads_back_as_written(r: Ranking, fmt: DumpFormat) -> None:
    data = encode(r, fmt)
    back = parse_dump(data, default_last_update=WHEN)
    assert (back.projects, back.counts) == (r.projects, r.counts)
    if fmt is not DumpFormat.CSV:
        assert back.last_update == r.last_update and back.source == r.source
        assert back.envelope.pypinfo == r.envelope.pypinfo
    assert encode(back, fmt) == data  # and writes the same bytes again


@settings(max_examples=60)
@given(rankings(), st.sampled_from(list(JsonLayout)))
def test_either_layout_reads_back(r: Ranking, layout: JsonLayout) -> None:
    back = parse_dump(encode(r, DumpFormat.JSON, layout))
    assert (back.projects, back.counts) == (r.projects, r.counts)
    assert back.envelope.pypinfo is (layout is JsonLayout.PYPINFO)


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_are_a_ranking_or_one_line(data: bytes) -> None:
    try:
        r = parse_dump(data, default_last_update=WHEN)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert problems(r.projects, r.counts) == []


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_arbitrary_csv_text_is_a_ranking_or_one_line(text: str) -> None:
    try:
        parse_dump(("download_count,project\n" + text).encode(), default_last_update=WHEN)
    except InputError as exc:
        assert "\n" not in str(exc)


def _rows(*pairs: tuple[int, str]) -> str:
    return ",".join(f'{{"download_count": {c}, "project": "{p}"}}' for c, p in pairs)


GOOD_HEAD = '{"last_update": "2026-04-01 06:00:00", "source": "ClickHouse", "rows": ['


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'download_count,project\n5,"abc\n', "line 2: broken CSV (unexpected end of data)"),
        (b'download_count,project\n5,"a"\n4,"A"\n', "project 'A' appears twice (rows 1 and 2)"),
        (b'download_count,project\n4,"a"\n5,"b"\n', "row 2: counts not in descending order"),
        (b"download_count,project\n", "no rows"),
        (b'download_count,project\n5,"a"\ndownload_count,project\n4,"b"\n', "header repeats"),
        (b'download_count,project\n-5,"a"\n', "'-5' is not a count"),
        (b'download_count,project\n5.0,"a"\n', "'5.0' is not a count"),
        (b"download_count,project\n" + b"9" * 5000 + b',"a"\n', "is not a count"),
        (b'download_count,project\n5,"' + b"a" * 200_000 + b'"\n', "field larger than"),
        (b"[" * 100_000, "nested too deeply"),
        (
            ('{"rows": [{"download_count": ' + "9" * 5000 + ', "project": "a"}]}').encode(),
            "a number of over 4,300 digits",
        ),
        (
            (GOOD_HEAD + _rows((5, "a")) + "]}" + GOOD_HEAD + _rows((6, "b")) + "]}").encode(),
            "two dumps in one file",
        ),
        ((GOOD_HEAD + _rows((5, "a"), (9, "b")) + "]}").encode(), "not in descending order"),
        ((GOOD_HEAD + _rows((5, "a"), (5, "a")) + "]}").encode(), "appears twice"),
        (GOOD_HEAD.replace("2026-04-01", "9999-12-31").encode() + b"]}", "outside 2016-01-01"),
        (GOOD_HEAD.replace("2026-04-01", "1970-01-01").encode() + b"]}", "outside 2016-01-01"),
        ((GOOD_HEAD + _rows((5, "a"))).encode(), "invalid JSON"),
        ((GOOD_HEAD + '{"download_count": 1e3, "project": "a"}]}').encode(), "is not a count"),
        ((GOOD_HEAD + '{"download_count": true, "project": "a"}]}').encode(), "is not a count"),
        ((GOOD_HEAD + _rows((5, "not a/name!"))).encode() + b"]}", "is not a project name"),
        (b'download_count,project\n5,"nul\x00name"\n', "is not a project name"),
    ],
)
def test_broken_dumps_are_refused_in_one_line(data: bytes, message: str) -> None:
    with pytest.raises(InvalidDump) as exc:
        parse_dump(data, name="f")
    assert message in str(exc.value) and "\n" not in str(exc.value)


def test_a_gzipped_dump_reads_and_a_damaged_one_is_refused(tmp_path: Path) -> None:
    from toppypi.formats.decode import read_dump

    root = tmp_path
    good = root / "a.csv.gz"
    good.write_bytes(gzip.compress(b'download_count,project\n5,"a"\n'))
    assert read_dump(good).projects == ("a",)
    bad = root / "b.csv.gz"
    bad.write_bytes(gzip.compress(b'download_count,project\n5,"a"\n')[:-6])
    with pytest.raises(InvalidDump, match="damaged gzip"):
        read_dump(bad)


def test_meta_is_kept_verbatim_and_checked() -> None:
    obj = {
        "last_update": "2026-04-01 06:00:00",
        "source": "ClickHouse",
        "meta": [
            {"name": "download_count", "type": "UInt64"},
            {"name": "project", "type": "String"},
        ],
        "rows": [{"download_count": 5, "project": "a"}],
    }
    r = parse_dump(json.dumps(obj).encode())
    assert r.envelope.columns == (("download_count", "UInt64"), ("project", "String"))
    obj["meta"] = "nope"
    with pytest.raises(InvalidDump, match="'meta' is not a list"):
        parse_dump(json.dumps(obj).encode())


def test_the_parquet_toppypi_writes_reads_back(tmp_path: Path) -> None:
    r = Ranking.of([(10, "b"), (7, "a")], WHEN, methodology=Methodology(source="DuckDB"))
    path = tmp_path / "top.parquet"
    path.write_bytes(encode(r, DumpFormat.PARQUET))
    from toppypi.formats.decode import read_dump

    back = read_dump(path)
    assert (back.projects, back.counts, back.last_update, back.source) == (
        ("b", "a"),
        (10, 7),
        WHEN,
        "DuckDB",
    )
    assert encode(back, DumpFormat.CSV) == encode(r, DumpFormat.CSV)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(InvalidDump, match="not a readable Parquet file"):
        read_dump(broken)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not a dump header"),
        ('{"rows": []}', "not a dump header"),
        ('{"source": 7}', "'source' is not a string"),
        ('{"last_update": "9999-12-31 00:00:00"}', "last_update"),
    ],
)
def test_a_parquet_whose_dump_header_is_broken_is_refused(
    tmp_path: Path, header: str, says: str
) -> None:
    import pyarrow.parquet as pq

    from toppypi.formats import parquet

    r = Ranking.of([(10, "b"), (7, "a")], WHEN, methodology=Methodology(source="DuckDB"))
    sch = parquet.schema(r.last_update, r.source, r.period, header)
    path = tmp_path / "top.parquet"
    pq.write_table(parquet.table(1, r.projects, r.counts, sch), path)
    from toppypi.formats.decode import read_dump

    with pytest.raises(InvalidDump, match=says):
        read_dump(path)


def _parquet(table: object) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def test_a_parquet_with_metadata_that_is_not_utf8_is_one_line() -> None:
    import pyarrow as pa

    from toppypi.formats.decode import parse_parquet

    table = pa.table({"project": ["a"], "download_count": [1]})
    for meta in ({b"last_update": b"\xff"}, {b"\xfe": b"x"}):
        with pytest.raises(InvalidDump, match="metadata is not UTF-8"):
            parse_parquet(_parquet(table.replace_schema_metadata(meta)), default_last_update=WHEN)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_damaged_parquet_is_one_line(data: st.DataObject) -> None:
    """pyarrow's own messages run over several lines; the error is still one."""
    import pyarrow as pa

    from toppypi.formats.decode import parse_parquet

    good = bytearray(
        _parquet(
            pa.table(
                {"project": ["a", "b", "c"], "download_count": [3, 2, 1]}
            ).replace_schema_metadata({"last_update": "2026-01-01 00:00:00"})
        )
    )
    for _ in range(data.draw(st.integers(1, 4))):
        good[data.draw(st.integers(0, len(good) - 1))] = data.draw(st.integers(0, 255))
    try:
        r = parse_parquet(bytes(good), name="x.parquet", default_last_update=WHEN)
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    assert problems(r.projects, r.counts) == []


def test_a_parquet_of_more_rows_than_pypi_has_projects_is_refused_before_it_is_read() -> None:
    """A few hundred KB of run-length encoded rows would take gigabytes as Python lists."""
    import pyarrow as pa

    from toppypi.formats.decode import MAX_ROWS, parse_parquet

    n = MAX_ROWS + 1
    table = pa.table(
        {"project": pa.repeat("a", n), "download_count": pa.repeat(pa.scalar(0, pa.int64()), n)}
    )
    with pytest.raises(InvalidDump, match=f"{n:,} rows"):
        parse_parquet(_parquet(table), name="x.parquet", default_last_update=WHEN)


def test_a_parquet_whose_names_decode_to_gigabytes_is_refused() -> None:
    """A dictionary page holds one long name once; decoded, every row would copy it."""
    import pyarrow as pa

    from toppypi.formats.decode import parse_parquet

    names = pa.DictionaryArray.from_arrays(pa.array([0] * 3_000, pa.int32()), ["a" * 1_000_000])
    table = pa.table({"project": names, "download_count": [0] * 3_000})
    with pytest.raises(InvalidDump, match="longer than"):
        parse_parquet(_parquet(table), name="x.parquet", default_last_update=WHEN)


def test_a_parquet_keeps_its_period_through_a_round_trip() -> None:
    """The writer records the period in the metadata; the reader gives it back."""
    import datetime as dt

    from toppypi.formats.decode import parse_parquet
    from toppypi.model.period import Period, parse_month

    for period in (parse_month("2026-03"), Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))):
        r = Ranking.of([(10, "b"), (7, "a")], WHEN, methodology=Methodology(source="DuckDB"))
        data = encode(r.replace(period=period), DumpFormat.PARQUET)
        back = parse_parquet(data, name="x.parquet")
        assert back.period == period
        assert encode(back, DumpFormat.PARQUET) == data


def test_a_parquet_period_that_is_not_one_is_one_line() -> None:
    import pyarrow as pa

    from toppypi.formats.decode import parse_parquet

    table = pa.table({"project": ["a"], "download_count": [1]})
    for bad in ("garbage", "2026-13", "2026-03-31..2026-03-01", "x" * 10_000):
        meta = {"last_update": "2026-04-01 00:00:00", "period": bad}
        with pytest.raises(InvalidDump, match="period") as exc:
            parse_parquet(_parquet(table.replace_schema_metadata(meta)), name="x.parquet")
        assert "\n" not in str(exc.value) and len(str(exc.value)) < 200


@pytest.mark.parametrize(
    "data",
    [
        b"download_count,project\n" + b'1,"a"\n' * 12,
        b"[" + b",".join([b"1"] * 30) + b"]",
        b'{"rows": [' + b",".join([b'{"download_count": 1, "project": "a"}'] * 12) + b"]}",
    ],
    ids=["csv", "json-list-of-numbers", "json-rows"],
)
def test_a_dump_of_too_many_rows_is_refused_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch, data: bytes
) -> None:
    """A few hundred KB of gzip can hold 150M tiny rows: judged before any is parsed."""
    from toppypi.formats import decode

    monkeypatch.setattr(decode, "MAX_ROWS", 10)
    with pytest.raises(InvalidDump, match="over 10 rows"):
        parse_dump(data, name="bomb.csv")
