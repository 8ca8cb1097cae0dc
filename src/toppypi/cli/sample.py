"""``toppypi sample``: realistic events for demos, tests and benchmarks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from toppypi.cli.options import period_options, resolve
from toppypi.cli.output import info, progress


@click.command("sample")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (.parquet, or .jsonl with --format jsonl).",
)
@click.option(
    "--events",
    type=click.IntRange(min=1),
    default=1_000_000,
    show_default=True,
    help="How many download events.",
)
@click.option(
    "--projects",
    type=click.IntRange(min=1),
    default=5_000,
    show_default=True,
    help="How many distinct projects (Zipf-like popularity).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "jsonl"]),
    default=None,
    help="Output format (default: from the file name, else parquet).",
)
@period_options
def command(
    output: Path, events: int, projects: int, seed: int, fmt: str | None, **kwargs: Any
) -> None:
    """Write download events in BigQuery's file_downloads schema.

    \b
    Example:
      toppypi sample --month 2026-03 --events 2000000 -o 2026-03.parquet
      toppypi ingest 2026-03.parquet
    """
    from toppypi.sample import SampleSpec, write_sample

    period = resolve(kwargs)
    fmt = fmt or ("jsonl" if output.suffix in (".jsonl", ".json", ".ndjson") else "parquet")
    spec = SampleSpec(period=period, events=events, projects=projects, seed=seed)
    t0 = time.perf_counter()
    with progress(f"sampling {period}", events) as advance:
        n = write_sample(spec, output, fmt=fmt, progress=advance)
    dt = time.perf_counter() - t0
    info(f"wrote {n:,} events for {period} to {output} in {dt:.1f}s ({n / dt:,.0f} events/s)")
