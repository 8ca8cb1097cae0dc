"""``toppypi site build`` / ``toppypi site serve``: the static site of a dataset."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from toppypi.cli.options import dataset_option, wait_option
from toppypi.cli.output import info

if TYPE_CHECKING:
    from toppypi.operations.site import SiteBuild


@click.group("site")
def command() -> None:
    """Build or preview the static site of a dataset.

    \b
    Examples:
      toppypi site build --dataset demo     write demo/index.html and the rest
      toppypi site serve --dataset demo     preview on http://127.0.0.1:8000/
    """


def _build(dataset: Path, wait: float = 0.0) -> SiteBuild:
    from toppypi.dataset import Dataset
    from toppypi.errors import InputError
    from toppypi.operations.site import build

    if not (dataset / "archive").is_dir():
        raise InputError(
            f"{dataset}: no archive/ here; run `toppypi update --dataset {dataset}` "
            "or `toppypi demo` first"
        )
    return build(Dataset(dataset), wait=wait, say=info)


def _summary(res: SiteBuild) -> str:
    skipped = "".join(
        f"warning: skipped {res.root}/{rel}: not a month or snapshot folder\n"
        for rel in res.skipped
    )
    return skipped + (
        f"site: {len(res.months)} month(s), {res.snapshots} snapshot(s), {len(res.files)} files, "
        f"{len(res.written)} written, {len(res.files) - len(res.written)} unchanged "
        f"-> {res.root / 'index.html'}"
    )


@command.command("build")
@dataset_option
@wait_option
@click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON.")
def build_cmd(dataset: Path, wait: float, as_json: bool) -> None:
    """Write index.html, the archive, movers and project pages from archive/.

    Only files whose bytes change are rewritten, each atomically, so a rebuild
    from unchanged data changes nothing. `toppypi update` runs this after
    each month it writes.
    """
    res = _build(dataset, wait)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "dataset": str(dataset),
                    "months": res.months,
                    "snapshots": res.snapshots,
                    "skipped": res.skipped,
                    "files": len(res.files),
                    "written": [str(p) for p in res.written],
                },
                indent=2,
            )
        )
    else:
        info(_summary(res))


@command.command("serve")
@dataset_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port on 127.0.0.1 (0: any free one).",
)
@click.option("--no-build", is_flag=True, help="Serve the files as they are, without rebuilding.")
def serve_cmd(dataset: Path, port: int, no_build: bool) -> None:
    """Preview the site on http://127.0.0.1:PORT/ (this machine only). Ctrl-C stops.

    The site is rebuilt first (a no-op when nothing changed).
    """
    from toppypi.site.serve import HOST, make_server

    if not no_build:
        info(_summary(_build(dataset)))
    elif not (dataset / "index.html").is_file():
        from toppypi.errors import UsageError

        raise UsageError(f"{dataset}: no site here; run `toppypi site build --dataset {dataset}`")
    server = make_server(dataset, port, quiet=False)
    info(f"serving {dataset} on http://{HOST}:{server.server_port}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        info("stopped")
    finally:
        server.server_close()
