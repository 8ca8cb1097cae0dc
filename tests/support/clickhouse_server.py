"""A real ClickHouse server on 127.0.0.1 for the tests and benchmarks.

The server gets a temporary config, data directory and free ports, and is
stopped by its own process id. Its ClickPy tables are loaded from the same
sample events as the DuckDB ``store`` fixture, aggregated by DuckDB with the
reference field meanings, ``NULL`` stored as ClickPy's ``''``.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from toppypi.engines.clickhouse.tables import TABLES, Table
from toppypi.engines.duckdb.fields import RAW_FIELDS

DATABASE = "pypi"

# ``reader`` may not change any setting (readonly=1), like a public demo user;
# ``numbers`` too, and its server-side profile writes 64-bit integers unquoted in JSON.
READONLY_USER = "reader"
UNQUOTED_USER = "numbers"
USERS_XML = """<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage></default>
    <readonly><readonly>1</readonly><max_memory_usage>4000000000</max_memory_usage></readonly>
    <unquoted><readonly>1</readonly>
      <output_format_json_quote_64bit_integers>0</output_format_json_quote_64bit_integers>
    </unquoted>
  </profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default>
    <reader><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>readonly</profile><quota>default</quota></reader>
    <numbers><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>unquoted</profile><quota>default</quota></numbers></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time>
  </interval></default></quotas>
</yandex>
"""

CONFIG_XML = """<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>{d}/server.log</log><errorlog>{d}/error.log</errorlog>
    <size>10M</size><count>1</count></logger>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>{d}/data/</path>
  <tmp_path>{d}/tmp/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>67108864</mark_cache_size>
  <max_concurrent_queries>32</max_concurrent_queries>
</yandex>
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_binary() -> str | None:
    return shutil.which("clickhouse-server") or (
        "/usr/sbin/clickhouse-server" if os.path.exists("/usr/sbin/clickhouse-server") else None
    )


def require_binary() -> str:
    """The server binary; missing is a skip locally and a failure in CI."""
    binary = server_binary()
    if binary is None:
        msg = "clickhouse-server is not installed (apt-get install clickhouse-server)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return binary


class ClickHouseServer:
    def __init__(self, binary: str, workdir: Path) -> None:
        self.workdir = workdir
        self.http_port = free_port()
        self.tcp_port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "users.xml").write_text(USERS_XML)
        config = workdir / "config.xml"
        config.write_text(CONFIG_XML.format(d=workdir, http=self.http_port, tcp=self.tcp_port))
        self.proc = subprocess.Popen(
            [binary, f"--config-file={config}"],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "stderr.log").open("wb"),
            start_new_session=True,
        )
        self.http = httpx.Client(base_url=self.url, timeout=120)
        self._wait()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def source(self) -> str:
        return self.source_for("default")

    def source_for(self, user: str) -> str:
        return f"clickhouse+http://127.0.0.1:{self.http_port}/?user={user}"

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = (self.workdir / "stderr.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"clickhouse-server exited: {log}")
            try:
                if self.http.get("/ping").text.strip() == "Ok.":
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("clickhouse-server did not answer /ping within 60 s")

    def execute(self, sql: str, body: bytes | None = None) -> str:
        """Run a statement; ``body`` is sent after the SQL (INSERT ... FORMAT X data)."""
        if body is None:
            resp = self.http.post("/", content=sql.encode())
        else:
            resp = self.http.post("/", params={"query": sql}, content=body)
        if resp.status_code != 200:
            raise RuntimeError(f"{resp.status_code}: {resp.text[:500]}")
        return resp.text

    def stop(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


# Loading ClickPy's tables from sample events ------------------------------------


def _tsv(value: object) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def table_select(table: Table, relation: str) -> str:
    """DuckDB SQL aggregating raw events into one ClickPy table, '' for NULL."""
    time_col = (
        "date_trunc('month', \"timestamp\")::DATE"
        if table.grain == "month"
        else 'CAST("timestamp" AS DATE)'
    )
    cols = [time_col]
    for fld, _ in table.columns:
        cols.append(f"COALESCE({RAW_FIELDS[fld]}, '')")
    cols += ["COALESCE(\"file\".type, '')" for _ in table.extra]
    keys = ", ".join(str(i + 1) for i in range(len(cols)))
    return f"SELECT {', '.join(cols)}, COUNT(*) FROM {relation} GROUP BY {keys}"


def create_tables(server: ClickHouseServer) -> None:
    server.execute(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    for table in TABLES:
        server.execute(table.ddl(DATABASE))


def load_events(server: ClickHouseServer, parquet_files: list[Path]) -> None:
    """Fill every ClickPy table the planner uses from raw events in BigQuery's schema."""
    import duckdb

    create_tables(server)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    files = ", ".join(f"'{p}'" for p in parquet_files)
    relation = f"read_parquet([{files}])"
    for table in TABLES:
        rows = con.execute(table_select(table, relation)).fetchall()
        body = "".join("\t".join(_tsv(v) for v in r) + "\n" for r in rows).encode()
        server.execute(f"INSERT INTO {DATABASE}.{table.name} FORMAT TabSeparated", body)
        server.execute(f"OPTIMIZE TABLE {DATABASE}.{table.name} FINAL")
    con.close()


@pytest.fixture(scope="session")
def clickhouse_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClickHouseServer]:
    binary = require_binary()
    server = ClickHouseServer(binary, tmp_path_factory.mktemp("clickhouse"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def clickhouse_source(clickhouse_server: ClickHouseServer, events_dir: Path) -> str:
    """A ``--source`` for a real server holding the sample events as ClickPy tables."""
    load_events(clickhouse_server, sorted(events_dir.glob("*.parquet")))
    return clickhouse_server.source
