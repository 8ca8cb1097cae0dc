"""Terminal output helpers: tables, progress, and writing to -o or stdout."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click


def emit(data: bytes, output: Path | None) -> None:
    """Write bytes to ``output`` atomically, or to stdout."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from toppypi.atomic import atomic_write

    atomic_write(output, data)


def info(message: str) -> None:
    click.echo(message, err=True)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, right: set[int]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for i, h in enumerate(headers):
        table.add_column(h, justify="right" if i in right else "left")
    for r in rows:
        table.add_row(
            *(f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v) for v in r)
        )
    console = Console(soft_wrap=True)
    try:
        console.print(table)
    except SystemExit:  # rich's answer to a closed pipe; main() reports it as one
        raise BrokenPipeError from None


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal; silent otherwise."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
