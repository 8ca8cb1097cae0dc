"""``toppypi update``: the monthly job (and ``--publish``: its release)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toppypi.cli.options import (
    dataset_option,
    dry_run_option,
    dump_limit_option,
    engine_choice,
    engine_options,
    installers_option,
    layout_option,
    wait_option,
)
from toppypi.cli.output import info

if TYPE_CHECKING:
    from toppypi.checks import Report


@click.command("update")
@dataset_option
@click.option(
    "--month", metavar="YYYY-MM", help="The month to publish (default: the last complete one)."
)
@engine_options
@dump_limit_option
@installers_option
@click.option("--force", is_flag=True, help="Publish even if a quality check fails (recorded).")
@click.option(
    "--full-list/--no-full-list",
    default=None,
    help="Also archive every project with downloads as top-pypi-packages-all.{csv.gz,parquet} "
    "(default: on, or toppypi.toml's full_list).",
)
@click.option(
    "--year-list/--no-year-list",
    default=None,
    help="Also publish the 12 complete months ending with the month as "
    "top-pypi-packages-365-days.* (default: on, or toppypi.toml's year_list).",
)
@layout_option
@click.option(
    "--publish",
    is_flag=True,
    help="Then commit, tag YYYY.MM and push the dataset repo (see `toppypi init`).",
)
@click.option("--republish", is_flag=True, help="Publish a corrected release YYYY.MM.N.")
@click.option("--reason", metavar="TEXT", help="What a --republish corrects (in its notes).")
@wait_option
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@dry_run_option
def command(
    dataset: Path,
    month: str | None,
    limit: int,
    installers: str,
    force: bool,
    full_list: bool | None,
    year_list: bool | None,
    layout: str | None,
    publish: bool,
    republish: bool,
    reason: str | None,
    wait: float,
    as_json: bool,
    dry_run: bool,
    **kwargs: Any,
) -> None:
    """Query a month, check it, and write the dumps and archive/YYYY-MM/.

    Running it twice with the same data changes no byte. A failing check
    writes nothing and exits 4, unless --force. A released month (tagged
    YYYY.MM) is never written again, except by --republish --reason. The
    dataset's toppypi.toml, when present, gives the defaults of --source, --db,
    --limit, --installers, --full-list, --year-list and --layout.

    \b
    --publish then releases the month from the dataset repo: SHA256SUMS,
    archive/YYYY-MM/RELEASE.md, CHANGELOG.md, CITATION.cff, .zenodo.json, one
    commit, an annotated tag YYYY.MM (the month after the data, like the
    original dataset: 2026.04 holds March 2026) and a push. A month already
    published exits 0 and changes nothing; a failed push exits 5 and the next
    run pushes. --dry-run prints what a run would do and writes nothing.
    \b
    Examples:
      toppypi update --dataset top-pypi --publish
      toppypi update --dataset top-pypi --publish --dry-run
      toppypi update --dataset top-pypi --month 2026-03 --republish --reason "bot spike removed"
    """
    from toppypi.dataset import Dataset
    from toppypi.formats import JsonLayout
    from toppypi.model.period import resolve_period
    from toppypi.model.query import InstallerFilter
    from toppypi.operations.update import UpdateOptions, require_month

    if republish and not reason:
        raise click.UsageError("--republish needs --reason TEXT saying what it corrects")
    if reason and not republish:
        raise click.UsageError("--reason goes with --republish")
    if republish:
        publish = True
    ds = Dataset(dataset)
    cfg = ds.config()
    ctx = click.get_current_context()
    by_default = ctx.get_parameter_source("dataset") is click.core.ParameterSource.DEFAULT
    if by_default and cfg is None and not ds.layout.archive.is_dir():  # never one by accident
        raise click.UsageError(
            f"{dataset.resolve()} is not a dataset (no toppypi.toml, no archive/); "
            "give --dataset DIR (it is created) or run where a dataset is"
        )
    given = {
        name
        for name in ("source", "db", "limit", "installers")
        if ctx.get_parameter_source(name) not in (click.core.ParameterSource.DEFAULT, None)
    }
    source: str | None = None
    db: Path | None = None
    if cfg is not None:
        source = None if "source" in given else cfg.source
        db = None if "db" in given else cfg.db_path(dataset)
        limit = limit if "limit" in given else cfg.limit
        installers = installers if "installers" in given else cfg.installers
        full_list = cfg.full_list if full_list is None else full_list
        year_list = cfg.year_list if year_list is None else year_list
        layout = layout or cfg.layout or None
    options = UpdateOptions(
        month=require_month(resolve_period(month=month)),
        limit=limit,
        installers=InstallerFilter.parse(installers),
        force=force,
        full_list=True if full_list is None else full_list,
        year_list=True if year_list is None else year_list,
        layout=JsonLayout(layout) if layout else None,
        correction=republish,
        wait=wait,
    )
    choice = engine_choice(kwargs, source=source, db=db)

    def opener() -> Any:
        from toppypi.cli.bigquery import announce

        return choice.open(on_estimate=announce)

    if publish:
        from toppypi.operations.publish import PublishOptions
        from toppypi.operations.publish import publish as run_publish
        from toppypi.operations.update import MonthRefused

        try:
            published = run_publish(
                ds,
                opener,
                PublishOptions(options, reason=reason, dry_run=dry_run),
                say=info,
            )
        except MonthRefused as exc:
            _refused(exc, options.month, as_json)
            raise
        _published(published, as_json, choice.capabilities)
        return
    from toppypi.operations.update import MonthRefused, plan, update

    if dry_run:
        engine = opener()
        try:
            _show_plan(engine.capabilities, options.month, plan(engine, options, ds), as_json)
        finally:
            engine.close()
        return
    engine = opener()
    try:
        res = update(ds, engine, options, say=info)
    except MonthRefused as exc:
        _refused(exc, options.month, as_json)
        raise
    finally:
        engine.close()
    if as_json:
        click.echo(json.dumps(res.to_json(), indent=2))
        return
    state = "unchanged" if res.unchanged else f"{len(res.ranking):,} projects"
    year = ""
    if res.year_list is not None:
        year = f"; 12-month list {res.year_list.report.summary()}"
    info(
        f"{res.month}: {state}; {res.report.summary()}{year}; {len(res.written)} file(s) "
        f"written; site: {len(res.site_written)} file(s) written"
    )


def _refused(exc: Any, month: str, as_json: bool) -> None:
    """A refused month's whole gate report: JSON on stdout for scripts, else on stderr."""
    report: Report = exc.report
    if as_json:
        out = {"month": month, "refused": True, "written": [], "checks": report.to_json()}
        click.echo(json.dumps(out, indent=2))
        return
    for f in report.findings:
        info(f"  {f.severity.value.upper():4}  {f.check}: {f.message}")


def _show_plan(caps: Any, month: str, p: Any, as_json: bool) -> None:
    """``--dry-run``: the engine's cost report (as `top` and `query` print it), then the plan."""
    from toppypi.cli.query_format import render_estimate

    if as_json:
        cost = json.loads(render_estimate(caps, p.estimate, as_json=True))
        click.echo(json.dumps({"month": month, "estimate": cost, "plan": p.lines}, indent=2))
        return
    click.echo(render_estimate(caps, p.estimate, as_json=False), nl=False)
    for line in p.lines:
        click.echo(line)


def _published(res: Any, as_json: bool, caps: Any) -> None:
    if res.plan is not None and res.status == "planned":
        _show_plan(caps, res.month, res.plan, as_json)
        return
    if as_json:
        click.echo(json.dumps(res.to_json(), indent=2))
        return
    if res.plan is not None:
        for line in res.plan.lines:
            click.echo(line)
        return
    from toppypi.operations.init import describe_remote

    state = res.status.replace("-", " ")
    if not res.remote:
        info(
            f"{res.tag}: {state}; nothing was pushed (no remote configured: "
            "set [publish] remote in toppypi.toml)"
        )
        return
    pushed = ", ".join(res.pushed) if res.pushed else "nothing new"
    info(f"{res.tag}: {state}; pushed to {describe_remote(res.remote)}: {pushed}")
