"""`toppypi ingest` refuses bad input in one line, and the store's files stay byte-identical."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import run_cli
from tests.engines.test_cross_engine import write_events
from tests.support.access_logs import line, pip_agent

GOOD_LINE = line("/packages/alpha-1.0-py3-none-any.whl", agent=pip_agent())


@pytest.fixture(scope="module")
def base_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding one events file and one access log."""
    d = tmp_path_factory.mktemp("base")
    db = d / "store.duckdb"
    events = write_events(d / "events.parquet")
    log = d / "access.log"
    log.write_text(GOOD_LINE * 3)
    res = run_cli("ingest", "--db", str(db), str(events), str(log))
    assert res.returncode == 0, res.stderr
    return db


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else ""
        )
        for p in sorted(folder.rglob("*"))
    }


def _write(name: str, data: bytes) -> Callable[[Path], list[str]]:
    def make(d: Path) -> list[str]:
        (d / name).write_bytes(data)
        return [str(d / name)]

    return make


def _parquet_dump(d: Path) -> list[str]:
    pq.write_table(pa.table({"download_count": [10], "project": ["x"]}), d / "top.parquet")
    return [str(d / "top.parquet")]


def _truncated_parquet(d: Path) -> list[str]:
    src = write_events(d / "full.parquet")
    data = src.read_bytes()
    src.unlink()
    (d / "cut.parquet").write_bytes(data[: len(data) // 2])
    return [str(d / "cut.parquet")]


def _null_project_jsonl(d: Path) -> list[str]:
    rec = {"timestamp": "2026-03-01 00:00:00.000000 UTC", "file": {"project": None}}
    (d / "e.jsonl").write_text(json.dumps(rec) + "\n")
    return [str(d / "e.jsonl")]


def _good_then_bad(d: Path) -> list[str]:
    (d / "new.log").write_text(GOOD_LINE.replace("127.0.0.1", "10.0.0.9") * 5)
    (d / "bad.parquet").write_bytes(b"PAR1\x00\x01garbagePAR1")
    return [str(d / "new.log"), str(d / "bad.parquet")]


def _truncated_gzip_log(d: Path) -> list[str]:
    data = gzip.compress((GOOD_LINE.replace("127.0.0.1", "10.1.1.1") * 2000).encode())
    (d / "access.log.2.gz").write_bytes(data[: len(data) // 2])
    return [str(d / "access.log.2.gz")]


def _directory(d: Path) -> list[str]:
    (d / "logs").mkdir()
    return [str(d / "logs")]


CASES: dict[str, tuple[Callable[[Path], list[str]], list[str], str]] = {
    "missing file": (lambda d: [str(d / "nope.parquet")], [], "no such file"),
    "a directory": (_directory, [], "logs"),
    "empty file": (_write("empty.parquet", b""), [], "empty"),
    "truncated parquet": (_truncated_parquet, [], "cut.parquet"),
    "parquet magic, no parquet": (_write("x.parquet", b"PAR1 not really PAR1"), [], "x.parquet"),
    "a ranking dump as parquet": (_parquet_dump, [], "not PyPI download events"),
    "wrong-schema jsonl": (_write("w.jsonl", b'{"when": 1, "pkg": "x"}\n'), [], "w.jsonl"),
    "broken json": (_write("b.jsonl", b'{"timestamp": "2026-03-01"\n'), [], "b.jsonl"),
    "null project": (_null_project_jsonl, [], "lack a timestamp or file.project"),
    "binary noise": (_write("noise.bin", bytes(range(256)) * 40), [], "not an access log"),
    "prose": (_write("notes.txt", b"dear diary\ntoday I ingested\n"), [], "not an access log"),
    "corrupt gzip": (_write("access.log.1.gz", b"\x1f\x8b\x08\x00garbage"), [], ".1.gz"),
    "truncated gzip log": (_truncated_gzip_log, [], "access.log.2.gz"),
    "a glob in a name": (_write("a[1].jsonl", b"[not json\n"), [], "a[1].jsonl"),
    "good log, then a bad file": (_good_then_bad, [], "bad.parquet"),
    "geoip not a database": (
        _write("access.log", GOOD_LINE.encode()),
        ["--geoip", "/etc/hostname"],
        "MaxMind",
    ),
    "url prefix not a path": (_write("access.log", GOOD_LINE.encode()), ["--url-prefix", "x"], "/"),
    "unknown log format": (
        _write("access.log", GOOD_LINE.encode()),
        ["--log-format", "xml"],
        "xml",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_and_the_store_is_untouched(
    base_store: Path, tmp_path: Path, case: str
) -> None:
    make, extra, needle = CASES[case]
    store_dir = tmp_path / "store"
    shutil.copytree(base_store.parent, store_dir)
    db = store_dir / "store.duckdb"
    before = _digest(store_dir)
    inputs = tmp_path / "in"
    inputs.mkdir()
    res = run_cli("ingest", "--db", str(db), *extra, *make(inputs))
    assert res.returncode == 2, res.stderr
    assert "Traceback" not in res.stderr and res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert needle in lines[0]
    assert _digest(store_dir) == before


def test_a_glob_in_a_name_is_that_file_only(tmp_path: Path) -> None:
    """Issue: `ingest 'a[1].jsonl'` used to read a1.jsonl as well (twice counted)."""
    src = write_events(tmp_path / "events.parquet")
    shutil.copy(src, tmp_path / "a[1].parquet")
    shutil.copy(src, tmp_path / "a1.parquet")
    db = tmp_path / "store.duckdb"
    res = run_cli("ingest", "--db", str(db), "--json", str(tmp_path / "a[1].parquet"))
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)[0]["events"] == pq.read_metadata(src).num_rows
