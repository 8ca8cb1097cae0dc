"""Access logs into the store: exact counts, breakdowns, re-ingest, growth and rotation."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.access_logs import WHEN, line, pip_agent, uv_agent
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.engines.duckdb.store import LogOptions, events_dir, ingest
from toppypi.errors import InputError
from toppypi.model.period import Period
from toppypi.model.query import Field, Query, parse_where

DAY = Period(WHEN.date(), WHEN.date())
PIP = pip_agent("24.0", "3.12.1", ci=True)
PIP_LOCAL = pip_agent("23.3", "3.10.12", ci=None)
UV = uv_agent("0.5.1", "3.11.4", ci=True)
WHL = "/packages/alpha-1.0-py3-none-any.whl"

MIXED_LINES = [
    # pypiserver layout
    line(WHL, agent=PIP),
    line("/packages/alpha-1.0.tar.gz", agent=PIP_LOCAL),
    # devpi layout
    line("/root/pypi/+f/3a1/9f0c1b2e3d4a5/beta_lib-2.0-py3-none-any.whl", agent=UV),
    line("/alice/dev/+f/0b2/77aa01/Beta.Lib-2.1.zip", agent=PIP),
    # PyPI layout (a mirror), with a query string
    line("/packages/ab/cd/0123456789abcdef0123/gamma-0.1.tar.gz?x=1", agent=UV),
    line("/packages/ab/cd/0123456789abcdef0123/gamma-0.1.tar.gz", agent=PIP_LOCAL),
    # not downloads
    line("/simple/alpha/", agent=PIP),  # an index page
    line("/packages/missing-1.0.tar.gz", agent=PIP, status=404),
    line(WHL, agent=UV, method="HEAD"),
    line(WHL, agent=PIP, status=304),
    line(WHL, agent=UV, status=206),  # a range request for the wheel's metadata
    line(WHL + ".metadata", agent=UV),  # PEP 658 metadata
    line(WHL, agent="Pingdom.com_bot_version_1.4_(http://www.pingdom.com/)"),  # linehaul ignores
    "this line is garbage\n",
    line(WHL, agent="Mozilla/5.0 (X11; Linux x86_64)"),  # a browser: counted, installer Browser
]
EXPECTED = [("alpha", 3), ("beta-lib", 2), ("gamma", 2)]


def _write(path: Path, lines: list[str], *, gz: bool = False) -> Path:
    data = "".join(lines).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def _rows(db: Path, *dims: Field, where: str = "") -> list[tuple[object, ...]]:
    engine = DuckDBEngine(db)
    try:
        q = Query(DAY, dims, where=parse_where(where) if where else (), limit=None)
        return [tuple(r) for r in engine.run(q).rows]
    finally:
        engine.close()


def _digest(db: Path) -> dict[str, str]:
    """sha256 of every file of the store (the DuckDB file and the raw events)."""
    files = [p for p in db.parent.rglob("*") if p.is_file() and p.name.startswith(db.name)]
    files += [p for p in events_dir(db).glob("*")] if events_dir(db).exists() else []
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(set(files))}


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("server", ["nginx", "apache"])
def test_a_mixed_log_counts_exactly_the_successful_file_downloads(
    tmp_path: Path, gz: bool, server: str
) -> None:
    lines = [_reescape(x) for x in MIXED_LINES] if server == "apache" else MIXED_LINES
    log = _write(tmp_path / ("access.log.1.gz" if gz else "access.log"), lines, gz=gz)
    db = tmp_path / "store.duckdb"
    (done,) = ingest(db, [log])
    assert done.log is not None
    assert done.log == {
        "lines": 15,
        "downloads": 7,
        "skipped": 7,
        "skipped_by_reason": {
            "method": 1,
            "status": 3,
            "not_file": 2,
            "agent": 1,
        },
        "unparseable": 1,
        "first_unparseable_lines": [14],
        "downloads_by_layout": {"devpi": 2, "pypi": 2, "pypiserver": 3},
    }
    assert _rows(db, Field.PROJECT) == EXPECTED
    assert _rows(db, Field.INSTALLER) == [("pip", 4), ("uv", 2), ("Browser", 1)]
    ci = [("beta-lib", 2), ("alpha", 1), ("gamma", 1)]
    assert _rows(db, Field.PROJECT, where="ci=true") == ci
    assert _rows(db, Field.PYVERSION, where="installer=pip") == [("3.10", 2), ("3.12", 2)]
    assert _rows(db, Field.VERSION) == [("1.0", 3), ("0.1", 2), ("2.0", 1), ("2.1", 1)]
    assert _rows(db, Field.FILE, where="installer=uv") == [
        ("beta_lib-2.0-py3-none-any.whl", 1),
        ("gamma-0.1.tar.gz", 1),
    ]
    assert _rows(db, Field.COUNTRY) == [(None, 7)]  # no GeoIP database given


def _reescape(text: str) -> str:
    """The same line as Apache writes it: ``\\"`` for a quote inside a value."""
    return text.replace("\\x22", '\\"')


def test_the_cli_reports_the_garbage_line_in_text_and_json(tmp_path: Path) -> None:
    log = _write(tmp_path / "access.log", MIXED_LINES)
    db = tmp_path / "store.duckdb"
    res = run_cli("ingest", "--db", str(db), str(log))
    assert res.returncode == 0, res.stderr
    first = res.stderr.splitlines()[0]
    assert first.startswith("access.log: 15 lines read: 7 downloads, 7 not downloads, ")
    assert "1 unparseable (line 14)" in first
    pip_only = run_cli(
        "query", "--db", str(db), "-sd", "2026-03-10", "-ed", "2026-03-10", "-j", "", "installer"
    )
    assert json.loads(pip_only.stdout)["rows"] == [{"download_count": 4, "installer_name": "pip"}]
    again = run_cli("ingest", "--db", str(db), "--json", str(log))
    (report,) = json.loads(again.stdout)
    assert report["skipped"] is True and report["events"] == 0
    assert report["log"]["lines"] == 0


def test_reingesting_changes_nothing_and_appending_adds_only_the_new_lines(
    tmp_path: Path,
) -> None:
    log = _write(tmp_path / "access.log", MIXED_LINES)
    db = tmp_path / "store.duckdb"
    ingest(db, [log])
    before = _digest(db)
    (again,) = ingest(db, [log])
    assert again.skipped and again.log is not None and again.log["lines"] == 0
    assert _digest(db) == before  # not a byte changed
    later = WHEN + dt.timedelta(hours=1)
    with log.open("a") as fh:
        fh.write(line(WHL, agent=UV, when=later))
        fh.write(line(WHL, agent=UV, when=later))  # identical lines both count
        fh.write("more garbage\n")
    (grown,) = ingest(db, [log])
    assert grown.log is not None
    assert (grown.log["lines"], grown.log["downloads"]) == (3, 2)
    assert grown.log["first_unparseable_lines"] == [18]  # numbered in the whole file
    assert _rows(db, Field.PROJECT) == [("alpha", 5), ("beta-lib", 2), ("gamma", 2)]


def test_a_line_still_being_written_waits_for_the_next_ingest(tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    full = line(WHL, agent=PIP)
    log.write_text(full + full[:40])
    db = tmp_path / "store.duckdb"
    (first,) = ingest(db, [log])
    assert first.log is not None and first.log["lines"] == 1
    with log.open("a") as fh:
        fh.write(full[40:])
    (second,) = ingest(db, [log])
    assert second.log is not None and second.log["lines"] == 1
    assert second.log["downloads"] == 1 and second.log["unparseable"] == 0
    assert _rows(db, Field.PROJECT) == [("alpha", 2)]


def test_a_rotated_log_is_not_counted_twice(tmp_path: Path) -> None:
    """logrotate: access.log -> access.log.1 -> access.log.2.gz, a new access.log."""
    db = tmp_path / "store.duckdb"
    log = _write(tmp_path / "access.log", [line(WHL, agent=PIP)] * 3)
    ingest(db, [log])  # cron, before the rotation
    with log.open("a") as fh:  # more lines, then rotation
        fh.write(line(WHL, agent=UV) * 2)
    log.rename(tmp_path / "access.log.1")
    new = _write(tmp_path / "access.log", [line("/packages/gamma-0.1.tar.gz", agent=PIP)])
    results = ingest(db, [tmp_path / "access.log.1", new])
    assert [r.log["downloads"] for r in results if r.log] == [2, 1]
    # The next rotation compresses it; the same lines under a third name add nothing.
    rotated = tmp_path / "access.log.1"
    with rotated.open("rb") as fi, gzip.open(tmp_path / "access.log.2.gz", "wb") as fo:
        shutil.copyfileobj(fi, fo)
    rotated.unlink()
    again = ingest(db, [tmp_path / "access.log.2.gz", new])
    assert all(r.skipped for r in again)
    assert _rows(db, Field.PROJECT, Field.INSTALLER) == [
        ("alpha", "pip", 3),
        ("alpha", "uv", 2),
        ("gamma", "pip", 1),
    ]


def test_the_same_log_twice_in_one_ingest_counts_once(tmp_path: Path) -> None:
    log = _write(tmp_path / "access.log", MIXED_LINES)
    copy = tmp_path / "access.log.1.gz"
    copy.write_bytes(gzip.compress(log.read_bytes()))
    db = tmp_path / "store.duckdb"
    results = ingest(db, [log, copy])
    assert [r.skipped for r in results] == [False, True]
    assert _rows(db, Field.PROJECT) == EXPECTED


def test_a_multi_file_ingest_is_all_or_nothing(tmp_path: Path) -> None:
    good = _write(tmp_path / "access.log", MIXED_LINES)
    db = tmp_path / "store.duckdb"
    ingest(db, [_write(tmp_path / "old.log", [line(WHL, agent=PIP, host="10.9.9.9")])])
    before = _digest(db)
    bad = tmp_path / "events.parquet"
    bad.write_bytes(b"PAR1 this is not parquet at all")
    res = run_cli("ingest", "--db", str(db), str(good), str(bad))
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "events.parquet" in lines[0] and "Traceback" not in res.stderr
    assert _digest(db) == before
    assert _rows(db, Field.PROJECT) == [("alpha", 1)]
    # and once the bad file is gone, the good one goes in whole
    assert run_cli("ingest", "--db", str(db), str(good)).returncode == 0
    assert _rows(db, Field.PROJECT) == [("alpha", 4), ("beta-lib", 2), ("gamma", 2)]


def test_a_first_ingest_that_fails_leaves_no_store(tmp_path: Path) -> None:
    good = _write(tmp_path / "access.log", MIXED_LINES)
    bad = tmp_path / "notes.txt"
    bad.write_text("these are my notes\nnot a log at all\n")
    db = tmp_path / "store.duckdb"
    with pytest.raises(InputError, match=r"notes\.txt: not an access log"):
        ingest(db, [good, bad])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["access.log", "notes.txt"]


def test_paths_are_taken_literally_not_as_globs(tmp_path: Path) -> None:
    """`ingest 'a[1].log'` reads that file, never `a1.log` too."""
    literal = _write(tmp_path / "a[1].log", [line(WHL, agent=PIP)])
    _write(tmp_path / "a1.log", [line("/packages/gamma-0.1.tar.gz", agent=PIP)] * 5)
    db = tmp_path / "store.duckdb"
    ingest(db, [literal])
    assert _rows(db, Field.PROJECT) == [("alpha", 1)]


def test_an_unknown_layout_counts_only_under_a_given_prefix(tmp_path: Path) -> None:
    nexus = "/repository/pypi-group/packages/delta/1.0/delta-1.0-py3-none-any.whl"
    log = _write(tmp_path / "access.log", [line(nexus, agent=PIP)] * 2 + [line(WHL, agent=PIP)])
    db = tmp_path / "a.duckdb"
    (done,) = ingest(db, [log])
    assert done.log is not None and done.log["skipped_by_reason"] == {"layout": 2}
    db2 = tmp_path / "b.duckdb"
    ingest(db2, [log], log_options=LogOptions(prefixes=("/repository/",)))
    assert _rows(db2, Field.PROJECT) == [("delta", 2), ("alpha", 1)]


def test_the_common_format_counts_downloads_without_details(tmp_path: Path) -> None:
    common = [x.rsplit(' "-" ', 1)[0] + "\n" for x in MIXED_LINES if "garbage" not in x]
    log = _write(tmp_path / "access.log", common)
    db = tmp_path / "store.duckdb"
    (done,) = ingest(db, [log])
    assert done.notes[-1] == "common log format"
    # without an agent, the bot is not known to be one: it counts, as on PyPI
    assert _rows(db, Field.PROJECT) == [("alpha", 4), ("beta-lib", 2), ("gamma", 2)]
    assert _rows(db, Field.INSTALLER) == [(None, 8)]


def test_country_codes_come_from_a_geoip_database(tmp_path: Path) -> None:
    from mmdb_writer import MMDBWriter
    from netaddr import IPSet

    writer = MMDBWriter(ip_version=4, database_type="GeoLite2-Country")
    writer.insert_network(IPSet(["10.1.0.0/16"]), {"country": {"iso_code": "DE"}})
    writer.insert_network(IPSet(["10.2.0.0/16"]), {"registered_country": {"iso_code": "JP"}})
    mmdb = tmp_path / "country.mmdb"
    writer.to_db_file(str(mmdb))
    lines = [
        line(WHL, agent=PIP, host="10.1.2.3"),
        line(WHL, agent=PIP, host="10.1.9.9"),
        line(WHL, agent=PIP, host="10.2.0.1"),
        line(WHL, agent=PIP, host="192.0.2.1"),
        line(WHL, agent=PIP, host="example.org"),
    ]
    log = _write(tmp_path / "access.log", lines)
    db = tmp_path / "store.duckdb"
    res = run_cli("ingest", "--db", str(db), "--geoip", str(mmdb), str(log))
    assert res.returncode == 0, res.stderr
    assert _rows(db, Field.COUNTRY) == [("DE", 2), (None, 2), ("JP", 1)]


def test_a_log_read_in_many_chunks_gives_what_one_read_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large logs go through in chunks; line numbers and counts must not notice."""
    from toppypi.engines.duckdb import staging
    from toppypi.logs import streams

    lines = [*MIXED_LINES * 20, "\xff not utf-8\n", *MIXED_LINES]
    log = tmp_path / "access.log"
    log.write_bytes(
        b"".join(x.encode("utf-8", "surrogateescape") for x in lines).replace(
            "\xff".encode(), b"\xff"
        )
    )
    (whole,) = ingest(tmp_path / "a.duckdb", [log])
    monkeypatch.setattr(staging, "DIRECT_MAX", 0)  # never the direct read
    monkeypatch.setattr(streams, "CHUNK", 1000)  # a few lines a chunk
    (chunked,) = ingest(tmp_path / "b.duckdb", [log])
    assert whole.log is not None and chunked.log == whole.log
    assert whole.log["lines"] == len(lines)
    assert whole.log["first_unparseable_lines"] == [14, 29, 44, 59, 74]
    assert whole.log["unparseable"] == 22
    assert _rows(tmp_path / "a.duckdb", Field.PROJECT) == _rows(
        tmp_path / "b.duckdb", Field.PROJECT
    )


def test_staging_files_of_a_killed_ingest_are_swept_by_the_next(tmp_path: Path) -> None:
    db = tmp_path / "store.duckdb"
    ingest(db, [_write(tmp_path / "a.log", [line(WHL, agent=PIP)])])
    stale = events_dir(db) / ".staging-999999-1-1.parquet"
    stale.write_bytes(b"left by a killed ingest")
    ingest(db, [_write(tmp_path / "b.log", [line(WHL, agent=UV, host="10.0.0.2")])])
    assert not stale.exists()
    assert _rows(db, Field.PROJECT) == [("alpha", 2)]


def test_carriage_returns_and_empty_lines_in_a_plain_log_are_lines_like_any(
    tmp_path: Path,
) -> None:
    """The direct read cannot take a CR, a \\x01 or an empty line; such a log is read
    again in sanitized chunks, with every line counted and numbered as parse_line says."""
    good = line(WHL, agent=PIP)
    log = tmp_path / "access.log"
    log.write_bytes(
        (good.rstrip("\n") + "\r\n" + good + "\n" + "half a line\rthe rest\n" + good).encode()
    )
    (done,) = ingest(tmp_path / "store.duckdb", [log])
    assert done.log is not None
    assert (done.log["lines"], done.log["downloads"], done.log["unparseable"]) == (5, 3, 2)
    assert done.log["first_unparseable_lines"] == [3, 4]
    assert _rows(tmp_path / "store.duckdb", Field.INSTALLER) == [("pip", 3)]  # details kept
