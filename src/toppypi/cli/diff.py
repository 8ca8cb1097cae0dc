"""``toppypi diff``: compare any two snapshots of the archive, or two dump files."""

from __future__ import annotations

from pathlib import Path

import click

from toppypi.cli.movers import render, top_option
from toppypi.cli.options import dataset_option, window_option


@click.command("diff")
@click.argument("a")
@click.argument("b")
@dataset_option
@window_option
@top_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def command(a: str, b: str, dataset: Path, window: str, top: int, as_json: bool) -> None:
    """What changed from A to B: each a month (YYYY-MM), a snapshot date or a dump file.

    \b
    Examples:
      toppypi diff 2024-06 2026-03 --dataset data
      toppypi diff old/top-pypi-packages.json top-pypi-packages.json
    """
    from toppypi.dataset import Dataset
    from toppypi.operations.history import diff

    render(diff(Dataset(dataset), a, b, window=int(window), top=max(top, 25)), top, as_json)
