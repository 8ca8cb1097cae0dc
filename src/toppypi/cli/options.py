"""Options shared by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="TOPPYPI_DB",
        help="Local DuckDB store (default: $TOPPYPI_DB, else the user data directory).",
    )(f)


def source_option(f: F) -> F:
    return click.option(
        "--source",
        default="duckdb",
        show_default=True,
        metavar="SOURCE",
        help="Engine: duckdb, clickhouse, clickhouse+http(s)://HOST:PORT/?user=U, "
        "bigquery[:PROJECT].",
    )(f)


def period_options(f: F) -> F:
    """--month / --days / --start --end / --last-12-months; default: last complete month."""
    for opt in reversed(
        [
            click.option(
                "--month",
                metavar="YYYY-MM",
                help="A calendar month (default: the last complete one).",
            ),
            click.option(
                "--days", type=int, metavar="N", help="N whole days ending yesterday (UTC)."
            ),
            click.option("--start", metavar="DATE", help="First day: YYYY-MM-DD or YYYY-MM."),
            click.option(
                "--end",
                metavar="DATE",
                help="Last day: YYYY-MM-DD or YYYY-MM (default: yesterday).",
            ),
            click.option("--last-12-months", is_flag=True, help="The last 12 complete months."),
        ]
    ):
        f = opt(f)
    return f


def resolve(kwargs: dict[str, Any]) -> Any:
    """Pop the period options from ``kwargs`` and resolve them."""
    from toppypi.model.period import resolve_period

    return resolve_period(
        month=kwargs.pop("month", None),
        days=kwargs.pop("days", None),
        start=kwargs.pop("start", None),
        end=kwargs.pop("end", None),
        last_12_months=kwargs.pop("last_12_months", False),
    )


def installers_option(f: F) -> F:
    return click.option(
        "--installers",
        default="all",
        show_default=True,
        metavar="SET",
        help="all, no-mirrors, or a comma list such as pip or pip,uv.",
    )(f)


def dump_limit_option(f: F) -> F:
    """The N of the top-N dumps (update, init)."""
    return click.option(
        "--limit",
        type=click.IntRange(min=1),
        default=15000,
        show_default=True,
        help="How many projects the dumps hold.",
    )(f)


def verbose_option(f: F) -> F:
    return click.option(
        "-v", "--verbose", is_flag=True, help="Print the SQL sent and timings to stderr."
    )(f)


def engine_options(f: F) -> F:
    """Options for engines that bill by bytes (BigQuery); others ignore them."""
    for opt in reversed(
        [
            click.option(
                "--credentials",
                type=click.Path(dir_okay=False, path_type=Path),
                help="BigQuery: a service-account JSON key "
                "(default: $GOOGLE_APPLICATION_CREDENTIALS).",
            ),
            click.option(
                "--max-bytes",
                metavar="SIZE",
                help="BigQuery: refuse a query billed over SIZE (e.g. 200GiB); "
                "default: what is left of the monthly budget.",
            ),
            click.option(
                "--budget",
                metavar="SIZE",
                help="BigQuery: bytes billed allowed per calendar month (default: 1TiB, "
                "the free tier).",
            ),
            click.option(
                "--price-per-tib",
                type=click.FloatRange(min=0),
                help="BigQuery: USD per TiB for estimates (default: 6.25).",
            ),
            click.option(
                "--dry-run",
                is_flag=True,
                help="Estimate the bytes and cost only; run nothing (BigQuery).",
            ),
        ]
    ):
        f = opt(f)
    return f


def pop_engine_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The engine options that were given, for ``open_engine(source, db=db, **options)``."""
    names = ("credentials", "max_bytes", "budget", "price_per_tib")
    return {n: v for n in names if (v := kwargs.pop(n, None)) is not None}


def dataset_option(f: F) -> F:
    return click.option(
        "--dataset",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="TOPPYPI_DATASET",
        default=".",
        show_default=True,
        help="The dataset directory (default: $TOPPYPI_DATASET, else the current one).",
    )(f)


def wait_option(f: F) -> F:
    return click.option(
        "--wait",
        type=click.FloatRange(min=0),
        default=0,
        metavar="SECONDS",
        help="How long to wait for another run writing the same dataset (default: exit 7 "
        "at once).",
    )(f)


LAYOUTS = ("clickhouse", "pypinfo")


def layout_option(f: F) -> F:
    return click.option(
        "--layout",
        type=click.Choice(LAYOUTS),
        default=None,
        help="JSON layout (default: the engine's era: pypinfo for BigQuery).",
    )(f)


def window_option(f: F) -> F:
    """The 30-day (calendar months) or the 365-day series."""
    return click.option(
        "--window",
        type=click.Choice(["30", "365"]),
        default="30",
        show_default=True,
        help="Which series: 30 (months) or 365 (12-month lists).",
    )(f)
