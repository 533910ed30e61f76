"""Crash experiments (issue 8, "a reliability suite that keeps it so").

Each step that changes data in several transactions is crashed at points
drawn from a seeded random, then rerun until it converges:

* backfill, switch_reads and rollback of a range migration;
* split_hash of a migration's hash copy (2 -> 4, then crashed: 8, 16, 32);
* the drain of a default partition by run_maintenance.

A crash is ``pg_terminate_backend`` of the session doing the step (on the
shared pytest server), or ``pg_ctl stop -m immediate`` of a throwaway server
of its own followed by a restart (crash recovery; UNLOGGED part.split_log
comes back empty). After every crash and rerun: both tables of the migration
hold exactly the same rows (every column, EXCEPT ALL both ways),
``part.check_parity(p_full => true)`` is clean, nothing is half made (no split
table, capture trigger, split_log row, hash table of two moduli) and
``part.verify()`` has no fail. A crash that left a split half made must first
make verify() fail. The seed is in every failure message
(``PART_SEED=<seed>`` replays it).
"""

from __future__ import annotations

import random
import time

import psycopg
import pytest

from _reliability import (
    ServerCrash,
    TerminateCrash,
    ThrowawayServer,
    after,
    assert_migration_converged,
    connect_retry,
    content_differs,
    crash_step,
    half_made,
    seeds,
    timed,
    verify_problems,
)
from pginstall import render

pytestmark = pytest.mark.slow

POINTS = {"terminate": 3, "server": 2}   # crash points per step
LEDGER_ROWS = 4000


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory):
    server = ThrowawayServer(tmp_path_factory.mktemp("crash"))
    yield server
    server.stop()


@pytest.fixture(params=["terminate", "server"])
def crash_db(request, pg_server):
    """(dsn of a new database with part installed, crash): on the shared server the crash is
    pg_terminate_backend; on the throwaway server it is pg_ctl stop -m immediate + start."""
    if request.param == "terminate":
        db = request.getfixturevalue("fresh_db")
        yield pg_server.dsn(db), TerminateCrash(pg_server.dsn(db))
        return
    server = request.getfixturevalue("throwaway")
    name = f"crash_{request.node.name.split('[')[0][-20:]}"
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(server.dsn(name)) as conn:
        conn.execute(render.render_install("plain"))
    yield server.dsn(name), ServerCrash(server)


def _some_writes(conn: psycopg.Connection, table: str, rng: random.Random, key_update: str) -> None:
    """A few writes through the application's table between crash points."""
    lo = rng.randrange(1, LEDGER_ROWS)
    conn.execute(f"UPDATE {table} SET amount = amount + 1 WHERE id BETWEEN %s AND %s", (lo, lo + 5))
    conn.execute(f"UPDATE {table} SET {key_update} WHERE id = %s", (lo + 7,))
    conn.execute(f"DELETE FROM {table} WHERE id = %s", (lo + 9,))


def _phase(conn, table: str) -> str:
    return conn.execute("SELECT part.phase(%s)", (table,)).fetchone()[0]


@pytest.mark.parametrize("seed", seeds([11]))
def test_crashes_in_backfill_switch_and_rollback_converge(crash_db, seed):
    dsn, crash = crash_db
    rng = random.Random(seed)
    n = POINTS[crash.kind]
    why = f"seed {seed}, {crash.kind}"
    conn = connect_retry(dsn)
    conn.execute("CREATE TABLE public.ledger (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL,"
                 " amount numeric(12,2) NOT NULL, note text)")
    conn.execute("INSERT INTO public.ledger (org_id, occurred_at, amount, note)"
                 " SELECT g %% 13, timestamptz '2025-01-01 00:00+00' + (g %% 240) * interval '1 day', g, md5(g::text)"
                 " FROM generate_series(1, %s) g", (LEDGER_ROWS,))
    conn.execute("SELECT part.migrate_start('public.ledger', 'occurred_at', 'range', '1 month', p_premake => 1)")
    key_update = "occurred_at = occurred_at + interval '33 days'"
    hits = {"backfill": 0, "switch": 0, "rollback": 0}

    # backfill: crashed when it has copied a random number of rows
    for _ in range(n):
        target = rng.randrange(1, LEDGER_ROWS)
        extra = rng.uniform(0, 0.02)

        def at_rows(step, target=target, extra=extra):
            with psycopg.connect(dsn, autocommit=True) as watch:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and not step.done and step.error is None:
                    if watch.execute("SELECT coalesce(backfill_rows, 0) FROM part.migration").fetchone()[0] >= target:
                        break
                    time.sleep(0.003)
            time.sleep(extra)

        hits["backfill"] += crash_step(dsn, "CALL part.backfill('public.ledger', 200, '2 milliseconds')", crash, at_rows)
        conn = connect_retry(dsn)
        _some_writes(conn, "public.ledger", rng, key_update)
    conn.execute("CALL part.backfill('public.ledger', 1000)")
    conn.execute("SELECT part.check_parity('public.ledger')")
    assert _phase(conn, "public.ledger") == "backfilled", why
    assert_migration_converged(conn, "public.ledger", why + ", backfill")

    # switch and rollback: crashed at a random time within (1.5 times) how long each took uncrashed
    t_switch = timed(conn, "SELECT part.switch_reads('public.ledger')")
    assert_migration_converged(conn, "public.ledger", why + ", switch")
    t_rollback = timed(conn, "SELECT part.rollback('public.ledger')")
    assert_migration_converged(conn, "public.ledger", why + ", rollback")
    for _ in range(n):
        _some_writes(conn, "public.ledger", rng, key_update)
        hits["switch"] += crash_step(dsn, "SELECT part.switch_reads('public.ledger')", crash,
                                     after(rng.uniform(0, 1.5 * t_switch)))
        conn = connect_retry(dsn)
        if _phase(conn, "public.ledger") != "partitioned":
            conn.execute("SELECT part.switch_reads('public.ledger')")
        assert _phase(conn, "public.ledger") == "partitioned", why
        assert_migration_converged(conn, "public.ledger", why + ", crashed switch rerun")
        _some_writes(conn, "public.ledger", rng, key_update)
        hits["rollback"] += crash_step(dsn, "SELECT part.rollback('public.ledger')", crash,
                                       after(rng.uniform(0, 1.5 * t_rollback)))
        conn = connect_retry(dsn)
        if _phase(conn, "public.ledger") != "backfilled":
            conn.execute("SELECT part.rollback('public.ledger')")
        assert _phase(conn, "public.ledger") == "backfilled", why
        assert_migration_converged(conn, "public.ledger", why + ", crashed rollback rerun")
    print(f"{why}: crash points that hit a running step: {hits} of {n} each")


@pytest.mark.parametrize("seed", seeds([12]))
def test_crashes_in_split_hash_of_a_migration_copy_converge(crash_db, seed):
    dsn, crash = crash_db
    rng = random.Random(seed)
    n = POINTS[crash.kind]
    why = f"seed {seed}, {crash.kind}"
    conn = connect_retry(dsn)
    conn.execute("CREATE TABLE public.bal (id bigserial PRIMARY KEY, org_id int NOT NULL, amount bigint NOT NULL)")
    conn.execute("INSERT INTO public.bal (org_id, amount) SELECT g % 307, g FROM generate_series(1, 3000) g")
    conn.execute("SELECT part.migrate_start('public.bal', 'org_id', 'hash', p_partitions => 2)")
    conn.execute("CALL part.backfill('public.bal')")
    conn.execute("SELECT part.check_parity('public.bal')")
    copy = "public.bal_partitioned"
    t_split = timed(conn, f"CALL part.split_hash('{copy}', 4)")
    assert_migration_converged(conn, "public.bal", why + ", split 2 -> 4")
    count, hits = 4, 0
    for i in range(n):
        _some_writes(conn, "public.bal", rng, "org_id = org_id + 1")
        # twice the partitions to split each time: the step takes about twice as long
        hit = crash_step(dsn, f"CALL part.split_hash('{copy}', {count * 2})", crash,
                         after(rng.uniform(0, 1.2 * t_split * 2 ** (i + 1))))
        hits += hit
        conn = connect_retry(dsn)
        left = half_made(conn)
        if left:   # verify() must say so, and what to call
            fails = [r for r in verify_problems(conn) if r[0] == "partitions_ahead" and r[1] == copy]
            assert fails and "part.split_hash(" in fails[0][3], f"{why}: {left} but verify says {verify_problems(conn)}"
        conn.execute("INSERT INTO public.bal (org_id, amount) SELECT g, 1 FROM generate_series(1, 20) g")
        conn.execute(f"CALL part.split_hash('{copy}', {count * 2})")
        count *= 2
        assert conn.execute("SELECT partitions FROM part.config WHERE parent_table = %s", (copy,)).fetchone()[0] == count
        assert_migration_converged(conn, "public.bal", f"{why}, split to {count} rerun")
        # the sync marks by the new count: one write re-hashes exactly the range it touched
        org, rem = conn.execute(
            "SELECT o, r FROM generate_series(0, 306) o, generate_series(0, %s - 1) r"
            " WHERE satisfies_hash_partition(%s::regclass::oid, %s, r, o) AND r >= %s ORDER BY o LIMIT 1",
            (count, copy, count, count // 2)).fetchone()
        conn.execute("UPDATE public.bal SET amount = amount + 1 WHERE org_id = %s", (org,))
        rehashed = conn.execute("SELECT range_from FROM part.check_parity('public.bal') WHERE rehashed").fetchall()
        assert rehashed == [(str(rem),)], f"{why}: after the split to {count}, org {org} (remainder {rem}): {rehashed}"
    print(f"{why}: crash points that hit a running split_hash: {hits} of {n}")


@pytest.mark.parametrize("seed", seeds([13]))
def test_crashes_in_the_drain_of_a_default_partition_converge(crash_db, seed):
    dsn, crash = crash_db
    rng = random.Random(seed)
    n = POINTS[crash.kind]
    why = f"seed {seed}, {crash.kind}"
    conn = connect_retry(dsn)

    def backlog(name: str) -> str:
        """A managed table whose rows of 8 past months wait in its default partition; their content."""
        conn.execute(f"CREATE TABLE public.{name} (id bigint NOT NULL, created_at timestamptz NOT NULL, v text,"
                     f" PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)")
        conn.execute(f"SELECT part.create_partitioned('public.{name}', 'created_at', 'range', '1 month', p_premake => 1)")
        conn.execute(f"INSERT INTO public.{name} SELECT g, date_trunc('month', now()) - (1 + g % 8) * interval '1 month'"
                     f" + (g % 27) * interval '1 day', md5(g::text) FROM generate_series(1, 1600) g")
        assert conn.execute(f"SELECT count(*) FROM ONLY public.{name}_default").fetchone()[0] == 1600
        return conn.execute(f"SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.{name} t").fetchone()[0]

    def assert_drained(name: str, content: str, when: str) -> None:
        assert conn.execute(f"SELECT count(*) FROM ONLY public.{name}_default").fetchone()[0] == 0, f"{why}: {when}"
        now = conn.execute(f"SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM public.{name} t").fetchone()[0]
        assert now == content, f"{why}: {when}: the content of public.{name} changed"
        assert half_made(conn) == [], f"{why}: {when}"
        assert verify_problems(conn) == [], f"{why}: {when}: {verify_problems(conn)}"

    content = backlog("events_c")
    t_drain = timed(conn, "CALL part.run_maintenance()")
    assert_drained("events_c", content, "uncrashed drain")
    hits = 0
    for i in range(n):
        content = backlog(f"events_{i}")
        hits += crash_step(dsn, "CALL part.run_maintenance()", crash, after(rng.uniform(0, 1.3 * t_drain)))
        conn = connect_retry(dsn)
        conn.execute("CALL part.run_maintenance()")
        assert_drained(f"events_{i}", content, f"crash point {i} rerun")
    print(f"{why}: crash points that hit a running drain: {hits} of {n}")


def test_server_crash_mid_split_leaves_what_verify_reports_and_a_rerun_finishes(throwaway):
    """A deterministic server crash inside split_hash's copy (another session holds a lock its
    locked step waits for): UNLOGGED split_log is empty after recovery, verify() fails and says
    what to call, and the rerun converges with every row."""
    name = "crash_split_fixed"
    with psycopg.connect(throwaway.dsn(), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(throwaway.dsn(name)) as conn:
        conn.execute(render.render_install("plain"))
    dsn = throwaway.dsn(name)
    conn = connect_retry(dsn)
    conn.execute("CREATE TABLE public.dcb (id bigint NOT NULL, org_id int NOT NULL, PRIMARY KEY (id, org_id))"
                 " PARTITION BY HASH (org_id)")
    conn.execute("SELECT part.create_partitioned('public.dcb', 'org_id', 'hash', p_partitions => 4)")
    conn.execute("INSERT INTO public.dcb SELECT g, g % 211 FROM generate_series(1, 3000) g")
    holder = psycopg.connect(dsn)
    holder.execute("SELECT count(*) FROM public.dcb_0")   # ACCESS SHARE: the locked step waits

    def waiting(step):
        with psycopg.connect(dsn, autocommit=True) as watch:
            for _ in range(600):   # the copy of dcb_0 is committed: the locked step waits for the holder
                if watch.execute("SELECT count(*) FROM pg_class WHERE relname IN ('dcb_split_0', 'dcb_split_4')").fetchone()[0] == 2 \
                   and watch.execute("SELECT (SELECT count(*) FROM public.dcb_split_0) + (SELECT count(*) FROM public.dcb_split_4)"
                                     " >= (SELECT count(*) FROM public.dcb_0)").fetchone()[0]:
                    time.sleep(0.3)
                    return
                # writes meanwhile are captured for the split
                watch.execute("INSERT INTO public.dcb SELECT g, g % 211 FROM generate_series(3001, 3010) g"
                              " ON CONFLICT DO NOTHING")
                time.sleep(0.02)

    assert crash_step(dsn, "CALL part.split_hash('public.dcb', 8)", ServerCrash(throwaway), waiting,
                      setup=("SET part.lock_wait = '60 s'",))
    conn = connect_retry(dsn)
    assert half_made(conn), "the crash should have left the split of dcb_0 half made"
    assert conn.execute("SELECT count(*) FROM part.split_log").fetchone()[0] == 0, "UNLOGGED: empty after recovery"
    status, detail = conn.execute("SELECT status, detail FROM part.verify() WHERE check_name = 'partitions_ahead'").fetchone()
    assert status == "fail" and "CALL part.split_hash('public.dcb', 8)" in detail, detail
    conn.execute("INSERT INTO public.dcb SELECT g, g % 211 FROM generate_series(3011, 3100) g")
    conn.execute("CALL part.split_hash('public.dcb', 8)")
    assert half_made(conn) == []
    assert verify_problems(conn) == []
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM public.dcb").fetchone() == (3100, 3100)
    assert content_differs(conn, "public.dcb", "public.dcb")[:2] == (0, 0)
