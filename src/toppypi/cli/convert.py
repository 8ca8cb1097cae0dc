"""``toppypi convert``: any published dump to any format, metadata kept."""

from __future__ import annotations

from pathlib import Path

import click

from toppypi.cli.options import LAYOUTS, refuse_layout_without_json
from toppypi.cli.output import emit


@click.command("convert")
@click.argument("input_file", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "min.json", "csv", "parquet", "csv.gz"]),
    default=None,
    help="The output format (default: from -o's name).",
)
@click.option(
    "--layout",
    type=click.Choice(LAYOUTS),
    default=None,
    help="JSON layout (default: the input's).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (atomically) instead of stdout; never over INPUT or a store.",
)
def command(input_file: Path, fmt: str | None, layout: str | None, output: Path | None) -> None:
    """Convert a published dump (JSON of any era, min JSON, CSV, csv.gz, Parquet).

    A broken dump (truncated, duplicated, out of order, two dumps in one) is
    refused in one line; nothing is written.

    \b
    Example:
      toppypi convert top-pypi-packages.json --format csv -o top-pypi-packages.csv
    """
    from toppypi.engines.duckdb.store import default_db_path
    from toppypi.formats import DumpFormat, JsonLayout, format_from_name
    from toppypi.formats.decode import read_dump
    from toppypi.formats.encode import encode
    from toppypi.operations.outputs import check_output

    if fmt is None:
        guess = format_from_name(output.name) if output is not None else None
        if guess is None:
            raise click.UsageError("give --format json, min.json, csv, csv.gz or parquet")
        fmt = guess.value
    refuse_layout_without_json(layout, fmt)
    if output is not None:
        check_output(output, inputs=[input_file], stores=[default_db_path()])
    ranking = read_dump(input_file)
    data = encode(ranking, DumpFormat(fmt), JsonLayout(layout) if layout else None)
    emit(data, output)
