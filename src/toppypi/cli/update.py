"""``toppypi update``: the monthly job."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toppypi.cli.options import (
    EngineChoice,
    dry_run_option,
    dump_limit_option,
    engine_choice,
    engine_options,
    installers_option,
)
from toppypi.cli.output import info

if TYPE_CHECKING:
    from toppypi.publish.config import Config
    from toppypi.update import MonthRefused


@click.command("update")
@click.option(
    "--dataset",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The dataset directory (created if missing).",
)
@click.option(
    "--month", metavar="YYYY-MM", help="The month to publish (default: the last complete one)."
)
@engine_options
@dump_limit_option
@installers_option
@click.option("--force", is_flag=True, help="Publish even if a quality check fails (recorded).")
@click.option(
    "--full-list/--no-full-list",
    default=True,
    show_default=True,
    help="Also archive every project with downloads as top-pypi-packages-all.{csv.gz,parquet}.",
)
@click.option(
    "--publish",
    is_flag=True,
    help="Then commit, tag YYYY.MM and push the dataset repo (see `toppypi init`).",
)
@click.option("--republish", is_flag=True, help="Publish a corrected release YYYY.MM.N.")
@click.option("--reason", metavar="TEXT", help="What a --republish corrects (in its notes).")
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    metavar="SECONDS",
    help="How long to wait for another publish to finish (default: exit at once).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@click.option(
    "--layout",
    type=click.Choice(["clickhouse", "pypinfo"]),
    default=None,
    help="JSON layout (default: the engine's era: pypinfo for BigQuery).",
)
@dry_run_option
def command(
    dataset: Path,
    month: str | None,
    source: str,
    db: Path | None,
    limit: int,
    installers: str,
    force: bool,
    full_list: bool,
    publish: bool,
    republish: bool,
    reason: str | None,
    wait: float,
    as_json: bool,
    layout: str | None,
    dry_run: bool,
    **kwargs: Any,
) -> None:
    """Query a month, check it, and write the dumps and archive/YYYY-MM/.

    Running it twice with the same data changes no byte. A failing check
    writes nothing and exits non-zero, unless --force. The dataset's
    toppypi.toml, when present, gives the defaults of --source, --db, --limit
    and --installers.

    \b
    --publish then releases the month from the dataset repo: SHA256SUMS,
    archive/YYYY-MM/RELEASE.md, CHANGELOG.md, CITATION.cff, .zenodo.json, one
    commit, an annotated tag YYYY.MM (the month after the data, like the
    original dataset: 2026.04 holds March 2026) and a push. A month already
    published exits 0 and changes nothing; a failed push exits 5 and the next
    run pushes.
    \b
    Examples:
      toppypi update --dataset top-pypi --publish
      toppypi update --dataset top-pypi --month 2026-03 --republish --reason "bot spike removed"
    """
    from toppypi.publish.config import load_config

    cfg = load_config(dataset)
    ctx = click.get_current_context()
    if cfg is not None:
        given = {
            name
            for name in ("source", "db", "limit", "installers")
            if ctx.get_parameter_source(name) not in (click.core.ParameterSource.DEFAULT, None)
        }
        source = source if "source" in given else cfg.source
        db = db if "db" in given else cfg.db_path(dataset)
        limit = limit if "limit" in given else cfg.limit
        installers = installers if "installers" in given else cfg.installers
    if republish and not reason:
        raise click.UsageError("--republish needs --reason TEXT saying what it corrects")
    if reason and not republish:
        raise click.UsageError("--reason goes with --republish")
    if publish or republish:
        from dataclasses import replace

        from toppypi.errors import UsageError
        from toppypi.publish.config import CONFIG_FILE

        if cfg is None:
            raise UsageError(
                f"{dataset} has no {CONFIG_FILE}: --publish releases a dataset repo made by "
                f"`toppypi init {dataset}`"
            )
        cfg = replace(cfg, source=source, limit=limit, installers=installers)
        choice = engine_choice(kwargs, source=source, db=db)
        _publish(dataset, month, cfg, choice, force=force, reason=reason, wait=wait, json_=as_json)
        return
    from toppypi.cli.bigquery import announce, show_estimate
    from toppypi.formats import JsonLayout
    from toppypi.model.period import resolve_period
    from toppypi.model.query import InstallerFilter
    from toppypi.update import MonthRefused, update

    period = resolve_period(month=month)
    engine = engine_choice(kwargs, source=source, db=db).open(on_estimate=announce)
    try:
        if dry_run:
            from toppypi.ranking import top_query

            query = top_query(period, limit=limit, installers=InstallerFilter.parse(installers))
            show_estimate(engine, query, as_json=as_json)
            return
        res = update(
            dataset,
            engine,
            period,
            limit=limit,
            installers=InstallerFilter.parse(installers),
            force=force,
            full_list=full_list,
            layout=JsonLayout(layout) if layout else None,
        )
    except MonthRefused as exc:
        if as_json:  # the report for scripts on stdout, the one-line error on stderr
            report = {"month": period.label(), "refused": True, "written": []}
            click.echo(json.dumps({**report, "checks": exc.report.to_json()}, indent=2))
            raise
        _print_report(exc)
        raise
    finally:
        engine.close()
    from toppypi.site import build_site

    site_written = build_site(dataset)
    w = res.written
    if as_json:
        click.echo(
            json.dumps(
                {
                    "month": w.month,
                    "unchanged": w.unchanged,
                    "latest": w.latest,
                    "written": [str(p) for p in w.written],
                    "checks": res.report.to_json(),
                    "site_written": [str(p) for p in site_written],
                },
                indent=2,
            )
        )
        return
    state = "unchanged" if w.unchanged else f"{len(res.snapshot.rows):,} projects"
    info(
        f"{w.month}: {state}; {res.report.summary()}; {len(w.written)} file(s) written; "
        f"site: {len(site_written)} file(s) written"
    )


def _publish(
    dataset: Path,
    month: str | None,
    cfg: Config,
    choice: EngineChoice,
    *,
    force: bool,
    reason: str | None,
    wait: float,
    json_: bool,
) -> None:
    from toppypi.cli.bigquery import announce
    from toppypi.model.period import resolve_period
    from toppypi.publish.release import publish
    from toppypi.update import MonthRefused

    try:
        res = publish(
            dataset,
            resolve_period(month=month),
            lambda: choice.open(on_estimate=announce),
            cfg,
            force=force,
            reason=reason,
            wait=wait,
            say=info,
        )
    except MonthRefused as exc:
        _print_report(exc)
        raise
    if json_:
        click.echo(json.dumps(res.to_json(), indent=2))
        return
    where = f"{cfg.remote}" if res.remote else "nowhere (no remote configured)"
    pushed = ", ".join(res.pushed) if res.pushed else "nothing new"
    info(f"{res.tag}: {res.status.replace('-', ' ')}; pushed to {where}: {pushed}")


def _print_report(exc: MonthRefused) -> None:
    """The whole gate report of a refused month, before the one-line error."""
    for f in exc.report.findings:
        info(f"  {f.severity.value.upper():4}  {f.check}: {f.message}")
