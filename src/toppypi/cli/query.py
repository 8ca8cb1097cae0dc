"""``toppypi query``: pypinfo's command line, on every engine."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import click

from toppypi.cli.options import db_option, source_option, verbose_option
from toppypi.cli.output import info

FORMATS = ["table", "markdown", "json", "csv"]


def _today(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not YYYY-MM-DD") from None


@click.command(
    "query",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("project", required=False)
@click.argument("fields", nargs=-1, required=False)
@click.option("-d", "--days", type=int, help="Number of whole days ending yesterday. Default: 30")
@click.option("-sd", "--start-date", help="First day: -N (days ago) or YYYY-MM[-DD].")
@click.option("-ed", "--end-date", help="Last day: -N or YYYY-MM[-DD]. Default: -1 (yesterday)")
@click.option("-m", "--month", help="One calendar month, YYYY-MM.")
@click.option(
    "-w",
    "--where",
    help="Filter: field=value, field!=value or field IN a,b, joined by AND. "
    "A missing value matches no condition.",
)
@click.option("-o", "--order", help="Field to order by (descending). Default: download_count")
@click.option(
    "-l",
    "--limit",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="Maximum number of rows; 0 means all.",
)
@click.option("--all", "all_installers", is_flag=True, help="Every installer, not only pip.")
@click.option("-pc", "--percent", is_flag=True, help="Add each row's share of the rows shown.")
@click.option("-md", "--markdown", is_flag=True, help="Output a Markdown table.")
@click.option("-j", "--json", "as_json", is_flag=True, help="Output JSON: keys rows and query.")
@click.option(
    "-i", "--indent", type=click.IntRange(min=0), help="JSON indentation (default: compact)."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format.")
@click.option("--test", "test_only", is_flag=True, help="Print the SQL and run nothing.")
@click.option(
    "-n", "--dry-run", is_flag=True, help="Estimate data and cost only, where the engine can."
)
@source_option
@db_option
@verbose_option
@click.option("--today", callback=_today, hidden=True, help="Pretend today is this UTC day.")
@click.pass_context
def command(
    ctx: click.Context,
    /,
    project: str | None,
    fields: tuple[str, ...],
    as_json: bool,
    indent: int | None,
    markdown: bool,
    fmt: str | None,
    test_only: bool,
    dry_run: bool,
    source: str,
    db: Path | None,
    verbose: bool,
    percent: bool,
    **kwargs: Any,
) -> None:
    """Downloads by any of pypinfo's fields, on any engine (pip only unless --all).

    PROJECT is a name with an optional PEP 440 specifier ("pip==21.*",
    "numpy>=2,<3", "attrs~=23.1"); "" means every project. FIELDS group the
    downloads; valid fields are:

    \b
    project | version | file | pyversion | percent3 | percent2 | impl |
    impl-version | openssl | date | month | year | country | installer |
    installer-version | setuptools-version | system | system-release | distro |
    distro-version | ci | cpu | libc | libc-version

    \b
    Examples:
      toppypi query django pyversion
      toppypi query "" country
      toppypi query --days 365 "" project
      toppypi query --start-date 2018-04 --end-date 2018-04 setuptools
      toppypi query -pc "pip==21.*" pyversion version
      toppypi query --percent --days 5 pillow ci
      toppypi query --all -w "country IN US,DE AND ci=true" requests installer
      toppypi query --source clickhouse -j -i 2 numpy pyversion
    """
    from toppypi import api

    if project is None and not fields:
        click.echo(ctx.get_help())
        return
    fmt = _choose_format(fmt, as_json=as_json, markdown=markdown)
    query = api.build_query(project, fields, **kwargs)
    if test_only:
        click.echo(api.query_sql(query, source, db))
        return
    if dry_run:
        _dry_run(query, source, db, as_json=fmt == "json", indent=indent)
        return
    result = api.execute(query, source=source, db=db, percent=percent)
    prov = result.provenance
    if verbose:
        info(prov.sql)
        info(
            f"-- {query.period.start}..{query.period.end}, {prov.elapsed:.3f}s, "
            f"{len(result.rows):,} rows, source: {prov.engine}"
        )
    from toppypi.cli import query_format as out

    if fmt == "json":
        click.echo(out.render_json(result, indent=indent), nl=False)
    elif fmt == "csv":
        click.echo(out.render_csv(result), nl=False)
    else:
        click.echo(out.render_table(result, markdown=fmt == "markdown"), nl=False)


def _choose_format(fmt: str | None, *, as_json: bool, markdown: bool) -> str:
    flags = [name for name, on in (("json", as_json), ("markdown", markdown)) if on]
    if fmt is not None:
        flags = [f for f in flags if f != fmt]
        if flags:
            raise click.UsageError(f"--format {fmt} conflicts with --{flags[0]}")
        return fmt
    if len(flags) > 1:
        raise click.UsageError("choose one of --json and --markdown")
    return flags[0] if flags else "table"


def _dry_run(
    query: Any, source: str, db: Path | None, *, as_json: bool, indent: int | None
) -> None:
    from toppypi import api
    from toppypi.cli.query_format import dollars, human_bytes
    from toppypi.engines.registry import capabilities_of, engine_name

    name = engine_name(source)
    est = api.estimate(query, source, db)
    caps = capabilities_of(name)
    free = caps is not None and caps.free
    processed = est.bytes_processed if est is not None else None
    cost = est.estimated_cost if est is not None else (0.0 if free else None)
    if as_json:
        obj = {
            "dry_run": True,
            "engine": name,
            "can_estimate": est is not None,
            "bytes_processed": processed,
            "estimated_cost": cost,
        }
        click.echo(json.dumps(obj, indent=indent, sort_keys=True))
        return
    if est is None:
        why = "it is free: nothing is billed" if free else "run it with care"
        click.echo(f"Dry run: the {name} engine cannot estimate a query before running it; {why}.")
        click.echo(f"Estimated cost: {dollars(cost)}")
        return
    click.echo(f"Data processed: {human_bytes(processed)}")
    click.echo(f"Estimated cost: {dollars(cost)}")
