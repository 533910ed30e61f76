"""Targets and connections: which databases a command acts on, how pginstall
connects to them, how it calls part and how a server error reads (one line).

No Click here and no logic of part: every call is of a public function of
part (SPEC.md), so that psql and pg_cron users get the same checks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from .config import Config, DatabaseConfig, Schedule, TableConfig
from .errors import ApplyError, ConnectError
from .render import SCHEMA


@dataclass(frozen=True)
class Target:
    """One database to act on."""

    label: str  # the config section name, or the database name
    conninfo: str
    section: DatabaseConfig | None
    schedule: Schedule
    config_label: str
    config_option: str = ""  # " --config FILE" when the file is not ./pginstall.toml: for commands we print

    @property
    def tables(self) -> tuple[TableConfig, ...]:
        return self.section.tables if self.section else ()


def _target(cfg: Config, name: str | None, section: DatabaseConfig | None, dsn: str | None) -> Target:
    base = dsn if dsn is not None else (section.dsn if section else None)
    try:
        params = conninfo_to_dict(base) if base else {}
    except psycopg.ProgrammingError as e:
        where = "--dsn" if dsn is not None else f"{cfg.label}: databases.{name}: dsn"
        raise ApplyError(f"{where}: not a valid connection string: {first_line(str(e))}") from None
    if "dbname" not in params:
        dbname = section.dbname if section and section.dbname else name
        if dbname:
            params["dbname"] = dbname
    label = name or params.get("dbname") or os.environ.get("PGDATABASE") or "(default database)"
    return Target(
        label=label,
        conninfo=make_conninfo(**params),
        section=section,
        schedule=cfg.schedule_for(section) if section else cfg.schedule,
        config_label=cfg.label,
        config_option=cfg.option,
    )


def resolve_targets(cfg: Config, db: str | None, dsn: str | None, all_dbs: bool = False) -> list[Target]:
    """The databases a command acts on (SPEC.md, "The CLI": connection rules)."""
    if all_dbs:
        if dsn is not None:
            raise ApplyError("--dsn cannot be used with --all: each database of the config file has its own connection")
        if db is not None:
            raise ApplyError("use --db NAME or --all, not both")
        if not cfg.databases:
            raise ApplyError(f"{cfg.label}: --all found no [databases.NAME] section")
        return [_target(cfg, name, section, None) for name, section in cfg.databases.items()]
    if db is None and dsn is None:
        if not (os.environ.get("PGDATABASE") or os.environ.get("PGSERVICE")):
            raise ApplyError("say which database: --db NAME (a [databases.NAME] section of the config file), "
                             "--dsn DSN, or PGDATABASE / PGSERVICE as for psql")
        # as psql: libpq picks the database (PGDATABASE, the service file's dbname); the config
        # section is the one of that database, by section name or dbname
        probe = _target(cfg, None, None, None)
        with connect(probe) as conn:
            name = conn.execute("SELECT current_database()").fetchone()[0]
        section = cfg.databases.get(name) or next(
            (sec for sec in cfg.databases.values() if sec.dbname == name), None)
        return [Target(label=section.name if section else name, conninfo="", section=section,
                       schedule=cfg.schedule_for(section) if section else cfg.schedule, config_label=cfg.label,
                       config_option=cfg.option)]
    section = cfg.databases.get(db) if db is not None else None
    return [_target(cfg, db, section, dsn)]


def connect(target: Target, autocommit: bool = False) -> psycopg.Connection:
    try:
        conn = psycopg.connect(target.conninfo, autocommit=autocommit, application_name="pginstall")
    except psycopg.OperationalError as e:
        raise ConnectError(f"{target.label}: cannot connect: {_connect_problem(target.conninfo, e)}") from None
    return conn


def _connect_problem(conninfo: str, e: Exception) -> str:
    """libpq's reason, where it tried, and what to check (one line)."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.Error:
        params = {}

    def param(key: str, env: str, default: str | None = None) -> str | None:
        return params.get(key) or os.environ.get(env) or default

    host = param("host", "PGHOST") or param("hostaddr", "PGHOSTADDR")
    reason = first_line(str(e))
    if reason.startswith("failed to resolve host"):  # psycopg's own lookup: say it as libpq (psql) does
        why = reason.split(": ", 1)[1] if ": " in reason else reason
        why = why.split("] ", 1)[-1]
        reason = f'could not translate host name "{host}" to address: {why}'
    reason = reason.removeprefix("connection failed: ")
    service = param("service", "PGSERVICE")
    where = f"service {service}, " if service else ""
    where += (f"host {host}" if host else "the default socket directory") + f", port {param('port', 'PGPORT', '5432')}"
    user = param("user", "PGUSER")
    if user:
        where += f", user {user}"
    tried = "" if ("server at" in reason or "server on socket" in reason) else f" (tried {where})"
    return (f"{reason}{tried}; check that the server runs there, then PGHOST, PGPORT, PGUSER, "
            f"PGPASSWORD or PGSERVICE, or the connection string (--dsn, the section's dsn)")


def first_line(text: str) -> str:
    text = text.removeprefix("connection is bad: ")
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    return lines[0] if lines else text.strip()


def describe_db_error(e: psycopg.Error) -> str:
    """A server error as one line: message (SQLSTATE): detail; hint: hint."""
    diag = getattr(e, "diag", None)
    out = diag.message_primary if diag and diag.message_primary else first_line(str(e))
    if diag and diag.sqlstate:
        out += f" ({diag.sqlstate})"
    if diag and diag.message_detail:
        out += f": {' '.join(diag.message_detail.split()).rstrip('.')}"
    if diag and diag.message_hint:
        out += f"; hint: {' '.join(diag.message_hint.split())}"
    return out




# --------------------------------------------------------------------------
# Calling part


def call(conn: psycopg.Connection, fn: str, **args) -> list:
    """SELECT part.fn(p_x => ..., ...): the first column of each row returned."""
    q = sql.SQL("SELECT {}.{}({})").format(
        sql.Identifier(SCHEMA),
        sql.Identifier(fn),
        sql.SQL(", ").join(sql.SQL("{} => {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in args),
    )
    return [r[0] for r in conn.execute(q, args).fetchall()]


def rows(conn: psycopg.Connection, query: str, *params) -> list[dict]:
    """Rows of a query on part's tables ({s} is the schema) as dicts."""
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute(sql.SQL(query).format(s=sql.Identifier(SCHEMA)), params).fetchall()


