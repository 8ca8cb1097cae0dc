"""``toppypi query``: pypinfo's examples, exact output, field meanings, filters, safety.

The store holds the shared sample (2026-02 and 2026-03), a small sample for
2018-04 (pypinfo's README example) and a hand-written file whose answers are
known in advance. Expected numbers come from the event files through pyarrow
and plain Python, never from the engine under test.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.support.handmade import write_handmade
from toppypi.api import build_query, execute, query_sql
from toppypi.api import query as run_query
from toppypi.cli import cli
from toppypi.engines.duckdb.store import ingest
from toppypi.errors import ToppypiError
from toppypi.model.period import Period
from toppypi.sample import SampleSpec, write_sample

TODAY = dt.date(2026, 4, 1)  # frozen "today": the default window is 2026-03-02..2026-03-31


@pytest.fixture(scope="module")
def files(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    d = tmp_path_factory.mktemp("qevents")
    april = d / "2018-04.parquet"
    write_sample(SampleSpec(Period.for_month(2018, 4), events=20_000, projects=400, seed=7), april)
    return [*sorted(events_dir.glob("*.parquet")), april, write_handmade(d / "handmade.parquet")]


@pytest.fixture(scope="module")
def qstore(files: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("qstore") / "store.duckdb"
    ingest(db, files)
    return db


# -- an independent reference: the event files counted in plain Python ------------


@pytest.fixture(scope="module")
def events(files: list[Path]) -> list[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {
        "timestamp": "day",
        "country_code": "country",
        "file.project": "project",
        "file.version": "version",
        "details.installer.name": "installer",
        "details.system.name": "system",
        "details.distro.name": "distro",
        "details.ci": "ci",
    }
    out: list[dict[str, Any]] = []
    for f in files:
        t = pq.read_table(f, columns=["timestamp", "country_code", "file", "details"])
        t = t.flatten().flatten().flatten()
        t = pa.table({new: t[old] for old, new in cols.items()})
        for row in t.to_pylist():
            row["day"] = row["day"].date()
            out.append({k: (None if v == "" else v) for k, v in row.items()})
    return out


def reference(
    events: list[dict[str, Any]],
    keys: tuple[str, ...],
    period: Period,
    *,
    keep: Callable[[dict[str, Any]], bool] = lambda e: True,
    pip_only: bool = True,
) -> Counter[tuple[Any, ...]]:
    return Counter(
        tuple(e[k] for k in keys)
        for e in events
        if period.start <= e["day"] <= period.end
        and (not pip_only or e["installer"] == "pip")
        and keep(e)
    )


def top(counter: Counter[tuple[Any, ...]], n: int = 10) -> list[tuple[Any, ...]]:
    """Rows as the engines order them: count descending, then the keys ascending."""

    def key(item: tuple[tuple[Any, ...], int]) -> tuple[Any, ...]:
        return (-item[1], *((v is None, v if v is not None else "") for v in item[0]))

    return [(*k, c) for k, c in sorted(counter.items(), key=key)[:n]]


def cli_run(store: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["query", "--db", str(store), "--today", str(TODAY), *args])


def as_json(store: Path, *args: str) -> dict[str, Any]:
    res = cli_run(store, "-j", *args)
    assert res.exit_code == 0, res.output
    obj: dict[str, Any] = json.loads(res.output)
    return obj


# -- pypinfo's README examples ----------------------------------------------------

LAST_30 = Period(dt.date(2026, 3, 2), dt.date(2026, 3, 31))
README: list[tuple[list[str], list[str], str]] = [
    (["", "project"], ["project", "download_count"], "total"),
    (["django", "pyversion"], ["python_version", "download_count"], "total"),
    (["", "country"], ["country", "download_count"], "total"),
    (
        ["cryptography", "system", "distro"],
        ["system_name", "distro_name", "download_count"],
        "total",
    ),
    (["--days", "365", "", "project"], ["project", "download_count"], "total"),
    (["--start-date", "2018-04", "--end-date", "2018-04", "setuptools"], ["download_count"], "one"),
    (
        ["-pc", "pip==21.*", "pyversion", "version"],
        ["python_version", "version", "percent", "download_count"],
        "total",
    ),
    (["--percent", "--days", "5", "pillow", "ci"], ["ci", "percent", "download_count"], "total"),
]


@pytest.mark.parametrize(("args", "columns", "shape"), README, ids=lambda a: str(a))
def test_readme_example_columns_total_percent(
    qstore: Path, args: list[str], columns: list[str], shape: str
) -> None:
    obj = as_json(qstore, *args)
    rows = obj["rows"]
    assert rows and all(sorted(r) == sorted(columns) for r in rows)
    assert len(rows) <= 10
    if "percent" in columns:
        assert sum(r["percent"] for r in rows) == pytest.approx(1.0, abs=1e-5)
        assert all(isinstance(r["percent"], float) for r in rows)
    table = cli_run(qstore, *args)
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[:4] == [
        "Served from cache: False",
        "Data processed: n/a (the duckdb engine does not measure it)",
        "Data billed: 0.00 B",
        "Estimated cost: $0.00",
    ]
    header = [c.strip() for c in lines[5].strip("|").split("|")]
    assert header == columns
    body = lines[7:]
    if shape == "total":
        assert len(rows) >= 2 and body[-1].startswith("| Total ")
        assert body[-1].rstrip(" |").endswith(f"{sum(r['download_count'] for r in rows):,}")
        assert len(body) == len(rows) + 1
    else:
        assert len(rows) == 1 and len(body) == 1 and "Total" not in table.output


def test_readme_counts_match_the_events(qstore: Path, events: list[dict[str, Any]]) -> None:
    year = Period(dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    five = Period(dt.date(2026, 3, 27), dt.date(2026, 3, 31))

    def of(project: str) -> Callable[[dict[str, Any]], bool]:
        return lambda e: e["project"] == project

    setuptools_2018 = reference(events, (), Period.for_month(2018, 4), keep=of("setuptools"))
    cases: list[tuple[str, list[str], dict[str, Any], list[tuple[Any, ...]]]] = [
        ("", ["project"], {}, top(reference(events, ("project",), LAST_30))),
        ("", ["country"], {}, top(reference(events, ("country",), LAST_30))),
        ("", ["project"], {"days": 365}, top(reference(events, ("project",), year))),
        (
            "cryptography",
            ["system", "distro"],
            {},
            top(reference(events, ("system", "distro"), LAST_30, keep=of("cryptography"))),
        ),
        (
            "setuptools",
            [],
            {"start_date": "2018-04", "end_date": "2018-04"},
            [(setuptools_2018[()],)],
        ),
        ("pillow", ["ci"], {"days": 5}, top(reference(events, ("ci",), five, keep=of("pillow")))),
    ]
    for project, fields, period, expected in cases:
        res = run_query(project, fields, today=TODAY, **period)
        assert list(res.rows) == expected, (project, fields)
        assert len(expected) >= 1 and expected[0][-1] > 0


# -- exact output -----------------------------------------------------------------

COST = (
    "Served from cache: False\n"
    "Data processed: n/a (the duckdb engine does not measure it)\n"
    "Data billed: 0.00 B\n"
    "Estimated cost: $0.00\n"
    "\n"
)


def test_exact_table_pip_21_percent(qstore: Path) -> None:
    res = cli_run(qstore, "-pc", "pip==21.*", "pyversion", "version")
    assert res.exit_code == 0, res.output
    assert res.output == COST + (
        "| python_version | version | percent | download_count |\n"
        "| -------------- | ------- | ------- | -------------- |\n"
        "| 3.6            | 21.3.1  |  63.29% |             50 |\n"
        "| 3.8            | 21.3.1  |  15.19% |             12 |\n"
        "| 3.7            | 21.2.1  |   8.86% |              7 |\n"
        "| 3.7            | 21.3.1  |   6.33% |              5 |\n"
        "| 3.8            | 21.0.1  |   3.80% |              3 |\n"
        "| 2.7            | 21.1    |   2.53% |              2 |\n"
        "| Total          |         |         |             79 |\n"
    )


def test_exact_markdown_ci_with_nulls(qstore: Path) -> None:
    res = cli_run(qstore, "-md", "--percent", "pip==21.*", "ci")
    assert res.exit_code == 0, res.output
    assert res.output == COST + (
        "| ci    | percent | download_count |\n"
        "| ----- | ------: | -------------: |\n"
        "| None  |  73.42% |             58 |\n"
        "| True  |  17.72% |             14 |\n"
        "| False |   8.86% |              7 |\n"
        "| Total |         |             79 |\n"
    )


def test_exact_single_row_has_no_total(qstore: Path) -> None:
    res = cli_run(qstore, "pip==21.2.1")
    assert res.output == COST + "| download_count |\n| -------------- |\n|              7 |\n"


def test_exact_json_keeps_types(qstore: Path) -> None:
    obj = as_json(qstore, "-pc", "--all", "pip==21.*", "version", "ci", "-l", "3")
    assert obj["rows"] == [
        # the share of the rows returned (85 + 12 + 7), as pypinfo computes it
        {"ci": None, "download_count": 85, "percent": round(85 / 104, 6), "version": "21.3.1"},
        {"ci": True, "download_count": 12, "percent": round(12 / 104, 6), "version": "21.3.1"},
        {"ci": False, "download_count": 7, "percent": round(7 / 104, 6), "version": "21.2.1"},
    ]
    q = obj["query"]
    assert q["engine"] == "duckdb" and q["sql"].startswith("SELECT ")
    assert (q["bytes_billed"], q["estimated_cost"], q["cached"]) == (0, 0.0, False)
    assert q["bytes_processed"] is None and isinstance(q["elapsed"], float)
    assert (q["start_date"], q["end_date"]) == ("2026-03-02", "2026-03-31")
    assert sorted(obj) == ["last_update", "query", "rows"]
    indented = cli_run(qstore, "-j", "-i", "2", "pip==21.2.1")
    assert indented.output.startswith('{\n  "last_update": ')


def test_exact_csv(qstore: Path) -> None:
    res = cli_run(qstore, "--format", "csv", "pip==21.*", "ci", "country")
    assert res.output == (
        "ci,country,download_count\n,US,50\nTrue,DE,12\n,,8\nFalse,US,7\nTrue,US,2\n"
    )


def test_no_rows_says_so(qstore: Path) -> None:
    res = cli_run(qstore, "pip==99")
    assert res.exit_code == 0 and res.output == "No data returned, check project name\n"
    assert as_json(qstore, "pip==99")["rows"] == []


# -- the 24 fields ----------------------------------------------------------------


def test_every_field_has_pypinfo_meaning(qstore: Path) -> None:
    fields = [
        "project", "version", "file", "pyversion", "impl", "impl-version", "openssl", "date",
        "month", "year", "country", "installer", "installer-version", "setuptools-version",
        "system", "system-release", "distro", "distro-version", "ci", "cpu", "libc",
        "libc-version", "percent3", "percent2",
    ]  # fmt: skip
    res = run_query("pip==21.2.1", fields, month="2026-03")
    assert res.columns == (
        "project", "version", "file", "python_version", "implementation", "impl_version",
        "openssl_version", "download_date", "download_month", "download_year", "country",
        "installer_name", "installer_version", "setuptools_version", "system_name",
        "system_release", "distro_name", "distro_version", "ci", "cpu", "libc_name",
        "libc_version", "percent_3", "percent_2", "download_count",
    )  # fmt: skip
    assert res.rows == (
        (
            "pip", "21.2.1", "pip-21.2.1-py3-none-any.whl", "3.7", "CPython", "3.7", "1.1.1k",
            "2026-03-15", "2026-03", "2026", "US", "pip", "21.3.1", "58.1.0", "Linux",
            "5.15.0-1057-aws", "Ubuntu", "20.04", False, "x86_64", "glibc", "2.31", 100.0, 0.0, 7,
        ),
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _db(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """Library calls in tests that use ``qstore`` read it through ``$TOPPYPI_DB``."""
    if "qstore" in request.fixturenames:
        monkeypatch.setenv("TOPPYPI_DB", str(request.getfixturevalue("qstore")))


def test_percent_fields(qstore: Path) -> None:
    res = run_query("pip==21.*", ["percent3", "percent2"], month="2026-03")
    assert res.columns == ("percent_3", "percent_2", "download_count")
    assert res.rows == ((round(100 * 77 / 79, 1), round(100 * 2 / 79, 1), 79),)


@pytest.mark.parametrize(
    "field",
    [
        "project", "version", "file", "pyversion", "impl", "impl-version", "openssl", "date",
        "month", "year", "country", "installer", "installer-version", "setuptools-version",
        "system", "system-release", "distro", "distro-version", "ci", "cpu", "libc",
        "libc-version",
    ],
)  # fmt: skip
def test_each_field_partitions_the_downloads(
    qstore: Path, events: list[dict[str, Any]], field: str
) -> None:
    """Grouping by any field loses nothing (missing values form one None group)."""
    march = Period.for_month(2026, 3)
    expected = sum(reference(events, (), march, pip_only=False).values())
    res = run_query("", [field], month="2026-03", all_installers=True, limit=0)
    assert sum(int(r[-1]) for r in res.rows) == expected  # type: ignore[arg-type]
    values = [r[0] for r in res.rows]
    assert len(values) == len(set(values))
    assert "" not in values
    if field == "ci":
        assert set(values) == {True, False, None}
    else:
        assert all(v is None or isinstance(v, str) for v in values)
    if field == "date":
        assert values and all(
            v and str(v).startswith("2026-03-") and len(str(v)) == 10 for v in values
        )


# -- filters ----------------------------------------------------------------------


def test_ne_excludes_missing_values(qstore: Path) -> None:
    """``!=`` and ``IN`` never match a missing value, as on BigQuery."""

    def total(where: str) -> int:
        return run_query("pip==21.*", [], month="2026-03", where=where).total

    everything = total("")
    assert everything == 79
    assert total("country=US") == 59
    assert total("country!=US") == 12  # DE only: the 8 with no country are not "!= US"
    assert total("country IN US,DE") == 71
    assert total("ci=true") == 14 and total("ci!=true") == 7 and total("ci=False") == 7
    assert total("ci=TRUE AND country!=DE") == 2
    assert total("project=PIP") == 79  # names are normalised
    assert total("version IN 21.1,21.0.1 AND pyversion=2.7") == 2


def test_version_specifiers_use_pep_440(qstore: Path) -> None:
    def versions(project: str) -> list[str]:
        res = run_query(project, ["version"], month="2026-03", limit=0)
        return sorted(str(r[0]) for r in res.rows)

    assert versions("pip==21.*") == ["21.0.1", "21.1", "21.2.1", "21.3.1"]
    assert versions("pip~=21.2") == ["21.2.1", "21.3.1"]
    assert versions("pip>=21.1,<21.3") == ["21.1", "21.2.1"]
    assert versions("pip==21.1.0") == ["21.1"]  # PEP 440 pads with zeros; SQL would not
    assert versions("pip!=21.3.1,>=21") == ["21.0.1", "21.1", "21.2.1", "22.0.4"]
    assert versions("PIP >= 22") == ["22.0.4"]


def test_order_puts_the_field_first(qstore: Path) -> None:
    res = run_query("pip==21.*", ["version"], month="2026-03", order="pyversion", limit=0)
    assert res.columns == ("python_version", "version", "download_count")
    assert [r[0] for r in res.rows] == ["3.8", "3.8", "3.7", "3.7", "3.6", "2.7"]
    assert run_query("pip==21.*", ["version"], month="2026-03", order="download_count").columns == (
        "version",
        "download_count",
    )


def test_limit_and_all_installers(qstore: Path) -> None:
    assert len(run_query("pip", ["version"], month="2026-03", limit=2).rows) == 2
    pip_only = run_query("pip==21.3.1", [], month="2026-03").total
    every = run_query("pip==21.3.1", ["installer"], month="2026-03", all_installers=True)
    assert pip_only == 67 and every.rows == (("pip", 67), ("uv", 30))


def test_periods_are_pypinfos_in_whole_days() -> None:
    def p(**kw: Any) -> tuple[str, str]:
        per = build_query("", ["project"], today=TODAY, **kw).period
        return per.start.isoformat(), per.end.isoformat()

    assert p() == ("2026-03-02", "2026-03-31")
    assert p(days=5) == ("2026-03-27", "2026-03-31")
    assert p(days=365) == ("2025-04-01", "2026-03-31")
    # -sd -N opens the last N days, as pypinfo's "now - N days": -31 .. -1 is its default 30
    assert p(start_date="-31", end_date="-1") == p() == ("2026-03-02", "2026-03-31")
    assert p(start_date="-10", end_date="-3") == ("2026-03-23", "2026-03-29")
    assert p(start_date="2018-04", end_date="2018-04") == ("2018-04-01", "2018-04-30")
    assert p(start_date="2018-04-01", end_date="2018-04-30") == ("2018-04-01", "2018-04-30")
    assert p(month="2018-04") == ("2018-04-01", "2018-04-30")
    assert p(end_date="2018-04-30") == ("2018-04-01", "2018-04-30")
    assert p(days=3, end_date="-10") == ("2026-03-20", "2026-03-22")


def test_test_prints_sql_without_values(qstore: Path) -> None:
    res = cli_run(qstore, "--test", "-w", "country=ZZ", "pip==21.*", "ci")
    assert res.exit_code == 0
    assert res.output.startswith("SELECT ") and "ZZ" not in res.output
    # the specifier is matched on the client: the SQL groups by version as well
    assert "GROUP BY 1, 2" in res.output and " AS version" in res.output
    assert "21.*" not in res.output


DRY_RUN = (
    "Data processed: n/a (the duckdb engine cannot estimate a query before running it)\n"
    "Data billed: 0.00 B\n"
    "Estimated cost: $0.00\n"
    "Dry run: nothing was run; the duckdb engine is free: nothing is billed.\n"
)


def test_dry_run_on_a_free_engine_costs_nothing_in_query_and_top(qstore: Path) -> None:
    res = cli_run(qstore, "-n", "pip", "version")
    assert res.exit_code == 0
    assert res.output == DRY_RUN
    obj = as_json(qstore, "-n", "pip")
    assert obj == {
        "bytes_billed": 0,
        "bytes_processed": None,
        "can_estimate": False,
        "dry_run": True,
        "engine": "duckdb",
        "estimated_cost": 0.0,
    }
    # `top` behaves the same: exit 0, the same report (it was a usage error there)
    top = CliRunner().invoke(cli, ["top", "--db", str(qstore), "--month", "2026-03", "-n"])
    assert top.exit_code == 0 and top.output == DRY_RUN


def test_no_arguments_prints_help() -> None:
    res = CliRunner().invoke(cli, ["query"])
    assert res.exit_code == 0 and "pip==21.*" in res.output and "libc-version" in res.output


def test_library_export() -> None:
    import toppypi

    assert toppypi.run_query is run_query
    q = build_query("Django", ["pyversion"], today=TODAY)
    assert (q.project, q.limit, str(q.installers)) == ("django", 10, "pip")
    assert execute  # the two-step form: build_query, then execute


# -- injection --------------------------------------------------------------------

INJECTIONS: list[dict[str, Any]] = [
    {"project": "django'; DROP TABLE ingested_files; --"},
    {"project": 'django" OR 1=1 --'},
    {"project": "django' OR '1'='1"},
    {"project": "x UNION SELECT sha256 FROM ingested_files"},
    {"project": "pip==1.0' OR 1=1 --"},
    {"project": "pip==21.*; DELETE FROM ingested_files"},
    {"project": "pip>=1 UNION SELECT 1"},
    {"project": "pip\\'; --"},
    {"project": "pip /* comment */"},
    {"project": "pip==$(rm -rf /)"},
    {"where": "project=x' OR '1'='1"},
    {"where": "country=US; DROP TABLE ingested_files"},
    {"where": "country=US' --"},
    {"where": "project=pip UNION SELECT sha256, 1 FROM ingested_files"},
    {"where": "project IN pip) OR (1=1"},
    {"where": "version=21.3.1\\' OR 1=1"},
    {"where": "country=/* */ US"},
    {"where": "1=1"},
    {"where": "details.ci IS NULL"},
    {"where": "project=pip OR 1=1"},
    {"where": "country = 'US' OR 'a'='a'"},
    {"where": "country LIKE '%'"},
    {"where": "country=US AND 1=1"},
    {"order": "download_count; DROP TABLE ingested_files"},
    {"fields": ["project; DROP TABLE ingested_files"]},
    {"fields": ['country", 1 --']},
]


def _fingerprint(store: Path) -> tuple[Any, ...]:
    from toppypi.engines.duckdb.store import events_dir, store_info

    parquet = sorted((p.name, p.stat().st_size) for p in events_dir(store).iterdir())
    return tuple(store_info(store).values()), tuple(parquet)


def test_injection_is_refused_or_plain_value(qstore: Path) -> None:
    before = _fingerprint(qstore)
    baseline = run_query("pip", ["country"], month="2026-03").rows
    outcomes = []
    for attempt in INJECTIONS:
        kwargs = {"project": "pip", "fields": ["country"], **attempt}
        try:
            res = run_query(kwargs.pop("project"), kwargs.pop("fields"), month="2026-03", **kwargs)
        except ToppypiError as exc:
            assert "\n" not in str(exc)
            outcomes.append("refused")
        else:
            assert res.rows == (), attempt  # a plain value that matches nothing
            outcomes.append("empty")
    assert len(INJECTIONS) >= 20 and "refused" in outcomes and "empty" in outcomes
    assert _fingerprint(qstore) == before
    assert run_query("pip", ["country"], month="2026-03").rows == baseline


# -- one-line errors --------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["django", "nosuchfield"], "unknown field 'nosuchfield'"),
        (["--start-date", "2026-02-30", "django"], "not a valid day"),
        (["--start-date", "yesterday", "django"], "not of the form"),
        (["--start-date", "2026-03-10", "--end-date", "2026-03-01", "django"], "before it starts"),
        (["--month", "2026-13", "django"], "not between 01 and 12"),
        (["--month", "2026-03", "--days", "3", "django"], "cannot be combined"),
        (["-w", "country LIKE 'U%'", "django"], "field=value, field!=value or field IN a,b"),
        (["-w", "ci=maybe", "django"], "ci is true or false"),
        (["-o", "nonsense", "django"], "cannot order by"),
        (["django'; --"], "PEP 508"),
        (["pip==21.*", "-j", "--format", "csv"], "conflicts"),
    ],
)
def test_bad_input_is_one_line(qstore: Path, args: list[str], message: str) -> None:
    from tests.conftest import run_cli

    proc = run_cli("query", "--db", str(qstore), *args)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert message in proc.stderr


def test_unsupported_field_refused_before_any_network(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    # An unroutable server: were anything sent, the error would be a connection error.
    proc = run_cli("query", "--source", "clickhouse+http://192.0.2.1:9/", "django", "ci")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "cannot group by field 'ci'" in proc.stderr and "duckdb" in proc.stderr


def _never_opened(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("the engine was opened for a query it cannot answer")


def test_capabilities_refuse_before_the_engine_opens(monkeypatch: pytest.MonkeyPatch) -> None:
    """A query an engine cannot answer is refused from its static capabilities alone."""
    from toppypi.engines import catalog, registry
    from toppypi.engines.capabilities import Capabilities
    from toppypi.engines.options import OPTIONS, DuckDBOptions
    from toppypi.errors import UnsupportedQuery
    from toppypi.model.query import Field

    limited = Capabilities(
        name="limited", display_name="Limited", dimensions=frozenset({Field.PROJECT, Field.COUNTRY})
    )
    monkeypatch.setitem(catalog.CATALOG, "limited", limited)
    monkeypatch.setitem(registry._FACTORIES, "limited", f"{__name__}:_never_opened")
    monkeypatch.setitem(OPTIONS, "limited", DuckDBOptions)
    with pytest.raises(
        UnsupportedQuery, match=r"limited engine cannot group by field 'ci'.*duckdb"
    ):
        run_query("django", ["ci"], source="limited", today=TODAY)
    q = build_query("django", ["ci"], today=TODAY)
    with pytest.raises(UnsupportedQuery, match="cannot group by field 'ci'"):
        query_sql(q, "limited")  # --test too
    with pytest.raises(AssertionError, match="was opened"):  # an answerable query does open it
        run_query("django", ["country"], source="limited", today=TODAY)


# -- pypinfo's relative dates ----------------------------------------------------------


@pytest.fixture(scope="module")
def september(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding September 2026, every day of it."""
    d = tmp_path_factory.mktemp("september")
    events = d / "2026-09.parquet"
    write_sample(SampleSpec(Period.for_month(2026, 9), events=6_000, projects=200, seed=3), events)
    db = d / "store.duckdb"
    ingest(db, [events])
    return db


def test_relative_dates_count_whole_days_as_pypinfo(september: Path) -> None:
    """``-sd -10 -ed -3`` is 7 days, and ``-sd -31 -ed -1`` is the default 30."""
    from tests.conftest import run_cli

    def dates(*args: str) -> list[dict[str, Any]]:
        proc = run_cli(
            "query", "--db", str(september), "--today", "2026-10-01", "-j", *args, "", "date"
        )
        assert proc.returncode == 0, proc.stderr
        rows: list[dict[str, Any]] = json.loads(proc.stdout)["rows"]
        return rows

    week = dates("-sd", "-10", "-ed", "-3", "--all", "-l", "0")
    assert sorted(r["download_date"] for r in week) == [f"2026-09-{d}" for d in range(22, 29)]
    assert len(week) == 7
    month = dates("-sd", "-31", "-ed", "-1", "--all", "-l", "0")
    assert len(month) == 30 and month == dates("--all", "-l", "0")
    proc = run_cli(
        "query", "--db", str(september), "--today", "2026-10-01", "-sd", "-10", "-ed", "-3",
        "--all", "-l", "0", "", "date",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    body = proc.stdout.splitlines()[7:]  # after the cost lines, a blank line and the header
    assert len(body) == 7 + 1 and body[-1].startswith("| Total ")
