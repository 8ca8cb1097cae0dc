"""The ``toppypi`` command: a thin layer over the library.

Subcommands live in their own modules and are imported only when used, so
``toppypi --help`` stays fast. User errors print one line and exit non-zero.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from toppypi import __version__
from toppypi.errors import ToppypiError

# name -> (module, short help); a new command is one line here.
COMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("toppypi.cli.demo", "Sample, ingest and publish three months offline, in a minute."),
    "sample": ("toppypi.cli.sample", "Write realistic download events (BigQuery schema)."),
    "ingest": ("toppypi.cli.ingest", "Load event files into the local DuckDB store."),
    "top": ("toppypi.cli.top", "Rank projects by downloads for a period."),
    "update": ("toppypi.cli.update", "The monthly job: query, check, write dumps and archive."),
    "init": ("toppypi.cli.init", "Create a dataset repo that `update --publish` releases."),
    "convert": ("toppypi.cli.convert", "Convert a published dump to another format."),
    "query": ("toppypi.cli.query", "pypinfo's queries (fields, filters, percent) on any engine."),
    "bigquery": ("toppypi.cli.bigquery", "BigQuery cost ledger: bytes billed per month."),
    "history": ("toppypi.cli.history", "Import published snapshots, rebuild the index, show one."),
    "movers": ("toppypi.cli.movers", "New, dropped, climbing and falling projects for a month."),
    "diff": ("toppypi.cli.diff", "Compare any two snapshots or dump files."),
    "check": ("toppypi.cli.check", "Run the quality gates on a dump (or replay the history)."),
    "site": ("toppypi.cli.site", "Build or preview the static site (site build / site serve)."),
}


class LazyGroup(click.Group):
    """Imports a subcommand's module only when that subcommand is run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[cmd_name][0])
        cmd: click.Command = module.command
        return cmd

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List commands from their one-line help, without importing them."""
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="toppypi")
def cli() -> None:
    """A monthly, trustworthy ranking of PyPI packages by downloads.

    \b
    Start here:
      toppypi demo --dir demo        sample data -> store -> dumps, offline
      toppypi top --month 2026-03    the top 15,000 for a month
      toppypi top --format csv -o top.csv
    Every command has --help. The local store is --db or $TOPPYPI_DB.
    """


def main(argv: list[str] | None = None) -> Any:
    """Entry point: one-line errors for users, tracebacks only for bugs."""
    try:
        return cli.main(args=argv, prog_name="toppypi", standalone_mode=False)
    except SystemExit as exc:
        # click swaps stdout for a quiet wrapper when the reader closed the pipe
        if exc.code == 1 and type(sys.stdout).__name__.endswith("PacifyFlushWrapper"):
            sys.exit(141)  # the reader closed the pipe (`| head`): 128 + SIGPIPE, as shells do
        raise
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("toppypi: aborted", err=True)
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help())  # a bare `toppypi` or `toppypi history` asks for help
        sys.exit(0)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        click.echo(f"toppypi: error: {_one_line(exc.format_message())}{hint}", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        click.echo(f"toppypi: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except ToppypiError as exc:
        click.echo(f"toppypi: error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # output into a pipe its reader closed
        sys.exit(141)
    except OSError as exc:
        # A path the user gave cannot be read or written (a folder that is a file,
        # a read-only or full disk): their mistake or their machine's, not a bug.
        where = f"{exc.filename}: " if exc.filename else ""
        click.echo(f"toppypi: error: {where}{exc.strerror or exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("toppypi: interrupted", err=True)
        sys.exit(130)


def _one_line(message: str) -> str:
    """Click lists choices on separate lines; errors stay on one."""
    return " ".join(message.split())
