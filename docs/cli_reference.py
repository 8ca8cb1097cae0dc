"""The README's command reference, generated from the CLI's own ``--help`` (run by cog).

    uv run cog -r README.md        # regenerate
    uv run cog --check README.md   # CI: fails when the README is stale
"""

from __future__ import annotations

import click
from click.testing import CliRunner

from toppypi.cli import COMMANDS, cli

WIDTH = 100


def _commands() -> list[tuple[str, click.Command]]:
    """Every command and subcommand, in the order ``toppypi --help`` lists them."""
    ctx = click.Context(cli)
    out: list[tuple[str, click.Command]] = []
    for name in COMMANDS:
        cmd = cli.get_command(ctx, name)
        assert cmd is not None
        if isinstance(cmd, click.Group):
            sub_ctx = click.Context(cmd, parent=ctx, info_name=name)
            for sub in cmd.list_commands(sub_ctx):
                sub_cmd = cmd.get_command(sub_ctx, sub)
                assert sub_cmd is not None
                out.append((f"{name} {sub}", sub_cmd))
        else:
            out.append((name, cmd))
    return out


def _help(path: str) -> str:
    res = CliRunner().invoke(cli, [*path.split(), "--help"], terminal_width=WIDTH)
    assert res.exit_code == 0, res.output
    return res.output.replace("Usage: cli ", "Usage: toppypi ").rstrip() + "\n"


def reference() -> str:
    """A table of every command, then each command's ``--help`` folded under it."""
    rows = ["| command | what it does |", "|---|---|"]
    blocks = []
    for path, cmd in _commands():
        short = cmd.get_short_help_str(limit=200).replace("|", "\\|")
        rows.append(f"| [`toppypi {path}`](#toppypi-{path.replace(' ', '-')}) | {short} |")
        blocks += [
            f'<details id="toppypi-{path.replace(" ", "-")}">'
            f"<summary><code>toppypi {path} --help</code></summary>",
            "",
            "```text",
            _help(path).rstrip(),
            "```",
            "",
            "</details>",
            "",
        ]
    return "\n".join([*rows, "", *blocks])
