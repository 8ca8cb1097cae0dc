"""``toppypi init``: create a dataset repo for ``update --publish``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from toppypi.cli.options import dump_limit_option, installers_option
from toppypi.cli.output import info


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default="Top PyPI packages", show_default=True, help="Site title.")
@click.option(
    "--source",
    default="clickhouse",
    show_default=True,
    metavar="SOURCE",
    help="Engine the monthly job queries: clickhouse (the anchor's free public database, "
    "nothing to set up), bigquery[:PROJECT], or duckdb (a local store: publish from cron "
    "on its machine).",
)
@click.option("--db", metavar="PATH", default="", help="Local store for duckdb, relative to DIR.")
@dump_limit_option
@installers_option
@click.option(
    "--remote",
    metavar="URL",
    help="Add this git remote (as origin); releases are pushed to it. Without it they stay "
    "in the repo.",
)
@click.option(
    "--branch",
    default=None,
    help="Branch releases go on (default: an existing repo's current one, else main).",
)
@click.option(
    "--author",
    metavar="'NAME <EMAIL>'",
    default=None,
    help="Identity of release commits and tags.",
)
@click.option(
    "--requirement",
    metavar="PEP508",
    default=None,
    help="What the dataset's pyproject.toml installs to run toppypi (default: "
    "toppypi==THIS_VERSION from PyPI; before a PyPI release use a git URL, e.g. "
    "'toppypi @ git+https://github.com/OWNER/toppypi@TAG').",
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
    branch: str | None,
    author: str | None,
    requirement: str | None,
    as_json: bool,
) -> None:
    """Create a dataset repo: settings, citation files, workflows, first commit.

    \b
    Writes toppypi.toml, .gitignore, pyproject.toml, CITATION.cff, .zenodo.json,
    CHANGELOG.md and .github/workflows/{update,release}.yml, runs `git init`
    (or uses the repo DIR already is) and commits just those files. Then each
    month:
      toppypi update --dataset DIR --publish
    \b
    Examples:
      toppypi init top-pypi --remote git@github.com:me/top-pypi.git
      toppypi init data --limit 8000
    """
    import tomllib

    from toppypi.engines.registry import engine_name
    from toppypi.model.query import InstallerFilter
    from toppypi.operations.init import InitOptions, init_dataset
    from toppypi.publish.config import DEFAULT_AUTHOR, Config, parse_config, render_config

    InstallerFilter.parse(installers)  # refuse bad values before anything is written
    engine = engine_name(source)
    if db and engine != "duckdb":  # it would sit in toppypi.toml, ignored
        raise click.UsageError(f"--db is an option of --source duckdb, not {engine}")
    cfg = Config(
        title=title,
        source=source,
        db=db,
        limit=limit,
        installers=installers,
        remote="origin" if remote else "",
        author=author or DEFAULT_AUTHOR,
    )
    cfg = parse_config(tomllib.loads(render_config(cfg)))  # validates exactly what is written
    res = init_dataset(
        directory, InitOptions(cfg, remote_url=remote, requirement=requirement, branch=branch)
    )
    for warning in res.warnings:
        info(warning)
    names = [str(p.relative_to(directory)) for p in res.files]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "root": str(directory),
                    "files": names,
                    "commit": res.commit,
                    "warnings": res.warnings,
                },
                indent=2,
            )
        )
        return
    commit = (res.commit or "")[:12]
    info(f"created the dataset repo {directory} ({len(names)} files, commit {commit})")
    if not remote:
        info("no --remote: releases stay in this repo until [publish] remote is set")
    info(f"next: toppypi update --dataset {directory} --publish")
