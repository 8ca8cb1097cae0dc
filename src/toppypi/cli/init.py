"""``toppypi init``: create a dataset repo for ``update --publish``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from toppypi.cli.options import dump_limit_option, installers_option, source_option
from toppypi.cli.output import info


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Top PyPI packages", show_default=True, help="Site title.")
@source_option
@click.option("--db", metavar="PATH", default="", help="Local store for duckdb, relative to DIR.")
@dump_limit_option
@installers_option
@click.option("--remote", metavar="URL", help="Add this git remote; releases are pushed to it.")
@click.option("--branch", default="main", show_default=True, help="Branch releases go on.")
@click.option(
    "--author",
    metavar="'NAME <EMAIL>'",
    default=None,
    help="Identity of release commits and tags.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the files written as JSON.")
def command(
    directory: Path,
    title: str,
    source: str,
    db: str,
    limit: int,
    installers: str,
    remote: str | None,
    branch: str,
    author: str | None,
    as_json: bool,
) -> None:
    """Create a dataset repo: settings, citation files, workflows, first commit.

    \b
    Writes toppypi.toml, .gitignore, pyproject.toml, CITATION.cff, .zenodo.json,
    CHANGELOG.md and .github/workflows/{update,release}.yml, runs `git init`
    and commits them. Then each month:
      toppypi update --dataset DIR --publish
    \b
    Examples:
      toppypi init top-pypi --remote git@github.com:me/top-pypi.git
      toppypi init data --source clickhouse --limit 8000
    """
    from toppypi.engines.registry import engine_name
    from toppypi.model.query import InstallerFilter
    from toppypi.publish.config import DEFAULT_AUTHOR, Config, parse_config, render_config
    from toppypi.publish.init import init_dataset

    InstallerFilter.parse(installers)  # refuse bad values before anything is written
    engine_name(source)
    cfg = Config(
        title=title,
        source=source,
        db=db,
        limit=limit,
        installers=installers,
        branch=branch,
        author=author or DEFAULT_AUTHOR,
    )
    import tomllib

    cfg = parse_config(tomllib.loads(render_config(cfg)))  # validates exactly what is written
    res = init_dataset(directory, cfg, remote_url=remote)
    names = [str(p.relative_to(directory)) for p in res.files]
    if as_json:
        click.echo(json.dumps({"root": str(directory), "files": names, "commit": res.commit}))
        return
    commit = (res.commit or "")[:12]
    info(f"created the dataset repo {directory} ({len(names)} files, commit {commit})")
    info(f"next: toppypi update --dataset {directory} --publish")
