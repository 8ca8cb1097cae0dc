"""Vocabularies and shares for sample events, kept apart from the generator."""

from __future__ import annotations

# Real top projects first, so that demos look familiar; the rest are generated.
POPULAR = [
    "boto3",
    "packaging",
    "setuptools",
    "urllib3",
    "certifi",
    "typing-extensions",
    "requests",
    "charset-normalizer",
    "idna",
    "botocore",
    "aiobotocore",
    "python-dateutil",
    "cryptography",
    "six",
    "numpy",
    "cffi",
    "pyyaml",
    "grpcio-status",
    "pycparser",
    "pydantic",
    "pluggy",
    "s3transfer",
    "pygments",
    "pip",
    "attrs",
    "wheel",
    "jmespath",
    "fsspec",
    "pandas",
    "protobuf",
    "click",
    "markupsafe",
    "jinja2",
    "pytz",
    "rsa",
    "pyasn1",
    "platformdirs",
    "filelock",
    "importlib-metadata",
    "zipp",
    "tomli",
    "pydantic-core",
    "annotated-types",
    "colorama",
    "wrapt",
    "pyjwt",
    "virtualenv",
    "psutil",
    "pytest",
    "iniconfig",
    "google-api-core",
    "h11",
    "httpx",
    "httpcore",
    "anyio",
    "sniffio",
    "tqdm",
    "pyarrow",
    "aiohttp",
    "yarl",
    "multidict",
    "frozenlist",
    "aiosignal",
    "sqlalchemy",
    "greenlet",
    "cachetools",
    "google-auth",
    "pyasn1-modules",
    "requests-oauthlib",
    "oauthlib",
    "werkzeug",
    "flask",
    "itsdangerous",
    "blinker",
    "scipy",
    "pillow",
    "openpyxl",
    "et-xmlfile",
    "decorator",
    "docutils",
    "tzdata",
    "soupsieve",
    "beautifulsoup4",
    "lxml",
    "regex",
    "more-itertools",
    "rich",
    "markdown-it-py",
    "mdurl",
    "tenacity",
    "distlib",
    "exceptiongroup",
    "grpcio",
    "googleapis-common-protos",
    "django",
    "uv",
    "ruff",
    "mypy",
    "black",
    "isort",
    "coverage",
]

_SYLLABLES = [
    "py",
    "al",
    "ar",
    "bo",
    "ca",
    "da",
    "el",
    "fa",
    "ge",
    "ha",
    "io",
    "ja",
    "ka",
    "lo",
    "ma",
    "ne",
    "no",
    "or",
    "pa",
    "qu",
    "ra",
    "so",
    "ta",
    "ul",
    "va",
    "wi",
    "xo",
    "ya",
    "ze",
    "flux",
    "grid",
    "json",
    "yaml",
    "http",
    "sql",
    "ml",
    "data",
    "cloud",
    "kit",
    "lib",
    "tool",
    "core",
    "auth",
    "cache",
    "stream",
]
_SUFFIXES = ("", "-py", "-client", "-utils", "-sdk", "-core", "-tools", "-plugin", "2", "-lite")

INSTALLERS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("pip", 0.600, ("24.0", "24.2", "24.3.1", "25.0.1", "25.1", "23.3.2", "22.0.4")),
    ("uv", 0.140, ("0.5.11", "0.6.14", "0.7.3", "0.8.0")),
    ("poetry", 0.035, ("1.8.3", "2.0.1", "2.1.2")),
    ("requests", 0.050, ("2.31.0", "2.32.3")),
    ("bandersnatch", 0.050, ("6.5.0", "6.6.0")),
    ("Browser", 0.020, ("",)),
    ("setuptools", 0.015, ("69.5.1", "75.1.0")),
    ("pdm", 0.010, ("2.22.0",)),
    ("Artifactory", 0.030, ("7.77.0",)),
    ("Nexus", 0.020, ("3.68.0",)),
    ("devpi", 0.010, ("6.14.0",)),
    ("OS", 0.010, ("",)),
    ("z3c.pypimirror", 0.010, ("1.0.16",)),
)
# Installers that fetch for others and send no environment details.
BARE_INSTALLERS = ("bandersnatch", "Browser", "Artifactory", "Nexus", "devpi", "z3c.pypimirror")

PYTHONS: tuple[tuple[str, float], ...] = (
    ("3.12.7", 0.24),
    ("3.11.10", 0.22),
    ("3.10.15", 0.17),
    ("3.9.20", 0.13),
    ("3.13.1", 0.10),
    ("3.8.20", 0.08),
    ("3.7.17", 0.04),
    ("3.14.0", 0.01),
    ("2.7.18", 0.01),
)

SYSTEMS: tuple[tuple[str, float, tuple[str, ...]], ...] = (
    ("Linux", 0.80, ("6.1.0-28-amd64", "5.15.0-1057-aws", "6.8.0-1019-azure", "5.10.228")),
    ("Windows", 0.10, ("10", "11", "2022Server")),
    ("Darwin", 0.09, ("23.6.0", "24.1.0", "22.6.0")),
    ("FreeBSD", 0.01, ("14.1-RELEASE",)),
)

DISTROS: tuple[tuple[str, float, tuple[str, ...], str], ...] = (
    ("Ubuntu", 0.45, ("22.04", "24.04", "20.04"), "glibc"),
    ("Debian GNU/Linux", 0.25, ("12", "11"), "glibc"),
    ("Amazon Linux", 0.15, ("2", "2023"), "glibc"),
    ("Alpine Linux", 0.08, ("3.20.3", "3.19.4"), "musl"),
    ("Red Hat Enterprise Linux", 0.07, ("9.4", "8.10"), "glibc"),
)
LIBC_VERSIONS = {"glibc": ("2.35", "2.36", "2.39", "2.26"), "musl": ("1.2.5",)}

CPUS: tuple[tuple[str, float], ...] = (
    ("x86_64", 0.82),
    ("aarch64", 0.12),
    ("AMD64", 0.05),
    ("arm64", 0.01),
)

COUNTRIES: tuple[tuple[str, float], ...] = (
    ("US", 0.46),
    ("CN", 0.08),
    ("DE", 0.07),
    ("IE", 0.06),
    ("GB", 0.04),
    ("IN", 0.04),
    ("FR", 0.03),
    ("JP", 0.03),
    ("SG", 0.03),
    ("KR", 0.02),
    ("NL", 0.02),
    ("CA", 0.02),
    ("BR", 0.02),
    ("AU", 0.02),
    ("SE", 0.01),
    ("PL", 0.01),
    ("FI", 0.01),
    ("ES", 0.01),
    ("IT", 0.01),
    ("CH", 0.01),
)

OPENSSL = (
    "OpenSSL 3.0.13 30 Jan 2024",
    "OpenSSL 3.0.15 3 Sep 2024",
    "OpenSSL 1.1.1w  11 Sep 2023",
    "OpenSSL 3.3.2 3 Sep 2024",
)
SETUPTOOLS = ("75.6.0", "70.0.0", "65.5.0", "69.5.1", "58.1.0")
RUSTC = ("1.82.0", "1.83.0", "")
TLS = (("TLSv1.3", "TLS_AES_128_GCM_SHA256"), ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256"))

# Relative volume by weekday, Monday first: CI and work hours dominate.
WEEKDAY_WEIGHTS = (1.0, 1.04, 1.03, 1.0, 0.93, 0.62, 0.6)


def project_names(n: int) -> list[str]:
    """``n`` distinct, already-normalised names: the popular ones, then made-up ones."""
    names = list(POPULAR[:n])
    seen = set(names)
    i = 0
    k = len(_SYLLABLES)
    while len(names) < n:
        a, b, c = _SYLLABLES[i % k], _SYLLABLES[(i // k) % k], _SUFFIXES[(i // (k * k)) % 10]
        cycle = i // (k * k * 10)
        name = f"{a}{b}{c}" + (f"-{cycle}" if cycle else "")
        if name not in seen:
            seen.add(name)
            names.append(name)
        i += 1
    return names
