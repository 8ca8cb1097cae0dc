"""Access-log ingest against linehaul's parser called per line, in the same run.

    uv run python bench/ingest_logs.py [--downloads 600000]

The log is ``toppypi sample``'s nginx access log of a private index: pip and
uv User-Agents as logged (about 700 bytes a line), index pages, HEADs, 304s,
404s and range requests around the downloads. The baseline is the naive
parser: split each line in Python, parse its User-Agent with linehaul and its
file name with packaging, line by line (measured on the first ``--baseline``
lines). Ours is the whole ``ingest`` into a fresh store: reading, counting,
raw events and roll-ups, plain and gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import tempfile
import time
from contextlib import suppress
from pathlib import Path

from toppypi.engines.duckdb.store import ingest
from toppypi.logs.agents import unescape
from toppypi.logs.files import parse_filename, url_path
from toppypi.logs.lines import parse_line
from toppypi.model.period import Period
from toppypi.sample import SampleSpec
from toppypi.sample_log import write_sample_log


def baseline(path: Path, limit: int) -> tuple[int, float]:
    """linehaul per line: no cache, as a straightforward log parser would call it."""
    import logging

    from linehaul.ua import parser

    logging.getLogger("linehaul").disabled = True
    n = 0
    t0 = time.perf_counter()
    with path.open("rb") as fh:
        for raw in fh:
            n += 1
            text = raw.decode("utf-8", "replace").rstrip("\n")
            line = parse_line(text)
            if line is not None and line.method == "GET" and 200 <= line.status < 300:
                parse_filename.__wrapped__(url_path(line.target or "").rsplit("/", 1)[-1])
                with suppress(Exception):  # unknown agents count too
                    parser.parse(unescape(line.agent or ""))
            if n == limit:
                break
    return n, time.perf_counter() - t0


CPU: dict[str, float] = {}


def floors(path: Path) -> list[tuple[str, int, float]]:
    """DuckDB reading the same file and doing nothing else: whole lines, and lines
    split at their quotes (the fast path ingest starts from). Best of 3."""
    import duckdb

    con = duckdb.connect()
    queries = {
        "floor: DuckDB reads whole lines": (
            "SELECT count(*), sum(length(l)) FROM read_csv($path, columns={'l': 'VARCHAR'}, "
            "delim=E'\\x01', quote='', escape='', header=false, max_line_size=1000000)"
        ),
        "floor: DuckDB splits lines at their quotes": (
            "SELECT count(*), sum(length(column9)) FROM read_csv($path, delim=' ', quote='\"', "
            "escape='\\', header=false, all_varchar=true, null_padding=true, "
            "ignore_errors=true, max_line_size=1000000)"
        ),
    }
    out = []
    for name, sql in queries.items():
        best, n = float("inf"), 0
        for _ in range(3):
            t0 = time.perf_counter()
            row = con.execute(sql, {"path": str(path)}).fetchone()
            best = min(best, time.perf_counter() - t0)
            n = int(row[0]) if row else 0
        out.append((name, n, best))
    return out


def ours(path: Path, work: Path) -> tuple[int, float]:
    db = work / "store.duckdb"
    for p in (db, db.with_name(db.name + ".wal")):
        p.unlink(missing_ok=True)
    shutil.rmtree(work / "store.duckdb.events", ignore_errors=True)
    c0, t0 = time.process_time(), time.perf_counter()
    (done,) = ingest(db, [path])
    elapsed = time.perf_counter() - t0
    CPU[path.name] = time.process_time() - c0  # all threads of the process
    assert done.log is not None
    return int(done.log["lines"]), elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--downloads", type=int, default=600_000)
    ap.add_argument("--baseline", type=int, default=50_000, help="lines for the baseline")
    ap.add_argument("--dir", type=Path, default=None, help="work directory (keeps the sample)")
    args = ap.parse_args()
    work = args.dir or Path(tempfile.mkdtemp(prefix="toppypi-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / f"access-{args.downloads}.log"
    if not log.exists():
        spec = SampleSpec(Period.for_month(2026, 9), events=args.downloads, projects=20_000)
        write_sample_log(spec, log)
    gz = log.with_name(log.name + ".gz")
    if not gz.exists():
        with log.open("rb") as fi, gzip.open(gz, "wb", compresslevel=6) as fo:
            shutil.copyfileobj(fi, fo)
    n_base, t_base = baseline(log, args.baseline)
    # Warm up: the first ingest of a process imports linehaul, pyarrow and numpy
    # (a second or more where Python may not cache bytecode); that is start-up, not
    # lines per second.
    small = work / "warm-up.log"
    with log.open("rb") as fi:
        small.write_bytes(b"".join(fi.readline() for _ in range(1000)))
    ours(small, work)
    n_plain, t_plain = ours(log, work)
    n_gz, t_gz = ours(gz, work)
    base_rate = n_base / t_base
    size = log.stat().st_size
    print(f"log: {n_plain:,} lines, {size / 2**20:,.0f} MiB ({size / n_plain:,.0f} bytes a line)")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'what':<44} {'lines/s':>12} {'vs baseline':>12} {'seconds':>8} {'CPU s':>6}")
    rows = [
        (f"linehaul per line (first {n_base:,} lines)", base_rate, t_base, None),
        ("toppypi ingest, plain log", n_plain / t_plain, t_plain, CPU[log.name]),
        ("toppypi ingest, gzipped log", n_gz / t_gz, t_gz, CPU[gz.name]),
    ]
    rows += [(name, n / secs, secs, None) for name, n, secs in floors(log)]
    for name, rate, secs, cpu in rows:
        c = f"{cpu:>6.2f}" if cpu is not None else f"{'':>6}"
        print(f"{name:<44} {rate:>12,.0f} {rate / base_rate:>11.1f}x {secs:>8.2f} {c}")


if __name__ == "__main__":
    main()
