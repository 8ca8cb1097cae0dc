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
    from toppypi.period import resolve_period

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


def verbose_option(f: F) -> F:
    return click.option(
        "-v", "--verbose", is_flag=True, help="Print the SQL sent and timings to stderr."
    )(f)


def dataset_option(f: F) -> F:
    return click.option(
        "--dataset",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="TOPPYPI_DATASET",
        default=".",
        show_default=True,
        help="The dataset directory (default: $TOPPYPI_DATASET, else the current one).",
    )(f)
