"""``toppypi convert``: any published dump to any format, metadata kept."""

from __future__ import annotations

from pathlib import Path

import click

from toppypi.cli.output import emit


@click.command("convert")
@click.argument("input_file", metavar="INPUT", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "min.json", "csv", "parquet", "csv.gz"]),
    required=True,
    help="The output format.",
)
@click.option(
    "--layout",
    type=click.Choice(["clickhouse", "pypinfo"]),
    default=None,
    help="JSON layout (default: the input's).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (atomically) instead of stdout.",
)
def command(input_file: Path, fmt: str, layout: str | None, output: Path | None) -> None:
    """Convert a published dump (JSON of any era, min JSON or CSV).

    \b
    Example:
      toppypi convert top-pypi-packages.json --format csv -o top-pypi-packages.csv
    """
    from toppypi.formats import DumpFormat, JsonLayout
    from toppypi.formats.readers import layout_of, read_dump
    from toppypi.formats.writers import dump_bytes

    snap = read_dump(input_file)
    dfmt = DumpFormat(fmt)
    chosen = JsonLayout(layout) if layout else layout_of(snap)
    emit(dump_bytes(snap, dfmt, chosen), output)
