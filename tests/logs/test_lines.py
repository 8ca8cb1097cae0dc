"""The log-line parsers: Python's and DuckDB's agree on every line, and never raise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.access_logs import line, pip_agent
from toppypi.logs.lines import detect_format, parse_line, parse_sql, parse_time
from toppypi.logs.parse import LogParser

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    yield c
    c.close()


def _sql(con: duckdb.DuckDBPyConnection, lines: list[str], fmt: str) -> list[tuple[object, ...]]:
    con.execute("CREATE OR REPLACE TABLE t AS SELECT unnest(?::VARCHAR[]) AS line", [lines])
    rows = con.execute(f"SELECT * FROM ({parse_sql('t', fmt)})").fetchall()
    return [tuple(r) for r in rows]


def _py(text: str, fmt: str) -> tuple[object, ...]:
    p = parse_line(text, fmt)
    if p is None:
        return (False,)
    return (True, p.host, p.time, p.method, p.target, p.status, p.agent)


def _agree(con: duckdb.DuckDBPyConnection, lines: list[str]) -> None:
    for fmt in ("combined", "common"):
        for text, row in zip(lines, _sql(con, lines, fmt), strict=True):
            ok = bool(row[1])
            expected = _py(text, fmt)
            got = (True, *row[2:]) if ok else (False,)
            assert got == expected, (fmt, text)


chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\x00")
piece = st.text(chars, max_size=12)
token = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters='\n\x00 "'),
    min_size=1,
    max_size=10,
)
when = st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2099, 12, 31), timezones=st.just(dt.UTC))


@st.composite
def log_lines(draw: st.DrawFn) -> str:
    """Lines close to the format, with parts swapped for arbitrary text now and then."""
    parts = [
        draw(st.one_of(token, piece)),
        " - - [",
        draw(when).strftime("%d/%b/%Y:%H:%M:%S ") + draw(st.sampled_from(["+0000", "-0700"])),
        draw(st.sampled_from(["] ", "]", " ] "])),
        '"',
        draw(st.sampled_from(["GET", "HEAD", "POST", "-", ""])),
        draw(st.sampled_from([" ", "", "  "])),
        draw(st.one_of(st.just("/packages/a-1.0.tar.gz"), token, piece)),
        draw(st.sampled_from([" HTTP/1.1", "", " x y"])),
        '" ',
        draw(st.one_of(st.sampled_from(["200", "304", "404"]), piece)),
        " ",
        draw(st.one_of(st.just("123"), piece)),
        draw(st.sampled_from([' "-" "', ' "-"', "", ' "r" "', ' "\\"" "'])),
        draw(st.one_of(st.just(pip_agent()), piece)),
        draw(st.sampled_from(['"', '" "xff"', "", '"\r'])),
    ]
    # arbitrary text in a random place, sometimes
    if draw(st.booleans()):
        i = draw(st.integers(0, len(parts) - 1))
        parts[i] = draw(piece)
    return "".join(parts)


@SETTINGS
@given(st.lists(st.text(chars), max_size=20))
def test_arbitrary_text_parses_the_same_in_python_and_duckdb(
    con: duckdb.DuckDBPyConnection, lines: list[str]
) -> None:
    _agree(con, lines)


@SETTINGS
@given(st.lists(log_lines(), min_size=1, max_size=20))
def test_near_miss_lines_parse_the_same_in_python_and_duckdb(
    con: duckdb.DuckDBPyConnection, lines: list[str]
) -> None:
    _agree(con, lines)


def test_a_combined_line_parses_into_its_fields() -> None:
    text = line("/packages/a-1.0.tar.gz", agent="uv/0.5.1", host="10.0.0.1").rstrip("\n")
    p = parse_line(text)
    assert p is not None
    assert (p.host, p.method, p.target, p.status, p.agent) == (
        "10.0.0.1",
        "GET",
        "/packages/a-1.0.tar.gz",
        200,
        "uv/0.5.1",
    )
    assert p.time == dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/Oct/2000:13:55:36 -0700", dt.datetime(2000, 10, 10, 20, 55, 36, tzinfo=dt.UTC)),
        ("29/Feb/2024:00:00:00 +0100", dt.datetime(2024, 2, 28, 23, 0, tzinfo=dt.UTC)),
        ("31/Feb/2026:00:00:00 +0000", None),
        ("10/oct/2000:13:55:36 -0700", None),
        ("10/Oct/2000:13:55:60 +0000", None),
        ("10/Oct/2000 13:55:36 +0000", None),
    ],
)
def test_timestamps(text: str, expected: dt.datetime | None) -> None:
    assert parse_time(text) == expected


def test_vhost_combined_and_extra_fields_parse_as_combined() -> None:
    base = line("/x", agent="pip/24.0").rstrip("\n")
    assert parse_line("www.example.org:443 " + base) is not None
    assert parse_line(base + ' "203.0.113.9" 0.012') is not None
    assert parse_line(base.rsplit(' "-" ', 1)[0], "combined") is None
    assert parse_line(base.rsplit(' "-" ', 1)[0], "common") is not None


def test_format_detection() -> None:
    combined = [line("/x", agent="pip/24.0")] * 3
    common = [x.rsplit(' "-" ', 1)[0] for x in combined]
    assert detect_format(combined) == "combined"
    assert detect_format(common) == "common"
    assert detect_format(["no", "log", "here"]) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(log_lines().map(str.encode), st.binary(max_size=40)), max_size=25))
def test_every_line_is_counted_once_and_bad_ones_are_numbered(lines: list[bytes]) -> None:
    """Arbitrary bytes never raise; read = downloads + skipped + unparseable, exactly."""
    data = b"".join(x.replace(b"\n", b" ") + b"\n" for x in lines)
    con = duckdb.connect()
    parser = LogParser(con, "combined")
    try:
        stats = parser.add(data, 1)
        (events,) = con.execute(f"SELECT count(*) FROM {parser.relation()}").fetchone() or (0,)
    finally:
        parser.close()
        con.close()
    assert stats.lines == len(lines)
    assert stats.lines == stats.downloads + sum(stats.skipped.values()) + stats.unparseable
    assert events == stats.downloads
    expected_bad = []
    for i, raw in enumerate(data.split(b"\n")[:-1], start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            expected_bad.append(i)
            continue
        if parse_line(text) is None:
            expected_bad.append(i)
    assert stats.unparseable == len(expected_bad)
    assert stats.bad_lines == expected_bad[:5]


def test_long_lines_many_quotes_and_escapes_take_the_slow_path_to_the_same_answer() -> None:
    """Lines the fast reader cannot judge (over MAX_LINE bytes, more than its columns,
    Apache's escaped quote) are read whole, and answer as parse_line does."""
    from toppypi.logs.lines import MAX_LINE

    base = line("/packages/a-1.0.tar.gz", agent="pip/24.0").rstrip("\n")
    head, agent_end = base.rsplit('"', 2)[0], '"'
    near = 'pip/24.0 {"x":"' + "é" * 40_000  # more bytes than MAX_LINE, fewer characters
    lines = [
        base,
        head + '"' + near + '"',
        head + '"' + "pip/24.0 " + "y" * (MAX_LINE + 10) + agent_end,  # too many characters
        base + ' "10.0.0.1" "x" "y" "z" 0.012',  # extra quoted fields: more parts than read
        base.replace("pip/24.0", 'pip/24.0 \\"quoted\\"'),  # Apache's escaped quote
        "garbage",
    ]
    data = "".join(x + "\n" for x in lines).encode()
    con = duckdb.connect()
    parser = LogParser(con, "combined")
    try:
        stats = parser.add(data, 1)
    finally:
        parser.close()
        con.close()
    expected_bad = [i for i, x in enumerate(lines, start=1) if parse_line(x) is None]
    assert expected_bad == [3, 6]
    assert (stats.lines, stats.downloads, stats.unparseable) == (6, 4, 2)
    assert stats.bad_lines == expected_bad


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(log_lines(), min_size=1, max_size=20))
def test_the_fast_scan_gives_parse_lines_fields_line_by_line(lines: list[str]) -> None:
    """The CSV-reader scan (not just the counts): each row it judges itself has the
    state, second, target and agent parse_line gives its line."""
    import tempfile
    from pathlib import Path

    from toppypi.logs.parse import sanitize
    from toppypi.logs.scan import BAD, CANDIDATE, METHOD, SLOW, STATUS, reader_sql, scan_sql

    texts = [x.replace("\n", " ") for x in lines]
    data = sanitize("".join(t + "\n" for t in texts).encode(), empty=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.log"
        path.write_bytes(data)
        con = duckdb.connect()
        con.execute("SET TimeZone = 'UTC'")
        parser = LogParser(con, "combined")
        try:
            sql = scan_sql(reader_sql(f"'{path}'"), "combined", parser._first)
            rows = con.execute(f"SELECT state, ts, target, agent, ah FROM ({sql})").fetchall()
            rejected = {r[0] for r in con.execute("SELECT line FROM log_rejects").fetchall()}
            agents = dict(
                con.execute(
                    "SELECT hash(a) AS h, a FROM (SELECT unnest(?::VARCHAR[]) AS a)",
                    [[p.agent for t in texts if (p := parse_line(t)) and p.agent is not None]],
                ).fetchall()
            )
        finally:
            parser.close()
            con.close()
    kept = [t for i, t in enumerate(data.decode().split("\n")[:-1], 1) if i not in rejected]
    assert len(rows) == len(kept)
    for text, (state, ts, target, agent, ah) in zip(kept, rows, strict=True):
        if state == SLOW:
            continue
        p = parse_line(text)
        if p is None:
            assert state == BAD, text
            continue
        if p.method != "GET":
            assert state == METHOD, text
        elif not (200 <= p.status <= 299 and p.status != 206):
            assert state == STATUS, text
        else:
            assert state == CANDIDATE, text
            assert ts == int(p.time.timestamp()), text
            assert target == p.target
            assert agents[ah] == p.agent and agent in (None, p.agent)
