"""CALL part.run_maintenance() against a real server, with real second sessions: it
commits table by table, a broken table does not stop the others, a concurrent
run skips (advisory lock), and a lock held by another session makes it give up
on that table within its short timeouts while writers keep going."""

from __future__ import annotations

import threading
import time

import psycopg

LOCK_KEY = (1885434484, 1)  # part.run_maintenance's advisory lock


def month(shift: int) -> str:
    """The YYYY_MM suffix of the month `shift` months from now (UTC)."""
    t = time.gmtime()
    n = t.tm_year * 12 + t.tm_mon - 1 + shift
    return f"{n // 12:04d}_{n % 12 + 1:02d}"


def make_table(conn, name: str, **kw) -> None:
    conn.execute(f"CREATE TABLE public.{name} (id bigint NOT NULL, occurred_at timestamptz NOT NULL, amount int, "
                 f"PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
    args = "".join(f", {k} => %({k})s" for k in kw)
    conn.execute(f"SELECT part.create_partitioned('public.{name}', 'occurred_at', 'range', '1 month'{args})", kw)


def exists(conn, name: str) -> bool:
    return conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()[0]


def runs(conn) -> list[tuple]:
    return conn.execute("SELECT run_id, outcome, detail FROM part.maintenance_log WHERE action = 'run' ORDER BY id").fetchall()


def test_run_creates_drains_retires_and_commits(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    make_table(conn, "revenues", p_retention="3 months", p_retention_mode="drop")
    conn.execute("SELECT part._ensure_range_partitions('public.revenues'::regclass, (now() - interval '6 months')::text, now()::text)")
    conn.execute(f"DROP TABLE public.revenues_{month(3)}")
    conn.execute("INSERT INTO public.revenues SELECT g, now() + interval '2 years' + g * interval '1 minute', g "
                 "FROM generate_series(1, 500) g")

    conn.execute("CALL part.run_maintenance()")

    other = connect(fresh_db, autocommit=True)  # what another session sees: committed work
    assert exists(other, f"public.revenues_{month(3)}"), "the missing partition ahead is created"
    assert exists(other, f"public.revenues_{month(24)}"), "the rows of the default got their partition"
    assert other.execute("SELECT count(*) FROM ONLY public.revenues_default").fetchone()[0] == 0
    assert other.execute(f"SELECT count(*) FROM public.revenues_{month(24)}").fetchone()[0] == 500
    assert not any(exists(other, f"public.revenues_{month(s)}") for s in (-6, -5, -4)), "old partitions dropped"
    assert other.execute(f"SELECT reltuples FROM pg_class WHERE oid = 'public.revenues_{month(24)}'::regclass"
                         ).fetchone()[0] == 500, "the drained partition was analyzed"
    actions = dict(other.execute(
        "SELECT action, count(*) FROM part.maintenance_log WHERE parent_table = 'public.revenues' GROUP BY 1").fetchall())
    assert actions == {"create": 1, "drain": 1, "drop": 3}
    [(run_id, outcome, detail)] = runs(other)
    assert outcome == "ok" and "1 tables: 2 partitions created (1 of them for rows from the default partition, 500 rows moved), 3 retired" in detail
    assert other.execute("SELECT count(DISTINCT run_id) FROM part.maintenance_log").fetchone()[0] == 1

    # a second run has nothing to do: only its heartbeat
    conn.execute("CALL part.run_maintenance()")
    assert other.execute("SELECT action FROM part.maintenance_log WHERE run_id > %s", (run_id,)).fetchall() == [("run",)]


def test_broken_table_does_not_stop_the_others(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    for name in ("a_first", "b_broken", "c_last"):
        make_table(conn, name)
        conn.execute(f"DROP TABLE public.{name}_{month(2)}")
    # b_broken cannot get its partition: a plain table holds the name
    conn.execute(f"CREATE TABLE public.b_broken_{month(2)} (x int)")
    # and part.config names a table that no longer exists
    make_table(conn, "gone")
    conn.execute("DROP TABLE public.gone")

    notices = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary))
    conn.execute("CALL part.run_maintenance()")

    assert exists(conn, f"public.a_first_{month(2)}") and exists(conn, f"public.c_last_{month(2)}"), \
        "the tables before and after the broken one are maintained"
    failed = dict(conn.execute(
        "SELECT parent_table, detail FROM part.maintenance_log WHERE outcome = 'failed' AND action <> 'run'").fetchall())
    assert set(failed) == {"public.b_broken", "public.gone"}
    assert failed["public.b_broken"].startswith("42P07: cannot create partition")
    assert "does not exist" in failed["public.gone"]
    [(_, outcome, detail)] = runs(conn)
    assert outcome == "failed" and "public.b_broken" in detail and "public.gone" in detail
    assert any("b_broken" in n for n in notices), "the caller is warned"
    assert any(n.startswith("part.run_maintenance: create of public.b_broken failed") for n in notices), \
        "the warning names the step that failed"
    assert conn.execute("SELECT status FROM part.verify() WHERE check_name = 'maintenance_last_run'").fetchone()[0] == "fail"


def test_concurrent_run_skips(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    make_table(conn, "revenues")
    conn.execute(f"DROP TABLE public.revenues_{month(1)}")

    # a long transaction holds the default partition: the first run waits in its lock retries
    blocker = connect(fresh_db)
    blocker.execute("SELECT count(*) FROM public.revenues")
    first = connect(fresh_db, autocommit=True)
    first.execute("SET part.lock_wait = '20 s'")
    first_pid = first.info.backend_pid
    errors = []

    def run_first():
        try:
            first.execute("CALL part.run_maintenance()")
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            errors.append(e)

    t = threading.Thread(target=run_first)
    t.start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # until the first run holds the advisory lock
        if conn.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s AND objid = %s "
                        "AND granted", LOCK_KEY).fetchone()[0]:
            break
        time.sleep(0.05)
    second = connect(fresh_db, autocommit=True)
    second.execute("CALL part.run_maintenance()")
    [(_, outcome, detail)] = runs(conn)
    assert outcome == "skipped"
    assert f"another part.run_maintenance is running (pid {first_pid})" in detail
    assert not exists(conn, f"public.revenues_{month(1)}"), "the skipped run did nothing"

    blocker.rollback()  # the first run can now take its locks
    t.join(60)
    assert not t.is_alive() and not errors
    assert exists(conn, f"public.revenues_{month(1)}")
    assert [r[1] for r in runs(conn)] == ["skipped", "ok"]
    # the lock is released: a third run runs
    second.execute("CALL part.run_maintenance()")
    assert runs(conn)[-1][1] == "ok"


def test_lock_held_gives_up_within_timeouts_while_writers_go_on(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    make_table(conn, "busy")
    make_table(conn, "quiet")
    for name in ("busy", "quiet"):
        conn.execute(f"DROP TABLE public.{name}_{month(2)}")

    # a long read transaction on `busy` (it holds ACCESS SHARE on every partition, the default too)
    reader = connect(fresh_db)
    reader.execute("SELECT count(*) FROM public.busy")
    reader_pid = reader.info.backend_pid

    stop = threading.Event()
    stats = {"current": [], "default": []}
    problems = []

    def writer(kind: str, when: str):
        c = psycopg.connect(conn.info.dsn, autocommit=True)
        i = 0
        try:
            while not stop.is_set():
                i += 1
                started = time.monotonic()
                c.execute(f"INSERT INTO public.busy VALUES (%s, {when}, 1)", (i,))
                stats[kind].append(time.monotonic() - started)
        except Exception as e:  # noqa: BLE001
            problems.append(e)
        finally:
            c.close()

    threads = [threading.Thread(target=writer, args=("current", "now()")),
               threading.Thread(target=writer, args=("default", "now() + interval '10 years'"))]
    for th in threads:
        th.start()
    time.sleep(0.5)
    maint = connect(fresh_db, autocommit=True)
    maint.execute("SET part.lock_wait = '2 s'")
    started = time.monotonic()
    maint.execute("CALL part.run_maintenance()")
    took = time.monotonic() - started
    time.sleep(0.3)
    stop.set()
    for th in threads:
        th.join(30)
    reader.rollback()

    assert not problems, f"a writer failed: {problems[0]}"
    assert took < 15, f"maintenance took {took:.1f} s: it should give up after its short timeouts"
    skipped = conn.execute("SELECT outcome, detail FROM part.maintenance_log WHERE parent_table = 'public.busy' "
                           "AND action <> 'run'").fetchall()
    assert len(skipped) == 1 and skipped[0][0] == "skipped", skipped
    assert skipped[0][1].startswith("55P03") and f"pid {reader_pid}" in skipped[0][1], "the blocker is named"
    assert exists(conn, f"public.quiet_{month(2)}"), "the other table was maintained in the same run"
    assert not exists(conn, f"public.busy_{month(2)}")
    [(_, outcome, detail)] = runs(conn)
    assert outcome == "ok" and "given up (lock not obtained): public.busy" in detail
    assert conn.execute("SELECT status FROM part.verify() WHERE check_name = 'maintenance_last_run'").fetchone()[0] == "warn"
    # writers kept going: many inserts, none waited longer than one lock attempt (at most 1 s) plus slack
    for kind, lat in stats.items():
        assert len(lat) > 20, f"{kind} writer made only {len(lat)} inserts"
        assert max(lat) < 2.5, f"{kind} writer waited {max(lat):.2f} s"

    # the blocker gone, the next run makes the partition
    conn.execute("CALL part.run_maintenance()")
    assert exists(conn, f"public.busy_{month(2)}")


def test_retention_left_to_its_own_schedule(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    make_table(conn, "revenues", p_retention="2 months", p_retention_mode="drop")
    conn.execute("SELECT part._ensure_range_partitions('public.revenues'::regclass, (now() - interval '5 months')::text, now()::text)")
    conn.execute("SELECT part.set_setting('retention_schedule', '0 3 15 * *')")
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT count(*) FROM part.maintenance_log WHERE action = 'drop'").fetchone()[0] == 0, \
        "a separate retention schedule: run_maintenance does not retire"
    retired = [r[0] for r in conn.execute("SELECT partition_name FROM part.drop_old()").fetchall()]
    assert retired == [f"public.revenues_{month(s)}" for s in (-5, -4, -3)]
    conn.execute("SELECT part.set_setting('retention_schedule', '')")
    conn.execute("SELECT part._ensure_range_partitions('public.revenues'::regclass, (now() - interval '5 months')::text, now()::text)")
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT count(*) FROM part.maintenance_log WHERE action = 'drop' AND run_id IN "
                        "(SELECT run_id FROM part.maintenance_log WHERE action = 'run')").fetchone()[0] == 3
    assert conn.execute("SELECT outcome, detail FROM part.maintenance_log WHERE action = 'retention'").fetchall() == [
        ("ok", "3 partitions retired")], "the retention job's own summary row"


def test_disabled_flag_is_a_logged_noop(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    make_table(conn, "revenues")
    conn.execute(f"DROP TABLE public.revenues_{month(1)}")
    conn.execute("SELECT part.set_setting('enable_partition_maintenance', 'false')")
    notices = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary))
    conn.execute("CALL part.run_maintenance()")
    assert not exists(conn, f"public.revenues_{month(1)}")
    assert runs(conn)[-1][1:] == ("skipped", "enable_partition_maintenance is false: nothing done")
    assert any("enable_partition_maintenance is false" in n for n in notices)


def test_retention_gives_up_on_a_held_partition_without_stalling_writers(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    make_table(conn, "revenues", p_retention="2 months", p_retention_mode="drop")
    conn.execute("SELECT part._ensure_range_partitions('public.revenues'::regclass, (now() - interval '5 months')::text, now()::text)")
    # a long transaction reads an old partition directly: retiring it needs ACCESS EXCLUSIVE on it
    reader = connect(fresh_db)
    reader.execute(f"SELECT count(*) FROM public.revenues_{month(-4)}")

    stop = threading.Event()
    latencies, problems = [], []

    def writer():
        c = psycopg.connect(conn.info.dsn, autocommit=True)
        i = 0
        try:
            while not stop.is_set():
                i += 1
                started = time.monotonic()
                c.execute("INSERT INTO public.revenues VALUES (%s, now(), 1)", (i,))
                latencies.append(time.monotonic() - started)
        except Exception as e:  # noqa: BLE001
            problems.append(e)
        finally:
            c.close()

    th = threading.Thread(target=writer)
    th.start()
    time.sleep(0.3)
    maint = connect(fresh_db, autocommit=True)
    maint.execute("SET part.lock_wait = '2 s'")
    started = time.monotonic()
    maint.execute("CALL part.run_maintenance()")
    took = time.monotonic() - started
    stop.set()
    th.join(30)
    reader.rollback()

    assert not problems, problems
    assert took < 15, f"gave up only after {took:.1f} s"
    row = conn.execute("SELECT outcome, detail FROM part.maintenance_log WHERE action = 'retire'").fetchone()
    assert row[0] == "skipped" and row[1].startswith("55P03"), row
    assert all(exists(conn, f"public.revenues_{month(s)}") for s in (-5, -4, -3)), "nothing retired while held"
    assert len(latencies) > 20 and max(latencies) < 2.5, \
        f"writers stalled: {len(latencies)} inserts, longest {max(latencies):.2f} s (the parent lock must not be held while waiting)"
    conn.execute("CALL part.run_maintenance()")
    assert not any(exists(conn, f"public.revenues_{month(s)}") for s in (-5, -4, -3)), "retired once released"
