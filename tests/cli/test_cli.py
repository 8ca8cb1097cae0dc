"""The command line as a user meets it: help, output, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli


def test_help_lists_commands() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    for name in ("demo", "sample", "ingest", "top", "update", "convert"):
        assert name in proc.stdout


def test_top_formats(store: Path, tmp_path: Path) -> None:
    proc = run_cli(
        "top", "--db", str(store), "--month", "2026-03", "--limit", "3", "--format", "csv"
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "download_count,project" and len(lines) == 4
    assert lines[1].endswith('"boto3"')
    out = tmp_path / "t.json"
    proc = run_cli(
        "top",
        "--db",
        str(store),
        "--month",
        "2026-03",
        "--limit",
        "3",
        "--format",
        "json",
        "-o",
        str(out),
    )
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(out.read_text())["source"] == "DuckDB"


def test_top_honours_env_db(store: Path) -> None:
    import os

    env = dict(os.environ, TOPPYPI_DB=str(store))
    proc = run_cli("top", "--month", "2026-03", "--limit", "2", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "boto3" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["top", "--month", "2026-13"], "not between 01 and 12"),
        (["top", "--days", "0"], "at least 1"),
        (["top", "--start", "2026-03-10", "--end", "2026-03-01"], "before it starts"),
        (["top", "--limit", "-1"], "--limit"),
        (["top", "--installers", "pip,nonsense"], "unknown installer"),
        (["top", "--source", "oracle"], "unknown source"),
        (["update", "--dataset", "x", "--month", "2026-3"], "YYYY-MM"),
        (["ingest", "/nonexistent/events.parquet"], "no such file"),
    ],
)
def test_bad_input_one_line(store: Path, tmp_path: Path, args: list[str], message: str) -> None:
    proc = run_cli(*args, "--db", str(store), cwd=tmp_path)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr


def test_missing_store_says_what_to_do(tmp_path: Path) -> None:
    proc = run_cli("top", "--db", str(tmp_path / "none.duckdb"))
    assert proc.returncode == 2
    assert "toppypi ingest" in proc.stderr and proc.stderr.count("\n") == 1


def test_every_choice_a_window_option_offers_is_explained() -> None:
    proc = run_cli("history", "export", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    assert "--window [30|365|all]" in text and "all (both)" in text


def test_a_closed_pipe_is_141_not_a_bug(store: Path) -> None:
    """`toppypi top ... | head -1`: the reader leaves early; no traceback, no exit 1 ("a bug")."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "toppypi", "top", "--db", str(store), "--month", "2026-03",
         "--format", "csv", "--limit", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.read(20).startswith(b"download_count")
    proc.stdout.close()
    assert proc.wait(60) == 141
    assert b"Traceback" not in proc.stderr.read()
