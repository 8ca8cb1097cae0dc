"""``toppypi history``: import published snapshots, rebuild the index, show a project."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from toppypi.cli.options import dataset_option, wait_option, window_choice, window_option
from toppypi.cli.output import info, print_table


@click.group("history")
def command() -> None:
    """The kept history: every snapshot filed under archive/, with its period and window.

    \b
    Examples:
      toppypi history import ../shared/data/top-pypi-history --dataset data
      toppypi history import top-pypi-packages-30-days.json --dataset data
      toppypi history show boto3 --dataset data
      toppypi history show numpy --window 365 --json
    """


@command.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@dataset_option
@click.option(
    "--date",
    metavar="YYYY-MM-DD",
    help="The snapshot day for dumps without a timestamp (CSV, the 2018 bare list); "
    "dumps with one keep theirs.",
)
@window_choice(
    default=None, help="The window of single dumps (default: from the file name, else 30)."
)
@wait_option
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
def import_(
    paths: tuple[Path, ...],
    dataset: Path,
    date: str | None,
    window: str | None,
    wait: float,
    as_json: bool,
) -> None:
    """Import published dumps of any era into DATASET/archive/.

    PATH is a dump (2018 bare list, pypinfo JSON, ClickHouse JSON, min JSON,
    CSV), a long-format history-{30,365}-days.csv.gz, a snapshots.csv, or a
    folder holding those. Everything is checked before anything is written:
    one bad file stops the import and leaves the archive as it was.
    Importing the same snapshots again changes nothing; a released month is
    never replaced.
    """
    from toppypi.dataset import Dataset
    from toppypi.model.period import parse_day
    from toppypi.operations.history import ImportOptions, import_history

    t0 = time.perf_counter()
    day = parse_day(date) if date else None
    options = ImportOptions(date=day, window=int(window) if window else None, wait=wait)
    res = import_history(Dataset(dataset), list(paths), options, say=info)
    report, idx = res.report, res.index
    elapsed = time.perf_counter() - t0
    if as_json:
        click.echo(
            json.dumps(
                {
                    "dataset": str(dataset),
                    "written": report.written,
                    "unchanged": report.unchanged,
                    "index": {"snapshots": idx.snapshots, "rows": idx.rows},
                    "seconds": round(elapsed, 3),
                },
                indent=2,
            )
        )
        return
    info(
        f"{report.total} snapshot(s): {len(report.written)} written, "
        f"{len(report.unchanged)} unchanged; index {idx.snapshots} snapshot(s), "
        f"{idx.rows:,} rows; {elapsed:.1f} s"
    )


@command.command("rebuild")
@dataset_option
def rebuild_cmd(dataset: Path) -> None:
    """Rebuild the derived index (DATASET/.toppypi/history.duckdb) from archive/."""
    from toppypi.dataset import Dataset
    from toppypi.operations.history import rebuild_index

    t0 = time.perf_counter()
    idx = rebuild_index(Dataset(dataset))
    info(
        f"{idx.path}: {idx.snapshots} snapshot(s), {idx.rows:,} rows "
        f"in {time.perf_counter() - t0:.1f} s"
    )


@command.command("show")
@click.argument("project")
@dataset_option
@window_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def show(project: str, dataset: Path, window: str, as_json: bool) -> None:
    """Rank and downloads of PROJECT in every snapshot; absences and missing runs show as gaps.

    \b
    Example:
      toppypi history show boto3 --dataset data
    """
    from toppypi.dataset import Dataset
    from toppypi.history.index import schedule_gaps
    from toppypi.model.query import normalize_project
    from toppypi.operations.history import show as history_of

    name = normalize_project(project)
    points = history_of(Dataset(dataset), name, int(window))
    gaps = schedule_gaps(points)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "project": name,
                    "window_days": int(window),
                    "snapshots": [p.to_json() for p in points],
                    "missing_runs": [
                        {"after": a.label, "before": b.label, "days": d} for a, b, d in gaps
                    ],
                },
                indent=2,
            )
        )
        return
    after = {a.label: (b, d) for a, b, d in gaps}
    rows: list[list[object]] = []
    for p in points:
        rows.append(
            [
                p.label,
                f"{p.period_start:%Y-%m-%d}..{p.period_end:%Y-%m-%d}",
                p.rank if p.rank is not None else "-",
                p.download_count if p.download_count is not None else "-",
                p.rows,
            ]
        )
        if p.label in after:
            rows.append(["...", f"no snapshot for {after[p.label][1]} days", "", "", ""])
    print_table(["snapshot", "period", "rank", "downloads", "of"], rows, right={2, 3, 4})


@command.command("export")
@dataset_option
@window_choice(default="all", all_too=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.parquet or FILE.csv.gz (written atomically).",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def export(dataset: Path, window: str, output: Path, as_json: bool) -> None:
    """The whole history in one long table: snapshot, window_days, rank, project,
    download_count, source; sorted by window, snapshot and rank.

    \b
    Examples:
      toppypi history export --dataset data -o history.parquet
      toppypi history export --dataset data --window 365 -o year.csv.gz
    \b
    Then, in DuckDB or pandas:
      duckdb -c "SELECT * FROM 'history.parquet' WHERE project = 'numpy' ORDER BY snapshot"
      python -c "import pandas as pd; print(pd.read_parquet('history.parquet'))"
    """
    from toppypi.dataset import Dataset
    from toppypi.operations.history import ExportOptions, export_history

    t0 = time.perf_counter()
    res = export_history(
        Dataset(dataset), output, ExportOptions(None if window == "all" else int(window))
    )
    if as_json:
        click.echo(
            json.dumps({"path": str(res.path), "rows": res.rows, "snapshots": res.snapshots})
        )
        return
    info(
        f"{output}: {res.rows:,} rows of {res.snapshots} snapshot(s) "
        f"in {time.perf_counter() - t0:.1f} s"
    )
