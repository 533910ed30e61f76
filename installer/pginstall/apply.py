"""Connections and transactions: what pginstall does to a database.

No Click here: problems are raised as ApplyError (one line each); cli.py turns
them into click.ClickException. The SQL is rendered by render.py; everything
else is a call of a `part` function (SPEC.md), so that psql and pg_cron users
get the same checks and behaviour.

apply, for one database, in one transaction:
  1. read the install state and choose the mode (extension | plain), refusing
     to mix them; install or upgrade part;
  2. part.create_partitioned / part.migrate_start for each configured table,
     each in a savepoint: they check the catalog and refuse bad input with one
     error each; every refusal is reported and the whole transaction is rolled
     back; flags from the environment (part.set_setting), USE_PARTITIONED_TABLES
     (part.switch_reads);
  3. commit (plan and --dry-run: roll back; what changed is read from what the
     calls returned and from part.config); then register the cron jobs
     (cron.py) in a second transaction in the cron database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from . import cron, render
from .config import Config, DatabaseConfig, Schedule, TableConfig

VERSION = render.VERSION
SCHEMA = render.SCHEMA
FLAG_ENV = {
    "enable_partition_maintenance": "ENABLE_PARTITION_MAINTENANCE",
    "log_partition_routing": "LOG_PARTITION_ROUTING",
}
ACTIVE_PHASES = ("dual_write", "backfilled", "partitioned")


class ApplyError(Exception):
    """A problem pginstall reports as one line (several problems: one line each)."""


class ConnectError(ApplyError):
    """The server could not be reached: exit status 2, as psql's."""


# --------------------------------------------------------------------------
# Targets and connections


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
        raise ApplyError(f"{where}: not a valid connection string: {_first_line(str(e))}") from None
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
    reason = _first_line(str(e))
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


def _first_line(text: str) -> str:
    text = text.removeprefix("connection is bad: ")
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    return lines[0] if lines else text.strip()


def describe_db_error(e: psycopg.Error) -> str:
    """A server error as one line: message (SQLSTATE): detail; hint: hint."""
    diag = getattr(e, "diag", None)
    out = diag.message_primary if diag and diag.message_primary else _first_line(str(e))
    if diag and diag.sqlstate:
        out += f" ({diag.sqlstate})"
    if diag and diag.message_detail:
        out += f": {' '.join(diag.message_detail.split()).rstrip('.')}"
    if diag and diag.message_hint:
        out += f"; hint: {' '.join(diag.message_hint.split())}"
    return out


# --------------------------------------------------------------------------
# Install state and modes


@dataclass
class InstallState:
    ext_version: str | None  # pg_extension row
    plain_version: str | None  # part.settings version without an extension
    schema_exists: bool
    available_versions: list[str]  # of the extension files on the server
    current_database: str = ""

    @property
    def mode(self) -> str | None:
        if self.ext_version is not None:
            return "extension"
        if self.plain_version is not None:
            return "plain"
        return None

    @property
    def version(self) -> str | None:
        return self.ext_version or self.plain_version

    @property
    def installed(self) -> bool:
        return self.mode is not None


def read_state(conn: psycopg.Connection) -> InstallState:
    ext = conn.execute("SELECT extversion FROM pg_catalog.pg_extension WHERE extname = %s", (SCHEMA,)).fetchone()
    schema = conn.execute("SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = %s", (SCHEMA,)).fetchone()
    plain = None
    if ext is None and schema is not None and conn.execute(
            "SELECT pg_catalog.to_regclass(%s) IS NOT NULL", (f"{SCHEMA}.settings",)).fetchone()[0]:
        row = conn.execute(
            sql.SQL("SELECT value FROM {}.settings WHERE key = 'version'").format(sql.Identifier(SCHEMA))
        ).fetchone()
        plain = row[0] if row else None
    avail = [
        r[0]
        for r in conn.execute(
            "SELECT version FROM pg_catalog.pg_available_extension_versions WHERE name = %s", (SCHEMA,)
        )
    ]
    db = conn.execute("SELECT current_database()").fetchone()[0]
    return InstallState(
        ext_version=ext[0] if ext else None,
        plain_version=plain,
        schema_exists=schema is not None,
        available_versions=avail,
        current_database=db,
    )


def choose_mode(state: InstallState, forced: str | None, label: str) -> str:
    """The install mode for this database (SPEC.md, "Two install modes"); mixing is refused."""
    if state.mode is not None:
        if forced is not None and forced != state.mode:
            raise ApplyError(
                f"{label}: part is installed in {state.mode} mode (version {state.version}); "
                f"--mode {forced} would mix modes, which PostgreSQL cannot do: "
                f"run `pginstall uninstall` first, then apply with --mode {forced}"
            )
        return state.mode
    if state.schema_exists:
        raise ApplyError(
            f"{label}: a schema \"{SCHEMA}\" exists but holds no part installation (no extension, "
            f"no version in {SCHEMA}.settings): rename or drop that schema, then apply again"
        )
    if forced == "extension" and VERSION not in state.available_versions:
        raise ApplyError(
            f"{label}: --mode extension, but the server has no extension files for part {VERSION}: "
            f"run `make install` on the server, or use --mode plain"
        )
    if forced is not None:
        return forced
    return "extension" if VERSION in state.available_versions else "plain"


def _vkey(v: str) -> tuple[int, ...]:
    try:
        return tuple(int(x) for x in v.split("."))
    except ValueError:
        return (0,)


@dataclass
class VersionAction:
    kind: str  # install | upgrade
    mode: str
    from_version: str | None

    def describe(self, done: bool = False) -> str:
        verb = self.kind + ("ed" if done and self.kind == "install" else "d" if done else "")
        if self.kind == "install":
            return f"{verb} part {VERSION} ({self.mode} mode)"
        return f"{verb} part {self.from_version} -> {VERSION} ({self.mode} mode)"


def version_action(state: InstallState, mode: str, label: str) -> VersionAction | None:
    if state.version is None:
        return VersionAction("install", mode, None)
    if state.version == VERSION:
        return None
    if _vkey(state.version) > _vkey(VERSION):
        raise ApplyError(
            f"{label}: part {state.version} is installed, newer than this pginstall's {VERSION}: "
            f"use a pginstall of version {state.version} or later"
        )
    if mode == "extension":
        if VERSION not in state.available_versions:
            raise ApplyError(
                f"{label}: the server has no extension files for part {VERSION}: run `make install` on the server"
            )
    else:
        try:
            render.update_chain(state.version)
        except ValueError as e:
            raise ApplyError(f"{label}: {e}") from None
    return VersionAction("upgrade", mode, state.version)


def run_version_action(conn: psycopg.Connection, action: VersionAction) -> None:
    if action.mode == "extension":
        if action.kind == "install":
            conn.execute(
                sql.SQL("CREATE EXTENSION {} VERSION {}").format(sql.Identifier(SCHEMA), sql.Literal(VERSION))
            )
        else:
            conn.execute(
                sql.SQL("ALTER EXTENSION {} UPDATE TO {}").format(sql.Identifier(SCHEMA), sql.Literal(VERSION))
            )
        return
    if action.kind == "install":
        conn.execute(render.render_install("plain"))
        return
    for _old, _new, name in render.update_chain(action.from_version):
        conn.execute(render.render_update(name, "plain"))
    conn.execute(
        sql.SQL("UPDATE {}.settings SET value = %s WHERE key = 'version'").format(sql.Identifier(SCHEMA)),
        (VERSION,),
    )


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


def table_args(t: TableConfig) -> dict:
    """The arguments part.create_partitioned and part.migrate_start share, from a config entry."""
    return dict(p_key=t.key, p_strategy=t.strategy, p_interval=t.interval, p_partitions=t.partitions,
                p_premake=t.premake, p_retention=t.retention, p_retention_mode=t.retention_mode,
                p_default_partition=t.default_partition, p_batch_size=t.batch_size)


def start_migration(conn: psycopg.Connection, table: str, t: TableConfig) -> dict:
    """part.migrate_start with a config entry's settings; returns the part.config row of the copy."""
    args = table_args(t)
    if t.method != "copy":
        args["p_method"] = t.method
    copy = call(conn, "migrate_start", p_table=table, **args)[0]
    return _rows(conn, "SELECT * FROM {s}.config WHERE parent_table = %s", copy)[0]


def _rows(conn: psycopg.Connection, query: str, *params) -> list[dict]:
    """Rows of a query on part's tables ({s} is the schema) as dicts."""
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    return cur.execute(sql.SQL(query).format(s=sql.Identifier(SCHEMA)), params).fetchall()


def _show(v) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _shape(c: dict) -> str:
    """A part.config row in words."""
    if c["strategy"] == "hash":
        return f"hash on {c['key_column']}, {c['partitions']} partitions"
    out = [f"range on {c['key_column']} every {c['interval']}", f"premake {c['premake']}"]
    if c["retention"]:
        out.append(f"retention {c['retention']} ({c['retention_mode']})")
    out.append("default partition" if c["default_partition"] else "no default partition")
    return ", ".join(out)


def _made(made: list[str]) -> str:
    return f"created {len(made)} partition(s)" + (f": {', '.join(made)}" if made else "")


# --------------------------------------------------------------------------
# The apply transaction: plan, --dry-run and apply run the same code


@dataclass
class Step:
    """One thing the transaction did: as plan says it (None: apply only) and as apply says it."""

    plan: str | None
    done: str
    change: bool = True


def _table(conn: psycopg.Connection, t: TableConfig, target: Target, managed: dict, migrating: set) -> list[Step]:
    """create_partitioned, or migrate_start for `migrate = true`; what changed, from part.config."""
    name = _rows(conn, "SELECT {s}._qualified({s}._resolve_table(%s)) AS name", t.table)[0]["name"]
    if t.migrate and name in migrating:  # started: the rest is `pginstall migrate`'s
        call(conn, "migrate_start", p_table=name, **table_args(t),  # a no-op; refuses another key or strategy
             **({"p_method": t.method} if t.method != "copy" else {}))
        return []
    if t.migrate and name not in managed:  # (a table part manages already is just managed)
        row = start_migration(conn, name, t)
        how = ("preparing, attach", "prepare and switch") if t.method == "attach" else ("dual_write", "backfill and switch")
        return [Step(f"start migration of {name} ({how[0]}): {_shape(row)}",
                     f"started migration of {name} ({how[0]}): run `pginstall migrate {name} --db {target.label}"
                     f"{target.config_option} --to partitioned` to {how[1]}")]
    old = managed.get(name)
    # the config file has no partition_prefix: keep the one part has (a finished migration names the
    # partitions after the application's table; leaving it out would read as a change to "none")
    prefix = {"p_partition_prefix": old["partition_prefix"]} if old and old.get("partition_prefix") else {}
    made = [m for m in call(conn, "create_partitioned", p_parent=name, **table_args(t), **prefix) if m]
    new = _rows(conn, "SELECT * FROM {s}.config WHERE parent_table = %s", name)[0]
    if old is None:
        return [Step(f"manage {name}: {_shape(new)}", f"managing {name} ({_shape(new)}): {_made(made)}")]
    diff = ", ".join(f"{k} {_show(v)} -> {_show(new[k])}" for k, v in old.items()
                     if k not in ("created_at", "updated_at") and v != new[k])
    if diff:
        return [Step(f"change {name}: {diff}", f"changed {name} ({diff}): {_made(made)}")]
    if made:
        return [Step(f"create {len(made)} partition(s) of {name}: {', '.join(made)}", f"{name}: {_made(made)}")]
    return []


def _schedule_problems(conn: psycopg.Connection, target: Target) -> list[str]:
    """part._check_schedule for each [schedule] key, before anything changes or a pg_cron job is registered."""
    problems = []
    for key in ("maintenance", "retention", "purge_history", "history_days"):
        value = getattr(target.schedule, key, None)
        if value is None:
            continue
        try:
            with conn.transaction():
                call(conn, "_check_schedule", p_key=key, p_value=str(value))
        except psycopg.Error as e:
            problems.append(f"{target.config_label}: schedule: {key} {value!r}: {describe_db_error(e)}")
    return problems


def _flags(conn: psycopg.Connection) -> tuple[list[Step], list[str]]:
    """The flags of FLAG_ENV the environment sets, through part.set_setting: (steps, problems)."""
    steps, problems = [], []
    for key, env in FLAG_ENV.items():
        value = os.environ.get(env, "").strip()
        if not value:
            continue
        try:
            with conn.transaction():
                was = call(conn, "setting", p_key=key)[0]
                now = call(conn, "set_setting", p_key=key, p_value=value)[0]
        except psycopg.Error as e:
            problems.append(f"${env}={value!r}: {describe_db_error(e)}")
            continue
        if now != was:
            line = f"set {key} = {now} (was {_show(was)}; from ${env})"
            steps.append(Step(line, line))
    return steps, problems


def _switches(conn: psycopg.Connection) -> list[Step]:
    """USE_PARTITIONED_TABLES=true: part.switch_reads for every migration not switched yet."""
    if os.environ.get("USE_PARTITIONED_TABLES", "").strip().lower() not in ("1", "true", "yes", "on"):
        return []
    steps = []
    for r in _rows(conn, "SELECT table_name FROM {s}.migration WHERE phase NOT IN ('partitioned', 'finalized') ORDER BY 1"):
        table = r["table_name"]
        try:
            with conn.transaction():
                call(conn, "switch_reads", p_table=table)
        except psycopg.Error as e:
            steps.append(Step(None, f"USE_PARTITIONED_TABLES=true: {describe_db_error(e)}", change=False))
            continue
        steps.append(Step(f"switch reads of {table} to the partitioned table (USE_PARTITIONED_TABLES=true)",
                          f"switched reads of {table} to the partitioned table"))
    return steps


def _transaction(conn: psycopg.Connection, target: Target, forced_mode: str | None) -> tuple[InstallState, str, list[Step]]:
    """Everything apply does in the database, in the caller's open transaction (never committed here).

    Every configured table is tried in its own savepoint, so that every problem
    is reported (one line each) before the whole transaction is given up:
    part.create_partitioned and part.migrate_start check the catalog and raise
    one clear error each, changing nothing.
    """
    steps: list[Step] = []
    warnings: list[str] = []
    conn.add_notice_handler(
        lambda d: warnings.append(d.message_primary) if d.severity_nonlocalized == "WARNING" else None)

    def emit(new: list[Step]) -> None:
        steps.extend(new)
        steps.extend(Step(f"warning: {w}", f"warning: {w}", change=False) for w in warnings)
        warnings.clear()

    # a statement first: the transaction blocks below are then savepoints, never commits
    conn.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pginstall apply'))")
    state = read_state(conn)
    mode = choose_mode(state, forced_mode, target.label)
    action = version_action(state, mode, target.label)
    if action:
        try:
            with conn.transaction():
                run_version_action(conn, action)
        except psycopg.Error as e:
            raise ApplyError(f"{target.label}: {action.describe()} failed: {describe_db_error(e)}") from None
        emit([Step(action.describe(), action.describe(done=True))])
    managed = {r["parent_table"]: r for r in _rows(conn, "SELECT * FROM {s}.config")}
    migrating = {r["table_name"] for r in _rows(conn, "SELECT table_name FROM {s}.migration")}
    problems = _schedule_problems(conn, target)
    for t in target.tables:
        try:
            with conn.transaction():
                emit(_table(conn, t, target, managed, migrating))
        except psycopg.Error as e:
            warnings.clear()
            problems.append(f"{target.config_label}: {t.label}: {describe_db_error(e)}")
    flag_steps, flag_problems = _flags(conn)
    if problems or flag_problems:
        raise ApplyError("\n".join(problems + flag_problems))
    emit(flag_steps)
    emit(_switches(conn))
    return state, mode, steps


def plan(target: Target, forced_mode: str | None = None) -> list[str]:
    """What apply would change: the same transaction, rolled back. Nothing when nothing would change."""
    with connect(target) as conn:
        try:
            state, _mode, steps = _transaction(conn, target, forced_mode)
        finally:
            conn.rollback()
    lines = [f"{target.label}: {s.plan}" for s in steps if s.plan]
    return lines + [f"{target.label}: {line}" for line in cron.plan_cron(target.conninfo, state.current_database,
                                                                         target.schedule)]


@dataclass
class ApplyResult:
    lines: list[str]
    failed: bool = False


def apply(target: Target, forced_mode: str | None = None, dry_run: bool = False, echo=print) -> ApplyResult:
    """Apply the config to one database, in one transaction; then register cron jobs.

    What the transaction did is printed once it has committed (or rolled back
    for --dry-run); on an error only the error is reported: nothing changed.
    """
    with connect(target) as conn:  # on an exception, leaving the block rolls back
        state, mode, steps = _transaction(conn, target, forced_mode)
        lines = [f"{target.label}: {s.done}" for s in steps]
        if not any(s.change for s in steps):
            lines.append(f"{target.label}: part {VERSION} ({mode} mode) is up to date; nothing to change")
        if dry_run:
            conn.rollback()
            lines.append(f"{target.label}: dry run: rolled back, nothing changed")
        else:
            conn.commit()
    for line in lines:
        echo(line)
    if dry_run:
        return ApplyResult(lines)
    try:  # registration is its own transaction, in the cron database: report, exit non-zero
        more = [f"{target.label}: {line}" for line in cron.register_cron(target.conninfo, state.current_database,
                                                                         target.schedule)]
        failed = False
    except Exception as e:
        more, failed = [f"{target.label}: cron registration failed: {_first_line(str(e))}"], True
    for line in more:
        echo(line)
    return ApplyResult(lines + more, failed)


# --------------------------------------------------------------------------
# Status, verify, flags, uninstall


def _require_installed(conn: psycopg.Connection, target: Target) -> InstallState:
    state = read_state(conn)
    if not state.installed:
        raise ApplyError(f"{target.label}: part is not installed in database {state.current_database}: run `pginstall apply`")
    return state


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
        if not state.installed:
            return out
        parts: dict[str, list] = {}
        for r in _rows(conn, "SELECT * FROM {s}.partitions"):
            parts.setdefault(r["parent_table"], []).append(_jsonable(r))
        for c in _rows(conn, "SELECT * FROM {s}.config ORDER BY parent_table"):
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
        out["migrations"] = [_jsonable(r) for r in _rows(conn, "SELECT * FROM {s}.migrations")]
        out["maintenance_runs"] = [_jsonable(r) for r in _rows(
            conn, "SELECT run_id, logged_at, outcome, duration, detail FROM {s}.maintenance_log "
                  "WHERE action = 'run' ORDER BY logged_at DESC LIMIT 5")]
        conn.rollback()
    out["cron_jobs"] = cron.cron_status(target.conninfo, state.current_database)
    return out


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


def verify(target: Target) -> tuple[list[dict], dict | None]:
    with connect(target) as conn:
        conn.read_only = True
        state = _require_installed(conn, target)
        try:
            rows = [_jsonable(r) for r in _rows(conn, "SELECT * FROM {s}.verify()")]
        except psycopg.Error as e:
            raise ApplyError(f"{target.label}: part.verify() failed: {describe_db_error(e)}") from None
        conn.rollback()
    # the jobs in the cron database, as check rows too
    rows += cron.cron_checks(target.conninfo, state.current_database)
    return rows, cron.cron_status(target.conninfo, state.current_database)


def flags(target: Target, assignments: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Set the given flags (part.set_setting), then return (key, value, description) of all."""
    with connect(target) as conn:
        _require_installed(conn, target)
        schedules = {r["key"] for r in _rows(conn, "SELECT k.key FROM {s}._setting_keys() k WHERE k.kind = 'cron'")}
        for key, value in assignments:
            if key in schedules:  # a record of what pg_cron runs: setting it here would not reach pg_cron
                raise ApplyError(
                    f"{target.label}: {key}={value}: {key} records the pg_cron job pginstall apply registers; "
                    f"set [schedule] {key.removesuffix('_schedule')} in {target.config_label} and run pginstall apply")
            try:
                with conn.transaction():
                    call(conn, "set_setting", p_key=key, p_value=value)
            except psycopg.Error as e:
                raise ApplyError(f"{target.label}: {key}={value}: {describe_db_error(e)}") from None
        rows = [(r["key"], r["value"], r["description"]) for r in _rows(  # every known flag, defaults and derived ones too
            conn, "SELECT k.key, coalesce({s}.setting(k.key), '') AS value, k.description "
                  "FROM {s}._setting_keys() k WHERE k.key <> 'version' ORDER BY k.key")]
        conn.commit()
    return rows


def uninstall(target: Target, force: bool = False, echo=print) -> list[str]:
    out: list[str] = []

    def say(line: str) -> None:
        out.append(f"{target.label}: {line}")
        echo(f"{target.label}: {line}")

    with connect(target) as conn:
        state = read_state(conn)
        if not state.installed:
            say(f"part is not installed in database {state.current_database}: nothing to uninstall")
            return out
        rows = _rows(conn, "SELECT table_name, phase, legacy_table, partitioned_table FROM {s}.migration "
                           "WHERE phase = ANY(%s) ORDER BY 1", list(ACTIVE_PHASES))
        active = [(r["table_name"], r["phase"]) for r in rows]
        # what a forced uninstall leaves behind: the table the application no longer uses, with its rows
        left = [(r["partitioned_table"], "the partitioned copy") if r["phase"] != "partitioned"
                else (r["legacy_table"], "the legacy table") for r in rows]
        if active and not force:
            listed = ", ".join(f"{t} ({p})" for t, p in active)
            raise ApplyError(
                f"{target.label}: migrations in progress: {listed}; finish them (pginstall migrate --to finalized) "
                f"or roll them back first, or pass --force to remove their sync anyway"
            )
        for t, p in active:
            say(f"warning: removing the sync of {t} in phase {p}: its two tables stop being kept in step")
        try:
            with conn.transaction():
                # the generated sync triggers call part's functions: remove them first, or every write
                # to those tables would fail once part is gone
                for t, _p in active:
                    call(conn, "_sync_remove", p_table_name=t)
                if state.mode == "extension":
                    try:
                        with conn.transaction():
                            conn.execute(sql.SQL("DROP EXTENSION {}").format(sql.Identifier(SCHEMA)))
                    except psycopg.errors.DependentObjectsStillExist as e:
                        if not force:
                            raise ApplyError(
                                f"{target.label}: other objects depend on part ({_first_line(e.diag.message_detail or str(e))}); "
                                f"pass --force to drop them with it"
                            ) from None
                        conn.execute(sql.SQL("DROP EXTENSION {} CASCADE").format(sql.Identifier(SCHEMA)))
                    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(SCHEMA)))
                else:
                    conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(SCHEMA)))
        except psycopg.Error as e:
            raise ApplyError(f"{target.label}: uninstall failed: {describe_db_error(e)}") from None
        conn.commit()
    say(f"removed part {state.version} ({state.mode} mode); partitioned tables, their data and schema part_archive are kept")
    for (t, _p), (rel, what) in zip(active, left):
        say(f"left in place: {rel}, {what} of {t}'s unfinished migration, with its rows and no sync: "
            f"DROP TABLE {rel} when you no longer need it")
    for line in cron.unregister_cron(target.conninfo, state.current_database):
        say(line)
    return out


