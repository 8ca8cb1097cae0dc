"""A realistic access log of a private package index, for demos, tests and benchmarks.

What nginx in front of pypiserver writes: for each download, usually the
project's index page first, then a GET of the wheel or sdist; now and then a
HEAD, a 304, a 404 and a range request; and, rarely, a line that is not a log
line at all. User-Agents are pip's and uv's real formats (nginx-escaped),
drawn from a fixed set of machines, so they repeat as they do in real logs.
Deterministic by seed; lines are in time order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from toppypi import sample_data as V
from toppypi.atomic import temp_path_for
from toppypi.sample import SampleSpec

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

AGENTS = 400  # distinct machines (User-Agents) in the log
JUNK_EVERY = 250_000  # about one line in this many is not a log line

# Per download: its index page first (pip and uv both fetch it), and the odd
# extra request that must not count.
EXTRA_LINES: tuple[tuple[str, float], ...] = (
    ("index", 0.6),
    ("head", 0.02),
    ("not_modified", 0.03),
    ("not_found", 0.01),
    ("partial", 0.02),
)

Progress = Callable[[int], None]


def _nginx_escape(text: str) -> str:
    return text.replace("\\", "\\x5C").replace('"', "\\x22")


def agents(seed: int, n: int = AGENTS) -> list[str]:
    """``n`` distinct pip and uv User-Agents, as logged by nginx."""
    import numpy as np

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 7])))
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        python = V.PYTHONS[int(rng.integers(len(V.PYTHONS)))][0]
        distro = V.DISTROS[int(rng.integers(len(V.DISTROS)))]
        system = V.SYSTEMS[0]
        libc = distro[3]
        details: dict[str, object] = {
            "ci": True if rng.random() < 0.4 else None,
            "cpu": V.CPUS[int(rng.integers(len(V.CPUS)))][0],
            "distro": {
                "id": distro[0].split()[0].lower(),
                "libc": {"lib": libc, "version": V.LIBC_VERSIONS[libc][0]},
                "name": distro[0],
                "version": distro[2][int(rng.integers(len(distro[2])))],
            },
            "implementation": {"name": "CPython", "version": python},
            "openssl_version": V.OPENSSL[int(rng.integers(len(V.OPENSSL)))],
            "python": python,
            "system": {"name": system[0], "release": system[2][int(rng.integers(len(system[2])))]},
        }
        if rng.random() < 0.7:
            version = f"{int(rng.integers(22, 26))}.{int(rng.integers(0, 4))}"
            details["installer"] = {"name": "pip", "version": version}
            details["setuptools_version"] = V.SETUPTOOLS[int(rng.integers(len(V.SETUPTOOLS)))]
            ua = f"pip/{version} " + json.dumps(details, separators=(",", ":"), sort_keys=True)
        else:
            version = f"0.{int(rng.integers(4, 10))}.{int(rng.integers(0, 30))}"
            details["installer"] = {"name": "uv", "version": version}
            ua = f"uv/{version} " + json.dumps(details, separators=(",", ":"))
        if ua not in seen:
            seen.add(ua)
            out.append(_nginx_escape(ua))
    return out


def write_sample_log(
    spec: SampleSpec, path: str | Path, *, progress: Progress | None = None
) -> int:
    """Write an access log with ``spec.events`` downloads; returns the number of lines."""
    import numpy as np

    from toppypi.sample import SampleGenerator

    gen = SampleGenerator(spec)
    uas = agents(spec.seed)
    written = 0
    with temp_path_for(path) as tmp, tmp.open("wb") as fh:
        for index, n in enumerate(gen.chunk_sizes()):
            rng = np.random.Generator(
                np.random.PCG64(np.random.SeedSequence([spec.seed, index, 11]))
            )
            lines = _chunk_lines(gen, rng, n, uas, index)
            fh.write(_joined(lines))
            written += len(lines)
            if progress:
                progress(n)
    return written


def _joined(lines: pa.Array) -> memoryview:
    """The bytes of a string array's values, back to back (its data buffer, no copy)."""
    import numpy as np

    first = lines.offset
    offsets = np.frombuffer(lines.buffers()[1], np.int32)[first : first + len(lines) + 1]
    return memoryview(lines.buffers()[2])[int(offsets[0]) : int(offsets[-1])]


def _chunk_lines(
    gen: object, rng: np.random.Generator, n: int, uas: list[str], index: int
) -> pa.Array:
    """The lines of one chunk of ``n`` downloads, sorted by time, each ending in a newline."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    from toppypi.sample import SampleGenerator

    assert isinstance(gen, SampleGenerator)
    batch = gen.chunk(index, n)
    files = batch.column("file")
    project = files.field("project")
    filename = files.field("filename")
    ts = batch.column("timestamp")
    # Downloads, then the extra requests of some of them.
    kinds = [np.full(n, 0, np.int8)]
    picks = [np.arange(n)]
    for k, (_, share) in enumerate(EXTRA_LINES, start=1):
        chosen = np.flatnonzero(rng.random(n) < share)
        kinds.append(np.full(len(chosen), k, np.int8))
        picks.append(chosen)
    kind = np.concatenate(kinds)
    pick = np.concatenate(picks)
    # An index page comes a second before its download; the others a little after.
    offset = np.where(kind == 1, -1_000_000, np.where(kind == 0, 0, 2_000_000))
    when = pc.cast(ts, pa.int64()).to_numpy()[pick] + offset
    order = np.argsort(when, kind="stable")
    kind, pick, when = kind[order], pick[order], when[order]
    m = len(kind)
    agent = rng.integers(0, len(uas), m)
    agent = np.where(rng.random(m) < 0.5, agent % 20, agent)  # a few busy CI machines
    host = rng.integers(0, 1 << 16, m)
    host_text = pc.binary_join_element_wise(
        "10.0.", pa.array(host >> 8).cast(pa.string()), ".", pa.array(host & 255).cast(pa.string()),
        "",
    )  # fmt: skip
    time_text = pc.strftime(
        pa.array(when // 1_000_000, pa.timestamp("s", tz="UTC")), format="%d/%b/%Y:%H:%M:%S +0000"
    )
    idx = pa.array(pick)
    page = pc.binary_join_element_wise("/simple/", project.take(idx), "/", "")
    file_path = pc.binary_join_element_wise("/packages/", filename.take(idx), "")
    is_page = pa.array(kind == 1)
    target = pc.if_else(is_page, page, file_path)
    target = pc.if_else(pa.array(kind == 4), pa.scalar("/packages/missing-0.1.tar.gz"), target)
    method = pc.if_else(pa.array(kind == 2), "HEAD", "GET")
    status = pa.array(np.choose(kind, [200, 200, 200, 304, 404, 206]).astype(np.int32))
    size = pa.array(rng.integers(400, 4_000_000, m))
    lines = pc.binary_join_element_wise(
        host_text, " - - [", time_text, '] "', method, " ", target, ' HTTP/1.1" ',
        status.cast(pa.string()), " ", size.cast(pa.string()), ' "-" "',
        pa.array(uas, pa.string()).take(pa.array(agent)), '"\n', "",
    )  # fmt: skip
    junk = np.flatnonzero(rng.random(m) < 1 / JUNK_EVERY)
    if len(junk):
        mask = np.zeros(m, bool)
        mask[junk] = True
        lines = pc.if_else(pa.array(mask), "\\x16\\x03\\x01 not an HTTP request\n", lines)
    return lines
