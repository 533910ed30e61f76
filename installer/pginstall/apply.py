"""The apply transaction: what `pginstall plan`, `apply` and `apply --dry-run` do
in a database, the same code for the three.

apply, for one database, in one transaction:
  1. read the install state and choose the mode (state.py), refusing to mix
     them; install or upgrade part;
  2. part.check_schedule for each [schedule] key (the defaults are part's);
     part.create_partitioned / part.migrate_start for each configured table,
     each in a savepoint, with only the keys the config file sets (the others
     take the defaults of the SQL signatures): part checks every value and
     refuses bad input with one error each; every refusal is reported and the
     whole transaction is rolled back; flags from the environment
     (part.set_setting), USE_PARTITIONED_TABLES (part.switch_reads);
  3. commit (plan and --dry-run: roll back; what changed is read from what the
     calls returned and from part.config); then register the cron jobs
     (cron.py) in the cron database, through one connection.

No Click here: problems are raised as ApplyError (errors.py), one line each.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg

from . import cron
from .config import TableConfig
from .errors import ApplyError, PginstallError
from .render import SCHEMA  # noqa: F401  (cli.py's migrate command and migrate.py use it from here)
from .state import VERSION, choose_mode, read_state, require_installed, run_version_action, version_action
from .targets import Target, call, connect, describe_db_error, first_line, rows

FLAG_ENV = {
    "enable_partition_maintenance": "ENABLE_PARTITION_MAINTENANCE",
    "log_partition_routing": "LOG_PARTITION_ROUTING",
}

_require_installed = require_installed  # cli.py's migrate command calls it by this name


def table_args(t: TableConfig) -> dict:
    """The arguments part.create_partitioned and part.migrate_start share: the keys the config entry
    sets; the others are left to the defaults of the SQL signatures."""
    return {f"p_{k}": v for k, v in t.settings.items()}


def config_entry(conn: psycopg.Connection, target: Target, table: str) -> TableConfig | None:
    """The config entry of TABLE (as the user wrote it), matched by the table part resolves both to."""
    try:
        name = call(conn, "qualified_name", p_table=table)[0]
    except psycopg.Error:  # no such table: the caller's next call of part says so
        if not conn.autocommit:
            conn.rollback()
        return None
    for t in target.tables:
        try:
            if call(conn, "qualified_name", p_table=t.table)[0] == name:
                return t
        except psycopg.Error:
            if not conn.autocommit:
                conn.rollback()
    return None


def start_migration(conn: psycopg.Connection, table: str, t: TableConfig) -> dict:
    """part.migrate_start with a config entry's settings; returns the part.config row of the copy."""
    args = table_args(t)
    if t.method != "copy":
        args["p_method"] = t.method
    copy = call(conn, "migrate_start", p_table=table, **args)[0]
    return rows(conn, "SELECT * FROM {s}.config WHERE parent_table = %s", copy)[0]


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
    if c.get("time_zone", "UTC") != "UTC":
        out[0] += f" ({c['time_zone']} days)"
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


def _table(conn: psycopg.Connection, t: TableConfig, name: str, target: Target, managed: dict,
           migrating: set) -> list[Step]:
    """create_partitioned, or migrate_start for `migrate = true`, of table NAME (part.qualified_name of
    the entry's table); what changed, from part.config."""
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
    new = rows(conn, "SELECT * FROM {s}.config WHERE parent_table = %s", name)[0]
    if old is None:
        return [Step(f"manage {name}: {_shape(new)}", f"managing {name} ({_shape(new)}): {_made(made)}")]
    diff = ", ".join(f"{k} {_show(v)} -> {_show(new[k])}" for k, v in old.items()
                     if k not in ("created_at", "updated_at") and v != new[k])
    if diff:
        return [Step(f"change {name}: {diff}", f"changed {name} ({diff}): {_made(made)}")]
    if made:
        return [Step(f"create {len(made)} partition(s) of {name}: {', '.join(made)}", f"{name}: {_made(made)}")]
    return []


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
    for r in rows(conn, "SELECT table_name FROM {s}.migration WHERE phase NOT IN ('partitioned', 'finalized') ORDER BY 1"):
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


def _schedule(conn: psycopg.Connection, target: Target) -> tuple[dict[str, str] | None, list[str]]:
    """The [schedule] as it will be registered (part.check_schedule), checked before anything changes."""
    try:
        with conn.transaction():
            return cron.resolve_schedule(conn, target.schedule), []
    except psycopg.Error:
        pass
    problems = []
    for key in cron.SCHEDULE_KEYS:  # which key: each alone, for one line each
        value = getattr(target.schedule, key, None)
        try:
            with conn.transaction():
                call(conn, "check_schedule", p_key=key, p_value=None if value is None else str(value))
        except psycopg.Error as e:
            problems.append(f"{target.config_label}: schedule: {key} {value!r}: {describe_db_error(e)}")
    return None, problems


@dataclass
class Outcome:
    """What the transaction did (not committed yet)."""

    mode: str
    steps: list[Step]
    schedule: dict[str, str]


def _transaction(conn: psycopg.Connection, target: Target, forced_mode: str | None) -> Outcome:
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
    managed = {r["parent_table"]: r for r in rows(conn, "SELECT * FROM {s}.config")}
    migrating = {r["table_name"] for r in rows(conn, "SELECT table_name FROM {s}.migration")}
    schedule, problems = _schedule(conn, target)
    seen: dict[str, str] = {}
    for t in target.tables:
        try:
            with conn.transaction():
                name = call(conn, "qualified_name", p_table=t.table)[0]  # 42P01 / 22023 / 42809 from part
                if name in seen:
                    problems.append(f"{target.config_label}: {t.label}: table {name} is configured twice "
                                    f"(also {seen[name]})")
                    continue
                seen[name] = t.entry
                emit(_table(conn, t, name, target, managed, migrating))
        except psycopg.Error as e:
            warnings.clear()
            problems.append(f"{target.config_label}: {t.label}: {describe_db_error(e)}")
    flag_steps, flag_problems = _flags(conn)
    if problems or flag_problems:
        raise ApplyError("\n".join(problems + flag_problems))
    emit(flag_steps)
    emit(_switches(conn))
    return Outcome(mode, steps, schedule)


def plan(target: Target, forced_mode: str | None = None) -> list[str]:
    """What apply would change: the same transaction, rolled back. Nothing when nothing would change."""
    with connect(target) as conn:
        try:
            done = _transaction(conn, target, forced_mode)
        finally:
            conn.rollback()
        lines = [f"{target.label}: {s.plan}" for s in done.steps if s.plan]
        with cron.site(conn, target.conninfo) as site:
            lines += [f"{target.label}: {line}" for line in cron.plan(site, done.schedule)]
    return lines


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
        done = _transaction(conn, target, forced_mode)
        lines = [f"{target.label}: {s.done}" for s in done.steps]
        if not any(s.change for s in done.steps):
            lines.append(f"{target.label}: part {VERSION} ({done.mode} mode) is up to date; nothing to change")
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
            with cron.site(conn, target.conninfo) as site:
                more = [f"{target.label}: {line}" for line in cron.register(site, conn, done.schedule)]
            failed = False
        except (PginstallError, psycopg.Error) as e:
            more, failed = [f"{target.label}: cron registration failed: {first_line(str(e))}"], True
    for line in more:
        echo(line)
    return ApplyResult(lines + more, failed)
