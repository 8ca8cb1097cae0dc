"""``toppypi demo``: the whole job offline, on sample data."""

from __future__ import annotations

from pathlib import Path

import click

from toppypi.cli.output import info


@click.command("demo")
@click.option(
    "--dir",
    "root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="Where to put everything.",
)
@click.option(
    "--months",
    type=click.IntRange(1, 24),
    default=3,
    show_default=True,
    help="How many months, ending with the last complete one.",
)
@click.option(
    "--events",
    type=click.IntRange(min=1000),
    default=1_000_000,
    show_default=True,
    help="Events per month.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
def command(root: Path, months: int, events: int, seed: int) -> None:
    """Sample events, ingest them and run the monthly update for each month, offline.

    The store lives inside --dir, so the demo never touches your real one. It
    samples eleven more (smaller) months before the published ones, so that
    each has its 12-month list. A --dir holding another dataset is refused.

    \b
    Examples:
      toppypi demo --dir demo
      toppypi demo --dir /tmp/small --months 1 --events 100000
      toppypi top --db demo/store.duckdb --limit 10
    """
    import time

    from toppypi.operations.demo import run_demo

    t0 = time.perf_counter()
    res = run_demo(root, months=months, events_per_month=events, seed=seed, say=info)
    info("")
    info(f"done in {time.perf_counter() - t0:.1f}s. Made in {root}/:")
    made = [
        ("top-pypi-packages.{json,min.json,csv}", "latest month (stable names)"),
        ("top-pypi-packages-30-days.*", "deprecated aliases"),
        ("top-pypi-packages-365-days.*", "the 12 months ending with the latest"),
        *(
            (f"archive/{m}/", "dumps, Parquet, full list, 12-month list, checks, provenance")
            for m in res.months
        ),
        ("index.html, month/, movers.html, ...", "the site (top 100 server-rendered)"),
        ("badges/<project>.{json,svg}", "a rank badge per project (Shields endpoint, SVG)"),
        ("datapackage.json", "Frictionless description of every published file"),
        ("store.duckdb", "the local store"),
    ]
    width = max(len(path) for path, _ in made)
    for path, what in made:
        info(f"  {path:<{width}}   {what}")
    info(f"See the site: toppypi site serve --dataset {root}")
    info(f"Query it:     toppypi top --db {root}/store.duckdb --limit 10")
