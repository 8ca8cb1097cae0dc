"""``toppypi bigquery usage``: what the BigQuery engine has billed, month by month.

Also the line every BigQuery run prints (its dry-run estimate before it runs),
and ``--dry-run``'s report for every engine.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toppypi.cli.output import info, print_table

if TYPE_CHECKING:
    from toppypi.engines.interface import Engine
    from toppypi.model.query import Query


def announce(approval: Any) -> None:
    """Shown before each BigQuery job starts: the estimate and the cap it carries."""
    from toppypi.engines.bigquery.guard import human_bytes

    info(
        f"BigQuery: estimate {human_bytes(approval.estimate)} "
        f"({human_bytes(approval.billed)} billed, ${approval.cost:.2f}); "
        f"running with maximum_bytes_billed {human_bytes(approval.maximum_bytes_billed)}, "
        f"{human_bytes(approval.remaining)} left of the budget for {approval.month}"
    )


def show_estimate(engine: Engine, query: Query, *, as_json: bool, indent: int | None = 2) -> None:
    """``--dry-run`` in every command: price the query, run nothing.

    An engine that cannot price a query is free, so it reports $0.00 and exits
    0 like a priced one; a query over a BigQuery limit is refused (exit 8).
    """
    from toppypi.cli.query_format import render_estimate

    est = engine.estimate(query)
    click.echo(render_estimate(engine.capabilities, est, as_json=as_json, indent=indent), nl=False)


@click.group("bigquery")
def command() -> None:
    """The BigQuery engine's cost ledger.

    \b
    Every BigQuery query is dry-run first and refused if it would bill more
    than --max-bytes or what is left of the monthly --budget (default 1 TiB,
    the free tier). Real jobs carry maximum_bytes_billed, and what they bill
    is recorded per calendar month (UTC) in a ledger in the user data
    directory ($TOPPYPI_BIGQUERY_LEDGER overrides its path).
    """


@command.command("usage")
@click.option("--json", "as_json", is_flag=True, help="Print the ledger as JSON.")
@click.option(
    "--ledger",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="TOPPYPI_BIGQUERY_LEDGER",
    help="The ledger file (default: $TOPPYPI_BIGQUERY_LEDGER, else the user data directory).",
)
@click.option(
    "--budget",
    metavar="SIZE",
    default="1TiB",
    show_default=True,
    help="Bytes billed allowed per calendar month, to show what is left.",
)
@click.option(
    "--price-per-tib",
    type=click.FloatRange(min=0),
    default=6.25,
    show_default=True,
    help="USD per TiB, to show the cost.",
)
def usage(as_json: bool, ledger: Path | None, budget: str, price_per_tib: float) -> None:
    """Bytes billed per calendar month, their cost, and what is left of the budget.

    \b
    Examples:
      toppypi bigquery usage
      toppypi bigquery usage --json
    """
    from toppypi.engines.bigquery.guard import TIB, human_bytes, parse_bytes
    from toppypi.engines.bigquery.ledger import Ledger

    limit = parse_bytes(budget)
    book = Ledger(ledger)
    months = book.months()
    if as_json:
        out = {
            "ledger": str(book.path),
            "budget": limit,
            "price_per_tib": price_per_tib,
            "months": [
                {
                    **asdict(m),
                    "cost": round(m.bytes_billed / TIB * price_per_tib, 2),
                    "left": max(limit - m.bytes_billed, 0),
                }
                for m in months
            ],
        }
        click.echo(json.dumps(out, indent=2))
        return
    if not months:
        info(f"no BigQuery usage recorded yet ({book.path})")
        return
    rows = [
        (
            m.month,
            m.queries,
            human_bytes(m.bytes_billed),
            f"${m.bytes_billed / TIB * price_per_tib:.2f}",
            human_bytes(max(limit - m.bytes_billed, 0)),
        )
        for m in months
    ]
    print_table(["month", "queries", "billed", "cost", "left"], rows, right={1, 2, 3, 4})
    info(f"budget {human_bytes(limit)} a month at ${price_per_tib:g}/TiB; ledger {book.path}")
