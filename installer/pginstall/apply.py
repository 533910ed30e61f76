"""Connections and transactions: what pginstall does to a database.

No Click here: problems are raised as ApplyError (one line each); cli.py turns
them into click.ClickException. The SQL is rendered by render.py; everything
else a user could do in psql is a call of a `part` function (SPEC.md).

apply, for one database, in one transaction:
  1. read the install state and choose the mode (extension | plain), refusing
     to mix them;
  2. check every configured table against the catalog (read-only) and report
     every problem before anything is changed;
  3. install or upgrade part; create_partitioned / migrate_start per table;
     flags from the environment;
  4. commit (or roll back for --dry-run); then register the cron jobs
     (cron.py, issue 4) in a second transaction in the cron database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from . import render
from .config import Config, DatabaseConfig, Schedule, TableConfig, split_table_name

VERSION = render.VERSION
SCHEMA = render.SCHEMA
FLAG_ENV = {
    "enable_partition_maintenance": "ENABLE_PARTITION_MAINTENANCE",
    "log_partition_routing": "LOG_PARTITION_ROUTING",
}
ACTIVE_PHASES = ("dual_write", "backfilled", "partitioned")


class ApplyError(Exception):
    """A problem pginstall reports as one line (several problems: one line each)."""


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

    @property
    def tables(self) -> tuple[TableConfig, ...]:
        return self.section.tables if self.section else ()

    @property
    def dbname(self) -> str | None:
        return conninfo_to_dict(self.conninfo).get("dbname")


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
        raise ApplyError("say which database: --db NAME (a [databases.NAME] section of the config file), or --dsn DSN")
    section = cfg.databases.get(db) if db is not None else None
    return [_target(cfg, db, section, dsn)]


def connect(target: Target, autocommit: bool = False) -> psycopg.Connection:
    try:
        conn = psycopg.connect(target.conninfo, autocommit=autocommit, application_name="pginstall")
    except psycopg.OperationalError as e:
        raise ApplyError(f"{target.label}: cannot connect: {_first_line(str(e))}") from None
    return conn


def _first_line(text: str) -> str:
    text = text.removeprefix("connection is bad: ")
    lines = [l.strip() for l in text.strip().splitlines() if l.strip()]
    return lines[0] if lines else text.strip()


def describe_db_error(e: psycopg.Error) -> str:
    """A server error as one line: message (SQLSTATE), hint."""
    diag = getattr(e, "diag", None)
    msg = (diag.message_primary if diag and diag.message_primary else _first_line(str(e)))
    state = diag.sqlstate if diag and diag.sqlstate else None
    hint = diag.message_hint if diag and diag.message_hint else None
    out = msg + (f" ({state})" if state else "")
    if hint:
        out += f"; hint: {' '.join(hint.split())}"
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
    if ext is None and schema is not None and _relation_exists(conn, f"{SCHEMA}.settings"):
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

    def describe(self) -> str:
        if self.kind == "install":
            return f"install part {VERSION} ({self.mode} mode)"
        return f"upgrade part {self.from_version} -> {VERSION} ({self.mode} mode)"


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
# Catalog checks (read-only)


@dataclass
class ResolvedTable:
    cfg: TableConfig
    qualified: str  # format('%I.%I'), as part.config stores it
    relkind: str
    key_type: str | None


def _relation_exists(conn: psycopg.Connection, name: str) -> bool:
    return conn.execute("SELECT pg_catalog.to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]


def _function_args(conn: psycopg.Connection, name: str) -> set[str] | None:
    """Parameter names of part.<name> (all overloads), None when it does not exist."""
    rows = conn.execute(
        """SELECT p.proargnames FROM pg_catalog.pg_proc p
             JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = %s AND p.proname = %s""",
        (SCHEMA, name),
    ).fetchall()
    if not rows:
        return None
    return {a for r in rows for a in (r[0] or [])}


_INT_TYPES = ("smallint", "integer", "bigint")
_TIME_TYPES = ("timestamp without time zone", "timestamp with time zone", "date")


def _interval_ok(conn: psycopg.Connection, text: str) -> str | None:
    """None when the server reads text as a positive interval, else why not."""
    try:
        with conn.transaction():
            ok = conn.execute("SELECT %s::interval > interval '0'", (text,)).fetchone()[0]
    except psycopg.Error as e:
        return describe_db_error(e)
    return None if ok else "it must be positive"


def check_tables(conn: psycopg.Connection, target: Target, state: InstallState) -> tuple[list[ResolvedTable], list[str]]:
    """Check every configured table against the catalog; returns (tables, problems)."""
    resolved: list[ResolvedTable] = []
    problems: list[str] = []
    managed = _managed_rows(conn, state)
    migrations = _migration_rows(conn, state)
    for t in target.tables:
        where = f"{target.config_label}: {t.label}"
        schema, rel = split_table_name(t.table)
        if schema is not None:
            rows = conn.execute(
                """SELECT pg_catalog.format('%%I.%%I', n.nspname, c.relname), c.relkind, c.oid
                     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = %s AND c.relname = %s AND c.relkind IN ('r', 'p')""",
                (schema, rel),
            ).fetchall()
        else:
            rows = conn.execute(
                """SELECT pg_catalog.format('%%I.%%I', n.nspname, c.relname), c.relkind, c.oid
                     FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relname = %s AND c.relkind IN ('r', 'p')
                      AND n.nspname NOT IN ('pg_catalog', 'information_schema', %s, 'part_archive')
                      AND n.nspname !~ '^pg_(toast|temp)'""",
                (rel, SCHEMA),
            ).fetchall()
            if len(rows) > 1:
                problems.append(
                    f"{where}: table name is ambiguous ({', '.join(r[0] for r in rows)}): qualify it with its schema"
                )
                continue
        if not rows:
            problems.append(f"{where}: table {t.table} does not exist in database {state.current_database}")
            continue
        qualified, relkind, oid = rows[0]
        keyrow = conn.execute(
            """SELECT pg_catalog.format_type(a.atttypid, NULL) FROM pg_catalog.pg_attribute a
                WHERE a.attrelid = %s AND a.attname = %s AND a.attnum > 0 AND NOT a.attisdropped""",
            (oid, t.key),
        ).fetchone()
        if keyrow is None:
            cols = [
                r[0]
                for r in conn.execute(
                    """SELECT pg_catalog.quote_ident(attname) FROM pg_catalog.pg_attribute
                        WHERE attrelid = %s AND attnum > 0 AND NOT attisdropped ORDER BY attnum""",
                    (oid,),
                )
            ]
            problems.append(f"{where}: column {t.key!r} does not exist in {qualified} (columns: {', '.join(cols)})")
            continue
        key_type = keyrow[0]
        rt = ResolvedTable(t, qualified, relkind, key_type)

        if t.migrate:
            if qualified in migrations:
                resolved.append(rt)  # already moving: apply leaves it to `pginstall migrate`
                continue
            if relkind == "p":
                if qualified in managed:
                    resolved.append(rt)
                    continue
                problems.append(
                    f"{where}: migrate = true, but {qualified} is already partitioned: remove migrate = true to manage it"
                )
                continue
        elif relkind != "p":
            problems.append(
                f"{where}: table {qualified} is not partitioned: create it with PARTITION BY "
                f"{t.strategy.upper()} ({t.key}), or set migrate = true to move it online"
            )
            continue
        else:
            part = conn.execute(
                """SELECT pt.partstrat, pt.partnatts,
                          (SELECT a.attname FROM pg_catalog.pg_attribute a
                            WHERE a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0])
                     FROM pg_catalog.pg_partitioned_table pt WHERE pt.partrelid = %s""",
                (oid,),
            ).fetchone()
            strat = {"r": "range", "h": "hash", "l": "list"}.get(part[0], part[0])
            if strat != t.strategy or part[1] != 1 or part[2] != t.key:
                by = part[2] if part[1] == 1 and part[2] else "an expression or several columns"
                problems.append(
                    f"{where}: {qualified} is partitioned by {strat.upper()} ({by}), not by "
                    f"{t.strategy.upper()} ({t.key}): make the config match the table"
                )
                continue
        problem = _key_problem(conn, t, key_type)
        if problem:
            problems.append(f"{where}: {problem}")
            continue
        old = managed.get(qualified)
        if old is not None and not t.migrate and (old["strategy"] != t.strategy or old["key_column"] != t.key):
            problems.append(
                f"{where}: {qualified} is managed as {old['strategy']} on {old['key_column']}, "
                f"not {t.strategy} on {t.key}: make the config match"
            )
            continue
        if old is not None and t.strategy == "hash" and old.get("partitions") != t.partitions:
            problems.append(
                f"{where}: {qualified} has {old.get('partitions')} hash partitions, the config asks for "
                f"{t.partitions}: grow it online with CALL part.split_hash('{qualified}', {t.partitions}), "
                f"then apply"
            )
            continue
        resolved.append(rt)
    return resolved, problems


def _key_problem(conn: psycopg.Connection, t: TableConfig, key_type: str) -> str | None:
    if t.strategy == "hash":
        ok = conn.execute(
            """SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_opclass o JOIN pg_catalog.pg_am am ON am.oid = o.opcmethod
                              WHERE am.amname = 'hash' AND o.opcdefault
                                AND o.opcintype = %s::regtype)""",
            (key_type,),
        ).fetchone()[0]
        if not ok:
            return f"column {t.key} is of type {key_type}, which hash partitioning cannot use"
        return None
    if key_type in _INT_TYPES:
        if not t.interval.strip().isdigit():
            return f"column {t.key} is {key_type}: interval must be an integer width (e.g. 100000), not {t.interval!r}"
        if t.retention is not None and not t.retention.strip().isdigit():
            return f"column {t.key} is {key_type}: retention must be an integer, not {t.retention!r}"
        return None
    if key_type not in _TIME_TYPES:
        return (
            f"column {t.key} is of type {key_type}, which range partitioning by part cannot use "
            f"(timestamp, timestamptz, date, smallint, integer, bigint; use hash for other types)"
        )
    if t.interval.strip().isdigit():
        return f"column {t.key} is {key_type}: interval needs a unit (e.g. \"1 month\"), not {t.interval!r}"
    why = _interval_ok(conn, t.interval)
    if why:
        return f"interval {t.interval!r} is not valid: {why}"
    if key_type == "date":
        short = conn.execute("SELECT %s::interval < interval '1 day'", (t.interval,)).fetchone()[0]
        if short:
            return f"column {t.key} is a date: interval {t.interval!r} is shorter than a day"
    if t.retention is not None:
        if t.retention.strip().isdigit():
            return f"column {t.key} is {key_type}: retention needs a unit (e.g. \"24 months\"), not {t.retention!r}"
        why = _interval_ok(conn, t.retention)
        if why:
            return f"retention {t.retention!r} is not valid: {why}"
    return None


def _managed_rows(conn: psycopg.Connection, state: InstallState) -> dict[str, dict]:
    if not state.installed or not _relation_exists(conn, f"{SCHEMA}.config"):
        return {}
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    rows = cur.execute(sql.SQL("SELECT * FROM {}.config").format(sql.Identifier(SCHEMA))).fetchall()
    return {r["parent_table"]: r for r in rows}


def _migration_rows(conn: psycopg.Connection, state: InstallState) -> dict[str, dict]:
    if not state.installed or not _relation_exists(conn, f"{SCHEMA}.migration"):
        return {}
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    rows = cur.execute(sql.SQL("SELECT * FROM {}.migration").format(sql.Identifier(SCHEMA))).fetchall()
    return {r["table_name"]: r for r in rows}


# --------------------------------------------------------------------------
# Changes


@dataclass
class TableChange:
    table: ResolvedTable
    kind: str  # add | change | migrate
    details: list[str] = field(default_factory=list)

    def describe(self) -> str:
        t = self.table.cfg
        if self.kind == "migrate":
            shape = _shape(t)
            return f"start migration of {self.table.qualified} (dual_write): {shape}"
        if self.kind == "add":
            return f"manage {self.table.qualified}: {_shape(t)}"
        return f"change {self.table.qualified}: {', '.join(self.details)}"


def _shape(t: TableConfig) -> str:
    if t.strategy == "hash":
        return f"hash on {t.key}, {t.partitions} partitions"
    parts = [f"range on {t.key} every {t.interval}", f"premake {t.premake}"]
    if t.retention:
        parts.append(f"retention {t.retention} ({t.retention_mode})")
    parts.append("default partition" if t.effective_default_partition else "no default partition")
    return ", ".join(parts)


def _desired(t: TableConfig) -> dict:
    return {
        "interval": t.interval,
        "partitions": t.partitions,
        "premake": t.premake,
        "retention": t.retention,
        "retention_mode": t.retention_mode,
        "default_partition": t.effective_default_partition,
        "batch_size": t.batch_size,
    }


def table_changes(conn: psycopg.Connection, tables: list[ResolvedTable], state: InstallState) -> list[TableChange]:
    managed = _managed_rows(conn, state)
    migrations = _migration_rows(conn, state)
    changes: list[TableChange] = []
    for rt in tables:
        t = rt.cfg
        if t.migrate and rt.relkind == "r" and rt.qualified not in migrations:
            changes.append(TableChange(rt, "migrate"))
            continue
        if t.migrate and rt.qualified in migrations:
            continue  # the migration itself is driven by `pginstall migrate`
        old = managed.get(rt.qualified)
        if old is None:
            if t.migrate:
                continue
            changes.append(TableChange(rt, "add"))
            continue
        details = []
        for key, want in _desired(t).items():
            if key not in old:
                continue
            have = old[key]
            if have != want:
                details.append(f"{key} {_show(have)} -> {_show(want)}")
        if details:
            changes.append(TableChange(rt, "change", details))
    return changes


def _show(v) -> str:
    if v is None:
        return "(none)"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _flag_changes(conn: psycopg.Connection, state: InstallState) -> list[tuple[str, str, str | None]]:
    """(key, wanted, current) for each flag the environment overrides and that differs."""
    wanted = {}
    for key, env in FLAG_ENV.items():
        v = os.environ.get(env)
        if v is None or v.strip() == "":
            continue
        norm = v.strip().lower()
        if norm in ("1", "true", "yes", "on"):
            wanted[key] = "true"
        elif norm in ("0", "false", "no", "off"):
            wanted[key] = "false"
        else:
            raise ApplyError(f"{env}={v!r}: use true or false")
    if not wanted:
        return []
    current = {}
    if state.installed and _relation_exists(conn, f"{SCHEMA}.settings"):
        current = dict(
            conn.execute(sql.SQL("SELECT key, value FROM {}.settings").format(sql.Identifier(SCHEMA))).fetchall()
        )
    return [(k, v, current.get(k)) for k, v in wanted.items() if current.get(k) != v]


# --------------------------------------------------------------------------
# Plan and apply


@dataclass
class Plan:
    target: Target
    mode: str
    state: InstallState
    version: VersionAction | None
    tables: list[ResolvedTable]
    changes: list[TableChange]
    flags: list[tuple[str, str, str | None]]
    switches: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = []
        if self.version:
            out.append(self.version.describe())
        out += [c.describe() for c in self.changes]
        out += [f"set {k} = {v} (was {_show(cur)}; from ${FLAG_ENV[k]})" for k, v, cur in self.flags]
        out += [f"switch reads of {t} to the partitioned table (USE_PARTITIONED_TABLES=true)" for t in self.switches]
        return [f"{self.target.label}: {line}" for line in out]


def _cron_module():
    try:
        from . import cron  # written for issue 4
    except ImportError:
        return None
    return cron


def make_plan(conn: psycopg.Connection, target: Target, forced_mode: str | None) -> Plan:
    """Read-only: what apply would change. Raises ApplyError with every problem found."""
    state = read_state(conn)
    mode = choose_mode(state, forced_mode, target.label)
    version = version_action(state, mode, target.label)
    tables, problems = check_tables(conn, target, state)
    if problems:
        raise ApplyError("\n".join(problems))
    changes = table_changes(conn, tables, state)
    flags = _flag_changes(conn, state)
    switches = []
    if _switch_wanted() and state.installed and _relation_exists(conn, f"{SCHEMA}.migration"):
        switches = [r[0] for r in conn.execute(
            sql.SQL("SELECT table_name FROM {}.migration WHERE phase = 'backfilled' ORDER BY 1").format(
                sql.Identifier(SCHEMA)))]
    return Plan(target, mode, state, version, tables, changes, flags, switches)


def _switch_wanted() -> bool:
    return os.environ.get("USE_PARTITIONED_TABLES", "").strip().lower() in ("1", "true", "yes", "on")


def plan_cron_lines(target: Target, state: InstallState) -> list[str]:
    cron = _cron_module()
    if cron is None or not hasattr(cron, "plan_cron"):
        return []
    return list(cron.plan_cron(target.conninfo, state.current_database, target.schedule) or [])


def plan(target: Target, forced_mode: str | None = None) -> list[str]:
    with connect(target) as conn:
        conn.read_only = True
        try:
            p = make_plan(conn, target, forced_mode)
        finally:
            conn.rollback()
    lines = p.lines()
    if any(c.kind == "migrate" for c in p.changes):
        lines += [f"{target.label}: {w}" for w in _migrate_what_if(target, p)]
    lines += [f"{line}" for line in plan_cron_lines(target, p.state)]
    return lines


def _migrate_what_if(target: Target, p: Plan) -> list[str]:
    """Run migrate_start for the tables apply would start moving, in a transaction
    that is rolled back, to show its warnings (e.g. ON CONFLICT (id) breaking) or
    its refusal, as plan output."""
    warnings: list[str] = []
    with connect(target) as conn:
        conn.add_notice_handler(
            lambda d: warnings.append(f"warning: {d.message_primary}") if d.severity == "WARNING" else None
        )
        try:
            # a statement first: the transaction blocks below are then savepoints, never commits
            conn.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pginstall apply'))")
            if p.version:
                with conn.transaction():
                    run_version_action(conn, p.version)
            for change in p.changes:
                if change.kind == "migrate":
                    _apply_table(conn, change, target)
        finally:
            conn.rollback()
    return warnings


def _call(conn: psycopg.Connection, fn: str, args: dict, available: set[str]) -> list:
    """SELECT part.fn(p_x => ...) with the arguments the installed function knows."""
    used = {k: v for k, v in args.items() if k in available and v is not None}
    call = sql.SQL("SELECT {}.{}({})").format(
        sql.Identifier(SCHEMA),
        sql.Identifier(fn),
        sql.SQL(", ").join(sql.SQL("{} => {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in used),
    )
    return [r[0] for r in conn.execute(call, used).fetchall()]


def _apply_table(conn: psycopg.Connection, change: TableChange, target: Target) -> list[str]:
    t = change.table.cfg
    where = f"{target.config_label}: {t.label}"
    if change.kind == "migrate":
        args = _function_args(conn, "migrate_start")
        if args is None:
            raise ApplyError(f"{where}: migrate = true needs part.migrate_start, which part {VERSION} does not have yet")
        call_args = {
            "p_table": change.table.qualified, "p_key": t.key, "p_strategy": t.strategy,
            "p_interval": t.interval, "p_partitions": t.partitions, "p_premake": t.premake,
            "p_retention": t.retention, "p_retention_mode": t.retention_mode,
            "p_default_partition": t.effective_default_partition, "p_batch_size": t.batch_size,
        }
        try:
            with conn.transaction():
                _call(conn, "migrate_start", call_args, args)
        except psycopg.Error as e:
            raise ApplyError(f"{where}: {describe_db_error(e)}") from None
        _set_batch_size(conn, change.table.qualified, t.batch_size)
        return [f"started migration of {change.table.qualified} (dual_write): run `pginstall migrate "
                f"{change.table.qualified} --db {target.label} --to partitioned` to backfill and switch"]
    args = _function_args(conn, "create_partitioned") or set()
    call_args = {
        "p_parent": change.table.qualified, "p_key": t.key, "p_strategy": t.strategy,
        "p_interval": t.interval, "p_partitions": t.partitions, "p_premake": t.premake,
        "p_retention": t.retention, "p_retention_mode": t.retention_mode,
        "p_default_partition": t.effective_default_partition, "p_batch_size": t.batch_size,
    }
    try:
        with conn.transaction():
            made = _call(conn, "create_partitioned", call_args, args)
    except psycopg.Error as e:
        raise ApplyError(f"{where}: {describe_db_error(e)}") from None
    _set_batch_size(conn, change.table.qualified, t.batch_size)
    made = [m for m in made if m]
    verb = "managing" if change.kind == "add" else "changed"
    what = change.describe().split(": ", 1)[1]
    return [f"{verb} {change.table.qualified} ({what}): created {len(made)} partition(s)"
            + (f": {', '.join(made)}" if made else "")]


def _set_batch_size(conn: psycopg.Connection, qualified: str, batch_size: int) -> None:
    """part.config.batch_size (the backfill batch) has no create_partitioned parameter."""
    if "p_batch_size" in (_function_args(conn, "create_partitioned") or set()):
        return
    conn.execute(
        sql.SQL("UPDATE {}.config SET batch_size = %s, updated_at = now() "
                "WHERE parent_table = %s AND batch_size IS DISTINCT FROM %s").format(sql.Identifier(SCHEMA)),
        (batch_size, qualified, batch_size),
    )


def _set_flags(conn: psycopg.Connection, flags: list[tuple[str, str, str | None]]) -> list[str]:
    if not flags:
        return []
    has_fn = _function_args(conn, "set_setting") is not None
    out = []
    for key, value, current in flags:
        if has_fn:
            conn.execute(sql.SQL("SELECT {}.set_setting(%s, %s)").format(sql.Identifier(SCHEMA)), (key, value))
        else:
            conn.execute(
                sql.SQL("UPDATE {}.settings SET value = %s WHERE key = %s").format(sql.Identifier(SCHEMA)),
                (value, key),
            )
        out.append(f"set {key} = {value} (was {_show(current)}; from ${FLAG_ENV[key]})")
    return out


def _switch_requested(conn: psycopg.Connection) -> list[str]:
    """USE_PARTITIONED_TABLES=true: switch every backfilled migration with clean parity."""
    if not _switch_wanted():
        return []
    if _function_args(conn, "switch_reads") is None:
        return ["USE_PARTITIONED_TABLES=true: part.switch_reads is not available in this version: nothing switched"]
    out = []
    rows = conn.execute(
        sql.SQL("SELECT table_name, phase, parity_clean FROM {}.migration ORDER BY table_name").format(
            sql.Identifier(SCHEMA)
        )
    ).fetchall()
    for table, phase, clean in rows:
        if phase in ("partitioned", "finalized"):
            continue
        if phase != "backfilled":
            out.append(f"not switched {table}: it is in phase {phase}, not backfilled")
            continue
        try:
            with conn.transaction():
                conn.execute(sql.SQL("SELECT {}.switch_reads(%s)").format(sql.Identifier(SCHEMA)), (table,))
            out.append(f"switched reads of {table} to the partitioned table")
        except psycopg.Error as e:
            out.append(f"not switched {table}: {describe_db_error(e)}")
    return out


@dataclass
class ApplyResult:
    lines: list[str]
    failed: bool = False


def apply(target: Target, forced_mode: str | None = None, dry_run: bool = False, echo=print) -> ApplyResult:
    """Apply the config to one database, in one transaction; then register cron jobs.

    What the transaction did is printed once it has committed (or rolled back
    for --dry-run); on an error only the error is reported: nothing changed.
    """
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(f"{target.label}: {line}")

    notices: list[str] = []

    def flush_notices() -> None:
        for n in notices:
            say(f"warning: {n}")
        notices.clear()

    with connect(target) as conn:
        conn.add_notice_handler(lambda d: notices.append(d.message_primary) if d.severity == "WARNING" else None)
        try:
            conn.execute("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('pginstall apply'))")
            p = make_plan(conn, target, forced_mode)
            if p.version:
                try:
                    with conn.transaction():
                        run_version_action(conn, p.version)
                except psycopg.Error as e:
                    raise ApplyError(f"{target.label}: {p.version.describe()} failed: {describe_db_error(e)}") from None
                say(p.version.describe().replace("install", "installed", 1).replace("upgrade", "upgraded", 1))
                flush_notices()
            for change in p.changes:
                for line in _apply_table(conn, change, target):
                    say(line)
                flush_notices()
            for line in _set_flags(conn, p.flags):
                say(line)
            for line in _switch_requested(conn):
                say(line)
            flush_notices()
            if not (p.version or p.changes or p.flags or p.switches):
                say(f"part {VERSION} ({p.mode} mode) is up to date; nothing to change")
            if dry_run:
                conn.rollback()
                say("dry run: rolled back, nothing changed")
                for line in lines:
                    echo(line)
                return ApplyResult(lines)
            conn.commit()
        except BaseException:
            conn.rollback()
            raise
        state = read_state(conn)
    for line in lines:
        echo(line)

    def say(line: str) -> None:  # noqa: F811 - from here on, print as it happens
        lines.append(f"{target.label}: {line}")
        echo(f"{target.label}: {line}")

    failed = False
    cron = _cron_module()
    if cron is None or not hasattr(cron, "register_cron"):
        say("nothing scheduled: this pginstall has no pg_cron registration yet (run part maintenance yourself)")
    else:
        try:
            for line in cron.register_cron(target.conninfo, state.current_database, target.schedule) or []:
                say(line)
        except Exception as e:  # registration is its own transaction: report, exit non-zero
            say(f"cron registration failed: {_first_line(str(e))}")
            failed = True
    return ApplyResult(lines, failed)


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
        cur = conn.cursor(row_factory=psycopg.rows.dict_row)
        configs = cur.execute(
            sql.SQL("SELECT * FROM {}.config ORDER BY parent_table").format(sql.Identifier(SCHEMA))
        ).fetchall()
        parts: dict[str, list] = {}
        if _relation_exists(conn, f"{SCHEMA}.partitions"):
            for r in cur.execute(sql.SQL("SELECT * FROM {}.partitions").format(sql.Identifier(SCHEMA))):
                parts.setdefault(r["parent_table"], []).append(_jsonable(r))
        for c in configs:
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
        if _relation_exists(conn, f"{SCHEMA}.migrations"):
            rows = cur.execute(sql.SQL("SELECT * FROM {}.migrations").format(sql.Identifier(SCHEMA))).fetchall()
        else:
            rows = cur.execute(
                sql.SQL("SELECT * FROM {}.migration ORDER BY table_name").format(sql.Identifier(SCHEMA))
            ).fetchall()
        out["migrations"] = [_jsonable(r) for r in rows]
        rows = cur.execute(
            sql.SQL(
                "SELECT run_id, logged_at, outcome, duration, detail FROM {}.maintenance_log "
                "WHERE action = 'run' ORDER BY logged_at DESC LIMIT 5"
            ).format(sql.Identifier(SCHEMA))
        ).fetchall()
        out["maintenance_runs"] = [_jsonable(r) for r in rows]
        conn.rollback()
    cron = _cron_module()
    if cron is not None and hasattr(cron, "cron_status"):
        out["cron_jobs"] = cron.cron_status(target.conninfo, state.current_database)
    return out


def _jsonable(row: dict) -> dict:
    out = {}
    for k, v in row.items():
        if v is None or isinstance(v, (str, int, float, bool)):
            out[k] = v
        elif hasattr(v, "isoformat"):
            out[k] = v.isoformat()
        else:
            out[k] = str(v)
    return out


def verify(target: Target) -> tuple[list[dict], dict | None]:
    with connect(target) as conn:
        conn.read_only = True
        _require_installed(conn, target)
        if _function_args(conn, "verify") is None:
            raise ApplyError(f"{target.label}: part.verify() is not in this version of part yet")
        cur = conn.cursor(row_factory=psycopg.rows.dict_row)
        try:
            rows = [_jsonable(r) for r in cur.execute(sql.SQL("SELECT * FROM {}.verify()").format(sql.Identifier(SCHEMA)))]
        except psycopg.Error as e:
            raise ApplyError(f"{target.label}: part.verify() failed: {describe_db_error(e)}") from None
        state = read_state(conn)
        conn.rollback()
    cron_state = None
    cron = _cron_module()
    if cron is not None and hasattr(cron, "cron_status"):
        cron_state = cron.cron_status(target.conninfo, state.current_database)
    if cron is not None and hasattr(cron, "cron_checks"):  # the jobs in the cron database, as check rows
        rows += cron.cron_checks(target.conninfo, state.current_database)
    return rows, cron_state


def flags(target: Target, assignments: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Set the given flags (part.set_setting), then return (key, value, description) of all."""
    with connect(target) as conn:
        _require_installed(conn, target)
        if assignments:
            if _function_args(conn, "set_setting") is None:
                raise ApplyError(f"{target.label}: part.set_setting is not in this version of part yet")
            for key, value in assignments:
                try:
                    with conn.transaction():
                        conn.execute(sql.SQL("SELECT {}.set_setting(%s, %s)").format(sql.Identifier(SCHEMA)), (key, value))
                except psycopg.Error as e:
                    raise ApplyError(f"{target.label}: {key}={value}: {describe_db_error(e)}") from None
        if _function_args(conn, "_setting_keys") is not None:  # every known flag, defaults and derived ones too
            rows = conn.execute(
                sql.SQL("SELECT k.key, coalesce({s}.setting(k.key), ''), k.description FROM {s}._setting_keys() k "
                        "WHERE k.key <> 'version' ORDER BY k.key").format(s=sql.Identifier(SCHEMA))
            ).fetchall()
        else:
            rows = conn.execute(
                sql.SQL("SELECT key, value, coalesce(description, '') FROM {}.settings WHERE key <> 'version' ORDER BY key").format(
                    sql.Identifier(SCHEMA)
                )
            ).fetchall()
        if _function_args(conn, "use_partitioned_tables") is not None:
            v = conn.execute(sql.SQL("SELECT {}.use_partitioned_tables()").format(sql.Identifier(SCHEMA))).fetchone()[0]
            rows = [r for r in rows if r[0] != "use_partitioned_tables"]
            rows.append(("use_partitioned_tables", _show(v), "read-only: every migration is partitioned or finalized"))
            rows.sort()
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
        active = []
        if _relation_exists(conn, f"{SCHEMA}.migration"):
            active = conn.execute(
                sql.SQL("SELECT table_name, phase FROM {}.migration WHERE phase = ANY(%s) ORDER BY 1").format(
                    sql.Identifier(SCHEMA)
                ),
                (list(ACTIVE_PHASES),),
            ).fetchall()
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
                    conn.execute(sql.SQL("SELECT {}._sync_remove(%s)").format(sql.Identifier(SCHEMA)), (t,))
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
    cron = _cron_module()
    if cron is not None and hasattr(cron, "unregister_cron"):
        for line in cron.unregister_cron(target.conninfo, state.current_database) or []:
            say(line)
    return out


