"""User mistakes on the command line: one line on stderr, a non-zero exit, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli


def _one_line_error(proc: object, code: int = 2) -> str:
    """The single stderr line of a refused command (and nothing on stdout)."""
    assert proc.returncode == code, proc.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in proc.stderr  # type: ignore[attr-defined]
    lines = proc.stderr.splitlines()  # type: ignore[attr-defined]
    assert len(lines) == 1, proc.stderr  # type: ignore[attr-defined]
    assert proc.stdout == ""  # type: ignore[attr-defined]
    return str(lines[0])


@pytest.mark.parametrize(
    "fmt,extra",
    [("csv", []), ("csv", ["--limit", "0"]), ("parquet", ["--limit", "0"])],
)
def test_top_output_under_a_file_is_one_line(
    store: Path, tmp_path: Path, fmt: str, extra: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    out = blocker / f"top.{fmt}"
    proc = run_cli(
        "top", "--db", str(store), "--month", "2026-03", "--format", fmt, "-o", str(out), *extra
    )
    line = _one_line_error(proc)
    assert line.startswith("toppypi: error: ") and "a-file" in line
    assert blocker.read_text() == "x"


def test_convert_output_under_a_file_is_one_line(tmp_path: Path) -> None:
    dump = tmp_path / "top.csv"
    dump.write_text('download_count,project\n10,"a"\n')
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    proc = run_cli("convert", str(dump), "--format", "json", "-o", str(blocker / "out.json"))
    assert "a-file" in _one_line_error(proc)


def test_streamed_list_failing_engine_leaves_no_noise(tmp_path: Path) -> None:
    out = tmp_path / "all.parquet"
    proc = run_cli(
        "top",
        "--db",
        str(tmp_path / "none.duckdb"),
        "--month",
        "2026-03",
        "--limit",
        "0",
        "--format",
        "parquet",
        "-o",
        str(out),
    )
    assert "no local store" in _one_line_error(proc)
    assert list(tmp_path.iterdir()) == []


def test_missing_required_choice_is_one_line(tmp_path: Path) -> None:
    dump = tmp_path / "top.csv"
    dump.write_text('download_count,project\n10,"a"\n')
    line = _one_line_error(run_cli("convert", str(dump)))
    assert "--format" in line and "csv" in line


def test_a_file_that_is_not_a_store_is_refused(tmp_path: Path, events_dir: Path) -> None:
    dump = tmp_path / "top-pypi-packages.json"
    dump.write_text('{"rows": []}\n')
    event_file = sorted(events_dir.glob("*.parquet"))[0]
    line = _one_line_error(run_cli("ingest", str(event_file), "--db", str(dump)))
    assert "not a DuckDB store" in line
    assert dump.read_text() == '{"rows": []}\n'
    assert not (tmp_path / "top-pypi-packages.json.events").exists()
    line = _one_line_error(run_cli("top", "--db", str(dump), "--month", "2026-03"))
    assert "not a DuckDB store" in line


@pytest.mark.parametrize("where", ["country=US OR ci=true", "country IN US,DE or ci!=true"])
def test_where_refuses_or(store: Path, where: str) -> None:
    proc = run_cli("query", "", "project", "--db", str(store), "-w", where)
    assert "OR is not supported" in _one_line_error(proc)


def test_query_negative_indent_is_refused(store: Path) -> None:
    proc = run_cli("query", "", "project", "--db", str(store), "-j", "-i", "-2")
    assert "--indent" in _one_line_error(proc)


def test_history_rebuild_needs_an_existing_dataset(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    _one_line_error(run_cli("history", "rebuild", "--dataset", str(missing)))
    assert not missing.exists()


def test_diff_missing_dump_file_says_so(tmp_path: Path) -> None:
    dump = tmp_path / "b.csv"
    dump.write_text('download_count,project\n10,"a"\n')
    line = _one_line_error(run_cli("diff", str(tmp_path / "a.json"), str(dump), cwd=tmp_path))
    assert "a.json" in line and "no such file" in line


@pytest.mark.parametrize("args", [[], ["history"], ["site"], ["bigquery"]])
def test_a_bare_group_prints_its_help(args: list[str]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: toppypi") and "Commands:" in proc.stdout
    assert "error" not in proc.stderr


def test_update_json_refused_month_prints_the_report_as_json(store: Path, tmp_path: Path) -> None:
    import json

    proc = run_cli(
        "update",
        "--dataset",
        str(tmp_path / "d"),
        "--db",
        str(store),
        "--month",
        "2025-01",
        "--json",
    )
    assert proc.returncode == 4, proc.stderr
    out = json.loads(proc.stdout)
    assert out["month"] == "2025-01" and out["refused"] is True and out["written"] == []
    assert out["checks"]["passed"] is False
    assert len(proc.stderr.splitlines()) == 1 and "refused" in proc.stderr
    assert not (tmp_path / "d" / "archive").exists()


def _all_commands() -> list[tuple[str, object]]:
    import click

    from toppypi.cli import cli

    out: list[tuple[str, object]] = []

    def walk(path: str, cmd: click.Command, ctx: click.Context) -> None:
        out.append((path, cmd))
        if isinstance(cmd, click.Group):
            for name in cmd.list_commands(ctx):
                sub = cmd.get_command(ctx, name)
                assert sub is not None
                walk(f"{path} {name}", sub, click.Context(sub, parent=ctx, info_name=name))

    walk("toppypi", cli, click.Context(cli, info_name="toppypi"))
    return out


def test_every_option_has_help() -> None:
    import click

    missing = [
        f"{path} {opt.opts[-1]}"
        for path, cmd in _all_commands()
        for opt in cmd.params  # type: ignore[attr-defined]
        if isinstance(opt, click.Option) and not opt.help and not opt.hidden
    ]
    assert missing == []


def test_top_warns_when_the_data_ends_before_the_period(store: Path) -> None:
    proc = run_cli("top", "--db", str(store), "--month", "2026-06", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "download_count,project\n"
    assert "warning: the data ends 2026-03-31, before the period (2026-06) does" in proc.stderr
    proc = run_cli("top", "--db", str(store), "--month", "2026-03", "--format", "csv")
    assert proc.returncode == 0 and "warning" not in proc.stderr


def test_query_and_the_streamed_list_warn_like_top_when_the_data_ends_early(
    store: Path,
) -> None:
    """A count over days the engine does not hold yet is partial: every command says so."""
    warning = "warning: the data ends 2026-03-31, before the period (2026-03-30..2026-04-05) does"
    for args in (
        ["query", "--all", "-sd", "2026-03-30", "-ed", "2026-04-05", ""],
        ["top", "--start", "2026-03-30", "--end", "2026-04-05", "--limit", "0", "--format", "csv"],
    ):
        proc = run_cli(*args, "--db", str(store))
        assert proc.returncode == 0, proc.stderr
        assert warning in proc.stderr, args
    proc = run_cli("query", "--all", "-m", "2026-03", "", "--db", str(store))
    assert proc.returncode == 0 and "warning" not in proc.stderr


def test_check_refuses_a_file_and_replay_together(tmp_path: Path) -> None:
    dump = tmp_path / "top.csv"
    dump.write_text('download_count,project\n10,"a"\n')
    line = _one_line_error(run_cli("check", str(dump), "--replay", str(tmp_path)))
    assert "not both" in line


def test_ingest_refuses_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "events.parquet"
    empty.write_bytes(b"")
    db = tmp_path / "store.duckdb"
    line = _one_line_error(run_cli("ingest", str(empty), "--db", str(db)))
    assert "events.parquet" in line and "empty" in line
    assert not (tmp_path / "store.duckdb.events").exists()


def test_a_parquet_dump_reads_back_and_a_foreign_one_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    dump = tmp_path / "top.csv"
    dump.write_bytes(b'download_count,project\n10,"a"\n7,"b"\n')
    top = tmp_path / "top.parquet"
    assert run_cli("convert", str(dump), "--format", "parquet", "-o", str(top)).returncode == 0
    back = run_cli("convert", str(top), "--format", "csv")
    assert back.returncode == 0 and back.stdout.encode() == dump.read_bytes()
    assert run_cli("check", str(top)).returncode == 0
    foreign = tmp_path / "other.parquet"
    pq.write_table(pa.table({"name": ["a"], "n": [1]}), foreign)
    line = _one_line_error(run_cli("convert", str(foreign), "--format", "csv"))
    assert "other.parquet" in line and "project and download_count" in line


def test_site_serve_no_build_needs_a_built_site(tmp_path: Path) -> None:
    line = _one_line_error(
        run_cli("site", "serve", "--dataset", str(tmp_path / "nope"), "--no-build", "--port", "0")
    )
    assert "site build" in line


def test_site_build_honours_toppypi_dataset(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "TOPPYPI_DATASET": str(tmp_path / "nope")}
    line = _one_line_error(run_cli("site", "build", cwd=tmp_path, env=env))
    assert str(tmp_path / "nope") in line


def test_convert_reads_back_the_csv_gz_it_writes(tmp_path: Path) -> None:
    dump = tmp_path / "top.csv"
    dump.write_text('download_count,project\n10,"a"\n7,"b"\n')
    gz = tmp_path / "top.csv.gz"
    assert run_cli("convert", str(dump), "--format", "csv.gz", "-o", str(gz)).returncode == 0
    proc = run_cli("convert", str(gz), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == dump.read_text()
    (tmp_path / "bad.csv.gz").write_bytes(gz.read_bytes()[:12])
    proc = run_cli("convert", str(tmp_path / "bad.csv.gz"), "--format", "csv")
    assert "gzip" in _one_line_error(proc)


def test_top_refuses_to_write_over_its_own_store(store: Path, tmp_path: Path) -> None:
    import shutil

    db = tmp_path / "store.duckdb"
    shutil.copy(store, db)
    shutil.copytree(store.with_name("store.duckdb.events"), tmp_path / "store.duckdb.events")
    before = db.read_bytes()
    line = _one_line_error(
        run_cli("top", "--db", str(db), "--month", "2026-03", "--format", "csv", "-o", str(db))
    )
    assert "store" in line
    assert db.read_bytes() == before


def test_top_output_file_takes_its_format_from_the_name(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "top.csv"
    proc = run_cli("top", "--db", str(store), "--month", "2026-03", "--limit", "3", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert out.read_text().startswith("download_count,project\n")
    assert len(out.read_text().splitlines()) == 4
    line = _one_line_error(
        run_cli("top", "--db", str(store), "--month", "2026-03", "-o", str(tmp_path / "top.txt"))
    )
    assert "--format" in line
    assert not (tmp_path / "top.txt").exists()


def test_check_against_a_folder_that_is_no_dataset_is_refused(tmp_path: Path) -> None:
    """A mistyped --against must not pass the gates as if there were no history."""
    dump = tmp_path / "top.csv"
    dump.write_text('download_count,project\n10,"a"\n')
    elsewhere = tmp_path / "events"
    elsewhere.mkdir()
    (elsewhere / "2026-03.parquet").write_bytes(b"PAR1")
    line = _one_line_error(run_cli("check", str(dump), "--against", str(elsewhere)))
    assert "events" in line and "not a dataset" in line
    fresh = tmp_path / "fresh"  # a dataset before its first month: nothing to compare yet
    fresh.mkdir()
    (fresh / "toppypi.toml").write_text("")
    proc = run_cli("check", str(dump), "--against", str(fresh))
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["top", "--month", "2026-03", "--layout", "pypinfo", "--format", "csv"],
        ["top", "--month", "2026-03", "--layout", "pypinfo"],  # the table
        ["convert", "--layout", "clickhouse", "--format", "csv"],
        ["query", "-i", "2", "", "--all", "-m", "2026-03"],  # the table
        ["query", "-i", "2", "--format", "csv", "", "--all", "-m", "2026-03"],
    ],
)
def test_a_flag_that_would_do_nothing_is_a_usage_error(
    store: Path, tmp_path: Path, args: list[str]
) -> None:
    """--layout shapes JSON and --indent indents JSON; elsewhere they would be ignored."""
    dump = tmp_path / "top.csv"
    dump.write_text('download_count,project\n10,"a"\n')
    if args[0] == "convert":
        args = [*args, str(dump)]
    line = _one_line_error(
        run_cli(*args, "--db", str(store)) if args[0] != "convert" else run_cli(*args)
    )
    assert ("--layout" in line or "--indent" in line) and "JSON" in line


def test_layout_and_indent_still_shape_json(store: Path) -> None:
    top = ["top", "--month", "2026-03", "--limit", "1", "--layout", "pypinfo", "--format", "json"]
    proc = run_cli(*top, "--db", str(store))
    assert proc.returncode == 0 and '"query"' in proc.stdout, proc.stderr
    proc = run_cli("query", "--db", str(store), "-j", "-i", "2", "", "--all", "-m", "2026-03")
    assert proc.returncode == 0 and proc.stdout.startswith('{\n  "'), proc.stderr


def test_an_output_never_replaces_a_read_only_file(store: Path, tmp_path: Path) -> None:
    """Read-only marks a file not to change; root's rename would replace it anyway."""
    import stat

    kept = tmp_path / "history-30-days.csv.gz"
    kept.write_bytes(b"the published history")
    kept.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    dump = tmp_path / "top.csv"
    dump.write_text('download_count,project\n10,"a"\n')
    for args in (
        ["convert", str(dump), "--format", "csv.gz", "-o", str(kept)],
        ["top", "--db", str(store), "--month", "2026-03", "--format", "csv.gz", "-o", str(kept)],
    ):
        line = _one_line_error(run_cli(*args))
        assert str(kept) in line and "read-only" in line
        assert kept.read_bytes() == b"the published history"
    assert sorted(p.name for p in tmp_path.iterdir()) == [kept.name, dump.name]
