"""``toppypi sample``: realistic events for demos, tests and benchmarks."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click

from toppypi.cli.options import period_options, resolve
from toppypi.cli.output import info, progress
from toppypi.errors import UsageError


@click.command("sample")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write (.parquet; .jsonl; or .log for an access log).",
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
    type=click.Choice(["parquet", "jsonl", "log"]),
    default=None,
    help="Output format: events (parquet, jsonl), or log: the nginx access log of a "
    "private index (pypiserver layout, pip and uv agents) with --events downloads. "
    "Default: from the file name, else parquet.",
)
@period_options
def command(
    output: Path, events: int, projects: int, seed: int, fmt: str | None, **kwargs: Any
) -> None:
    """Write download events in BigQuery's file_downloads schema, or an access log.

    \b
    Examples:
      toppypi sample --month 2026-03 --events 2000000 -o 2026-03.parquet
      toppypi ingest 2026-03.parquet
      toppypi sample --month 2026-03 --events 100000 -o access.log
      toppypi ingest access.log
    """
    from toppypi.sample import SampleSpec, write_sample

    period = resolve(kwargs)
    from toppypi.engines.duckdb.store import default_db_path
    from toppypi.operations.outputs import check_output

    check_output(output, stores=[default_db_path()])
    named = _format_from_name(output)
    if fmt and output.suffix.lower() in _SUFFIXES and named != fmt:
        raise UsageError(
            f"-o {output}: the name says {named} but --format is {fmt}; "
            "rename the file or drop --format"
        )
    fmt = fmt or named
    spec = SampleSpec(period=period, events=events, projects=projects, seed=seed)
    t0 = time.perf_counter()
    with progress(f"sampling {period}", events) as advance:
        if fmt == "log":
            from toppypi.sample_log import write_sample_log

            n = write_sample_log(spec, output, progress=advance)
        else:
            n = write_sample(spec, output, fmt=fmt, progress=advance)
    dt = time.perf_counter() - t0
    what = "log lines" if fmt == "log" else "events"
    info(f"wrote {n:,} {what} for {period} to {output} in {dt:.1f}s ({n / dt:,.0f}/s)")


_SUFFIXES = {
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".json": "jsonl",
    ".ndjson": "jsonl",
    ".log": "log",
}


def _format_from_name(path: Path) -> str:
    suffix = path.suffix.lower()  # events.JSONL is JSON lines too
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    return "log" if path.name.lower().startswith("access") else "parquet"
