"""pg_cron registration by `pginstall apply` against the real test server (pg_cron
preloaded, cron.database_name = postgres): jobs named after the database,
registered in the cron database, changed in place on re-apply, removed by
uninstall; a registration failure exits non-zero; and a job registered with
schedule `* * * * *` really runs under pg_cron and creates partitions in a
database other than the cron database."""

from __future__ import annotations

import textwrap
import time

import psycopg
import pytest


pytestmark = pytest.mark.cron  # every test here needs pg_cron in the server

TABLE_DDL = ("CREATE TABLE public.revenues (id bigint NOT NULL, occurred_at timestamptz NOT NULL, "
             "PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")


def config(maintenance="0 2 * * *", retention="0 3 15 * *", purge="30 3 * * *", days=7) -> str:
    return textwrap.dedent(f"""
        [schedule]
        maintenance = "{maintenance}"
        retention = "{retention}"
        purge_history = "{purge}"
        history_days = {days}

        [databases.app]

        [[databases.app.tables]]
        table = "public.revenues"
        strategy = "range"
        key = "occurred_at"
        interval = "1 month"
        retention = "24 months"
        """)


@pytest.fixture
def app_db(empty_db, connect):
    with connect(empty_db, autocommit=True) as conn:
        conn.execute(TABLE_DDL)
    return empty_db


@pytest.fixture
def pginstall(pginstall_cli):
    """pginstall(cmd, db, *args, cfg=...) -> click Result, with --config and --dsn for db."""
    run = pginstall_cli(config())

    def with_cfg(cmd, db, *args, cfg=None):
        return run(cmd, db, *args, config=cfg)

    return with_cfg


def jobs(connect, db: str) -> dict[str, tuple]:
    """The part jobs of `db` (and the purge job) in cron.job of the cron database."""
    conn = connect("postgres", autocommit=True)
    rows = conn.execute(
        "SELECT jobname, jobid, schedule, command, database, username, active FROM cron.job "
        "WHERE jobname IN (%s, %s, 'part_purge_history') ORDER BY jobname",
        (f"part_maintenance_{db}", f"part_retention_{db}"),
    ).fetchall()
    return {r[0]: r[1:] for r in rows}


def settings(connect, db: str) -> tuple:
    conn = connect(db, autocommit=True)
    return conn.execute("SELECT part.setting('maintenance_schedule'), part.setting('retention_schedule')").fetchone()


def test_apply_registers_changes_in_place_and_uninstall_removes(app_db, connect, pginstall):
    r = pginstall("apply", app_db)
    assert r.exit_code == 0, r.output
    assert f"scheduled part_maintenance_{app_db} '0 2 * * *'" in r.output
    first = jobs(connect, app_db)
    m, ret, purge = first[f"part_maintenance_{app_db}"], first[f"part_retention_{app_db}"], first["part_purge_history"]
    assert m[1:5] == ("0 2 * * *", "CALL part.run_maintenance()", app_db, "postgres")
    assert ret[1:4] == ("0 3 15 * *", "SELECT part.drop_old()", app_db)
    assert purge[1:4] == ("30 3 * * *", "DELETE FROM cron.job_run_details WHERE end_time < now() - interval '7 days'",
                          "postgres"), "the purge job runs in the cron database"
    assert settings(connect, app_db) == ("0 2 * * *", "0 3 15 * *"), "what is scheduled is recorded for verify"

    # applying again changes nothing: plan prints nothing, cron.job is the same
    assert pginstall("plan", app_db).output == ""
    r = pginstall("apply", app_db)
    assert r.exit_code == 0 and "pg_cron jobs unchanged" in r.output, r.output
    assert jobs(connect, app_db) == first

    # a new schedule: the same jobs, changed in place
    new = config(maintenance="15 1 * * *", retention="", days=3)
    assert f"change part_maintenance_{app_db} (jobid {m[0]}) to '15 1 * * *'" in pginstall("plan", app_db, cfg=new).output
    r = pginstall("apply", app_db, cfg=new)
    assert r.exit_code == 0, r.output
    after = jobs(connect, app_db)
    assert after[f"part_maintenance_{app_db}"][:2] == (m[0], "15 1 * * *"), "same jobid, new schedule"
    assert after["part_purge_history"][0] == purge[0] and "'3 days'" in after["part_purge_history"][2]
    assert f"part_retention_{app_db}" not in after, "an empty retention schedule removes its job"
    assert settings(connect, app_db) == ("15 1 * * *", "")

    # verify reads the cron database's job state
    r = pginstall("verify", app_db)
    assert f"part_maintenance_{app_db} (jobid {m[0]}) '15 1 * * *'" in r.output, r.output

    # uninstall removes the jobs of this database
    r = pginstall("uninstall", app_db)
    assert r.exit_code == 0, r.output
    left = jobs(connect, app_db)
    assert f"part_maintenance_{app_db}" not in left and f"part_retention_{app_db}" not in left
    others = connect("postgres", autocommit=True).execute(
        "SELECT count(*) FROM cron.job WHERE jobname LIKE 'part\\_maintenance\\_%' OR jobname LIKE 'part\\_retention\\_%'"
    ).fetchone()[0]
    if others == 0:
        assert "part_purge_history" not in left, "the purge job goes with the last database's jobs"


def test_registration_failure_exits_non_zero(app_db, connect, pginstall):
    # pg_cron refusing the job (a schedule it cannot read is refused by part before, see
    # test_settings_bounds.py): a trigger on cron.job in the cron database says no
    cron = connect("postgres", autocommit=True)
    cron.execute("CREATE FUNCTION public.h8_refuse_jobs() RETURNS trigger LANGUAGE plpgsql AS "
                 "$$BEGIN RAISE EXCEPTION 'no jobs today'; END$$")
    cron.execute("CREATE TRIGGER h8_refuse_jobs BEFORE INSERT ON cron.job FOR EACH ROW EXECUTE FUNCTION public.h8_refuse_jobs()")
    try:
        r = pginstall("apply", app_db, cfg=config(retention=""))
    finally:
        cron.execute("DROP TRIGGER h8_refuse_jobs ON cron.job")
        cron.execute("DROP FUNCTION public.h8_refuse_jobs()")
    assert r.exit_code != 0
    assert "cron registration failed" in r.output and "no jobs today" in r.output, r.output
    assert f"part_maintenance_{app_db}" not in jobs(connect, app_db)
    conn = connect(app_db, autocommit=True)
    assert conn.execute("SELECT count(*) FROM part.config").fetchone()[0] == 1, "the database's apply itself committed"
    status, detail = conn.execute(
        "SELECT status, detail FROM part.verify() WHERE check_name = 'maintenance_heartbeat'").fetchone()
    assert status == "warn" and "none scheduled" in detail, "verify shows maintenance unscheduled"


def test_job_runs_under_pg_cron_in_another_database(app_db, connect, pginstall):
    r = pginstall("apply", app_db, cfg=config(maintenance="* * * * *", retention=""))
    assert r.exit_code == 0, r.output
    jobid = jobs(connect, app_db)[f"part_maintenance_{app_db}"][0]
    db = connect(app_db, autocommit=True)
    assert app_db != "postgres"
    # a partition ahead goes missing: the scheduled maintenance must make it again
    missing = db.execute("SELECT partition_name FROM part.partitions WHERE NOT is_default "
                         "ORDER BY bound_from DESC LIMIT 1").fetchone()[0]
    db.execute(f"DROP TABLE {missing}")
    since = db.execute("SELECT now()").fetchone()[0]

    cron = connect("postgres", autocommit=True)
    deadline = time.monotonic() + 130
    run = None
    while time.monotonic() < deadline:
        run = cron.execute("SELECT status, return_message, start_time FROM cron.job_run_details "
                           "WHERE jobid = %s AND start_time >= %s AND status IN ('succeeded', 'failed') "
                           "ORDER BY runid DESC LIMIT 1", (jobid, since)).fetchone()
        if run:
            break
        time.sleep(1)
    assert run is not None, "pg_cron did not run the job within 130 s"
    assert run[0] == "succeeded", f"the job failed: {run[1]}"
    assert db.execute("SELECT to_regclass(%s) IS NOT NULL", (missing,)).fetchone()[0], \
        "the job made the missing partition in the target database"
    heartbeat = db.execute("SELECT outcome, detail FROM part.maintenance_log WHERE action = 'run' "
                           "AND logged_at >= %s ORDER BY id DESC LIMIT 1", (since,)).fetchone()
    assert heartbeat is not None and heartbeat[0] == "ok" and "1 partitions created" in heartbeat[1]
    status = db.execute("SELECT status FROM part.verify() WHERE check_name = 'maintenance_heartbeat'").fetchone()[0]
    assert status == "ok"
    r = pginstall("verify", app_db, cfg=config(maintenance="* * * * *", retention=""))
    assert r.exit_code == 0, r.output
    assert "last run" in r.output and "succeeded" in r.output
