"""What part does while it holds a lock the application's writers wait for (issue 9).

* Behind a long read transaction, switch_reads, rollback and run_maintenance
  never queue (part._lock_all looks, sleeps, then locks with a short
  timeout): writers with lock_timeout = '200ms' go on inserting while the
  step waits, none fails, and the step completes once the reader ends.
* Under the locks only catalog changes run: an event trigger records every
  DDL command and whether the session then held a lock writers wait for.
  switch_reads hashes nothing under its locks (on main it re-hashed what was
  written since its last pass there: the mark of a write committed while it
  waited was consumed under the locks); run_maintenance makes a partition
  (CREATE TABLE) before it locks the parent and its default (on main, under
  them).

No timed assertion: the sessions are ordered by what pg_stat_activity shows
(the step sleeping in its wait), not by the clock.
"""

from __future__ import annotations

import random
import threading
import time

import psycopg
import pytest

from test_races import backfilled

TRACKED = "ARRAY['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']"


def _until(check, what: str, limit: float = 120.0) -> None:
    """Poll check() until it is true; fail naming `what` after `limit` seconds (a hang, not a speed)."""
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"never happened: {what}")
        time.sleep(0.02)


def _sleeping(watcher, pid: int) -> bool:
    """The session `pid` waits in part's sleep (part._lock_all looking again), not in a lock queue."""
    return watcher.execute("SELECT wait_event = 'PgSleep' FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0] is True


def _ddl_log(conn, tables: list[str]) -> None:
    """An event trigger logging each DDL command and whether the session held one of `tables`
    in a mode that writers (ROW EXCLUSIVE) wait for."""
    conn.execute("CREATE TABLE public.ddl_log (id serial, tag text, object text, writers_wait boolean)")
    rels = ", ".join(f"to_regclass('{t}')" for t in tables)
    conn.execute(
        f"""CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
        DECLARE r record;
        BEGIN
            FOR r IN SELECT * FROM pg_event_trigger_ddl_commands() LOOP
                INSERT INTO public.ddl_log (tag, object, writers_wait) VALUES (r.command_tag, r.object_identity,
                    EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND l.granted
                              AND l.locktype = 'relation' AND l.relation IN ({rels})
                              AND l.mode = ANY ({TRACKED})));
            END LOOP;
        END $$"""
    )
    conn.execute("CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION public.log_ddl()")


def _maintenance_table(conn) -> None:
    """A daily table with a default partition, work for every maintenance step: old days with
    partitions to retire, rows in the default to drain, premake one day higher to create."""
    conn.execute("CREATE TABLE public.events (id bigserial, occurred_at timestamptz NOT NULL, amount int,"
                 " PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
    conn.execute("SELECT part.create_partitioned('public.events', 'occurred_at', 'range', '1 day', p_premake => 2)")
    conn.execute("INSERT INTO public.events (occurred_at, amount) SELECT now() - g * interval '1 day', 1 FROM generate_series(7, 9) g")
    conn.execute("CALL part.run_maintenance('public.events')")   # the old days get partitions of their own
    conn.execute("INSERT INTO public.events (occurred_at, amount) SELECT now() + interval '30 days' + g * interval '1 second', 1"
                 " FROM generate_series(1, 200) g")
    conn.execute("UPDATE part.config SET premake = premake + 1, retention = '5 days', retention_mode = 'drop'"
                 " WHERE parent_table = 'public.events'")


def _partitions(conn) -> int:
    return conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass").fetchone()[0]


@pytest.mark.parametrize("step", ["switch_reads", "rollback", "run_maintenance"])
def test_writers_go_on_while_the_step_waits_for_a_long_reader(fresh_db, connect, step):
    setup = connect(fresh_db, autocommit=True)
    if step == "run_maintenance":
        _maintenance_table(setup)
        table, insert = "public.events", "INSERT INTO public.events (occurred_at, amount) VALUES (now(), 2)"
        statement = "CALL part.run_maintenance('public.events')"
        before = _partitions(setup)
    else:
        backfilled(setup)
        if step == "rollback":
            setup.execute("SELECT part.switch_reads('public.revenues')")
        table, insert = "public.revenues", "INSERT INTO public.revenues (org_id, occurred_at) VALUES (7, now())"
        statement = f"SELECT part.{step}('public.revenues')"
    mine = "amount = 2" if step == "run_maintenance" else "org_id = 7"   # the writers' rows

    reader = connect(fresh_db)
    reader.execute(f"SELECT count(*) FROM {table}")           # holds the table until it ends

    stop, errors, done = threading.Event(), [], [0, 0]

    def write(i: int) -> None:
        c = conns[i]
        while not stop.is_set():
            try:
                c.execute(insert)
                done[i] += 1
            except psycopg.Error as e:   # a writer that waited more than 200 ms for a lock
                errors.append(str(e))
            time.sleep(0.002)

    conns = [connect(fresh_db, autocommit=True) for _ in range(2)]
    for c in conns:
        c.execute("SET lock_timeout = '200ms'")
    stepper = connect(fresh_db, autocommit=True)
    pid = stepper.execute("SELECT pg_backend_pid()").fetchone()[0]
    out: list = []

    def run_step() -> None:
        try:
            stepper.execute(statement)
            out.append("done")
        except psycopg.Error as e:
            out.append(e)

    writers = [threading.Thread(target=write, args=(i,)) for i in range(2)]
    for w in writers:
        w.start()
    t = threading.Thread(target=run_step)
    t.start()
    watcher = connect(fresh_db, autocommit=True)
    try:
        _until(lambda: _sleeping(watcher, pid), f"{step} waiting for the reader without queueing")
        seen = list(done)
        # the writers go on while the step waits for the reader
        _until(lambda: all(done[i] >= seen[i] + 10 for i in range(2)), "writers inserting while the step waits")
        assert t.is_alive() and not out, f"{step} finished while the reader still held the table: {out}"
        reader.rollback()
        t.join(120)
        assert not t.is_alive(), f"{step} did not complete after the reader ended"
    finally:
        stop.set()
        for w in writers:
            w.join()
        reader.rollback()
    assert out == ["done"], out
    assert not errors, f"writers waited past their lock_timeout: {errors[:3]}"
    # every row written is there (in the legacy table and its copy alike for a migration)
    assert setup.execute(f"SELECT count(*) FROM {table} WHERE {mine}").fetchone()[0] == sum(done)
    if step == "run_maintenance":
        assert setup.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0] == 0   # drained
        assert _partitions(setup) != before
    else:
        other = "public.revenues_legacy" if step == "switch_reads" else "public.revenues_partitioned"
        assert setup.execute(f"SELECT count(*) FROM {other} WHERE {mine}").fetchone()[0] == sum(done)
        assert setup.execute("SELECT part.phase('public.revenues')").fetchone()[0] == (
            "partitioned" if step == "switch_reads" else "backfilled")
        assert setup.execute("SELECT count(*) FROM part.check_parity('public.revenues') WHERE status <> 'ok'"
                             ).fetchone()[0] == 0


def test_switch_reads_hashes_nothing_under_its_locks(fresh_db, connect):
    setup = connect(fresh_db, autocommit=True)
    backfilled(setup)
    setup.execute("SELECT count(*) FROM part.check_parity('public.revenues')")
    # a write in flight when the switch starts: its mark is held, so the switch's passes skip it,
    # and the switch waits (without queueing) for its transaction before it locks
    writer = connect(fresh_db)
    writer.execute("INSERT INTO public.revenues (org_id, occurred_at) VALUES (9, timestamptz '2025-02-10 12:00+00')")
    _ddl_log(setup, ["public.revenues", "public.revenues_partitioned"])

    switcher = connect(fresh_db, autocommit=True)
    pid = switcher.execute("SELECT pg_backend_pid()").fetchone()[0]
    notices: list[str] = []
    switcher.add_notice_handler(lambda d: notices.append(d.message_primary))
    out: list = []

    def run() -> None:
        try:
            out.append(switcher.execute("SELECT part.switch_reads('public.revenues')").fetchone()[0])
        except psycopg.Error as e:
            out.append(e)

    t = threading.Thread(target=run)
    t.start()
    watcher = connect(fresh_db, autocommit=True)
    try:
        _until(lambda: _sleeping(watcher, pid), "switch_reads waiting for the writer's transaction")
    finally:
        writer.commit()
        t.join()
    assert out == ["partitioned"], out

    # the write committed while the switch waited was not re-hashed under the locks: its range is
    # still marked, and the next check verifies it
    assert setup.execute("SELECT count(*) FROM part.parity_mark WHERE table_name = 'public.revenues'").fetchone()[0] >= 1
    assert any("stay marked" in n for n in notices), notices
    checked = setup.execute("SELECT status, rehashed FROM part.check_parity('public.revenues') WHERE rehashed").fetchall()
    assert checked and all(s == "ok" for s, _ in checked), checked
    assert setup.execute("SELECT count(*) FROM part.parity_mark WHERE table_name = 'public.revenues'").fetchone()[0] == 0
    assert setup.execute("SELECT count(*) FROM public.revenues_legacy WHERE org_id = 9").fetchone()[0] == 1
    assert setup.execute("SELECT count(*) FROM public.revenues WHERE org_id = 9").fetchone()[0] == 1

    # under the locks: renames and catalog changes only
    locked = {r[0] for r in setup.execute("SELECT tag FROM public.ddl_log WHERE writers_wait").fetchall()}
    assert locked and locked <= {"ALTER TABLE", "ALTER INDEX", "ALTER SEQUENCE", "CREATE FUNCTION", "COMMENT"}, locked


def test_rollback_runs_only_catalog_changes_under_its_locks(fresh_db, connect):
    setup = connect(fresh_db, autocommit=True)
    backfilled(setup)
    setup.execute("SELECT part.switch_reads('public.revenues')")
    _ddl_log(setup, ["public.revenues", "public.revenues_legacy"])
    assert setup.execute("SELECT part.rollback('public.revenues')").fetchone()[0] == "backfilled"
    rows = setup.execute("SELECT tag, writers_wait FROM public.ddl_log").fetchall()
    locked = {tag for tag, held in rows if held}
    assert locked and locked <= {"ALTER TABLE", "ALTER INDEX", "ALTER SEQUENCE", "CREATE FUNCTION", "COMMENT"}, rows


def test_run_maintenance_creates_partitions_before_it_locks(fresh_db, connect):
    setup = connect(fresh_db, autocommit=True)
    _maintenance_table(setup)
    before = _partitions(setup)
    _ddl_log(setup, ["public.events", "public.events_default"])
    setup.execute("CALL part.run_maintenance('public.events')")
    rows = setup.execute("SELECT tag, object, writers_wait FROM public.ddl_log ORDER BY id").fetchall()
    made = [r for r in rows if r[0] == "CREATE TABLE"]
    assert len(made) >= 2, rows          # the day drained from the default, and the one premade ahead
    assert not [r for r in made if r[2]], f"partitions made while writers waited: {made}"
    # under the locks: the ATTACH, the retirement's DETACH and DROP, the default's triggers
    locked = {r[0] for r in rows if r[2]}
    assert locked <= {"ALTER TABLE", "DROP TABLE"}, rows
    assert setup.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0] == 0
    assert setup.execute("SELECT count(*) FROM public.events WHERE occurred_at > now() + interval '29 days'").fetchone()[0] == 200
    assert _partitions(setup) != before
    # the CHECK that spared the ATTACH its scan is gone: the bound says it
    assert setup.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'part_partition_bound'").fetchone()[0] == 0


def _daily_with_default(conn) -> None:
    conn.execute("CREATE TABLE public.events (id bigserial, occurred_at timestamptz NOT NULL, amount int,"
                 " PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
    conn.execute("SELECT part.create_partitioned('public.events', 'occurred_at', 'range', '1 day', p_premake => 2)")


def test_a_partition_made_ahead_of_an_empty_default_is_one_attach_under_the_lock(fresh_db, connect):
    """Nothing moves into a partition made ahead of an empty default: no CHECK of its bounds is added
    before the lock and dropped under it (on main: an ADD CONSTRAINT and a DROP CONSTRAINT per
    partition, the second while writers waited); under the lock, the ATTACH alone."""
    setup = connect(fresh_db, autocommit=True)
    _daily_with_default(setup)
    setup.execute("UPDATE part.config SET premake = premake + 2 WHERE parent_table = 'public.events'")
    _ddl_log(setup, ["public.events", "public.events_default"])
    setup.execute("CREATE TABLE public.dropped (object_type text, object text)")
    setup.execute("CREATE FUNCTION public.log_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$"
                  " BEGIN INSERT INTO public.dropped SELECT object_type, object_identity"
                  " FROM pg_event_trigger_dropped_objects(); END $$")
    setup.execute("CREATE EVENT TRIGGER log_drop ON sql_drop EXECUTE FUNCTION public.log_drop()")
    setup.execute("CALL part.run_maintenance('public.events')")
    made = [r[0] for r in setup.execute(
        "SELECT partition_name FROM part.maintenance_log WHERE action = 'create' AND outcome = 'ok'").fetchall()]
    assert len(made) == 2, made
    rows = setup.execute("SELECT tag, object, writers_wait FROM public.ddl_log ORDER BY id").fetchall()
    assert [r for r in rows if r[2]] == [("ALTER TABLE", "public.events", True)] * 2, rows   # the ATTACHes
    assert setup.execute("SELECT * FROM public.dropped").fetchall() == []   # no constraint added to be dropped
    assert setup.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'part_partition_bound'").fetchone()[0] == 0


def test_rows_reaching_the_default_while_the_step_waits_get_the_check_under_the_lock(fresh_db, connect):
    """The default was empty when the partition was prepared (no CHECK then), and a row of its range
    reached the default while the step waited for its lock: the CHECK is added under the lock before
    the row moves (catalog only, the table still empty), so the ATTACH does not scan what moved."""
    setup = connect(fresh_db, autocommit=True)
    _daily_with_default(setup)
    setup.execute("UPDATE part.config SET premake = premake + 1 WHERE parent_table = 'public.events'")
    reader = connect(fresh_db)
    reader.execute("SELECT count(*) FROM public.events_default")   # holds the default: the step waits
    step = connect(fresh_db, autocommit=True)
    step.execute("SET client_min_messages = debug1")
    messages: list[str] = []
    step.add_notice_handler(lambda d: messages.append(d.message_primary or ""))
    pid = step.execute("SELECT pg_backend_pid()").fetchone()[0]
    out: list = []

    def run() -> None:
        try:
            step.execute("CALL part.run_maintenance('public.events')")
            out.append("done")
        except psycopg.Error as e:
            out.append(e)

    t = threading.Thread(target=run)
    t.start()
    watcher = connect(fresh_db, autocommit=True)
    try:
        _until(lambda: _sleeping(watcher, pid), "run_maintenance waiting for the reader of the default")
        # the day the step is making: its row goes to the default (no partition for it yet)
        setup.execute("INSERT INTO public.events (occurred_at, amount) VALUES"
                      " (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '3 days 1 hour', 7)")
    finally:
        reader.commit()
        t.join()
    assert out == ["done"], out
    made = setup.execute("SELECT partition_name FROM part.maintenance_log WHERE action = 'create' AND outcome = 'ok'").fetchone()[0]
    assert setup.execute("SELECT part._qualified(tableoid) FROM public.events WHERE amount = 7").fetchone()[0] == made
    assert setup.execute("SELECT count(*) FROM ONLY public.events_default").fetchone()[0] == 0
    short = made.split(".")[-1]
    # ATTACH read the CHECK instead of the rows (the CHECK's own "verifying table" ran on the empty table)
    assert f'partition constraint for table "{short}" is implied by existing constraints' in messages, messages
    assert setup.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'part_partition_bound'").fetchone()[0] == 0


def test_a_partition_attached_while_the_step_waits_makes_it_step_back(fresh_db, connect):
    """While run_maintenance waits for its lock with its partition prepared, someone attaches a
    partition of that range (a by-hand ATTACH, queued behind the same reader): once it gets the lock,
    its ATTACH finds the overlap (42P17) and it drops what it prepared, as the check under the lock
    did before: no failure, no stray table, the other partition stays."""
    setup = connect(fresh_db, autocommit=True)
    _daily_with_default(setup)
    setup.execute("UPDATE part.config SET premake = premake + 1 WHERE parent_table = 'public.events'")
    day = "date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '3 days'"
    lo, hi = setup.execute(f"SELECT ({day})::text, ({day} + interval '1 day')::text").fetchone()
    setup.execute("CREATE TABLE public.by_hand (LIKE public.events INCLUDING INDEXES)")
    reader = connect(fresh_db)
    reader.execute("SELECT count(*) FROM public.events")   # holds the parent and the default
    step = connect(fresh_db, autocommit=True)
    pid = step.execute("SELECT pg_backend_pid()").fetchone()[0]
    hand = connect(fresh_db, autocommit=True)
    hand_pid = hand.execute("SELECT pg_backend_pid()").fetchone()[0]
    out: list = []

    def run(conn, sql) -> None:
        try:
            conn.execute(sql)
            out.append(sql.split()[0])
        except psycopg.Error as e:
            out.append(e)

    t = threading.Thread(target=run, args=(step, "CALL part.run_maintenance('public.events')"))
    t.start()
    watcher = connect(fresh_db, autocommit=True)
    try:
        _until(lambda: _sleeping(watcher, pid), "run_maintenance waiting for the reader")
        h = threading.Thread(target=run, args=(hand, "ALTER TABLE public.events ATTACH PARTITION public.by_hand"
                                                     f" FOR VALUES FROM ('{lo}') TO ('{hi}')"))
        h.start()
        _until(lambda: watcher.execute("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = %s",
                                       (hand_pid,)).fetchone()[0] is True, "the ATTACH queued behind the reader")
    finally:
        reader.commit()
        t.join()
    h.join()
    assert sorted(map(str, out)) == ["ALTER", "CALL"], out
    assert setup.execute("SELECT count(*) FROM part.maintenance_log WHERE outcome <> 'ok'").fetchone()[0] == 0
    parts = [r[0] for r in setup.execute(
        "SELECT part._qualified(inhrelid) FROM pg_inherits WHERE inhparent = 'public.events'::regclass").fetchall()]
    assert "public.by_hand" in parts, parts
    made = setup.execute(f"SELECT part._partition_name('events', part._range_suffix('{lo}', 'timestamptz', '1 day', 'UTC'))").fetchone()[0]
    assert setup.execute("SELECT to_regclass(%s)", (f"public.{made}",)).fetchone()[0] is None, made   # dropped


def test_a_stream_of_short_transactions_does_not_starve_the_switch(fresh_db, connect):
    """Three writers whose transactions each last 50 to 120 ms, one after the other, out of step: at
    nearly every look one of them is in the way and older than 50 ms. On main the step never attempted (and pg_stat_activity,
    read once per transaction, kept each session as old as at the first look): 55P03 after the
    whole budget. Now it attempts once per new set of such transactions and gets through."""
    setup = connect(fresh_db, autocommit=True)
    backfilled(setup)
    stop, errors, done = threading.Event(), [], [0, 0, 0]
    conns = [connect(fresh_db) for _ in range(3)]
    for c in conns:
        c.execute("SET lock_timeout = '200ms'")
        c.commit()

    def write(i: int) -> None:
        c = conns[i]
        rng = random.Random(i)
        while not stop.is_set():
            try:
                c.execute("INSERT INTO public.revenues (org_id, occurred_at) VALUES (7, now())")
                c.execute("SELECT pg_sleep(%s)", (rng.uniform(0.05, 0.12),))
                c.commit()
                done[i] += 1
            except psycopg.Error as e:
                c.rollback()
                errors.append(str(e))

    writers = [threading.Thread(target=write, args=(i,)) for i in range(3)]
    for w in writers:
        w.start()
    try:
        _until(lambda: all(n >= 3 for n in done), "the writers running")
        switcher = connect(fresh_db, autocommit=True)
        switcher.execute("SET part.lock_wait = '20 s'")
        assert switcher.execute("SELECT part.switch_reads('public.revenues')").fetchone()[0] == "partitioned"
    finally:
        stop.set()
        for w in writers:
            w.join()
    assert not errors, f"writers waited past their lock_timeout: {errors[:3]}"
    assert setup.execute("SELECT count(*) FROM public.revenues WHERE org_id = 7").fetchone()[0] == sum(done)
    assert setup.execute("SELECT count(*) FROM public.revenues_legacy WHERE org_id = 7").fetchone()[0] == sum(done)
