"""``toppypi top``: the ranking for a period, as a table or any dump format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from toppypi.cli.options import (
    db_option,
    engine_options,
    installers_option,
    period_options,
    pop_engine_options,
    resolve,
    source_option,
    verbose_option,
)
from toppypi.cli.output import emit, info, print_table

FORMATS = ["table", "json", "min.json", "csv", "parquet", "csv.gz"]


@click.command("top")
@source_option
@db_option
@period_options
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=15000,
    show_default=True,
    help="How many projects; 0 means every project with downloads.",
)
@installers_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option(
    "--layout",
    type=click.Choice(["clickhouse", "pypinfo"]),
    default=None,
    help="JSON layout (default: the engine's era: pypinfo for BigQuery).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout.",
)
@click.option("--test", "test_only", is_flag=True, help="Print the SQL and run nothing.")
@engine_options
@verbose_option
def command(
    source: str,
    db: Path | None,
    limit: int,
    installers: str,
    fmt: str,
    layout: str | None,
    output: Path | None,
    test_only: bool,
    verbose: bool,
    **kwargs: Any,
) -> None:
    """Rank projects by downloads for a period (default: the last complete month).

    \b
    Examples:
      toppypi top --month 2026-03 --limit 20
      toppypi top --days 30 --installers pip --format json -o top.json
      toppypi top --source clickhouse --month 2026-03 --format csv
      toppypi top --source bigquery:my-project --month 2026-03 --dry-run
      toppypi top --source bigquery --credentials key.json --max-bytes 200GiB
    """
    from toppypi.engines.registry import open_engine
    from toppypi.formats import DumpFormat, JsonLayout
    from toppypi.formats.writers import parquet_bytes, render
    from toppypi.query import InstallerFilter
    from toppypi.ranking import snapshot_from_result, top_query

    period = resolve(kwargs)
    query = top_query(period, limit=limit or None, installers=InstallerFilter.parse(installers))
    from toppypi.cli.bigquery import announce, show_estimate

    dry_run = kwargs.pop("dry_run", False)
    engine = open_engine(source, db=db, on_estimate=announce, **pop_engine_options(kwargs))
    try:
        if test_only:
            click.echo(engine.sql(query))
            return
        if dry_run:
            show_estimate(engine, query, as_json=fmt == "json")
            return
        result = engine.run(query)
    finally:
        engine.close()
    if verbose:
        info(result.provenance.sql)
        info(f"-- {result.provenance.elapsed:.3f}s, {len(result.rows):,} rows")
    snap = snapshot_from_result(result, query)
    if fmt == "table":
        rows = [(i, r.project, r.download_count) for i, r in enumerate(snap.rows, 1)]
        print_table(["rank", "project", "download_count"], rows, right={0, 2})
        info(f"{period} ({period.days} days), installers: {installers}, source: {snap.source}")
        return
    dfmt = DumpFormat(fmt)
    if layout is None:
        chosen = JsonLayout.PYPINFO if snap.query is not None else JsonLayout.CLICKHOUSE
    else:
        chosen = JsonLayout(layout)
    data = parquet_bytes(snap) if dfmt is DumpFormat.PARQUET else render(snap, dfmt, chosen)
    emit(data, output)
