"""The backfill and the default drain yield to production (issue 12 part 4): between
batches they pause while a standby's replay is behind (yield_max_replay_lag) or while
other sessions queue for a lock on the table (yield_on_lock_queue), holding no lock on
the table meanwhile, and resume by themselves. The pause and its reason show in
part.migrations, in part.verify() and on the CLI's progress line; a maintenance run
gives the drain up past yield_max_wait (logged) and the next run goes on.

Real servers only: a real standby (test_standby's fixture) whose replay is paused with
pg_wal_replay_pause(), real sessions holding and queueing for locks. No timed assertion:
states and reasons are polled with generous timeouts."""

from __future__ import annotations

import io
import threading
import time

import psycopg
import pytest

from click.testing import CliRunner

from pginstall import migrate as mig
from pginstall.cli import main

from test_standby import standby  # noqa: F401  (fixture)

TIMEOUT = 120


def wait_for(what, probe, timeout: float = TIMEOUT, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


class Call(threading.Thread):
    """Runs one statement in its own session (autocommit), collecting its notices."""

    def __init__(self, connect, db: str, statement: str):
        super().__init__(daemon=True)
        self.conn = connect(db, autocommit=True)
        self.pid = self.conn.info.backend_pid
        self.statement = statement
        self.notices: list[str] = []
        self.conn.add_notice_handler(lambda d: self.notices.append(f"{d.severity}: {d.message_primary}"))
        self.error: BaseException | None = None

    def run(self):
        try:
            self.conn.execute(self.statement)
        except BaseException as e:  # noqa: BLE001  (reported by finish)
            self.error = e

    def finish(self):
        self.join(TIMEOUT)
        assert not self.is_alive(), f"{self.statement} did not end"
        if self.error:
            raise self.error


def make_orders(conn, rows: int = 20000) -> None:
    conn.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, placed_at timestamptz NOT NULL, note text)")
    conn.execute("INSERT INTO public.orders SELECT g, timestamptz '2025-01-01 00:00+00' + g * interval '10 minutes', "
                 f"repeat('x', 200) FROM generate_series(1, {rows}) g")
    conn.execute("ANALYZE public.orders")
    conn.execute("SELECT part.migrate_start('public.orders', 'placed_at', 'range', '1 month', p_premake => 1)")


def locks_held_on(conn, pid: int, *tables: str) -> list:
    return conn.execute("SELECT relation::regclass::text, mode FROM pg_locks WHERE pid = %s AND locktype = 'relation' "
                        "AND relation = ANY(%s::regclass[])", (pid, list(tables))).fetchall()


def queue_behind(connect, db: str, table: str):
    """A session holding ACCESS SHARE on table in an open transaction, and a second one queued
    behind it for ACCESS EXCLUSIVE (as a DDL would): returns (holder, waiter thread)."""
    holder = connect(db)
    holder.execute(f"SELECT count(*) FROM {table}")
    waiter = Call(connect, db, f"DO $$BEGIN LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; END$$")
    waiter.start()
    wait_for("the waiter to queue", lambda: holder.execute(
        "SELECT true FROM pg_locks WHERE pid = %s AND NOT granted", (waiter.pid,)).fetchone())
    return holder, waiter


def verify_yield(conn) -> dict:
    return {r[0]: (r[1], r[2]) for r in conn.execute(
        "SELECT table_name, status, detail FROM part.verify() WHERE check_name = 'yield'")}


# --------------------------------------------------------------------------- replay lag


def test_backfill_pauses_while_a_standby_replay_is_behind_and_resumes(standby, connect):
    primary, dsn, _ = standby
    db = primary.info.dbname
    make_orders(primary)
    assert primary.execute("SELECT part.set_setting('yield_max_replay_lag', '256kB')").fetchone()[0] == "256kB"
    assert verify_yield(primary) == {None: ("ok", "nothing paused for production (yield_on_lock_queue true, yield_max_replay_lag 256kB)")}
    replica = psycopg.connect(dsn, autocommit=True)
    try:
        replica.execute("SELECT pg_wal_replay_pause()")
        wait_for("replay to pause", lambda: replica.execute("SELECT pg_is_wal_replay_paused()").fetchone()[0])

        backfill = Call(connect, db, "CALL part.backfill('public.orders', 500)")
        backfill.start()
        paused = wait_for("the backfill to pause", lambda: primary.execute(
            "SELECT paused_since, pause_reason, backfill_batches, backfill_finished_at FROM part.migrations "
            "WHERE table_name = 'public.orders' AND pause_reason IS NOT NULL").fetchone())
        since, reason, batches, finished = paused
        assert reason.startswith("backfill paused: replay lag: standby ") and "of WAL not replayed (yield_max_replay_lag 256kB)" in reason, reason
        assert finished is None and batches >= 1
        # paused: no batch runs, and the backfill's session holds no lock on either table
        assert locks_held_on(primary, backfill.pid, "public.orders", "public.orders_partitioned") == []
        time.sleep(3)
        assert primary.execute("SELECT backfill_batches, paused_since FROM part.migrations").fetchone() == (batches, since)
        checks = verify_yield(primary)
        assert checks["public.orders"][0] == "ok" and "backfill paused since" in checks["public.orders"][1]
        assert "replay lag" in checks["public.orders"][1]
        assert backfill.is_alive()
    finally:
        replica.execute("SELECT pg_wal_replay_resume()")
        replica.close()

    backfill.finish()
    assert any(n.startswith("NOTICE: part: backfill of public.orders paused: replay lag") for n in backfill.notices), backfill.notices
    assert any("backfill of public.orders resumed after a pause of" in n for n in backfill.notices), backfill.notices
    row = primary.execute("SELECT backfill_finished_at IS NOT NULL, backfill_rows, paused_since, pause_reason "
                          "FROM part.migrations").fetchone()
    assert row == (True, 20000, None, None)
    assert primary.execute("SELECT count(*) FROM part.pause").fetchone()[0] == 0
    assert primary.execute("SELECT part.phase('public.orders')").fetchone()[0] == "backfilled"


# --------------------------------------------------------------------------- lock queue


@pytest.fixture
def drain_table(fresh_db, connect):
    """public.events, managed by part, with rows of two intervals waiting in its default partition."""
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.events (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute("SELECT part.create_partitioned('public.events', 'at', 'range', '1 month', p_premake => 1)")
    conn.execute("INSERT INTO public.events SELECT g, now() - interval '4 months' + g * interval '1 minute' FROM generate_series(1, 100) g "
                 "UNION ALL SELECT g, now() + interval '1 year' + g * interval '1 minute' FROM generate_series(101, 150) g")
    assert conn.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0] == 150
    return conn


def test_drain_pauses_while_a_session_queues_for_a_lock_and_resumes(drain_table, fresh_db, connect):
    conn = drain_table
    holder, waiter = queue_behind(connect, fresh_db, "public.events")
    run = Call(connect, fresh_db, "CALL part.run_maintenance()")
    run.start()
    row = wait_for("the drain to pause", lambda: conn.execute(
        "SELECT work, reason, pid FROM part.pause WHERE table_name = 'public.events'").fetchone())
    assert row[0] == "drain" and row[2] == run.pid
    assert row[1] == f"lock queue: 1 session waiting for a lock on public.events (pid {waiter.pid} waits for AccessExclusiveLock; yield_on_lock_queue)"
    assert locks_held_on(conn, run.pid, "public.events", "public.events_default") == [], "it waits holding no lock"
    checks = verify_yield(conn)
    assert checks["public.events"][0] == "ok" and "drain paused since" in checks["public.events"][1]
    assert conn.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0] == 150, "nothing moved yet"

    holder.rollback()   # the waiter gets its lock, does its work, and leaves
    waiter.finish()
    run.finish()
    assert any("drain of public.events paused: lock queue" in n for n in run.notices), run.notices
    assert any("drain of public.events resumed" in n for n in run.notices), run.notices
    assert conn.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM part.maintenance_log WHERE action = 'drain' AND outcome = 'ok'").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM part.pause").fetchone()[0] == 0
    assert verify_yield(conn)[None][0] == "ok"


def test_maintenance_gives_the_drain_up_past_yield_max_wait_and_the_next_run_goes_on(drain_table, fresh_db, connect):
    conn = drain_table
    conn.execute("SELECT part.set_setting('yield_max_wait', '2 seconds')")
    holder, waiter = queue_behind(connect, fresh_db, "public.events")
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(f"{d.severity}: {d.message_primary}"))
    conn.execute("CALL part.run_maintenance()")   # returns once it has paused for yield_max_wait
    assert any(n.startswith("WARNING: part.run_maintenance: drain of public.events given up for this run: paused for")
               for n in notices), notices
    log = conn.execute("SELECT outcome, detail FROM part.maintenance_log WHERE action = 'drain'").fetchall()
    assert len(log) == 1 and log[0][0] == "skipped"
    assert log[0][1].startswith("given up for this run: paused for ") and "(yield_max_wait 00:00:02): lock queue: 1 session" in log[0][1]
    assert log[0][1].endswith("; the next run goes on")
    run = conn.execute("SELECT outcome, detail FROM part.maintenance_log WHERE action = 'run' ORDER BY id DESC LIMIT 1").fetchone()
    assert run[0] == "ok" and run[1].endswith("; drain given up (paused past yield_max_wait): public.events"), run
    status = {r[0]: r[1] for r in conn.execute("SELECT check_name, status FROM part.verify() WHERE table_name IS NULL")}
    assert status["maintenance_last_run"] == "warn" and status["yield"] == "ok"
    assert conn.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0] == 150
    assert conn.execute("SELECT count(*) FROM part.pause").fetchone()[0] == 0, "the pause record goes with it"

    holder.rollback()
    waiter.finish()
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0] == 0, "the next run drains"


def test_the_cli_progress_line_says_paused_and_why(fresh_db, connect, dsn_factory):
    conn = connect(fresh_db, autocommit=True)
    make_orders(conn, rows=3000)
    holder, waiter = queue_behind(connect, fresh_db, "public.orders_partitioned")
    out = io.StringIO()
    cli = connect(fresh_db, autocommit=True)
    result: list = []
    t = threading.Thread(target=lambda: result.append(mig.backfill(cli, "public.orders", 500, file=out)), daemon=True)
    t.start()
    wait_for("the paused line", lambda: "paused:" in out.getvalue())
    line = [ln for ln in out.getvalue().splitlines() if "paused:" in ln][0]
    assert line == (f"backfill public.orders: 0/3,000 rows (0%), paused: lock queue: 1 session waiting for a lock on "
                    f"public.orders_partitioned (pid {waiter.pid} waits for AccessExclusiveLock; yield_on_lock_queue)"), line
    assert conn.execute("SELECT pause_reason LIKE 'backfill paused: lock queue: %' FROM part.migrations").fetchone()[0]
    status = CliRunner().invoke(main, ["status", "--dsn", dsn_factory(fresh_db)])
    assert status.exit_code == 0, status.output
    assert "backfill not started, paused since " in status.output, status.output   # paused before its first batch
    assert ": lock queue: 1 session waiting for a lock on public.orders_partitioned" in status.output, status.output
    holder.rollback()
    waiter.finish()
    t.join(TIMEOUT)
    assert not t.is_alive() and result == [3000]
    text = out.getvalue()
    assert "backfill public.orders: resumed after a pause of " in text and "backfill public.orders: done, 3,000 rows" in text, text
    assert "s of it paused for production (" in text, text   # the rate leaves the pause out


def test_yield_on_lock_queue_decides_whether_a_queue_is_a_reason(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    make_orders(conn, rows=1000)
    conn.execute("SELECT part.set_setting('yield_on_lock_queue', 'off')")
    holder, waiter = queue_behind(connect, fresh_db, "public.orders_partitioned")
    try:   # the check alone (a batch would queue behind the waiter)
        assert conn.execute("SELECT part._yield_reason(ARRAY['public.orders_partitioned'::regclass])").fetchone()[0] is None
        conn.execute("SELECT part.set_setting('yield_on_lock_queue', 'on')")
        assert conn.execute("SELECT part._yield_reason(ARRAY['public.orders'::regclass, "
                            "'public.orders_partitioned'::regclass])").fetchone()[0].startswith("lock queue: 1 session")
    finally:
        holder.rollback()
        waiter.finish()
    # a queue on a partition counts for its table; the check itself takes no lock (it would queue behind it)
    part = conn.execute("SELECT min(format('%I.%I', n.nspname, c.relname)) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE i.inhparent = 'public.orders_partitioned'::regclass").fetchone()[0]
    holder, waiter = queue_behind(connect, fresh_db, part)
    try:
        conn.execute("SET statement_timeout = '60s'")
        assert conn.execute("SELECT part._yield_reason(ARRAY['public.orders_partitioned'::regclass])").fetchone()[0] == (
            f"lock queue: 1 session waiting for a lock on {part} (pid {waiter.pid} waits for AccessExclusiveLock; yield_on_lock_queue)")
        assert locks_held_on(conn, conn.info.backend_pid, part) == []
    finally:
        holder.rollback()
        waiter.finish()
