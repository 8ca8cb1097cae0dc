"""The BigQuery client path and the cost guard, through a fake ``bigquery.Client``.

The fake stands at the google client boundary only (Google's service cannot run
here, and the PyPI emulators cannot serve dry-run estimates or enforce
``maximum_bytes_billed``): it receives the real library's ``QueryJobConfig``,
runs the SQL on the sample events, prices dry runs by the columns read, and
fails a job over its cap as BigQuery does. Everything above it is real.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import bigquery

from tests.support.bigquery_support import BigQueryTable, FakeBigQueryClient
from toppypi.cli import main
from toppypi.engines.bigquery import client as client_module
from toppypi.engines.bigquery.client import BigQueryClient, connect, credentials_path
from toppypi.engines.bigquery.engine import BigQueryEngine
from toppypi.engines.bigquery.guard import (
    MIB,
    TIB,
    CostPolicy,
    CostRefused,
    billed_bytes,
    parse_bytes,
)
from toppypi.engines.bigquery.ledger import Ledger
from toppypi.engines.bigquery.sql import build
from toppypi.engines.duckdb import DuckDBEngine
from toppypi.errors import EngineError, UsageError
from toppypi.model.period import Period
from toppypi.model.query import Field, Query
from toppypi.operations.top import TopOptions, ranking_from_result

pytestmark = pytest.mark.bigquery

MARCH = Period.for_month(2026, 3)
TWO_MONTHS = Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31))
APRIL = dt.datetime(2026, 4, 3, 12, 0, tzinfo=dt.UTC)
WIDE = Query(
    period=TWO_MONTHS,
    dimensions=(Field.FILE, Field.SYSTEM_RELEASE, Field.DISTRO, Field.OPENSSL, Field.CPU),
    limit=10,
)


@pytest.fixture(scope="module")
def table(events_dir: Path) -> BigQueryTable:
    return BigQueryTable(events_dir)


@pytest.fixture
def fake(table: BigQueryTable) -> FakeBigQueryClient:
    return FakeBigQueryClient(table)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    return Ledger(tmp_path / "ledger.json")


def _engine(fake: FakeBigQueryClient, ledger: Ledger, **policy: Any) -> BigQueryEngine:
    return BigQueryEngine(
        "test-proj",
        client=BigQueryClient(fake),
        ledger=ledger,
        policy=CostPolicy(**policy),
        clock=lambda: APRIL,
    )


def _key(path: Path, project: str = "key-proj") -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    info = {
        "type": "service_account",
        "project_id": project,
        "private_key_id": "0123",
        "private_key": pem,
        "client_email": f"toppypi@{project}.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path.write_text(json.dumps(info))
    return path


# the client path -------------------------------------------------------------


def test_top_n_through_the_client(fake: FakeBigQueryClient, ledger: Ledger, store: Path) -> None:
    query = Query(period=MARCH, limit=50)
    result = _engine(fake, ledger).run(query)
    expected = DuckDBEngine(store).run(query)
    assert result.rows == expected.rows

    dry, real = fake.calls
    assert dry.dry_run and not dry.config.use_query_cache
    assert not real.dry_run and real.config.maximum_bytes_billed == TIB
    assert dry.sql == real.sql == build(query).sql
    scanned = fake.table.scanned_bytes(real.sql)
    prov = result.provenance
    assert (prov.bytes_processed, prov.bytes_billed) == (scanned, billed_bytes(scanned))
    assert prov.estimated_cost == pytest.approx(billed_bytes(scanned) / TIB * 6.25)
    assert prov.rows_before_limit == expected.provenance.rows_before_limit > 2900

    snap = ranking_from_result(result, TopOptions(MARCH, 50), _engine(fake, ledger))
    assert snap.envelope.query == {
        "bytes_billed": billed_bytes(scanned),
        "bytes_processed": scanned,
        "cached": False,
        "estimated_cost": "0.00",
    }


def test_parameters_reach_the_client_as_query_parameters(
    fake: FakeBigQueryClient, ledger: Ledger, store: Path
) -> None:
    query = Query(period=MARCH, dimensions=(Field.COUNTRY,), project="Boto3", limit=5)
    _engine(fake, ledger).run(query)
    (param,) = fake.jobs[0].config.query_parameters
    assert isinstance(param, bigquery.ScalarQueryParameter)
    assert (param.name, param.type_, param.value) == ("p0", "STRING", "boto3")
    assert "boto3" not in fake.jobs[0].sql


def test_a_version_specifier_is_one_billed_job(
    fake: FakeBigQueryClient, ledger: Ledger, store: Path
) -> None:
    query = Query(period=MARCH, dimensions=(Field.VERSION,), project="numpy", version=">=3")
    result = _engine(fake, ledger).run(query)
    assert sorted(r[0] for r in result.rows) == ["3.0.0", "3.1.0"]
    assert result.rows == DuckDBEngine(store).run(query).rows
    # One dry run, one job: no second job listing the versions first.
    assert [c.dry_run for c in fake.calls] == [True, False]
    (job,) = fake.jobs
    (param,) = job.config.query_parameters
    assert (param.name, param.value) == ("p0", "numpy")
    assert job.config.maximum_bytes_billed == TIB
    assert ledger.usage("2026-04").queries == 1
    assert result.provenance.bytes_billed == billed_bytes(fake.table.scanned_bytes(job.sql))


def test_a_version_specifier_reads_no_more_than_the_same_query_without_it(
    fake: FakeBigQueryClient, ledger: Ledger
) -> None:
    # Grouping by version reads file.version, which the specifier's filter reads anyway.
    with_spec = Query(period=MARCH, dimensions=(Field.COUNTRY,), project="numpy", version="==2.*")
    by_version = Query(period=MARCH, dimensions=(Field.COUNTRY, Field.VERSION), project="numpy")
    assert fake.table.scanned_bytes(build(with_spec).sql) == fake.table.scanned_bytes(
        build(by_version).sql
    )


def test_freshness_is_a_free_metadata_call(fake: FakeBigQueryClient, ledger: Ledger) -> None:
    assert _engine(fake, ledger).freshness() == dt.date(2026, 4, 1)
    assert fake.calls == []


def test_the_service_fails_a_job_over_its_cap(fake: FakeBigQueryClient) -> None:
    st = build(WIDE)
    with pytest.raises(EngineError, match=r"^BigQuery: Query exceeded limit for bytes billed"):
        BigQueryClient(fake).run(st, maximum_bytes_billed=10 * MIB)


# credentials ----------------------------------------------------------------


def test_missing_credentials_say_what_to_do(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    with pytest.raises(UsageError, match=r"pass --credentials FILE .* or set GOOGLE_APP"):
        credentials_path(None)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "does not exist"),
        ("not json", "is not readable JSON"),
        ('["a list"]', "is not a Google credentials file"),
        ('{"type": "external_account"}', "holds 'external_account' credentials; use a service"),
    ],
)
def test_bad_credentials_files(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "key.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(UsageError, match=message):
        credentials_path(path)


def test_a_broken_key_is_one_line_and_never_printed(tmp_path: Path) -> None:
    secret = "-----BEGIN PRIVATE KEY-----\nTOPSECRETMATERIAL\n-----END PRIVATE KEY-----\n"
    path = tmp_path / "key.json"
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "p",
                "private_key": secret,
                "client_email": "a@p.iam.gserviceaccount.com",
                "token_uri": "https://oauth2.googleapis.com/token",
            }
        )
    )
    with pytest.raises(UsageError) as err:
        connect(None, path)
    text = str(err.value)
    assert "\n" not in text and "TOPSECRET" not in text
    assert "could not be loaded as Google credentials" in text


def test_a_real_key_builds_the_real_client_without_network(tmp_path: Path) -> None:
    key = _key(tmp_path / "key.json")
    client = connect(None, key)
    assert isinstance(client.google, bigquery.Client)
    assert client.google.project == "key-proj"
    assert connect("my-project", key).google.project == "my-project"


# the guard -------------------------------------------------------------------


def test_over_the_cap_is_refused_before_any_job(fake: FakeBigQueryClient, ledger: Ledger) -> None:
    est = _engine(fake, ledger).estimate(WIDE)
    assert est.bytes_billed > 20 * MIB
    fake.calls.clear()
    cap = est.bytes_billed - MIB
    with pytest.raises(CostRefused) as err:
        _engine(fake, ledger, max_bytes=cap).run(WIDE)
    msg = str(err.value)
    assert msg.startswith("refused before running: the dry run estimates ")
    assert f"({est.bytes_processed:,} bytes" in msg
    assert "over --max-bytes" in msg
    assert fake.jobs == [] and len(fake.calls) == 1
    assert ledger.months() == []


def test_over_the_monthly_budget_is_refused(fake: FakeBigQueryClient, ledger: Ledger) -> None:
    ledger.record(TIB - 5 * MIB, TIB - 5 * MIB, cached=False, month="2026-04")
    with pytest.raises(CostRefused, match=r"over the 5\.00 MiB left of the 1\.00 TiB budget"):
        _engine(fake, ledger).run(Query(period=MARCH, limit=5))
    assert fake.jobs == []
    # Last month's spending does not count against this month.
    ledger2 = Ledger(ledger.path.with_name("other.json"))
    ledger2.record(TIB, TIB, cached=False, month="2026-03")
    _engine(fake, ledger2).run(Query(period=MARCH, limit=5))
    assert len(fake.jobs) == 1


def test_the_ledger_adds_up_across_runs(fake: FakeBigQueryClient, ledger: Ledger) -> None:
    query = Query(period=MARCH, limit=5)
    for _ in range(3):
        _engine(fake, Ledger(ledger.path)).run(query)
    billed = billed_bytes(fake.table.scanned_bytes(build(query).sql))
    usage = ledger.usage("2026-04")
    assert (usage.queries, usage.bytes_billed) == (3, 3 * billed)
    caps = [c.config.maximum_bytes_billed for c in fake.jobs]
    assert caps == [TIB, TIB - billed, TIB - 2 * billed]
    assert json.loads(ledger.path.read_text())["months"]["2026-04"]["bytes_billed"] == 3 * billed


def test_max_bytes_is_the_cap_when_smaller_than_the_budget(
    fake: FakeBigQueryClient, ledger: Ledger
) -> None:
    _engine(fake, ledger, max_bytes=200 * MIB).run(Query(period=MARCH, limit=5))
    assert [c.config.maximum_bytes_billed for c in fake.jobs] == [200 * MIB]


def test_sizes_parse() -> None:
    assert parse_bytes("1TiB") == TIB
    assert parse_bytes("500 MiB") == 500 * MIB
    assert parse_bytes("1.5TB") == 1_500_000_000_000
    assert parse_bytes("1000") == 1000
    with pytest.raises(UsageError, match="cannot read 'lots'"):
        parse_bytes("lots")


# the command line ------------------------------------------------------------


@pytest.fixture
def cli_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeBigQueryClient
) -> FakeBigQueryClient:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(_key(tmp_path / "key.json")))
    monkeypatch.setenv("TOPPYPI_BIGQUERY_LEDGER", str(tmp_path / "ledger.json"))
    monkeypatch.setattr(client_module, "new_google_client", lambda project, creds: fake)
    return fake


def _main(*args: str) -> int:
    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


TOP = ("top", "--source", "bigquery:test-proj", "--month", "2026-03", "--limit", "5")


def test_cli_dry_run_runs_nothing(
    cli_env: FakeBigQueryClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(*TOP, "--dry-run") == 0
    out = capsys.readouterr().out
    processed = cli_env.table.scanned_bytes(cli_env.calls[0].sql)
    billed = billed_bytes(processed)
    assert out == (
        f"Data processed: {processed / MIB:.2f} MiB ({processed:,} bytes)\n"
        f"Data billed: {billed / MIB:.2f} MiB\n"
        "Estimated cost: $0.01\n"
        "Dry run: nothing was run; within the limits (maximum_bytes_billed 1.00 TiB, "
        "1.00 TiB left of 1.00 TiB for 2026-04 at $6.25/TiB).\n"
    ).replace("2026-04", dt.datetime.now(dt.UTC).strftime("%Y-%m"))
    assert cli_env.jobs == [] and len(cli_env.calls) == 1
    assert _main(*TOP, "--dry-run", "--format", "json") == 0
    est = json.loads(capsys.readouterr().out)
    assert est["engine"] == "bigquery" and est["bytes_processed"] == processed
    assert est["dry_run"] is True and est["can_estimate"] is True
    assert est["budget"] == TIB and est["maximum_bytes_billed"] == TIB
    assert est["bytes_billed"] == billed
    # `query` prints the same report for the same engine
    assert _main("query", "--source", "bigquery:test-proj", "-m", "2026-03", "--all",
                 "-l", "15000", "-n", "", "project") == 0  # fmt: skip
    assert capsys.readouterr().out == out


def test_cli_refusal_exits_non_zero_with_the_estimate(
    cli_env: FakeBigQueryClient, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _main(*TOP, "--max-bytes", "1MiB") == 8
    err = capsys.readouterr().err
    assert err.startswith("toppypi: error: refused before running: the dry run estimates ")
    assert err.count("\n") == 1 and "over --max-bytes 1.00 MiB" in err
    assert cli_env.jobs == []


def test_cli_run_records_and_usage_shows_it(
    cli_env: FakeBigQueryClient, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    out = tmp_path / "top.json"
    assert _main(*TOP, "--format", "json", "-o", str(out)) == 0
    assert _main(*TOP, "--budget", "2TiB", "--price-per-tib", "5") == 0
    err = capsys.readouterr().err
    assert "BigQuery: estimate " in err and "running with maximum_bytes_billed 1.00 TiB" in err
    dump = json.loads(out.read_text())
    assert list(dump) == ["last_update", "query", "rows"]
    assert list(dump["query"]) == ["bytes_billed", "bytes_processed", "cached", "estimated_cost"]
    assert [r["project"] for r in dump["rows"]][:1] == ["boto3"]
    billed = dump["query"]["bytes_billed"]
    caps = [c.config.maximum_bytes_billed for c in cli_env.jobs]
    assert caps == [TIB, 2 * TIB - billed]  # the second run had --budget 2TiB

    assert _main("bigquery", "usage", "--json") == 0
    usage = json.loads(capsys.readouterr().out)
    (month,) = usage["months"]
    assert month["queries"] == 2
    assert month["bytes_billed"] == 2 * dump["query"]["bytes_billed"]
    assert _main("bigquery", "usage") == 0
    table_out = capsys.readouterr().out
    assert month["month"] in table_out and "20.00 MiB" in table_out


def test_cli_update_writes_the_pypinfo_layout(
    cli_env: FakeBigQueryClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ds = tmp_path / "dataset"
    args = ("update", "--dataset", str(ds), "--month", "2026-03", "--limit", "100")
    assert _main(*args, "--source", "bigquery:test-proj") == 0
    dump = ds / "archive" / "2026-03" / "top-pypi-packages.json"
    obj = json.loads(dump.read_text())
    assert list(obj) == ["last_update", "query", "rows"] and len(obj["rows"]) == 100
    first = dump.read_bytes()
    assert _main(*args, "--source", "bigquery:test-proj") == 0
    assert dump.read_bytes() == first  # a rerun changes no byte
    assert "unchanged" in capsys.readouterr().err
    assert _main(*args, "--source", "bigquery:test-proj", "--dry-run") == 0
    assert capsys.readouterr().out.startswith("Data processed: ")


def test_concurrent_runs_add_up_in_the_ledger(ledger: Ledger) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def add(_: int) -> None:
        Ledger(ledger.path).record(10 * MIB, 9 * MIB, cached=False, month="2026-04")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, range(16)))
    usage = ledger.usage("2026-04")
    assert (usage.queries, usage.bytes_billed, usage.bytes_processed) == (16, 160 * MIB, 144 * MIB)


def test_cli_without_credentials_is_one_line(tmp_path: Path) -> None:
    import os

    from tests.conftest import run_cli

    env = {k: v for k, v in os.environ.items() if k != "GOOGLE_APPLICATION_CREDENTIALS"}
    env["TOPPYPI_BIGQUERY_LEDGER"] = str(tmp_path / "ledger.json")
    res = run_cli("top", "--source", "bigquery:p", "--month", "2026-03", env=env)
    assert res.returncode == 2
    assert res.stderr == (
        "toppypi: error: no BigQuery credentials: pass --credentials FILE (a service-account "
        "JSON key with BigQuery Job User) or set GOOGLE_APPLICATION_CREDENTIALS\n"
    )


@pytest.mark.parametrize("limit", ["budget", "max_bytes"])
def test_a_version_specifier_over_a_limit_bills_nothing(
    fake: FakeBigQueryClient, ledger: Ledger, limit: str
) -> None:
    query = Query(period=MARCH, dimensions=(Field.VERSION,), project="numpy", version=">=2")
    est = _engine(fake, ledger).estimate(query)
    fake.calls.clear()
    policy = {"budget" if limit == "budget" else "max_bytes": est.bytes_billed - MIB}
    with pytest.raises(CostRefused, match="refused before running"):
        _engine(fake, ledger, **policy).run(query)
    assert fake.jobs == []
    assert ledger.months() == []
    fake.calls.clear()
    _engine(fake, ledger, **{k: v + MIB for k, v in policy.items()}).run(query)
    assert [c.dry_run for c in fake.calls] == [True, False]
    assert all(c.config.maximum_bytes_billed for c in fake.jobs)


def test_a_twelve_month_list_is_priced_and_refused_naming_the_months(
    fake: FakeBigQueryClient, ledger: Ledger
) -> None:
    # The 12 complete months before April 2026; the sample holds the last two of them.
    year = Period.last_12_months(dt.date(2026, 4, 2))
    query = Query(period=year, limit=15000)
    month_bytes = _engine(fake, ledger).estimate(Query(period=MARCH, limit=15000))
    est = _engine(fake, ledger).estimate(query)
    assert est.bytes_processed >= month_bytes.bytes_processed
    fake.calls.clear()
    with pytest.raises(CostRefused) as err:
        _engine(fake, ledger, budget=est.bytes_billed - MIB).run(query)
    msg = str(err.value)
    assert "for a period of 12 months: about 12x a month's bytes" in msg
    assert msg.startswith("refused before running: the dry run estimates ")
    assert fake.jobs == [] and ledger.months() == []
    # allowed by the budget, it runs as one capped job
    result = _engine(fake, ledger, budget=est.bytes_billed).run(query)
    assert len(fake.jobs) == 1 and result.rows


@pytest.mark.parametrize(
    "project", ["../other/queries", "a b", "x'; DROP", "proj/../../x", "p?q=1", "p#x", "UPPER"]
)
def test_a_malformed_project_id_is_refused_before_anything(tmp_path: Path, project: str) -> None:
    import os

    from tests.conftest import run_cli

    env = {k: v for k, v in os.environ.items() if k != "GOOGLE_APPLICATION_CREDENTIALS"}
    env["TOPPYPI_BIGQUERY_LEDGER"] = str(tmp_path / "ledger.json")
    res = run_cli("top", "--source", f"bigquery:{project}", "--month", "2026-03", "--test", env=env)
    assert res.returncode == 2, res.stdout
    assert res.stderr.startswith("toppypi: error: ") and "project id" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("project", ["my-project-123", "example.com:my-project", "abcdef"])
def test_well_formed_project_ids_pass(project: str) -> None:
    from toppypi.engines.bigquery import open_engine

    assert open_engine(f"bigquery:{project}").project == project


def test_a_job_in_flight_elsewhere_counts_against_the_budget(
    fake: FakeBigQueryClient, ledger: Ledger
) -> None:
    # Two runs at once both read the same "spent" and could each bill what was
    # left. An approved job holds a reservation in the ledger until it is recorded.
    import subprocess
    import sys

    query = Query(period=MARCH, limit=5)
    billed = _engine(fake, ledger).estimate(query).bytes_billed
    budget = 2 * billed - MIB  # room for one job, not two
    approved = ledger.reserve(billed, month="2026-04")  # another run's job, in flight
    with pytest.raises(CostRefused, match="refused before running"):
        _engine(fake, ledger, budget=budget).run(query)
    assert fake.jobs == []
    ledger.release(approved)
    _engine(fake, ledger, budget=budget).run(query)
    assert len(fake.jobs) == 1
    assert ledger.usage("2026-04").bytes_billed == billed
    # a reservation left by a process that died does not hold the budget
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    ledger.reserve(10 * TIB, month="2026-05", pid=int(dead.stdout))
    assert ledger.spent("2026-05") == 0
