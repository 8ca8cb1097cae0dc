"""``toppypi check``: the quality gates on a dump file, or replayed over the real history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toppypi.cli.output import print_table

if TYPE_CHECKING:
    from toppypi.checks import Report


def print_report(report: Report) -> None:
    print_table(
        ["check", "result", "detail"],
        [[f.check, f.severity.value.upper(), f.message] for f in report.findings],
        right=set(),
    )


@click.command("check")
@click.argument(
    "file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--against",
    type=click.Path(exists=True, path_type=Path),
    metavar="DATASET_OR_FILE",
    help="Baseline: a dataset (its snapshots before FILE's) or one earlier dump.",
)
@click.option("--expected-rows", type=click.IntRange(min=1), help="Fail unless FILE has N rows.")
@click.option(
    "--window",
    type=click.Choice(["30", "365"]),
    help="FILE's window (default: from its name, else 30).",
)
@click.option("--date", metavar="YYYY-MM-DD", help="Snapshot day of a dump without a timestamp.")
@click.option(
    "--replay",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="HISTORY_DIR",
    help="Instead of FILE: replay the gates over every snapshot of a history folder "
    "and print precision and false-positive figures.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def command(
    file: Path | None,
    against: Path | None,
    expected_rows: int | None,
    window: str | None,
    date: str | None,
    replay: Path | None,
    as_json: bool,
) -> None:
    """Run the quality gates on FILE: completeness, structure, drift, anomaly.

    Exits 0 when every gate passes, 4 when one fails. Drift and anomaly need a
    baseline (--against). Known methodology changes (window, installers,
    engine) are reported as warnings, not failures.

    \b
    Examples:
      toppypi check top-pypi-packages.json --against data
      toppypi check new.json --against old.json --json
      toppypi check --replay ../shared/data/top-pypi-history
    """
    from toppypi.errors import CheckFailed, UsageError

    if replay is not None and file is not None:
        raise UsageError("give a dump FILE to check or --replay HISTORY_DIR, not both")
    if replay is not None:
        _replay(replay, as_json)
        return
    if file is None:
        raise UsageError("give a dump FILE to check, or --replay HISTORY_DIR")
    from toppypi.model.period import parse_day
    from toppypi.operations.check import CheckOptions, check_file

    report = check_file(
        file,
        CheckOptions(
            against=against,
            expected_rows=expected_rows,
            window=int(window) if window else None,
            date=parse_day(date) if date else None,
        ),
    )
    if as_json:
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        print_report(report)
    if not report.passed:
        raise CheckFailed(f"{file}: {report.summary()}")


def _replay(history: Path, as_json: bool) -> None:
    from toppypi.operations.check import replay

    res = replay(history)
    figures = res.figures()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "figures": figures,
                    "flagged": [
                        {
                            "snapshot": r.date.isoformat(),
                            "window_days": r.window_days,
                            "known_bad": r.known_bad,
                            "failures": [f.to_json() for f in r.report.failures()],
                        }
                        for r in res.flagged
                    ],
                    "doubled_csv": res.doubled_csv.to_json() if res.doubled_csv else None,
                },
                indent=2,
            )
        )
        return
    print_table(
        ["snapshot", "window", "known bad", "why"],
        [
            [
                r.date.isoformat(),
                f"{r.window_days}d",
                "yes" if r.known_bad else "no",
                r.report.summary(),
            ]
            for r in res.flagged
        ],
        right=set(),
    )
    print_table(
        ["figure", "value"],
        [[k, f"{v:.1%}" if isinstance(v, float) else str(v)] for k, v in figures.items()],
        right={1},
    )
