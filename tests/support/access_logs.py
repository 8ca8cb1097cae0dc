"""Access-log lines as nginx and Apache write them, with real pip and uv User-Agents."""

from __future__ import annotations

import datetime as dt
import json

WHEN = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


def pip_agent(version: str = "24.0", python: str = "3.12.1", ci: bool | None = None) -> str:
    """pip's User-Agent, as pip builds it (``pip/V {json}``)."""
    data = {
        "ci": ci,
        "cpu": "x86_64",
        "distro": {
            "id": "jammy",
            "libc": {"lib": "glibc", "version": "2.35"},
            "name": "Ubuntu",
            "version": "22.04",
        },
        "implementation": {"name": "CPython", "version": python},
        "installer": {"name": "pip", "version": version},
        "openssl_version": "OpenSSL 3.0.2 15 Mar 2022",
        "python": python,
        "setuptools_version": "59.6.0",
        "system": {"name": "Linux", "release": "5.15.0-1057-aws"},
    }
    return f"pip/{version} " + json.dumps(data, separators=(",", ":"), sort_keys=True)


def uv_agent(version: str = "0.5.1", python: str = "3.11.4", ci: bool | None = None) -> str:
    data = {
        "installer": {"name": "uv", "version": version, "subcommand": ["pip", "install"]},
        "python": python,
        "implementation": {"name": "CPython", "version": python},
        "distro": {"name": "Debian GNU/Linux", "version": "12", "id": "bookworm", "libc": None},
        "system": {"name": "Linux", "release": "6.1.0"},
        "cpu": "x86_64",
        "openssl_version": None,
        "setuptools_version": None,
        "rustc_version": None,
        "ci": ci,
    }
    return f"uv/{version} " + json.dumps(data, separators=(",", ":"))


def escape(value: str, server: str = "nginx") -> str:
    """How nginx (``\\xHH``) or Apache (``\\"``) writes a value in its log."""
    if server == "apache":
        return value.replace("\\", "\\\\").replace('"', '\\"')
    out = []
    for ch in value:
        b = ch.encode()
        if ch in '"\\' or len(b) > 1 or ord(ch) < 32 or ord(ch) > 126:
            out.extend(f"\\x{x:02X}" for x in b)
        else:
            out.append(ch)
    return "".join(out)


def line(
    path: str,
    *,
    agent: str = "",
    status: int = 200,
    method: str = "GET",
    host: str = "127.0.0.1",
    when: dt.datetime = WHEN,
    server: str = "nginx",
    size: int = 1234,
) -> str:
    """One combined-format line (with a newline)."""
    t = when.strftime("%d/%b/%Y:%H:%M:%S +0000")
    ua = escape(agent, server) if agent else "-"
    return f'{host} - - [{t}] "{method} {path} HTTP/1.1" {status} {size} "-" "{ua}"\n'
