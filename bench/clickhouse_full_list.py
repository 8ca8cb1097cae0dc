"""Peak memory of the full-list export from a real ClickHouse server (800k projects).

One command: ``uv run python bench/clickhouse_full_list.py [--projects N]``.
It starts a local clickhouse-server, fills ``pypi.pypi_downloads_per_month``
with N projects for one month (INSERT ... SELECT from ``numbers()``), then runs
each export in a child process and reads the child's peak RSS (ru_maxrss):

- ``top --limit 0 --format csv.gz`` and ``--format parquet``: the streamed path;
- ``update --publish`` with ``$SOURCE_DATE_EPOCH`` set (reproducible runs once
  wrapped the engine and lost its streaming): the month, its full list, the
  site, the notes, one commit and one tag, into a dataset made by ``init``;
- a naive baseline in the same run: ``engine.run`` collects every row from a
  ``FORMAT JSON`` reply, then the whole dump is rendered in memory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.clickhouse_server import (  # noqa: E402
    DATABASE,
    ClickHouseServer,
    create_tables,
    server_binary,
)

LIMIT_MB = 300

NAIVE = """
import sys
from pathlib import Path
from toppypi.engines.registry import open_engine
from toppypi.formats import DumpFormat
from toppypi.formats.encode import encode
from toppypi.model.period import Period
from toppypi.operations.top import TopOptions, rank

engine = open_engine(sys.argv[1])
ranking = rank(engine, TopOptions(Period.for_month(2026, 3), limit=None))
Path(sys.argv[2]).write_bytes(encode(ranking, DumpFormat.CSV_GZ))
"""


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=800_000)
    args = parser.parse_args()
    binary = server_binary()
    if binary is None:
        raise SystemExit("clickhouse-server is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = ClickHouseServer(binary, work / "server")
        try:
            create_tables(server)
            server.execute(
                f"INSERT INTO {DATABASE}.pypi_downloads_per_month "  # noqa: S608
                "SELECT toDate('2026-03-01'), concat('project-', toString(number)), "
                "toInt64(intDiv(2000000000, number + 1) + 1) "
                f"FROM numbers({args.projects})"
            )
            source = server.source
            py = sys.executable

            def top(fmt: str) -> list[str]:
                return [
                    *(py, "-m", "toppypi", "top", "--source", source, "--month", "2026-03"),
                    *("--limit", "0", "--format", fmt, "-o", str(work / f"all.{fmt}")),
                ]

            runs = [
                ("stream csv.gz", top("csv.gz")),
                ("stream parquet", top("parquet")),
                ("naive collect-all csv.gz", [py, "-c", NAIVE, source, str(work / "naive.csv.gz")]),
                (
                    "python + imports only",
                    [py, "-c", "import toppypi.formats.stream, pyarrow.parquet, httpx, tenacity"],
                ),
            ]
            rows = []
            for name, cmd in runs:
                secs, mb = measure(cmd)
                rows.append((name, secs, mb))
            ds = work / "dataset"
            env = {
                **os.environ,
                "SOURCE_DATE_EPOCH": "1775001600",
                "GIT_CONFIG_GLOBAL": os.devnull,
            }
            subprocess.run(
                [py, "-m", "toppypi", "init", str(ds), "--source", source],
                check=True, capture_output=True, env=env,
            )  # fmt: skip
            publish = [
                *(py, "-m", "toppypi", "update", "--dataset", str(ds), "--month", "2026-03"),
                *("--publish", "--force", "--no-year-list"),
            ]
            secs, mb = measure(publish, env)
            rows.append(("stream update --publish, SOURCE_DATE_EPOCH", secs, mb))
            archived = ds / "archive" / "2026-03" / "top-pypi-packages-all.csv.gz"
            same_archive = archived.read_bytes() == (work / "naive.csv.gz").read_bytes()
            same = (work / "all.csv.gz").read_bytes() == (work / "naive.csv.gz").read_bytes()
        finally:
            server.stop()
    print(f"full list of {args.projects:,} projects from clickhouse-server 18.16 on 127.0.0.1")
    print(f"| {'export':<44} | {'seconds':>7} | {'peak RSS MB':>11} |")
    print(f"|{'-' * 46}|{'-' * 8}:|{'-' * 12}:|")
    for name, secs, mb in rows:
        print(f"| {name:<44} | {secs:>7.1f} | {mb:>11.0f} |")
    print(f"streamed csv.gz identical to the naive one: {same}")
    print(f"the published full list has the same rows: {same_archive}")
    stream_peak = max(mb for name, _, mb in rows if name.startswith("stream"))
    verdict = "OK" if stream_peak <= LIMIT_MB else "OVER"
    print(f"streamed peak {stream_peak:.0f} MB vs limit {LIMIT_MB} MB: {verdict}")
    if stream_peak > LIMIT_MB or not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
