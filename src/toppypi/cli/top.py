"""``toppypi top``: the ranking for a period, as a table or any dump format."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toppypi.cli.options import (
    dry_run_option,
    engine_choice,
    engine_options,
    installers_option,
    layout_option,
    period_options,
    refuse_layout_without_json,
    resolve,
    verbose_option,
)
from toppypi.cli.output import emit, info, print_table

if TYPE_CHECKING:
    from toppypi.engines.interface import Engine
    from toppypi.model.query import Query

FORMATS = ["table", "json", "min.json", "csv", "csv.gz", "parquet"]


@click.command("top")
@engine_options
@period_options
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=15000,
    show_default=True,
    help="How many projects; 0 means every project with downloads.",
)
@installers_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="A table on the terminal, or a dump (--limit 0 with csv, csv.gz, parquet: every project).",
)
@layout_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout; its name gives the format. "
    "A period without data writes nothing (exit 4).",
)
@click.option("--test", "test_only", is_flag=True, help="Print the SQL and run nothing.")
@dry_run_option
@verbose_option
def command(
    limit: int,
    installers: str,
    fmt: str,
    layout: str | None,
    output: Path | None,
    test_only: bool,
    dry_run: bool,
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
      toppypi top --source clickhouse --last-12-months --format csv -o year.csv
    """
    from toppypi.cli.bigquery import announce, show_estimate
    from toppypi.formats import DumpFormat, JsonLayout, format_from_name
    from toppypi.formats.encode import encode
    from toppypi.model.query import InstallerFilter
    from toppypi.operations.outputs import check_output
    from toppypi.operations.top import TopOptions, rank, require_rows, staleness, top_query

    if output is not None and fmt == "table":
        guess = format_from_name(output.name)
        if guess is None:
            raise click.UsageError(
                f"cannot tell the format of {output.name}; add --format json, min.json, csv, "
                "csv.gz or parquet"
            )
        fmt = guess.value
    refuse_layout_without_json(layout, fmt)
    period = resolve(kwargs)
    options = TopOptions(period, limit or None, InstallerFilter.parse(installers))
    query = top_query(options)
    engine = engine_choice(kwargs).open(on_estimate=announce)
    try:
        if output is not None:
            check_output(output, stores=engine.local_paths())
        if test_only:
            click.echo(engine.sql(query))
            return
        if dry_run:
            show_estimate(engine, query, as_json=fmt == "json")
            return
        if not limit and fmt in ("csv", "csv.gz", "parquet"):
            _stream_full_list(engine, query, fmt, output, verbose)
            return
        ranking = rank(engine, options)
        stale = staleness(engine, period)
        if output is not None:
            require_rows(ranking, engine)
    finally:
        engine.close()
    if stale:  # pypinfo says nothing; an empty or partial count misleads
        info(f"warning: {stale}")
    prov = ranking.provenance
    if verbose and prov is not None:
        info(prov.sql)
        info(f"-- {prov.elapsed:.3f}s, {len(ranking):,} rows")
    if fmt == "table":
        rows = [(i, p, c) for i, (c, p) in enumerate(ranking.rows(), 1)]
        print_table(["rank", "project", "download_count"], rows, right={0, 2})
        info(f"{period} ({period.days} days), installers: {installers}, source: {ranking.source}")
        return
    emit(encode(ranking, DumpFormat(fmt), JsonLayout(layout) if layout else None), output)


def _stream_full_list(
    engine: Engine, query: Query, fmt: str, output: Path | None, verbose: bool
) -> None:
    """Every project, streamed from the engine into the file in bounded memory."""
    import sys

    from toppypi.cli.output import progress
    from toppypi.formats import DumpFormat
    from toppypi.formats.stream import ListMeta, write_files, write_streams
    from toppypi.model.period import utc_now
    from toppypi.operations.top import nonempty, staleness, stream_ranking

    if verbose:
        info(engine.stream_sql(query))
    meta = ListMeta(engine.capabilities.display_name, query.period, utc_now())
    batches = stream_ranking(engine, query)
    if output is not None:
        batches = nonempty(batches, engine, query.period)
    with progress("projects", None) as advance:
        if output is None:
            written = write_streams(batches, [(DumpFormat(fmt), sys.stdout.buffer)], meta, advance)
        else:
            written = write_files(batches, [(DumpFormat(fmt), output)], meta, advance)
    if verbose or output is not None:
        info(f"{written.rows:,} projects written{f' to {output}' if output else ''}")
    stale = staleness(engine, query.period)
    if stale:
        info(f"warning: {stale}")
