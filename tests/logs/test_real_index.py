"""A real index: pypiserver behind nginx, real pip and uv installs, its real access log.

The ranking and the installer breakdown from ``toppypi ingest`` of that log
must equal the downloads this test made, no more and no fewer.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.package_index import NGINX, build_sdist, build_wheel, package_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def nginx() -> str:
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: .ci/run installs Debian's nginx for this test")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return NGINX


def _env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        UV_NO_CONFIG="1",
        UV_CACHE_DIR=str(tmp / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
    )
    return env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"


def _query(db: Path, *fields: str) -> list[list[object]]:
    today = dt.datetime.now(dt.UTC).date()
    start = (today - dt.timedelta(days=1)).isoformat()
    res = run_cli(
        "query", "--db", str(db), "--all", "-l", "0", "-j",
        "-sd", start, "-ed", today.isoformat(), "", *fields,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)["rows"]
    return [[v for k, v in r.items() if k != "download_count"] + [r["download_count"]]
            for r in rows]  # fmt: skip


def test_a_real_index_log_ranks_exactly_the_downloads_made(nginx: str, tmp_path: Path) -> None:
    from uv import find_uv_bin

    packages = tmp_path / "packages"
    packages.mkdir()
    build_wheel(packages, "alpha", "1.0")
    build_wheel(packages, "beta-lib", "2.0")
    build_sdist(packages, "gamma", "0.1")
    env = _env(tmp_path)
    pip = [sys.executable, "-m", "pip"]
    uv = [find_uv_bin(), "pip", "install", "--no-cache", "--no-deps", "--python", sys.executable]
    with package_index(packages, tmp_path / "index") as index:
        _run([*pip, "download", "--no-deps", "--no-cache-dir", "-i", index.url,
              "-d", str(tmp_path / "d1"), "alpha"], env)  # fmt: skip
        _run([*pip, "install", "--no-deps", "--no-cache-dir", "-i", index.url,
              "--target", str(tmp_path / "t1"), "beta-lib", "gamma"], env)  # fmt: skip
        _run([*uv, "--index-url", index.url, "--target", str(tmp_path / "t2"),
              "alpha", "gamma"], env)  # fmt: skip
    assert (tmp_path / "t1" / "gamma" / "__init__.py").exists()  # really built and installed
    assert (tmp_path / "t2" / "alpha" / "__init__.py").exists()
    log = index.access_log
    db = tmp_path / "store.duckdb"
    res = run_cli("ingest", "--db", str(db), "--json", str(log))
    assert res.returncode == 0, res.stderr + log.read_text()
    (report,) = json.loads(res.stdout)
    assert report["log"]["unparseable"] == 0
    assert report["log"]["downloads"] == 5, log.read_text()
    assert report["log"]["downloads_by_layout"] == {"pypiserver": 5}
    assert _query(db, "project") == [["alpha", 2], ["gamma", 2], ["beta-lib", 1]]
    assert _query(db, "installer") == [["pip", 3], ["uv", 2]]
    assert sorted(_query(db, "installer", "project")) == [
        ["pip", "alpha", 1], ["pip", "beta-lib", 1], ["pip", "gamma", 1],
        ["uv", "alpha", 1], ["uv", "gamma", 1],
    ]  # fmt: skip
    # A second ingest of the same log adds nothing.
    again = run_cli("ingest", "--db", str(db), "--json", str(log))
    assert json.loads(again.stdout)[0]["skipped"] is True
    assert _query(db, "project") == [["alpha", 2], ["gamma", 2], ["beta-lib", 1]]
    shutil.rmtree(tmp_path / "uv-cache", ignore_errors=True)
