"""``toppypi update``: the monthly job."""

from __future__ import annotations

import json
from pathlib import Path

import click

from toppypi.cli.options import db_option, installers_option, source_option
from toppypi.cli.output import info


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
@source_option
@db_option
@click.option("--limit", type=click.IntRange(min=1), default=15000, show_default=True)
@installers_option
@click.option("--force", is_flag=True, help="Publish even if a quality check fails (recorded).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def command(
    dataset: Path,
    month: str | None,
    source: str,
    db: Path | None,
    limit: int,
    installers: str,
    force: bool,
    as_json: bool,
) -> None:
    """Query a month, check it, and write the dumps and archive/YYYY-MM/.

    Running it twice with the same data changes no byte. A failing check
    writes nothing and exits non-zero, unless --force.
    """
    from toppypi.engines.registry import open_engine
    from toppypi.period import resolve_period
    from toppypi.query import InstallerFilter
    from toppypi.update import update

    period = resolve_period(month=month)
    engine = open_engine(source, db=db)
    try:
        res = update(
            dataset,
            engine,
            period,
            limit=limit,
            installers=InstallerFilter.parse(installers),
            force=force,
        )
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
