"""pg_cron registration: part's maintenance jobs of one database (SPEC.md,
"Maintenance inside PostgreSQL").

pg_cron lives in one database of the server (``cron.database_name``). After a
database's apply transaction commits, ``register_cron`` registers that
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
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

SCHEMA = "part"
PURGE_JOB = "part_purge_history"
MAINTENANCE_COMMAND = f"CALL {SCHEMA}.run_maintenance()"
RETENTION_COMMAND = f"SELECT {SCHEMA}.drop_old()"
CRON_DB_ENV = "PGINSTALL_CRON_DATABASE"  # the cron database, for roles that may not read cron.database_name
DEFAULTS = {"maintenance": "0 2 * * *", "retention": "", "purge_history": "30 3 * * *", "history_days": 7}


class CronError(Exception):
    """Registering the jobs failed (one line)."""


def maintenance_job(dbname: str) -> str:
    return f"part_maintenance_{dbname}"


def retention_job(dbname: str) -> str:
    return f"part_retention_{dbname}"


def purge_command(history_days: int) -> str:
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


def _get(schedule, key):
    v = getattr(schedule, key, None) if schedule is not None else None
    return DEFAULTS[key] if v is None else v


def wanted_jobs(dbname: str, cron_db: str, schedule) -> list[Job]:
    """The jobs this database's schedule asks for ("" schedule: the job must not exist)."""
    return [
        Job(maintenance_job(dbname), (_get(schedule, "maintenance") or "").strip(), MAINTENANCE_COMMAND, dbname),
        Job(retention_job(dbname), (_get(schedule, "retention") or "").strip(), RETENTION_COMMAND, dbname),
        Job(PURGE_JOB, (_get(schedule, "purge_history") or "").strip(),
            purge_command(_get(schedule, "history_days")), cron_db),
    ]


# --------------------------------------------------------------------------
# Where pg_cron is


class _Unreadable(Exception):
    """pg_cron is loaded but this role may not read cron.database_name."""


def cron_database(conn: psycopg.Connection) -> str | None:
    """cron.database_name as this server knows it, None when pg_cron is not loaded.

    The setting is visible to superusers and pg_read_all_settings only; for
    other roles it is $PGINSTALL_CRON_DATABASE, else the current database when
    pg_cron is created in it; else _Unreadable is raised.
    """
    try:
        name = conn.execute("SELECT pg_catalog.current_setting('cron.database_name', true)").fetchone()[0]
    except psycopg.errors.InsufficientPrivilege:
        conn.rollback()
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
        libs = conn.execute("SELECT pg_catalog.current_setting('shared_preload_libraries')").fetchone()[0]
    except psycopg.Error:  # not readable for this role: trust cron.database_name
        conn.rollback()
        return name
    if "pg_cron" not in [x.strip().strip('"') for x in (libs or "").split(",")]:
        return None
    return name


def _cron_conn(conninfo: str, cron_db: str, autocommit: bool = False) -> psycopg.Connection:
    return psycopg.connect(make_conninfo(conninfo, dbname=cron_db), autocommit=autocommit,
                           application_name="pginstall cron")


def _has_pg_cron(conn: psycopg.Connection) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_cron')").fetchone()[0]


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


def _write_settings(conninfo: str, maintenance: str, retention: str) -> None:
    """Record in the target database what is scheduled (part.verify() judges the heartbeat by it)."""
    with psycopg.connect(conninfo, autocommit=True, application_name="pginstall cron") as conn:
        has = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = %s AND p.proname = 'set_setting')", (SCHEMA,)
        ).fetchone()[0]
        if not has:
            return
        with conn.transaction():
            for key, value in (("maintenance_schedule", maintenance), ("retention_schedule", retention)):
                conn.execute(sql.SQL("SELECT {}.set_setting(%s, %s)").format(sql.Identifier(SCHEMA)), (key, value))


# --------------------------------------------------------------------------
# The seam apply.py calls


def plan_cron(conninfo: str, dbname: str, schedule) -> list[str]:
    """What register_cron would change (read-only); nothing when nothing would change."""
    try:
        with psycopg.connect(conninfo, autocommit=True, application_name="pginstall cron") as conn:
            cron_db = cron_database(conn)
        if cron_db is None:
            return []
        with _cron_conn(conninfo, cron_db, autocommit=True) as conn:
            if not _has_pg_cron(conn):
                return [f"create extension pg_cron in database {cron_db}, then schedule part's jobs"]
            user = conn.execute("SELECT current_user").fetchone()[0]
            jobs = wanted_jobs(dbname, cron_db, schedule)
            changes = _changes(_existing(conn, [j.name for j in jobs]), jobs, user)
    except _Unreadable:
        return []
    except psycopg.Error as e:
        return [f"cannot read the pg_cron jobs: {_first_line(e)}"]
    return [_describe(verb, job, cur, cron_db) for verb, job, cur in changes]


def register_cron(conninfo: str, dbname: str, schedule) -> list[str]:
    """Register (or change in place, or remove) this database's jobs; returns lines to show.

    Called by apply after its transaction committed. Raises CronError when the
    registration fails; pg_cron missing is not a failure (nothing scheduled).
    """
    maintenance = (_get(schedule, "maintenance") or "").strip()
    retention = (_get(schedule, "retention") or "").strip()
    try:
        with psycopg.connect(conninfo, autocommit=True, application_name="pginstall cron") as conn:
            cron_db = cron_database(conn)
    except _Unreadable as e:
        _write_settings(conninfo, "", "")
        return [f"warning: nothing scheduled: {e}"]
    except psycopg.Error as e:
        raise CronError(f"cannot read cron.database_name: {_first_line(e)}") from None
    if cron_db is None:
        _write_settings(conninfo, "", "")
        return ["nothing scheduled: pg_cron is not loaded on this server (shared_preload_libraries); "
                f"run CALL {SCHEMA}.run_maintenance() yourself, e.g. nightly"]

    try:
        conn = _cron_conn(conninfo, cron_db, autocommit=True)
    except psycopg.Error as e:
        raise CronError(f"cannot connect to the cron database {cron_db}: {_first_line(e)}") from None
    lines: list[str] = []
    with conn:
        try:
            if not _has_pg_cron(conn):
                try:
                    with conn.transaction():
                        conn.execute("CREATE EXTENSION pg_cron")
                except psycopg.Error as e:
                    _write_settings(conninfo, "", "")
                    return [f"warning: nothing scheduled: pg_cron is loaded but not created in database {cron_db}, "
                            f"and this role cannot create it ({_first_line(e)}); "
                            f"a superuser can run CREATE EXTENSION pg_cron there, then apply again"]
                lines.append(f"created extension pg_cron in database {cron_db}")
            user = conn.execute("SELECT current_user").fetchone()[0]
            jobs = wanted_jobs(dbname, cron_db, schedule)
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
                    lines.append(_describe(verb, job, cur, cron_db).replace("schedule ", "scheduled ", 1)
                                 .replace("change ", "changed ", 1).replace("unschedule ", "unscheduled ", 1))
                after = _existing(conn, [j.name for j in jobs])
        except psycopg.Error as e:
            raise CronError(f"registering the pg_cron jobs in database {cron_db} failed: {_first_line(e)}") from None
    try:
        _write_settings(conninfo, maintenance, retention)
    except psycopg.Error as e:
        raise CronError(f"jobs registered, but recording the schedule in part.settings failed: {_first_line(e)}") from None
    if not lines:
        names = ", ".join(f"{n} (jobid {r['jobid']}, {r['schedule']!r})" for n, r in sorted(after.items()))
        lines.append(f"pg_cron jobs unchanged: {names}" if names else "nothing scheduled (every schedule is empty)")
    if not maintenance:
        lines.append(f"maintenance is not scheduled ([schedule] maintenance = \"\"): run CALL {SCHEMA}.run_maintenance() yourself")
    return lines


def unregister_cron(conninfo: str, dbname: str) -> list[str]:
    """Remove this database's jobs, and the purge job when no other database has part jobs."""
    try:
        with psycopg.connect(conninfo, autocommit=True, application_name="pginstall cron") as conn:
            cron_db = cron_database(conn)
        if cron_db is None:
            return []
        with _cron_conn(conninfo, cron_db, autocommit=True) as conn:
            if not _has_pg_cron(conn):
                return []
            lines = []
            with conn.transaction():
                mine = _existing(conn, [maintenance_job(dbname), retention_job(dbname)])
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
            return lines
    except _Unreadable as e:
        return [f"warning: the pg_cron jobs were not removed: {e}"]
    except psycopg.Error as e:
        raise CronError(f"removing the pg_cron jobs failed: {_first_line(e)}") from None


def cron_status(conninfo: str, dbname: str) -> list[dict] | None:
    """This database's part jobs in the cron database with their last run; None without pg_cron."""
    try:
        with psycopg.connect(conninfo, autocommit=True, application_name="pginstall cron") as conn:
            cron_db = cron_database(conn)
        if cron_db is None:
            return None
        with _cron_conn(conninfo, cron_db, autocommit=True) as conn:
            if not _has_pg_cron(conn):
                return None
            cur = conn.cursor(row_factory=psycopg.rows.dict_row)
            rows = cur.execute(
                "SELECT j.jobid, j.jobname, j.schedule, j.command, j.database, j.active, "
                "       r.status AS last_status, r.start_time AS last_start, r.end_time AS last_end, "
                "       r.return_message AS last_message "
                "  FROM cron.job j "
                "  LEFT JOIN LATERAL (SELECT d.status, d.start_time, d.end_time, d.return_message "
                "                       FROM cron.job_run_details d WHERE d.jobid = j.jobid "
                "                      ORDER BY d.runid DESC LIMIT 1) r ON true "
                " WHERE j.jobname IN (%s, %s, %s) ORDER BY j.jobname",
                (maintenance_job(dbname), retention_job(dbname), PURGE_JOB),
            ).fetchall()
    except _Unreadable as e:
        return [{"error": str(e)}]
    except psycopg.Error as e:
        return [{"error": f"cannot read the pg_cron jobs: {_first_line(e)}"}]
    out = []
    for r in rows:
        out.append({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()})
    return out


def cron_checks(conninfo: str, dbname: str) -> list[dict]:
    """Rows in part.verify()'s shape about the pg_cron jobs of this database.

    cron_job: the maintenance job (and the retention job when one is recorded
    in part.settings) exists, is active, and its last run did not fail.
    """
    def row(name, status, detail):
        return {"check_name": name, "table_name": None, "status": status, "detail": detail}

    try:
        with psycopg.connect(conninfo, autocommit=True, application_name="pginstall cron") as conn:
            cron_db = cron_database(conn)
            wanted = {}
            try:
                for key in ("maintenance_schedule", "retention_schedule"):
                    wanted[key] = conn.execute(sql.SQL("SELECT {}.setting(%s)").format(sql.Identifier(SCHEMA)),
                                               (key,)).fetchone()[0] or ""
            except psycopg.Error:
                wanted = {"maintenance_schedule": "", "retention_schedule": ""}
    except _Unreadable as e:
        return [row("cron_jobs", "warn", str(e))]
    except psycopg.Error as e:
        return [row("cron_jobs", "warn", f"cannot read the cron state: {_first_line(e)}")]
    if cron_db is None:
        return [row("cron_jobs", "warn", "pg_cron is not loaded on this server: nothing is scheduled")]
    jobs = cron_status(conninfo, dbname)
    if jobs is None:
        return [row("cron_jobs", "warn", f"pg_cron is not created in database {cron_db}: nothing is scheduled")]
    if jobs and "error" in jobs[0]:
        return [row("cron_jobs", "warn", jobs[0]["error"])]
    by_name = {j["jobname"]: j for j in jobs}
    out = []
    for key, name in (("maintenance_schedule", maintenance_job(dbname)), ("retention_schedule", retention_job(dbname))):
        job = by_name.get(name)
        if not wanted.get(key):
            if key == "maintenance_schedule" and job is None:
                out.append(row("cron_job", "warn", f"{name}: not scheduled (pginstall apply registers it)"))
            continue
        if job is None:
            out.append(row("cron_job", "fail", f"{name}: missing from cron.job in database {cron_db} "
                                               f"(part.settings says {wanted[key]!r}): run pginstall apply"))
        elif not job["active"]:
            out.append(row("cron_job", "fail", f"{name} (jobid {job['jobid']}) is inactive"))
        elif job["last_status"] == "failed":
            out.append(row("cron_job", "fail", f"{name} (jobid {job['jobid']}): last run at {job['last_start']} failed: "
                                               f"{(job['last_message'] or '').strip()}"))
        else:
            last = (f"last run {job['last_start']}: {job['last_status']}" if job["last_status"] else "not run yet")
            out.append(row("cron_job", "ok", f"{name} (jobid {job['jobid']}) {job['schedule']!r} in {cron_db}: {last}"))
    return out
