"""Status, verify and flags: what pginstall reads and shows of a database.

status and verify are read-only; flags sets settings through part.set_setting
and lists them with part.list_settings. Every command opens one connection to
the database and, for the pg_cron jobs, one to the cron database (cron.site).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import psycopg

from . import cron
from .errors import ApplyError
from .state import read_state, require_installed
from .targets import Target, call, connect, describe_db_error, rows


def _jsonable(row: dict) -> dict:
    """A row as JSON values: times in ISO 8601, durations (intervals) in seconds, numerics as numbers."""
    out = {}
    for k, v in row.items():
        if v is None or isinstance(v, (str, int, float, bool)):
            out[k] = v
        elif isinstance(v, timedelta):
            out[k] = round(v.total_seconds(), 3)
        elif isinstance(v, Decimal):
            out[k] = int(v) if v == v.to_integral_value() else float(v)
        elif hasattr(v, "isoformat"):
            out[k] = v.isoformat()
        else:
            out[k] = str(v)
    return out


def status(target: Target) -> dict:
    with connect(target) as conn:
        conn.read_only = True
        state = read_state(conn)
        out: dict = {
            "database": state.current_database,
            "label": target.label,
            "installed": state.installed,
            "mode": state.mode,
            "version": state.version,
            "tables": [],
            "migrations": [],
            "maintenance_runs": [],
            "cron_jobs": None,
        }
        if state.installed:
            parts: dict[str, list] = {}
            for r in rows(conn, "SELECT * FROM {s}.partitions"):
                parts.setdefault(r["parent_table"], []).append(_jsonable(r))
            for c in rows(conn, "SELECT * FROM {s}.config ORDER BY parent_table"):
                out["tables"].append(
                    {
                        "table": c["parent_table"],
                        "strategy": c["strategy"],
                        "key": c["key_column"],
                        "interval": c.get("interval"),
                        "partitions_configured": c.get("partitions"),
                        "premake": c.get("premake"),
                        "retention": c.get("retention"),
                        "retention_mode": c.get("retention_mode"),
                        "partitions": parts.get(c["parent_table"], []),
                    }
                )
            out["migrations"] = [_jsonable(r) for r in rows(conn, "SELECT * FROM {s}.migrations")]
            out["maintenance_runs"] = [_jsonable(r) for r in rows(
                conn, "SELECT run_id, logged_at, outcome, duration, detail FROM {s}.maintenance_log "
                      "WHERE action = 'run' ORDER BY logged_at DESC LIMIT 5")]
        conn.rollback()
        if state.installed:
            with cron.site(conn, target.conninfo) as site:
                out["cron_jobs"] = cron.status(site)
    return out


def verify(target: Target) -> tuple[list[dict], list[dict] | None]:
    """part.verify()'s rows and the cron_job checks, and the jobs of the cron database."""
    with connect(target) as conn:
        conn.read_only = True
        require_installed(conn, target)
        try:
            out = [_jsonable(r) for r in rows(conn, "SELECT * FROM {s}.verify()")]
        except psycopg.Error as e:
            raise ApplyError(f"{target.label}: part.verify() failed: {describe_db_error(e)}") from None
        with cron.site(conn, target.conninfo) as site:
            jobs = cron.status(site)
            out += cron.checks(site, conn, jobs)
        conn.rollback()
    return out, jobs


def flags(target: Target, assignments: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Set the given flags (part.set_setting), then return (key, value, description) of all."""
    with connect(target) as conn:
        require_installed(conn, target)
        known = {r["key"]: r for r in rows(conn, "SELECT * FROM {s}.list_settings()")}
        for key, value in assignments:
            if key in known and known[key]["kind"] == "cron":  # a record of what pg_cron runs: would not reach pg_cron
                raise ApplyError(
                    f"{target.label}: {key}={value}: {key} records the pg_cron job pginstall apply registers; "
                    f"set [schedule] {key.removesuffix('_schedule')} in {target.config_label} and run pginstall apply")
            try:
                with conn.transaction():
                    call(conn, "set_setting", p_key=key, p_value=value)
            except psycopg.Error as e:
                raise ApplyError(f"{target.label}: {key}={value}: {describe_db_error(e)}") from None
        out = [(r["key"], r["value"] or "", r["description"])  # every known flag, defaults and derived ones too
               for r in rows(conn, "SELECT * FROM {s}.list_settings() WHERE key <> 'version'")]
        conn.commit()
    return out
