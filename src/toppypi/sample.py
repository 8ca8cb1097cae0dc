"""Realistic download events in BigQuery's ``file_downloads`` schema.

Generated in fixed-size chunks with numpy and written as Parquet row groups,
so memory stays bounded and a given ``seed`` always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toppypi import sample_data as V
from toppypi.atomic import temp_path_for
from toppypi.errors import UsageError
from toppypi.model.events import event_schema
from toppypi.model.period import Period

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = ["SampleGenerator", "SampleSpec", "event_schema", "write_sample"]

CHUNK = 1_000_000
ZIPF_S = 1.1
ZIPF_Q = 8.0  # Zipf-Mandelbrot offset: the real top ranks are close together


@dataclass(frozen=True)
class SampleSpec:
    period: Period
    events: int = 1_000_000
    projects: int = 5_000
    seed: int = 0

    def __post_init__(self) -> None:
        if self.events < 1:
            raise UsageError(f"--events must be at least 1, not {self.events}")
        if self.projects < 1:
            raise UsageError(f"--projects must be at least 1, not {self.projects}")


class _Picker:
    """Draws indices into a categorical vocabulary with fixed shares."""

    def __init__(self, weights: list[float]) -> None:
        import numpy as np

        w = np.asarray(weights, dtype=np.float64)
        self.cdf = np.cumsum(w / w.sum())
        self.cdf[-1] = 1.0

    def __call__(self, rng: np.random.Generator, n: int) -> np.ndarray:
        import numpy as np

        return np.searchsorted(self.cdf, rng.random(n), side="right").astype(np.int32)


def _dict(indices: Any, values: list[str] | tuple[str, ...], mask: Any = None) -> pa.Array:
    import pyarrow as pa

    return pa.array(values, pa.string()).take(pa.array(indices, pa.int32(), mask=mask))


class SampleGenerator:
    """Makes chunks of events; one instance per output file."""

    def __init__(self, spec: SampleSpec) -> None:
        import numpy as np
        import pyarrow as pa

        self.spec = spec
        self.names = V.project_names(spec.projects)
        self.names_arr = pa.array(self.names, pa.string())
        ranks = np.arange(1, spec.projects + 1, dtype=np.float64)
        self.project_pick = _Picker(list(1.0 / (ranks + ZIPF_Q) ** ZIPF_S))
        days = [spec.period.start + dt.timedelta(days=i) for i in range(spec.period.days)]
        self.day_pick = _Picker([V.WEEKDAY_WEIGHTS[d.weekday()] for d in days])
        epoch = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        self.day_us = np.array(
            [
                int((dt.datetime.combine(d, dt.time(), dt.UTC) - epoch).total_seconds()) * 10**6
                for d in days
            ],
            dtype=np.int64,
        )
        self.installer_pick = _Picker([w for _, w, _ in V.INSTALLERS])
        self.inst_versions = [f"{i}|{v}" for i, (_, _, vs) in enumerate(V.INSTALLERS) for v in vs]
        self.python_pick = _Picker([w for _, w in V.PYTHONS])
        self.system_pick = _Picker([w for _, w, _ in V.SYSTEMS])
        self.distro_pick = _Picker([w for _, w, _, _ in V.DISTROS])
        self.cpu_pick = _Picker([w for _, w in V.CPUS])
        self.country_pick = _Picker([w for _, w in V.COUNTRIES])
        # Each project has 1-24 versions; newer ones are downloaded more.
        self.n_versions = (np.arange(spec.projects) * 7919 + spec.seed) % 24 + 1

    def chunk_sizes(self) -> list[int]:
        full, rest = divmod(self.spec.events, CHUNK)
        return [CHUNK] * full + ([rest] if rest else [])

    def chunks(self) -> Iterator[pa.RecordBatch]:
        for index, n in enumerate(self.chunk_sizes()):
            yield self.chunk(index, n)

    def chunk(self, index: int, n: int) -> pa.RecordBatch:
        """Chunk ``index``: its own random stream, so chunks can be made in any order."""
        import numpy as np

        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([self.spec.seed, index])))
        return self._chunk(rng, n)

    def _chunk(self, rng: np.random.Generator, n: int) -> pa.RecordBatch:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        proj = self.project_pick(rng, n)
        ts = self.day_us[self.day_pick(rng, n)] + rng.integers(0, 86_400 * 10**6, n)
        inst = self.installer_pick(rng, n)
        bare = np.isin(
            inst, [i for i, (nm, _, _) in enumerate(V.INSTALLERS) if nm in V.BARE_INSTALLERS]
        )
        inst_names = [nm for nm, _, _ in V.INSTALLERS]
        offsets = np.cumsum([0] + [len(vs) for _, _, vs in V.INSTALLERS])[:-1]
        counts = np.array([len(vs) for _, _, vs in V.INSTALLERS])
        inst_ver = offsets[inst] + (rng.integers(0, 1 << 30, n) % counts[inst])
        inst_ver_values = [v.split("|", 1)[1] for v in self.inst_versions]

        # Versions: newest (highest index) most often, geometric fall-off.
        back = np.minimum(rng.geometric(0.45, n) - 1, self.n_versions[proj] - 1)
        vidx = self.n_versions[proj] - 1 - back
        major = (proj % 4) + vidx // 10
        minor = vidx % 10
        version = pc.binary_join_element_wise(
            pa.array(major).cast(pa.string()), pa.array(minor).cast(pa.string()), "0", "."
        )
        is_sdist = rng.random(n) < 0.08
        project = self.names_arr.take(pa.array(proj))
        stem = pc.replace_substring(project, "-", "_")
        suffix = pc.if_else(pa.array(is_sdist), ".tar.gz", "-py3-none-any.whl")
        filename = pc.binary_join_element_wise(stem, "-", version, suffix, "")
        ftype = _dict(is_sdist.astype(np.int32), ["bdist_wheel", "sdist"])

        py = self.python_pick(rng, n)
        py_values = [p for p, _ in V.PYTHONS]
        pypy = rng.random(n) < 0.01
        impl = _dict(pypy.astype(np.int32), ["CPython", "PyPy"], mask=bare)
        impl_ver_values = [*py_values, "7.3.17"]
        impl_ver = _dict(np.where(pypy, len(py_values), py), impl_ver_values, mask=bare)

        system = self.system_pick(rng, n)
        rel_off = np.cumsum([0] + [len(r) for _, _, r in V.SYSTEMS])[:-1]
        rel_cnt = np.array([len(r) for _, _, r in V.SYSTEMS])
        release = rel_off[system] + rng.integers(0, 1 << 30, n) % rel_cnt[system]
        release_values = [r for _, _, rs in V.SYSTEMS for r in rs]
        linux = system == 0
        distro = self.distro_pick(rng, n)
        d_off = np.cumsum([0] + [len(v) for _, _, v, _ in V.DISTROS])[:-1]
        d_cnt = np.array([len(v) for _, _, v, _ in V.DISTROS])
        dver = d_off[distro] + rng.integers(0, 1 << 30, n) % d_cnt[distro]
        dver_values = [v for _, _, vs, _ in V.DISTROS for v in vs]
        musl = np.array([lib == "musl" for _, _, _, lib in V.DISTROS])[distro]
        glibc_vals = V.LIBC_VERSIONS["glibc"]
        libc_ver = np.where(musl, len(glibc_vals), rng.integers(0, len(glibc_vals), n))
        no_distro = bare | ~linux
        ci = rng.random(n) < 0.32

        details = pa.StructArray.from_arrays(
            [
                pa.StructArray.from_arrays(
                    [_dict(inst, inst_names), _dict(inst_ver, inst_ver_values, mask=bare)],
                    names=["name", "version"],
                ),
                _dict(py, py_values, mask=bare),
                pa.StructArray.from_arrays([impl, impl_ver], names=["name", "version"]),
                pa.StructArray.from_arrays(
                    [
                        _dict(distro, [d for d, _, _, _ in V.DISTROS], mask=no_distro),
                        _dict(dver, dver_values, mask=no_distro),
                        _dict(
                            distro, ["ubuntu", "debian", "amzn", "alpine", "rhel"], mask=no_distro
                        ),
                        pa.StructArray.from_arrays(
                            [
                                _dict(musl.astype(np.int32), ["glibc", "musl"], mask=no_distro),
                                _dict(libc_ver, [*glibc_vals, "1.2.5"], mask=no_distro),
                            ],
                            names=["lib", "version"],
                        ),
                    ],
                    names=["name", "version", "id", "libc"],
                ),
                pa.StructArray.from_arrays(
                    [
                        _dict(system, [s for s, _, _ in V.SYSTEMS], mask=bare),
                        _dict(release, release_values, mask=bare),
                    ],
                    names=["name", "release"],
                ),
                _dict(self.cpu_pick(rng, n), [c for c, _ in V.CPUS], mask=bare),
                _dict(rng.integers(0, len(V.OPENSSL), n), list(V.OPENSSL), mask=bare),
                _dict(rng.integers(0, len(V.SETUPTOOLS), n), list(V.SETUPTOOLS), mask=bare),
                _dict(rng.integers(0, len(V.RUSTC), n), list(V.RUSTC), mask=bare),
                pa.array(ci, pa.bool_(), mask=bare),
            ],
            fields=list(event_schema().field("details").type),
        )
        tls = rng.integers(0, len(V.TLS), n)
        file_struct = pa.StructArray.from_arrays(
            [filename, project, version, ftype], names=["filename", "project", "version", "type"]
        )
        return pa.RecordBatch.from_arrays(
            [
                pa.array(ts, pa.timestamp("us", tz="UTC")),
                _dict(self.country_pick(rng, n), [c for c, _ in V.COUNTRIES]),
                pc.binary_join_element_wise("/packages/", filename, ""),
                project,
                file_struct,
                details,
                _dict(tls, [p for p, _ in V.TLS]),
                _dict(tls, [c for _, c in V.TLS]),
            ],
            schema=event_schema(),
        )


Progress = Callable[[int], None]


def write_sample(
    spec: SampleSpec,
    path: str | Path,
    *,
    fmt: str = "parquet",
    progress: Progress | None = None,
) -> int:
    """Write events to ``path`` (Parquet or JSON Lines) atomically; returns the count."""
    import pyarrow.parquet as pq

    gen = SampleGenerator(spec)
    written = 0
    with temp_path_for(path) as tmp:
        if fmt == "parquet":
            with pq.ParquetWriter(tmp, event_schema(), compression="zstd") as writer:
                for batch in _parallel_chunks(gen):
                    writer.write_batch(batch, row_group_size=CHUNK)
                    written += batch.num_rows
                    if progress:
                        progress(batch.num_rows)
        elif fmt == "jsonl":
            written = _write_jsonl(gen, tmp, progress)
        else:
            raise UsageError(f"unknown sample format {fmt!r}; use parquet or jsonl")
    return written


def _parallel_chunks(gen: SampleGenerator) -> Iterator[pa.RecordBatch]:
    """Chunks in order, made ahead on worker threads while the caller writes.

    numpy and Arrow release the GIL for the heavy work, so threads use both
    cores. Each chunk has its own seed, so the bytes do not depend on timing;
    at most two chunks wait at a time, which bounds memory.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    sizes = list(enumerate(gen.chunk_sizes()))
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="sample") as pool:
        pending: list[Future[pa.RecordBatch]] = [pool.submit(gen.chunk, i, n) for i, n in sizes[:2]]
        for i, n in sizes[2:]:
            batch = pending.pop(0).result()
            pending.append(pool.submit(gen.chunk, i, n))
            yield batch
        for fut in pending:
            yield fut.result()


def _write_jsonl(gen: SampleGenerator, path: Path, progress: Progress | None) -> int:
    import json

    written = 0
    with path.open("w", encoding="utf-8") as fh:
        for batch in gen.chunks():
            for rec in batch.to_pylist():
                rec["timestamp"] = rec["timestamp"].strftime("%Y-%m-%d %H:%M:%S.%f UTC")
                fh.write(json.dumps(rec, separators=(",", ":")))
                fh.write("\n")
            written += batch.num_rows
            if progress:
                progress(batch.num_rows)
    return written
