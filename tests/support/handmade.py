"""A small, hand-written event file whose every answer is known in advance.

Each spec is ``(count, overrides)``: ``count`` identical events of project pip on
2026-03-15, with BigQuery-schema details, some fields overridden. Exact expected
tables in the tests are computed by hand from this list, not by the engine.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

DAY = dt.datetime(2026, 3, 15, 12, 0, tzinfo=dt.UTC)

BASE: dict[str, Any] = {
    "project": "pip",
    "version": "21.3.1",
    "python": "3.6.15",
    "impl": "CPython",
    "impl_version": "3.6.15",
    "country": "US",
    "installer": "pip",
    "installer_version": "21.3.1",
    "system": "Linux",
    "release": "5.15.0-1057-aws",
    "distro": "Ubuntu",
    "distro_version": "20.04",
    "libc": "glibc",
    "libc_version": "2.31",
    "cpu": "x86_64",
    "openssl": "OpenSSL 1.1.1k  25 Mar 2021",
    "setuptools": "58.1.0",
    "ci": None,
}

SPECS: list[tuple[int, dict[str, Any]]] = [
    (50, {}),
    (12, {"python": "3.8.10", "impl_version": "3.8.10", "country": "DE", "ci": True}),
    (7, {"version": "21.2.1", "python": "3.7.12", "impl_version": "3.7.12", "ci": False}),
    (5, {"python": "3.7.12", "impl_version": "3.7.12", "country": ""}),  # '' is missing
    (3, {"version": "21.0.1", "python": "3.8.10", "impl_version": "3.8.10", "country": None}),
    (2, {"version": "21.1", "python": "2.7.18", "impl_version": "2.7.18", "ci": True}),
    (40, {"version": "22.0.4", "python": "3.10.4", "impl_version": "3.10.4"}),  # not 21.*
    (30, {"installer": "uv", "installer_version": "0.5.11"}),  # not pip
]


def write_handmade(path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from toppypi.sample import event_schema

    records = []
    for count, over in SPECS:
        e = {**BASE, **over}
        rec = {
            "timestamp": DAY,
            "country_code": e["country"],
            "url": "/packages/x",
            "project": e["project"],
            "file": {
                "filename": f"{e['project']}-{e['version']}-py3-none-any.whl",
                "project": e["project"],
                "version": e["version"],
                "type": "bdist_wheel",
            },
            "details": {
                "installer": {"name": e["installer"], "version": e["installer_version"]},
                "python": e["python"],
                "implementation": {"name": e["impl"], "version": e["impl_version"]},
                "distro": {
                    "name": e["distro"],
                    "version": e["distro_version"],
                    "id": "focal",
                    "libc": {"lib": e["libc"], "version": e["libc_version"]},
                },
                "system": {"name": e["system"], "release": e["release"]},
                "cpu": e["cpu"],
                "openssl_version": e["openssl"],
                "setuptools_version": e["setuptools"],
                "rustc_version": None,
                "ci": e["ci"],
            },
            "tls_protocol": "TLSv1.3",
            "tls_cipher": "TLS_AES_128_GCM_SHA256",
        }
        records.extend([rec] * count)
    pq.write_table(pa.Table.from_pylist(records, schema=event_schema()), path)
    return path
