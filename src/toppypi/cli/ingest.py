"""``toppypi ingest``: load events and access logs into the local store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from toppypi.cli.options import db_option
from toppypi.cli.output import info, progress

if TYPE_CHECKING:
    from toppypi.engines.duckdb.store import IngestedFile


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option(
    "--log-format",
    type=click.Choice(["auto", "combined", "common"]),
    default="auto",
    show_default=True,
    help="Access-log format: nginx/Apache combined (with User-Agent), or common. "
    "auto judges it from the first lines.",
)
@click.option(
    "--url-prefix",
    "prefixes",
    multiple=True,
    metavar="PATH",
    help="Also count distribution files under this URL path (an index layout toppypi does "
    "not know, e.g. /artifactory/api/pypi/). Repeatable.",
)
@click.option(
    "--geoip",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="MaxMind/DB-IP country database (.mmdb) for country codes; without it, "
    "countries are missing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print what was ingested as JSON.")
def command(
    files: tuple[Path, ...],
    db: Path | None,
    log_format: str,
    prefixes: tuple[str, ...],
    geoip: Path | None,
    as_json: bool,
) -> None:
    """Load download events or web-server access logs into the local store.

    \b
    FILES are any mix of:
      - events in BigQuery's file_downloads schema (Parquet, or JSON Lines);
      - access logs of a package index (pypiserver, devpi, a PyPI mirror,
        Artifactory or Nexus behind nginx/Apache), in the combined format,
        plain or gzipped. Only a successful GET of a distribution file counts.

    Paths are taken literally (no glob patterns). All files are ingested or
    none: a bad one leaves the store as it was. Rerunning is safe: a file
    already ingested adds nothing, and a log that grew adds only its new
    lines, under any name (access.log, access.log.1, access.log.2.gz).

    \b
    Example (cron, hourly):
      toppypi ingest --db ~/index.duckdb /var/log/nginx/access.log*
    """
    from toppypi.engines.duckdb.store import LogOptions, default_db_path, ingest
    from toppypi.logs.geo import GeoIP

    if any(not p.startswith("/") for p in prefixes):
        raise click.BadParameter(
            "a URL prefix is a path starting with /", param_hint="--url-prefix"
        )
    reader = GeoIP(geoip) if geoip is not None else None
    path = db or default_db_path()
    try:
        with progress("ingesting", len(files)) as advance:
            done = ingest(
                path,
                list(files),
                progress=lambda _name, _events: advance(1),
                log_options=LogOptions(fmt=log_format, prefixes=prefixes, geoip=reader),
            )
    finally:
        if reader is not None:
            reader.close()
    if as_json:
        click.echo(json.dumps([_as_json(f) for f in done], indent=2))
        return
    for f in done:
        info(_describe(f))
    info(f"store: {path}")


def _as_json(f: IngestedFile) -> dict[str, Any]:
    out: dict[str, Any] = {
        "file": f.name,
        "kind": f.kind,
        "sha256": f.sha256,
        "events": f.events,
        "first_day": None if f.first_day is None else str(f.first_day),
        "last_day": None if f.last_day is None else str(f.last_day),
        "skipped": f.skipped,
        "notes": list(f.notes),
    }
    if f.log is not None:
        out["log"] = f.log
    return out


def _describe(f: IngestedFile) -> str:
    days = f" ({f.first_day} to {f.last_day})" if f.first_day else ""
    notes = f" [{'; '.join(f.notes)}]" if f.notes else ""
    if f.log is None:
        state = "already ingested, skipped" if f.skipped else f"{f.events:,} events"
        return f"{f.name}: {state}{days}{notes}"
    s = f.log
    bad = ""
    if s["unparseable"]:
        lines = ", ".join(str(n) for n in s["first_unparseable_lines"])
        more = ", ..." if s["unparseable"] > len(s["first_unparseable_lines"]) else ""
        bad = f", {s['unparseable']:,} unparseable (line {lines}{more})"
    return (
        f"{f.name}: {s['lines']:,} lines read: {s['downloads']:,} downloads, "
        f"{s['skipped']:,} not downloads{bad}{days}{notes}"
    )
