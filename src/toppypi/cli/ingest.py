"""``toppypi ingest``: load events into the local store."""

from __future__ import annotations

import json
from pathlib import Path

import click

from toppypi.cli.options import db_option
from toppypi.cli.output import info


@click.command("ingest")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print what was ingested as JSON.")
def command(files: tuple[Path, ...], db: Path | None, as_json: bool) -> None:
    """Load event files (Parquet or JSON Lines, BigQuery schema) into the store.

    A file already ingested is skipped, so rerunning is safe. A bad file is
    refused with the store left exactly as it was.
    """
    from toppypi.engines.duckdb.store import default_db_path, ingest

    path = db or default_db_path()
    done = ingest(path, list(files))
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "file": f.name,
                        "sha256": f.sha256,
                        "events": f.events,
                        "first_day": str(f.first_day),
                        "last_day": str(f.last_day),
                        "skipped": f.skipped,
                    }
                    for f in done
                ],
                indent=2,
            )
        )
        return
    for f in done:
        state = "already ingested, skipped" if f.skipped else f"{f.events:,} events"
        info(f"{f.name}: {state} ({f.first_day} to {f.last_day})")
    info(f"store: {path}")
