"""``toppypi bigquery usage``: what the BigQuery engine has billed, month by month.

Also the lines every BigQuery run prints: its dry-run estimate before it runs,
and ``--dry-run``'s report (any engine that can price a query).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from toppypi.cli.output import info, print_table


def announce(approval: Any) -> None:
    """Shown before each BigQuery job starts: the estimate and the cap it carries."""
    from toppypi.engines.bigquery.guard import human_bytes

    info(
        f"BigQuery: estimate {human_bytes(approval.estimate)} "
        f"({human_bytes(approval.billed)} billed, ${approval.cost:.2f}); "
        f"running with maximum_bytes_billed {human_bytes(approval.maximum_bytes_billed)}, "
        f"{human_bytes(approval.remaining)} left of the budget for {approval.month}"
    )


def show_estimate(engine: Any, query: Any, *, as_json: bool) -> None:
    """``--dry-run``: price the query, run nothing; over a limit exits non-zero."""
    from toppypi.errors import UsageError

    est = engine.estimate(query)
    if est is None:
        raise UsageError(f"the {engine.name} engine cannot estimate a query; try --source bigquery")
    if as_json:
        click.echo(json.dumps({"engine": engine.name, **asdict(est)}, indent=2))
        return
    from toppypi.engines.bigquery.guard import human_bytes

    line = (
        f"dry run: {human_bytes(est.bytes_processed)} ({est.bytes_processed:,} bytes) "
        f"would be processed, estimated cost ${est.estimated_cost:.2f}"
    )
    if hasattr(est, "maximum_bytes_billed"):
        line += (
            f" at ${est.price_per_tib:g}/TiB; within the limits "
            f"(maximum_bytes_billed {human_bytes(est.maximum_bytes_billed)}, "
            f"{human_bytes(est.remaining_budget)} left of {human_bytes(est.budget)} "
            f"for {est.month}); nothing was run"
        )
    click.echo(line)


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
