"""part.verify() tells the truth about maintenance, against a real server with real
second sessions: a run cancelled in a session that stays open keeps the maintenance
lock, so every later run is skipped; skipped runs are no heartbeat, and a last run
older than its schedule is noticed."""

from __future__ import annotations

import threading
import time

import psycopg

from test_maintenance import LOCK_KEY, make_table, month


def checks(conn) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT check_name, status, detail FROM part.verify() WHERE table_name IS NULL").fetchall()}


def test_a_cancelled_run_holding_the_lock_is_not_a_heartbeat(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    make_table(conn, "revenues")
    conn.execute("SELECT part.set_setting('maintenance_schedule', '0 2 * * *')")
    conn.execute("CALL part.run_maintenance()")
    assert checks(conn)["maintenance_heartbeat"][0] == "ok"
    # that good run was two days ago
    conn.execute("UPDATE part.maintenance_log SET logged_at = logged_at - interval '50 hours'")

    # a run that waits for a table lock, cancelled while it holds the maintenance lock
    conn.execute(f"DROP TABLE public.revenues_{month(1)}")
    blocker = connect(fresh_db)
    blocker.execute("LOCK TABLE public.revenues IN ACCESS EXCLUSIVE MODE")
    victim = connect(fresh_db, autocommit=True)
    victim.execute("SET part.lock_attempts = 100000")
    pid = victim.execute("SELECT pg_backend_pid()").fetchone()[0]
    errors: list[Exception] = []

    def run():
        try:
            victim.execute("CALL part.run_maintenance()")
        except psycopg.Error as e:
            errors.append(e)

    t = threading.Thread(target=run)
    t.start()
    while not conn.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = %s"
                           " AND classid = %s AND objid = %s)", (pid, *LOCK_KEY)).fetchone()[0]:
        time.sleep(0.05)
    conn.execute("SELECT pg_cancel_backend(%s)", (pid,))
    t.join()
    blocker.rollback()
    assert errors and isinstance(errors[0], psycopg.errors.QueryCanceled)

    # the session stays open and keeps the lock: later runs are skipped
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT outcome FROM part.maintenance_log WHERE action = 'run' ORDER BY id DESC LIMIT 1"
                        ).fetchone()[0] == "skipped"
    c = checks(conn)
    status, detail = c["maintenance_heartbeat"]
    assert status == "fail", c
    assert f"pid {pid} holds the maintenance lock" in detail and f"pg_terminate_backend({pid})" in detail
    status, detail = c["maintenance_last_run"]
    assert status == "fail" and "older than twice the schedule's period" in detail, c

    # the session ended: the next run does its work and both are ok again
    victim.close()
    while conn.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s)", (pid,)).fetchone()[0]:
        time.sleep(0.05)
    conn.execute("CALL part.run_maintenance()")
    c = checks(conn)
    assert c["maintenance_heartbeat"][0] == "ok" and c["maintenance_last_run"][0] == "ok", c
