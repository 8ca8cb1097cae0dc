"""``toppypi movers``: what changed in a month against the previous snapshot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toppypi.cli.options import dataset_option, window_option
from toppypi.cli.output import print_table

if TYPE_CHECKING:
    from toppypi.history.compare import Comparison
    from toppypi.movers import Move


def top_option(f: click.decorators.FC) -> click.decorators.FC:
    return click.option(
        "--top",
        type=click.IntRange(min=1),
        default=10,
        show_default=True,
        help="Rows per list.",
    )(f)


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:+.1f}%"


def _rank(v: int | None) -> str:
    return "-" if v is None else f"{v:,}"


def _num(v: int | None) -> str:
    return "-" if v is None else f"{v:,}"


def _table(title: str, moves: list[Move]) -> None:
    click.echo(f"\n{title}")
    if not moves:
        click.echo("  (none)")
        return
    print_table(
        ["project", "rank", "was", "change", "downloads", "was", "percent"],
        [
            [
                m.project,
                _rank(m.rank),
                _rank(m.previous_rank),
                "-" if m.rank_change is None else f"{m.rank_change:+,}",
                _num(m.downloads),
                _num(m.previous_downloads),
                _pct(m.percent_change),
            ]
            for m in moves
        ],
        right={1, 2, 3, 4, 5, 6},
    )


def render(c: Comparison, top: int, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(c.to_json(), indent=2))
        return
    from toppypi.history.compare import describe

    a, b = c.before, c.after
    click.echo(
        f"{describe(b)} ({b.source or '?'}, {len(b):,} rows) "
        f"against {describe(a)} ({a.source or '?'}, {len(a):,} rows)"
    )
    if c.methodology_changes:
        click.echo("methodology changed: " + "; ".join(c.methodology_changes))
    mv = c.movers
    _table(f"New entries ({len(mv.new):,})", mv.new[:top])
    _table(f"Dropped ({len(mv.dropped):,})", mv.dropped[:top])
    _table("Biggest climbers by rank", mv.climbers[:top])
    _table("Biggest fallers by rank", mv.fallers[:top])
    _table("Biggest climbers by percent", mv.climbers_percent[:top])
    _table("Biggest fallers by percent", mv.fallers_percent[:top])


@click.command("movers")
@click.argument("month", required=False, metavar="[MONTH]")
@dataset_option
@window_option
@top_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON (every new and dropped entry).")
def command(month: str | None, dataset: Path, window: str, top: int, as_json: bool) -> None:
    """New entries, dropped entries, climbers and fallers against the previous snapshot.

    MONTH is YYYY-MM (the snapshot whose period ends in that month) or a
    snapshot date YYYY-MM-DD; the default is the newest snapshot.

    \b
    Examples:
      toppypi movers 2026-03 --dataset data
      toppypi movers 2018-06-10 --window 365 --json
    """
    from toppypi.dataset import Dataset
    from toppypi.operations.history import movers

    render(movers(Dataset(dataset), month, window=int(window), top=max(top, 25)), top, as_json)
