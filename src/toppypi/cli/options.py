"""Options shared by several commands, defined once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from toppypi.errors import UsageError

if TYPE_CHECKING:
    from toppypi.engines.capabilities import Capabilities
    from toppypi.engines.interface import Engine
    from toppypi.engines.options import EngineOptions
    from toppypi.model.period import Period

F = TypeVar("F", bound=Callable[..., Any])


def db_option(f: F) -> F:
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="TOPPYPI_DB",
        help="DuckDB: the local store (default: $TOPPYPI_DB, else the user data directory).",
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


def _today(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not YYYY-MM-DD") from None


def today_option(f: F) -> F:
    """``--today``: relative periods count from this UTC day, so a script's output is fixed."""
    return click.option(
        "--today",
        metavar="YYYY-MM-DD",
        callback=_today,
        help="Count relative periods (-N, --days, the default) from this UTC day, "
        "not the real today: for reproducible scripts.",
    )(f)


def period_options(f: F) -> F:
    """--month, --days, --start/--end, --last-12-months, --today; default: the last month."""
    for opt in reversed(
        [
            click.option(
                "--month",
                metavar="YYYY-MM",
                help="A calendar month (default: the last complete one).",
            ),
            click.option(
                "--days",
                type=int,
                metavar="N",
                help="N whole days ending --end (default: yesterday).",
            ),
            click.option(
                "--start",
                metavar="DATE",
                help="First day: YYYY-MM-DD, YYYY-MM or -N (the first of the last N days).",
            ),
            click.option(
                "--end",
                metavar="DATE",
                help="Last day: YYYY-MM-DD, YYYY-MM or -N (default: yesterday).",
            ),
            click.option(
                "--last-12-months",
                is_flag=True,
                help="The 12 complete calendar months ending with the last complete one.",
            ),
            today_option,
        ]
    ):
        f = opt(f)
    return f


def resolve(kwargs: dict[str, Any]) -> Period:
    """Pop the period options from ``kwargs`` and resolve them (the anchor's default)."""
    from toppypi.model.period import resolve_period

    return resolve_period(
        month=kwargs.pop("month", None),
        days=kwargs.pop("days", None),
        start=kwargs.pop("start", None),
        end=kwargs.pop("end", None),
        last_12_months=kwargs.pop("last_12_months", False),
        today=kwargs.pop("today", None),
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


def dry_run_option(f: F) -> F:
    return click.option(
        "-n",
        "--dry-run",
        is_flag=True,
        help="Price the query and run nothing: bytes and cost where the engine bills "
        "(BigQuery), $0.00 on a free engine.",
    )(f)


# Each engine option, and the engine it belongs to.
OWNERS: dict[str, str] = {
    "db": "duckdb",
    "credentials": "bigquery",
    "max_bytes": "bigquery",
    "budget": "bigquery",
    "price_per_tib": "bigquery",
}


def engine_options(f: F) -> F:
    """``--source`` and every engine's options; those of another engine are a usage error."""
    for opt in reversed(
        [
            source_option,
            db_option,
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
        ]
    ):
        f = opt(f)
    return f


@dataclass(frozen=True)
class EngineChoice:
    """A ``--source`` and its engine's typed options, checked; opens the engine when asked."""

    source: str
    options: EngineOptions

    @property
    def capabilities(self) -> Capabilities:
        from toppypi.engines.registry import describe

        return describe(self.source)

    def open(self, on_estimate: Callable[[Any], None] | None = None) -> Engine:
        from toppypi.engines.registry import open_engine

        return open_engine(self.source, self.options, on_estimate=on_estimate)


def engine_choice(
    kwargs: dict[str, Any], *, source: str | None = None, db: Path | None = None
) -> EngineChoice:
    """Pop ``--source`` and the engine options from a command's values, typed and checked.

    An option given on the command line for another engine than the source's
    is a usage error that names the engine it belongs to; a value that only
    came from the environment (``$TOPPYPI_DB``) or a dataset's settings is
    left to the engine it belongs to. ``source``/``db`` replace the parsed
    values (``update`` takes them from ``toppypi.toml``).
    """
    from toppypi.engines.bigquery.guard import parse_bytes
    from toppypi.engines.options import BigQueryOptions, ClickHouseOptions, DuckDBOptions
    from toppypi.engines.registry import engine_name

    ctx = click.get_current_context()
    chosen = kwargs.pop("source", None) if source is None else source
    values = {name: kwargs.pop(name, None) for name in OWNERS}
    if db is not None:
        values["db"] = db
    src = str(chosen or "duckdb")
    name = engine_name(src)
    for param, owner in OWNERS.items():
        given = ctx.get_parameter_source(param) is ParameterSource.COMMANDLINE
        if values[param] is not None and owner != name and given:
            raise UsageError(
                f"--{param.replace('_', '-')} is an option of --source {owner}, not {name}"
            )
    options: EngineOptions
    if name == "duckdb":
        options = DuckDBOptions(db=values["db"])
    elif name == "bigquery":
        max_bytes, budget = (
            None if values[k] is None else parse_bytes(str(values[k]))
            for k in ("max_bytes", "budget")
        )
        options = BigQueryOptions(
            credentials=values["credentials"],
            max_bytes=max_bytes,
            budget=budget,
            price_per_tib=values["price_per_tib"],
        )
    else:
        options = ClickHouseOptions()
    return EngineChoice(src, options)


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
        help="How long to wait for another run writing the same dataset (default: exit 7 at once).",
    )(f)


LAYOUTS = ("clickhouse", "pypinfo")


def layout_option(f: F) -> F:
    return click.option(
        "--layout",
        type=click.Choice(LAYOUTS),
        default=None,
        help="JSON layout (default: the engine's era: pypinfo for BigQuery).",
    )(f)


JSON_FORMATS = ("json", "min.json")


def refuse_layout_without_json(layout: str | None, fmt: str) -> None:
    """``--layout`` shapes a JSON dump; with another format it would be silently ignored."""
    if layout is not None and fmt not in JSON_FORMATS:
        raise click.UsageError(
            f"--layout shapes the JSON dumps only; it does nothing with --format {fmt} "
            "(drop it, or write json or min.json)"
        )


WINDOWS = ("30", "365")


def window_choice(
    *, default: str | None = "30", all_too: bool = False, help: str | None = None
) -> Callable[[F], F]:
    """``--window``: the 30-day series (calendar months) or the 365-day one (12-month lists).

    One definition; commands differ only in their default (``history import``
    reads a dump's window from its name, ``history export`` takes every series).
    """
    choices = [*WINDOWS, "all"] if all_too else list(WINDOWS)
    series = (
        "30 (months), 365 (12-month lists) or all (both)"
        if all_too
        else ("30 (months) or 365 (12-month lists)")
    )
    text = help or f"Which series: {series}."

    def decorate(f: F) -> F:
        return click.option(
            "--window",
            type=click.Choice(choices),
            default=default,
            show_default=default is not None,
            help=text,
        )(f)

    return decorate


window_option = window_choice()
