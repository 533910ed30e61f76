"""pg_cron registration: part's maintenance jobs of one database (SPEC.md,
"Maintenance inside PostgreSQL").

pg_cron lives in one database of the server (``cron.database_name``). After a
database's apply transaction commits, ``register`` registers that
database's jobs there, in a second transaction, with
``cron.schedule_in_database``:

* ``part_maintenance_<db>``: ``CALL part.run_maintenance()`` (``[schedule] maintenance``);
* ``part_retention_<db>``: ``SELECT part.drop_old()``, only when ``[schedule] retention``
  is set (run_maintenance then leaves retention to it);
* ``part_purge_history``: one job for the whole server, in the cron database,
  deleting ``cron.job_run_details`` rows older than ``history_days``.

Job names carry the database name because pg_cron 1.4 keeps a job's database
when the same name is scheduled again from elsewhere. Re-applying changes a
job in place (``cron.alter_job``, same jobid) and leaves an identical job
untouched. The schedules that were registered are written into the target
database's ``part.settings`` (``maintenance_schedule``, ``retention_schedule``),
which ``part.verify()`` reads to judge the heartbeat.

Without pg_cron nothing is scheduled and apply still succeeds (the lines say
so); when pg_cron is preloaded but not created in the cron database it is
created if the role may, else nothing is scheduled (a warning line). A
failure while registering raises ``CronError`` (apply exits non-zero).

The cron database is resolved once per command (``Site``), through the
target database's connection, and one connection to it is kept for the
command: ``pginstall verify`` opens two connections in all (the target
database and the cron database).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from .errors import CronError
from .render import SCHEMA

PURGE_JOB = "part_purge_history"
MAINTENANCE_COMMAND = f"CALL {SCHEMA}.run_maintenance()"
RETENTION_COMMAND = f"SELECT {SCHEMA}.drop_old()"
CRON_DB_ENV = "PGINSTALL_CRON_DATABASE"  # the cron database, for roles that may not read cron.database_name
SCHEDULE_KEYS = ("maintenance", "retention", "purge_history", "history_days")  # [schedule]; checked by part.check_schedule


def maintenance_job(dbname: str) -> str:
    return f"part_maintenance_{dbname}"


def retention_job(dbname: str) -> str:
    return f"part_retention_{dbname}"


def purge_command(history_days) -> str:
    return f"DELETE FROM cron.job_run_details WHERE end_time < now() - interval '{int(history_days)} days'"


@dataclass(frozen=True)
class Job:
    name: str
    schedule: str  # "" = must not exist
    command: str
    database: str


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    return text.splitlines()[0] if text else e.__class__.__name__


def resolve_schedule(conn: psycopg.Connection, schedule) -> dict[str, str]:
    """Each [schedule] key as it will be used, through part.check_schedule: the
    config's value checked, or the default part's signature gives (None).
    Raises psycopg.Error for a bad value (the caller reports it)."""
    q = sql.SQL("SELECT {}.check_schedule(%s, %s)").format(sql.Identifier(SCHEMA))
    values = {key: getattr(schedule, key, None) for key in SCHEDULE_KEYS}
    return {key: conn.execute(q, (key, None if v is None else str(v))).fetchone()[0] for key, v in values.items()}


def wanted_jobs(dbname: str, cron_db: str, schedule: dict[str, str]) -> list[Job]:
    """The jobs this database's schedule asks for ("" schedule: the job must not exist)."""
    return [
        Job(maintenance_job(dbname), schedule["maintenance"], MAINTENANCE_COMMAND, dbname),
        Job(retention_job(dbname), schedule["retention"], RETENTION_COMMAND, dbname),
        Job(PURGE_JOB, schedule["purge_history"], purge_command(schedule["history_days"]), cron_db),
    ]


# --------------------------------------------------------------------------
# Where pg_cron is: resolved once per command


class _Unreadable(Exception):
    """pg_cron is loaded but this role may not read cron.database_name."""


def cron_database(conn: psycopg.Connection) -> str | None:
    """cron.database_name as this server knows it, None when pg_cron is not loaded.

    The setting is visible to superusers and pg_read_all_settings only; for
    other roles it is $PGINSTALL_CRON_DATABASE, else the current database when
    pg_cron is created in it; else _Unreadable is raised. Reads in savepoints:
    the caller's transaction, if any, goes on.
    """
    try:
        with conn.transaction():
            name = conn.execute("SELECT pg_catalog.current_setting('cron.database_name', true)").fetchone()[0]
    except psycopg.errors.InsufficientPrivilege:
        if os.environ.get(CRON_DB_ENV):
            return os.environ[CRON_DB_ENV]
        if _has_pg_cron(conn):
            return conn.info.dbname
        raise _Unreadable(
            f"pg_cron is loaded, but this role may not read cron.database_name: set {CRON_DB_ENV}=<the cron "
            f"database>, or GRANT pg_read_all_settings to it") from None
    if not name:
        return None
    try:  # a placeholder setting without the library loaded is not pg_cron
        with conn.transaction():
            libs = conn.execute("SELECT pg_catalog.current_setting('shared_preload_libraries')").fetchone()[0]
    except psycopg.Error:  # not readable for this role: trust cron.database_name
        return name
    if "pg_cron" not in [x.strip().strip('"') for x in (libs or "").split(",")]:
        return None
    return name


def _has_pg_cron(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron')").fetchone()[0]


@dataclass
class Site:
    """pg_cron as one database sees it, for one command.

    cron_db: the cron database (None: pg_cron is not loaded); unreadable: why
    it could not be found (a warning); error: a connection or read failure;
    conn: one autocommit connection to the cron database (None without one).
    """

    dbname: str
    cron_db: str | None = None
    unreadable: str | None = None
    error: str | None = None
    conn: psycopg.Connection | None = None
    has_pg_cron: bool = False
    _conninfo: str = field(default="", repr=False)


@contextmanager
def site(target_conn: psycopg.Connection, conninfo: str) -> Iterator[Site]:
    """Resolve the cron database once, through the target's connection, and open one connection to it."""
    s = Site(dbname=target_conn.info.dbname, _conninfo=conninfo)
    try:
        s.cron_db = cron_database(target_conn)
    except _Unreadable as e:
        s.unreadable = str(e)
    except psycopg.Error as e:
        s.error = f"cannot read cron.database_name: {_first_line(e)}"
    if s.cron_db is not None:
        try:
            s.conn = psycopg.connect(make_conninfo(conninfo, dbname=s.cron_db), autocommit=True,
                                     application_name="pginstall cron")
            s.has_pg_cron = _has_pg_cron(s.conn)
        except psycopg.Error as e:
            s.error = f"cannot connect to the cron database {s.cron_db}: {_first_line(e)}"
    try:
        yield s
    finally:
        if s.conn is not None:
            s.conn.close()


def _existing(conn: psycopg.Connection, names: list[str]) -> dict[str, dict]:
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    rows = cur.execute(
        "SELECT jobid, jobname, schedule, command, database, username, active FROM cron.job "
        "WHERE jobname = ANY(%s) AND username = current_user",
        (names,),
    ).fetchall()
    return {r["jobname"]: r for r in rows}


def _changes(existing: dict[str, dict], jobs: list[Job], user: str) -> list[tuple[str, Job, dict | None]]:
    """(verb, job, existing row) for each job whose state differs from what is wanted."""
    out = []
    for job in jobs:
        cur = existing.get(job.name)
        if not job.schedule:
            if cur is not None:
                out.append(("remove", job, cur))
        elif cur is None:
            out.append(("schedule", job, None))
        elif (cur["schedule"], cur["command"], cur["database"], cur["username"], cur["active"]) != (
            job.schedule, job.command, job.database, user, True
        ):
            out.append(("change", job, cur))
    return out


def _describe(verb: str, job: Job, cur: dict | None, cron_db: str) -> str:
    if verb == "remove":
        return f"unschedule {job.name} (jobid {cur['jobid']}, was {cur['schedule']!r})"
    where = f"in database {job.database}" + (f" (pg_cron in {cron_db})" if job.database != cron_db else "")
    if verb == "schedule":
        return f"schedule {job.name} {job.schedule!r} {where}: {job.command}"
    return f"change {job.name} (jobid {cur['jobid']}) to {job.schedule!r} {where}: {job.command}"


def _write_settings(target_conn: psycopg.Connection, maintenance: str, retention: str) -> None:
    """Record in the target database what is scheduled (part.verify() judges the heartbeat by it)."""
    q = sql.SQL("SELECT {}.set_setting(%s, %s)").format(sql.Identifier(SCHEMA))
    with target_conn.transaction():
        for key, value in (("maintenance_schedule", maintenance), ("retention_schedule", retention)):
            target_conn.execute(q, (key, value))
    if not target_conn.autocommit:
        target_conn.commit()


# --------------------------------------------------------------------------
# What the commands call


def plan(s: Site, schedule: dict[str, str]) -> list[str]:
    """What register would change (read-only); nothing when nothing would change."""
    if s.unreadable or s.cron_db is None:
        return []
    if s.error:
        return [f"cannot read the pg_cron jobs: {s.error}"]
    if not s.has_pg_cron:
        return [f"create extension pg_cron in database {s.cron_db}, then schedule part's jobs"]
    try:
        user = s.conn.execute("SELECT current_user").fetchone()[0]
        jobs = wanted_jobs(s.dbname, s.cron_db, schedule)
        changes = _changes(_existing(s.conn, [j.name for j in jobs]), jobs, user)
    except psycopg.Error as e:
        return [f"cannot read the pg_cron jobs: {_first_line(e)}"]
    return [_describe(verb, job, cur, s.cron_db) for verb, job, cur in changes]


def register(s: Site, target_conn: psycopg.Connection, schedule: dict[str, str]) -> list[str]:
    """Register (or change in place, or remove) this database's jobs; returns lines to show.

    Called by apply after its transaction committed, with the schedule
    part.check_schedule returned in it. Raises CronError when the
    registration fails; pg_cron missing is not a failure (nothing scheduled).
    """
    maintenance, retention = schedule["maintenance"], schedule["retention"]
    if s.unreadable:
        _write_settings(target_conn, "", "")
        return [f"warning: nothing scheduled: {s.unreadable}"]
    if s.error:
        raise CronError(s.error)
    if s.cron_db is None:
        _write_settings(target_conn, "", "")
        return ["nothing scheduled: pg_cron is not loaded on this server (shared_preload_libraries); "
                f"run CALL {SCHEMA}.run_maintenance() yourself, e.g. nightly"]
    conn, lines = s.conn, []
    try:
        if not s.has_pg_cron:
            try:
                with conn.transaction():
                    conn.execute("CREATE EXTENSION pg_cron")
            except psycopg.Error as e:
                _write_settings(target_conn, "", "")
                return [f"warning: nothing scheduled: pg_cron is loaded but not created in database {s.cron_db}, "
                        f"and this role cannot create it ({_first_line(e)}); "
                        f"a superuser can run CREATE EXTENSION pg_cron there, then apply again"]
            s.has_pg_cron = True
            lines.append(f"created extension pg_cron in database {s.cron_db}")
        user = conn.execute("SELECT current_user").fetchone()[0]
        jobs = wanted_jobs(s.dbname, s.cron_db, schedule)
        with conn.transaction():
            existing = _existing(conn, [j.name for j in jobs])
            for verb, job, cur in _changes(existing, jobs, user):
                if verb == "remove":
                    conn.execute("SELECT cron.unschedule(%s::bigint)", (cur["jobid"],))
                elif verb == "schedule":
                    conn.execute("SELECT cron.schedule_in_database(%s, %s, %s, %s)",
                                 (job.name, job.schedule, job.command, job.database))
                else:
                    conn.execute(  # the job is this role's already (username = current_user)
                        "SELECT cron.alter_job(%s::bigint, schedule => %s, command => %s, database => %s, "
                        "active => true)",
                        (cur["jobid"], job.schedule, job.command, job.database))
                lines.append(_describe(verb, job, cur, s.cron_db).replace("schedule ", "scheduled ", 1)
                             .replace("change ", "changed ", 1).replace("unschedule ", "unscheduled ", 1))
            after = _existing(conn, [j.name for j in jobs])
    except psycopg.Error as e:
        raise CronError(f"registering the pg_cron jobs in database {s.cron_db} failed: {_first_line(e)}") from None
    try:
        _write_settings(target_conn, maintenance, retention)
    except psycopg.Error as e:
        raise CronError(f"jobs registered, but recording the schedule in part.settings failed: {_first_line(e)}") from None
    if not lines:
        names = ", ".join(f"{n} (jobid {r['jobid']}, {r['schedule']!r})" for n, r in sorted(after.items()))
        lines.append(f"pg_cron jobs unchanged: {names}" if names else "nothing scheduled (every schedule is empty)")
    if not maintenance:
        lines.append(f"maintenance is not scheduled ([schedule] maintenance = \"\"): run CALL {SCHEMA}.run_maintenance() yourself")
    return lines


def unregister(s: Site) -> list[str]:
    """Remove this database's jobs, and the purge job when no other database has part jobs."""
    if s.unreadable:
        return [f"warning: the pg_cron jobs were not removed: {s.unreadable}"]
    if s.error:
        raise CronError(f"removing the pg_cron jobs failed: {s.error}")
    if s.cron_db is None or not s.has_pg_cron:
        return []
    conn, lines = s.conn, []
    try:
        with conn.transaction():
            mine = _existing(conn, [maintenance_job(s.dbname), retention_job(s.dbname)])
            for name, row in sorted(mine.items()):
                conn.execute("SELECT cron.unschedule(%s::bigint)", (row["jobid"],))
                lines.append(f"unscheduled {name} (jobid {row['jobid']})")
            others = conn.execute(
                "SELECT count(*) FROM cron.job WHERE (jobname LIKE 'part\\_maintenance\\_%' "
                "OR jobname LIKE 'part\\_retention\\_%') AND username = current_user"
            ).fetchone()[0]
            if others == 0:
                purge = _existing(conn, [PURGE_JOB]).get(PURGE_JOB)
                if purge is not None:
                    conn.execute("SELECT cron.unschedule(%s::bigint)", (purge["jobid"],))
                    lines.append(f"unscheduled {PURGE_JOB} (jobid {purge['jobid']}): no other database has part jobs")
    except psycopg.Error as e:
        raise CronError(f"removing the pg_cron jobs failed: {_first_line(e)}") from None
    return lines


def status(s: Site) -> list[dict] | None:
    """This database's part jobs in the cron database with their last run; None without pg_cron."""
    if s.unreadable:
        return [{"error": s.unreadable}]
    if s.error:
        return [{"error": f"cannot read the pg_cron jobs: {s.error}"}]
    if s.cron_db is None or not s.has_pg_cron:
        return None
    try:
        cur = s.conn.cursor(row_factory=psycopg.rows.dict_row)
        rows = cur.execute(
            "SELECT j.jobid, j.jobname, j.schedule, j.command, j.database, j.active, "
            "       r.status AS last_status, r.start_time AS last_start, r.end_time AS last_end, "
            "       r.return_message AS last_message "
            "  FROM cron.job j "
            "  LEFT JOIN LATERAL (SELECT d.status, d.start_time, d.end_time, d.return_message "
            "                       FROM cron.job_run_details d WHERE d.jobid = j.jobid "
            "                      ORDER BY d.runid DESC LIMIT 1) r ON true "
            " WHERE j.jobname IN (%s, %s, %s) ORDER BY j.jobname",
            (maintenance_job(s.dbname), retention_job(s.dbname), PURGE_JOB),
        ).fetchall()
    except psycopg.Error as e:
        return [{"error": f"cannot read the pg_cron jobs: {_first_line(e)}"}]
    return [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()} for r in rows]


def checks(s: Site, target_conn: psycopg.Connection, jobs: list[dict] | None) -> list[dict]:
    """Rows in part.verify()'s shape about the pg_cron jobs of this database (jobs: status(s)).

    cron_job: the maintenance job (and the retention job when one is recorded
    in part.settings) exists, is active, and its last run did not fail.
    """
    def row(name, status_, detail):
        return {"check_name": name, "table_name": None, "status": status_, "detail": detail}

    if s.unreadable:
        return [row("cron_jobs", "warn", s.unreadable)]
    if s.error:
        return [row("cron_jobs", "warn", f"cannot read the cron state: {s.error}")]
    if s.cron_db is None:
        return [row("cron_jobs", "warn", "pg_cron is not loaded on this server: nothing is scheduled")]
    if jobs is None:
        return [row("cron_jobs", "warn", f"pg_cron is not created in database {s.cron_db}: nothing is scheduled")]
    if jobs and "error" in jobs[0]:
        return [row("cron_jobs", "warn", jobs[0]["error"])]
    q = sql.SQL("SELECT {}.setting(%s)").format(sql.Identifier(SCHEMA))
    try:
        with target_conn.transaction():
            wanted = {key: target_conn.execute(q, (key,)).fetchone()[0] or ""
                      for key in ("maintenance_schedule", "retention_schedule")}
    except psycopg.Error:
        wanted = {"maintenance_schedule": "", "retention_schedule": ""}
    by_name = {j["jobname"]: j for j in jobs}
    out = []
    for key, name in (("maintenance_schedule", maintenance_job(s.dbname)), ("retention_schedule", retention_job(s.dbname))):
        job = by_name.get(name)
        if not wanted.get(key):
            if key == "maintenance_schedule" and job is None:
                out.append(row("cron_job", "warn", f"{name}: not scheduled (pginstall apply registers it)"))
            continue
        if job is None:
            out.append(row("cron_job", "fail", f"{name}: missing from cron.job in database {s.cron_db} "
                                               f"(part.settings says {wanted[key]!r}): run pginstall apply"))
        elif not job["active"]:
            out.append(row("cron_job", "fail", f"{name} (jobid {job['jobid']}) is inactive"))
        elif job["last_status"] == "failed":
            out.append(row("cron_job", "fail", f"{name} (jobid {job['jobid']}): last run at {job['last_start']} failed: "
                                               f"{(job['last_message'] or '').strip()}"))
        else:
            last = (f"last run {job['last_start']}: {job['last_status']}" if job["last_status"] else "not run yet")
            out.append(row("cron_job", "ok", f"{name} (jobid {job['jobid']}) {job['schedule']!r} in {s.cron_db}: {last}"))
    return out
