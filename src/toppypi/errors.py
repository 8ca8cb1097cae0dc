"""Errors a user can cause or fix.

Every subclass of :class:`ToppypiError` carries a one-line message that says
what went wrong and, where it can, what to do. The CLI prints it without a
traceback and exits non-zero; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class ToppypiError(Exception):
    """Base for errors the user can act on."""

    exit_code = 2


class UsageError(ToppypiError):
    """A bad argument: a date, a limit, a field name."""


class PeriodError(UsageError):
    """A period that cannot be resolved to whole UTC days."""


class QueryError(UsageError):
    """A query that is malformed independent of the engine."""


class UnsupportedQuery(ToppypiError):
    """A query the chosen engine cannot answer; says which engines can."""


class EngineError(ToppypiError):
    """The engine failed: unreachable, refused, or returned a bad body."""

    exit_code = 3


class InputError(ToppypiError):
    """An input file is missing, malformed or of the wrong schema."""


class CheckFailed(ToppypiError):
    """A quality gate refused the data."""

    exit_code = 4


class InvalidDump(InputError):
    """A file that is not one well-formed ranking: truncated, duplicated, out of order."""
