"""``toppypi query``: pypinfo's command line, on every engine."""

from __future__ import annotations

from typing import Any

import click

from toppypi.cli.options import (
    dry_run_option,
    engine_choice,
    engine_options,
    today_option,
    verbose_option,
)
from toppypi.cli.output import info

FORMATS = ["table", "markdown", "json", "csv"]


@click.command(
    "query",
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.argument("project", required=False)
@click.argument("fields", nargs=-1, required=False)
@click.option("-d", "--days", type=int, help="Number of whole days ending --end-date. Default: 30")
@click.option(
    "-sd",
    "--start-date",
    help="First day: YYYY-MM[-DD], or -N: the first of the last N days, today being the "
    "Nth (-sd -31 -ed -1 is the default 30 days).",
)
@click.option(
    "-ed", "--end-date", help="Last day: YYYY-MM[-DD] or -N (N days ago). Default: -1 (yesterday)"
)
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
@dry_run_option
@engine_options
@verbose_option
@today_option
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
      toppypi query --today 2026-10-01 -sd -10 -ed -3 --all -l 0 "" date

    Relative dates are whole UTC days counted from today (or --today):
    -sd -10 -ed -3 is the 7 days from 2026-09-22 to 2026-09-28 when today
    is 2026-10-01, and -sd -31 -ed -1 is the default 30 days.
    """
    from toppypi import api
    from toppypi.model.redact import redact
    from toppypi.operations.top import staleness

    if project is None and not fields:
        click.echo(ctx.get_help())
        return
    fmt = _choose_format(fmt, as_json=as_json, markdown=markdown)
    if indent is not None and fmt != "json":
        raise click.UsageError("--indent indents JSON only; add -j/--json or drop it")
    choice = engine_choice(kwargs)
    query = api.build_query(project, fields, **kwargs)
    if test_only:
        click.echo(api.query_sql(query, choice.source, choice.options))
        return
    from toppypi.cli.bigquery import announce, show_estimate

    with api.open_for(query, choice.source, choice.options, on_estimate=announce) as engine:
        if dry_run:
            show_estimate(engine, query, as_json=fmt == "json", indent=indent)
            return
        result = api.execute(query, percent=percent, engine=engine)
        stale = staleness(engine, query.period)
    if stale:  # as `top` says: a count over days the engine lacks is partial
        info(f"warning: {stale}")
    prov = result.provenance
    if verbose:
        info(redact(prov.sql))
        info(
            f"-- {query.period.start}..{query.period.end}, {prov.elapsed:.3f}s, "
            f"{len(result.rows):,} rows, source: {prov.engine} at {redact(prov.endpoint)}"
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
