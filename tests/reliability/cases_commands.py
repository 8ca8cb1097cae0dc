"""Bad inputs to the other commands; the dump readers' are in cases_dumps.py.

Paths are relative to the world's root (the working directory of every run);
``{M1}``..``{M3}`` are the store's months. What fails today would be listed in today.py.
"""

from __future__ import annotations

import gzip

from tests.reliability.harness import Case, case
from tests.reliability.prepare import (
    CORRUPT_M2,
    EMPTY_DIR,
    KEEP,
    SOURCES,
    STRAY_EMPTY,
    STRAY_MONTH,
    all_of,
    copy,
    mkdir,
    modified_release,
    remove,
    truncate,
    write,
)
from tests.reliability.world import M1, M3

# A private index's access log: one pip download and one index page, in the combined format.
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_WHEN = f"01/{_MONTHS[int(M1[5:]) - 1]}/{M1[:4]}:10:00:0"
_UA = 'pip/24.0 {"installer":{"name":"pip","version":"24.0"},"python":"3.12.1"}'
GOOD_LOG = (
    f'10.0.0.1 - - [{_WHEN}0 +0000] "GET /packages/demo-1.0-py3-none-any.whl HTTP/1.1" '
    f'200 1000 "-" "{_UA}"\n'
    f'10.0.0.1 - - [{_WHEN}1 +0000] "GET /simple/demo/ HTTP/1.1" 200 300 "-" "{_UA}"\n'
)
CUT_GZ = gzip.compress(GOOD_LOG.encode() * 200)[:200]
WRITE_LOG = write("logs/access.log", GOOD_LOG)

# The tables keep one case to a few lines.
# fmt: off
ANY_STRAY = ("ds/*",)  # a stray folder may be skipped, with the site rebuilt around it

SAMPLE = [
    case("sample-no-output", "sample", "--month", M1),
    case("sample-events-0", "sample", "-o", "s.parquet", "--events", "0"),
    case("sample-projects-0", "sample", "-o", "s.parquet", "--projects", "0"),
    case("sample-month-13", "sample", "-o", "s.parquet", "--month", "2026-13"),
    case("sample-month-0000-01", "sample", "-o", "s.parquet", "--month", "0000-01"),
    case("sample-month-not-a-month", "sample", "-o", "s.parquet", "--month", "march"),
    case(
        "sample-end-before-start",
        "sample", "-o", "s.parquet", "--start", "2026-03-10", "--end", "2026-03-01",
    ),
    case("sample-start-feb-30", "sample", "-o", "s.parquet", "--start", "2026-02-30"),
    case("sample-days-0", "sample", "-o", "s.parquet", "--days", "0"),
    case("sample-days-negative", "sample", "-o", "s.parquet", "--days", "-3"),
    case("sample-days-beyond-calendar", "sample", "-o", "s.parquet", "--days", "999999999"),
    case("sample-month-and-days", "sample", "-o", "s.parquet", "--month", M1, "--days", "3"),
    case("sample-format-xml", "sample", "-o", "s.xml", "--format", "xml"),
    case("sample-output-is-a-folder", "sample", "-o", "ds", "--events", "10"),
    case("sample-output-under-a-file", "sample", "-o", "store.duckdb/s.parquet", "--events", "10"),
    case(
        "sample-output-onto-the-store",
        "sample", "-o", "store.duckdb", "--month", M1, "--events", "10",
    ),
    case("sample-log-named-parquet", "sample", "--format", "log", "-o", "s.parquet"),
    case("sample-parquet-named-log", "sample", "--format", "parquet", "-o", "access.log"),
    case(
        "sample-log-onto-the-store",
        "sample", "--format", "log", "-o", "store.duckdb", "--events", "10",
    ),
]

LOGS = [
    case("logs-format-unknown", "ingest", "logs/access.log", "--log-format", "nginx",
         prepare=WRITE_LOG),
    case("logs-noise", "ingest", "logs/noise.log",
         prepare=write("logs/noise.log", bytes(range(256)) * 16), says="noise.log"),
    case("logs-text-not-a-log", "ingest", "logs/notes.log",
         prepare=write("logs/notes.log", "dear diary\n" * 50), says="notes.log"),
    case("logs-common-given-for-garbage", "ingest", "logs/notes.log", "--log-format", "common",
         prepare=write("logs/notes.log", "dear diary\n" * 50), says="notes.log"),
    case("logs-gz-cut", "ingest", "logs/access.log.1.gz",
         prepare=write("logs/access.log.1.gz", CUT_GZ), says="access.log.1.gz"),
    case("logs-good-then-cut-gz", "ingest", "logs/access.log", "logs/access.log.1.gz",
         prepare=all_of(WRITE_LOG, write("logs/access.log.1.gz", CUT_GZ)),
         says="access.log.1.gz"),
    case("logs-url-prefix-relative", "ingest", "logs/access.log", "--url-prefix", "pypi/",
         prepare=WRITE_LOG),
    case("logs-url-prefix-empty", "ingest", "logs/access.log", "--url-prefix", "",
         prepare=WRITE_LOG),
    case("logs-geoip-missing", "ingest", "logs/access.log", "--geoip", "nope.mmdb",
         prepare=WRITE_LOG),
    case("logs-geoip-not-a-database", "ingest", "logs/access.log", "--geoip", "logs/access.log",
         prepare=WRITE_LOG, says="MaxMind"),
    case("logs-a-folder", "ingest", "logs", prepare=WRITE_LOG),
]

INGEST = [
    case("ingest-no-files", "ingest"),
    case("ingest-missing-file", "ingest", "nope.parquet"),
    case("ingest-a-folder", "ingest", "events"),
    case("ingest-empty-parquet", "ingest", "bad/e.parquet", prepare=write("bad/e.parquet", b"")),
    case(
        "ingest-text-named-parquet",
        "ingest", "bad/t.parquet", prepare=write("bad/t.parquet", "hello\n"),
    ),
    case(
        "ingest-truncated-parquet",
        "ingest", "bad/new.parquet",
        prepare=all_of(copy("extra/new.parquet", "bad/new.parquet"), truncate("bad/new.parquet")),
    ),
    case("ingest-bad-jsonl", "ingest", "bad/x.jsonl", prepare=write("bad/x.jsonl", "{not json\n")),
    case(
        "ingest-jsonl-wrong-schema",
        "ingest", "bad/x.jsonl", prepare=write("bad/x.jsonl", '{"a": 1}\n'),
    ),
    case(
        "ingest-jsonl-timestamp-not-a-time",
        "ingest", "bad/x.jsonl",
        prepare=write(
            "bad/x.jsonl", '{"timestamp": "yesterday", "file": {"project": "a", "version": "1"}}\n'
        ),
    ),
    case("ingest-csv-file", "ingest", "bad/x.csv", prepare=write("bad/x.csv", "a,b\n1,2\n")),
    case("ingest-db-is-a-dump", "ingest", "extra/new.parquet", "--db", "ds/top-pypi-packages.json"),
    case("ingest-db-is-a-folder", "ingest", "extra/new.parquet", "--db", "ds"),
    case("ingest-db-under-a-file", "ingest", "extra/new.parquet", "--db", "store.duckdb/x.duckdb"),
    case("ingest-the-store-into-itself", "ingest", "store.duckdb"),
    case(
        "ingest-good-then-bad-file",
        "ingest", "extra/new.parquet", "bad/t.parquet",
        prepare=write("bad/t.parquet", "not parquet\n"),
    ),
    case(
        "ingest-good-jsonl-then-bad-file",
        "ingest", "extra/new.jsonl", "bad/x.jsonl", prepare=write("bad/x.jsonl", "{oops\n"),
    ),
]

TOP = [
    case("top-month-13", "top", "--month", "2026-13"),
    case("top-month-0000-01", "top", "--month", "0000-01"),
    case("top-month-99999-01", "top", "--month", "99999-01"),
    case("top-month-not-a-month", "top", "--month", "2026-3-x"),
    case("top-days-0", "top", "--days", "0"),
    case("top-days-negative", "top", "--days", "-1"),
    case("top-days-beyond-calendar", "top", "--days", "999999999"),
    case("top-end-before-start", "top", "--start", "2026-03-10", "--end", "2026-03-01"),
    case("top-start-feb-30", "top", "--start", "2026-02-30"),
    case("top-month-and-days", "top", "--month", M3, "--days", "3"),
    case("top-last-12-months-and-month", "top", "--last-12-months", "--month", M3),
    case("top-limit-negative", "top", "--limit", "-1"),
    case("top-limit-not-a-number", "top", "--limit", "ten"),
    case("top-installers-unknown", "top", "--month", M3, "--installers", "pip;uv"),
    case("top-installers-empty", "top", "--month", M3, "--installers", ""),
    case("top-installers-double-comma", "top", "--month", M3, "--installers", "pip,,uv"),
    case("top-format-xml", "top", "--format", "xml"),
    case("top-layout-xml", "top", "--format", "json", "--layout", "xml"),
    case("top-output-unknown-extension", "top", "--month", M3, "-o", "out.txt"),
    case("top-output-is-a-folder", "top", "--month", M3, "-o", "ds"),
    case(
        "top-output-onto-the-store",
        "top", "--month", M3, "--format", "json", "-o", "store.duckdb",
    ),
    case(
        "top-output-onto-the-store-other-spelling",
        "top", "--month", M3, "--format", "json", "-o", "ds/../store.duckdb",
    ),
    case("top-db-missing", "top", "--month", M3, "--db", "nope.duckdb"),
    case("top-db-is-a-dump", "top", "--month", M3, "--db", "ds/top-pypi-packages.json"),
    case("top-db-is-a-folder", "top", "--month", M3, "--db", "ds"),
    case("top-price-negative", "top", "--month", M3, "--price-per-tib", "-1"),
    *(
        case(f"top-{name}", "top", "--month", M3, "--source", src, codes=codes, secrets=secrets)
        for name, src, codes, secrets in SOURCES
    ),
    case(
        "top-1969-over-a-good-dump",
        "top", "--month", "1969-12", "-o", "keep.json",
        codes=4, prepare=KEEP, says="no data",
    ),
    case(
        "top-future-month-over-a-good-dump",
        "top", "--month", "2099-01", "-o", "keep.json", codes=(2, 4), prepare=KEEP,
    ),
    case(
        "top-empty-store-period-csv-over-a-good-dump",
        "top", "--month", "2001-01", "--format", "csv", "-o", "keep.csv", codes=4,
        prepare=copy("ds/top-pypi-packages.csv", "keep.csv"),
    ),
]

CONVERT = [
    case("convert-missing-input", "convert", "nope.json", "--format", "csv"),
    case("convert-input-is-a-folder", "convert", "ds", "--format", "csv"),
    case("convert-no-format", "convert", "keep.json", prepare=KEEP),
    case("convert-format-xml", "convert", "keep.json", "--format", "xml", prepare=KEEP),
    case("convert-layout-xml", "convert", "keep.json", "--format", "json", "--layout", "x"),
    case("convert-the-store", "convert", "store.duckdb", "--format", "csv"),
    case("convert-output-is-a-folder", "convert", "keep.json", "--format", "csv", "-o", "ds"),
    case(
        "convert-output-onto-its-input",
        "convert", "keep.json", "--format", "csv", "-o", "keep.json", prepare=KEEP,
    ),
    case(
        "convert-output-onto-its-input-other-spelling",
        "convert", "keep.json", "--format", "min.json", "-o", "./ds/../keep.json", prepare=KEEP,
    ),
    case(
        "convert-output-onto-the-store",
        "convert", "keep.json", "--format", "csv", "-o", "store.duckdb", prepare=KEEP,
    ),
]

CHECK = [
    case("check-no-file", "check"),
    case("check-missing-file", "check", "nope.json"),
    case("check-file-and-replay", "check", "keep.json", "--replay", "ds", prepare=KEEP),
    case("check-expected-rows-0", "check", "keep.json", "--expected-rows", "0", prepare=KEEP),
    case("check-date-not-a-date", "check", "keep.json", "--date", "soon", prepare=KEEP),
    case("check-window-7", "check", "keep.json", "--window", "7", prepare=KEEP),
    case("check-against-missing", "check", "keep.json", "--against", "nope", prepare=KEEP),
    case(
        "check-against-truncated-dump",
        "check", "keep.json", "--against", "old.json",
        prepare=all_of(KEEP, copy("keep.json", "old.json"), truncate("old.json")),
    ),
    case("check-replay-a-file", "check", "--replay", "store.duckdb"),
    case("check-replay-empty-folder", "check", "--replay", "empty", prepare=EMPTY_DIR),
]

EXPORT = ("history", "export", "--dataset")  # issue 13: the whole history in one file
HISTORY = [
    case("import-missing-path", "history", "import", "nope.json", "--dataset", "ds"),
    case("import-empty-folder", "history", "import", "empty", "--dataset", "ds", prepare=EMPTY_DIR),
    case(
        "import-date-not-a-date",
        "history", "import", "keep.json", "--dataset", "ds", "--date", "2024-02-30", prepare=KEEP,
    ),
    case(
        "import-window-7",
        "history", "import", "keep.json", "--dataset", "ds", "--window", "7", prepare=KEEP,
    ),
    case(
        "import-dataset-is-a-file",
        "history", "import", "keep.json", "--dataset", "store.duckdb", prepare=KEEP,
    ),
    case(
        "import-text-file",
        "history", "import", "notes.txt", "--dataset", "ds",
        prepare=write("notes.txt", "just some notes\n"),
    ),
    case(
        "import-good-then-bad",
        "history", "import", "keep.json", "bad.json", "--dataset", "ds",
        prepare=all_of(KEEP, write("bad.json", '{"rows": [')),
    ),
    case(
        "import-over-a-released-month",
        "history", "import", "changed/top-pypi-packages.json", "--dataset", "pub",
        prepare=modified_release, says="{TAG2}",
    ),
    case("rebuild-no-archive", "history", "rebuild", "--dataset", "empty", prepare=EMPTY_DIR),
    case("rebuild-dataset-is-a-file", "history", "rebuild", "--dataset", "store.duckdb"),
    case(
        "rebuild-truncated-month", "history", "rebuild", "--dataset", "ds", prepare=CORRUPT_M2
    ),
    case(
        "rebuild-stray-month-folder",
        "history", "rebuild", "--dataset", "ds", codes=(0, 2), prepare=STRAY_MONTH,
    ),
    case("show-no-archive", "history", "show", "boto3", "--dataset", "empty", prepare=EMPTY_DIR),
    case("show-unknown-project", "history", "show", "no-such-project-x", "--dataset", "ds"),
    case("show-window-7", "history", "show", "boto3", "--dataset", "ds", "--window", "7"),
    case("show-empty-name", "history", "show", "", "--dataset", "ds"),
    case("show-path-as-name", "history", "show", "../../etc/passwd", "--dataset", "ds"),
    case(
        "show-truncated-month", "history", "show", "boto3", "--dataset", "ds", prepare=CORRUPT_M2
    ),
    case(
        "show-stray-month-folder",
        "history", "show", "boto3", "--dataset", "ds", codes=(0, 2), prepare=STRAY_MONTH,
    ),
    case(
        "show-stray-empty-month-folder",
        "history", "show", "boto3", "--dataset", "ds", codes=(0, 2), prepare=STRAY_EMPTY,
    ),
    case("export-window-7", *EXPORT, "ds", "--window", "7", "-o", "h.parquet"),
    case("export-output-onto-the-store", *EXPORT, "ds", "-o", "store.duckdb"),
    case("export-dataset-is-a-file", *EXPORT, "store.duckdb", "-o", "h.parquet"),
    case("export-output-txt", *EXPORT, "ds", "-o", "h.txt"),
]

BIGQUERY = [
    case("bq-ledger-garbage", "bigquery", "usage", prepare=write("ledger.json", "{{{ not json")),
    case("bq-ledger-is-a-folder", "bigquery", "usage", prepare=mkdir("ledger.json")),
    case("bq-ledger-wrong-shape", "bigquery", "usage", prepare=write("ledger.json", "[1, 2]\n")),
    case(
        "bq-ledger-option-garbage",
        "bigquery", "usage", "--ledger", "l2.json", prepare=write("l2.json", "\x00\x01"),
    ),
    case("bq-budget-not-a-size", "bigquery", "usage", "--budget", "lots"),
    case("bq-price-negative", "bigquery", "usage", "--price-per-tib", "-2"),
    case("bq-unknown-subcommand", "bigquery", "spend"),
    case("bq-unknown-option", "bigquery", "usage", "--jsn"),
]

MOVERS = [
    case("movers-month-13", "movers", "2026-13", "--dataset", "ds"),
    case("movers-month-0000-01", "movers", "0000-01", "--dataset", "ds"),
    case("movers-no-snapshot", "movers", "1999-01", "--dataset", "ds", codes=(2, 4)),
    case("movers-dataset-is-a-file", "movers", M3, "--dataset", "store.duckdb"),
    case("movers-empty-dataset", "movers", M3, "--dataset", "empty", prepare=EMPTY_DIR),
    case("movers-window-7", "movers", M3, "--dataset", "ds", "--window", "7"),
    case("movers-top-0", "movers", M3, "--dataset", "ds", "--top", "0"),
    case("movers-top-negative", "movers", M3, "--dataset", "ds", "--top", "-3"),
    case("movers-truncated-month", "movers", M3, "--dataset", "ds", prepare=CORRUPT_M2),
    case(
        "movers-stray-month-folder",
        "movers", M3, "--dataset", "ds", codes=(0, 2), prepare=STRAY_MONTH,
    ),
]

DIFF = [
    case("diff-one-argument", "diff", M3, "--dataset", "ds"),
    case("diff-month-13", "diff", "2026-13", M3, "--dataset", "ds"),
    case("diff-month-0000-01", "diff", "0000-01", M3, "--dataset", "ds"),
    case("diff-missing-file", "diff", "nope.json", "keep.json", prepare=KEEP),
    case("diff-no-snapshot", "diff", "1999-01", M3, "--dataset", "ds", codes=(2, 4)),
    case("diff-dataset-is-a-file", "diff", M1, M3, "--dataset", "store.duckdb"),
    case("diff-truncated-month", "diff", "{M2}", M3, "--dataset", "ds", prepare=CORRUPT_M2),
]

SITE = [
    case("build-empty-folder", "site", "build", "--dataset", "empty", prepare=EMPTY_DIR),
    case("build-dataset-is-a-file", "site", "build", "--dataset", "store.duckdb"),
    case("build-missing-folder", "site", "build", "--dataset", "nope"),
    case("build-truncated-month", "site", "build", "--dataset", "ds", prepare=CORRUPT_M2),
    case(
        "build-checks-json-garbage",
        "site", "build", "--dataset", "ds",
        prepare=write(f"ds/archive/{M3}/checks.json", "{ nope"),
    ),
    case(
        "build-stray-month-folder",
        "site", "build", "--dataset", "ds", codes=(0, 2), prepare=STRAY_MONTH,
        may_change=ANY_STRAY,
    ),
    case(
        "build-stray-empty-month-folder",
        "site", "build", "--dataset", "ds", codes=(0, 2), prepare=STRAY_EMPTY,
        may_change=ANY_STRAY,
    ),
    case(
        "build-index-is-a-folder",
        "site", "build", "--dataset", "ds",
        prepare=all_of(remove("ds/index.html"), mkdir("ds/index.html/x")),
    ),
    case(
        "build-assets-is-a-file",
        "site", "build", "--dataset", "ds",
        prepare=all_of(remove("ds/assets"), write("ds/assets", "x")),
    ),
    case("serve-port-99999", "site", "serve", "--dataset", "ds", "--port", "99999"),
    case("serve-port-negative", "site", "serve", "--dataset", "ds", "--port", "-1"),
    case(
        "serve-no-build-without-site",
        "site", "serve", "--dataset", "empty", "--no-build", prepare=EMPTY_DIR,
    ),
    case("serve-dataset-is-a-file", "site", "serve", "--dataset", "store.duckdb"),
    case("serve-missing-dataset", "site", "serve", "--dataset", "nope"),
]

QUERY = [
    case("query-unknown-field", "query", "", "bogus"),
    case("query-where-or", "query", "", "country", "-w", "country=US OR ci=true"),
    case("query-where-nonsense", "query", "", "country", "-w", "nonsense"),
    case("query-where-in-nothing", "query", "", "country", "-w", "country IN"),
    case("query-where-trailing-and", "query", "", "country", "-w", "country=US AND"),
    case("query-where-ci-maybe", "query", "", "country", "-w", "ci=maybe"),
    case("query-where-unknown-field", "query", "", "country", "-w", "colour=red"),
    case("query-bad-specifier", "query", "django>=abc", "version"),
    case("query-bad-project-name", "query", "not a name!!", "version"),
    case("query-limit-negative", "query", "", "project", "-l", "-1"),
    case("query-days-0", "query", "", "project", "-d", "0"),
    case("query-days-negative", "query", "", "project", "-d", "-5"),
    case(
        "query-end-before-start",
        "query", "", "project", "-sd", "2026-03-10", "-ed", "2026-03-01",
    ),
    case("query-start-not-a-date", "query", "", "project", "-sd", "last week"),
    case("query-month-13", "query", "", "project", "-m", "2026-13"),
    case("query-month-0000-01", "query", "", "project", "-m", "0000-01"),
    case("query-order-unknown", "query", "", "project", "-o", "bogus"),
    case("query-indent-negative", "query", "", "project", "-j", "-i", "-2"),
    case("query-format-xml", "query", "", "project", "--format", "xml"),
    case("query-db-missing", "query", "", "project", "--db", "nope.duckdb"),
    case("query-clickhouse-field-it-lacks", "query", "", "cpu", "--source", "clickhouse"),
    *(
        case(f"query-{name}", "query", "", "project", "-m", M3, "--source", src, codes=codes,
             secrets=secrets)
        for name, src, codes, secrets in SOURCES
    ),
]

# fmt: on
OTHER_CASES: list[Case] = [
    *SAMPLE,
    *INGEST,
    *LOGS,
    *TOP,
    *CONVERT,
    *CHECK,
    *HISTORY,
    *BIGQUERY,
    *MOVERS,
    *DIFF,
    *SITE,
    *QUERY,
]
