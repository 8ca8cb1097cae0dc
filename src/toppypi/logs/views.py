"""SQL that presents compact log downloads as BigQuery's ``file_downloads`` rows."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


def raw_view_sql(
    events: str,
    files: str,
    agents: str,
    *,
    ids: str = "file_id",
    agent_ids: str = "agent_id",
    extra: str = "",
) -> str:
    """Compact log events (``timestamp, file_id, agent_id, country_code``) joined with
    their files and agents into BigQuery's ``file_downloads`` schema."""
    return (
        'SELECT e."timestamp", e.country_code, f.url, f.project, '  # noqa: S608
        "{'filename': f.filename, 'project': f.project, 'version': f.version, "
        "'type': f.type} AS file, a.details, NULL::VARCHAR AS tls_protocol, "
        f"NULL::VARCHAR AS tls_cipher{extra} FROM {events} e "
        f"JOIN (SELECT {ids} AS file_id, {'target' if ids == 'tid' else 'url'} AS url, "
        f"filename, project, version, type FROM {files}) f USING (file_id) "
        f"LEFT JOIN (SELECT {agent_ids} AS agent_id, details FROM {agents}) a USING (agent_id)"
    )


def duck_type(t: pa.DataType) -> str:
    import pyarrow as pa

    if pa.types.is_struct(t):
        inner = ", ".join(f'"{f.name}" {duck_type(f.type)}' for f in t)
        return f"STRUCT({inner})"
    if pa.types.is_boolean(t):
        return "BOOLEAN"
    return "VARCHAR"


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
