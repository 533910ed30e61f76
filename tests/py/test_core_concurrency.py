"""The partition core under real concurrent sessions: partitions created
while rows wait in the default, hash splits while writers write, and lock
waits that give up with 55P03 instead of stalling writers.

Every writer is a thread with its own connection; what committed is recorded
by the writers and compared exactly with the table afterwards.
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest


from _writers import Writers  # noqa: E402


def test_create_ahead_moves_default_rows_while_writers_insert(fresh_db, connect, dsn_factory):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(
        "CREATE TABLE public.revenues (id bigserial, org_id int NOT NULL, occurred_at timestamptz NOT NULL,"
        " amount numeric, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)"
    )
    conn.execute("SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 0)")
    # 20,000 rows for months 1 to 6 ahead wait in the default partition
    conn.execute(
        "INSERT INTO public.revenues (org_id, occurred_at, amount)"
        " SELECT g % 50, date_trunc('month', now()) + interval '1 month' + (g % 180) * interval '1 day', g"
        " FROM generate_series(1, 20000) g"
    )
    committed = [0, 0, 0, 0]

    def insert(c, rng, i):
        # now, and months 1 to 8 ahead: some into partitions being created, some into the default
        months = rng.randrange(0, 9)
        c.execute(
            "INSERT INTO public.revenues (org_id, occurred_at, amount)"
            " VALUES (%s, date_trunc('month', now()) + make_interval(months => %s) + interval '3 days', 1)",
            (rng.randrange(50), months),
        )
        committed[i] += 1

    with Writers(dsn_factory(fresh_db), insert, 4, seed=1) as writers:
        time.sleep(0.3)
        made = [r[0] for r in conn.execute("SELECT part.create_ahead(8)")]
        time.sleep(0.3)
    assert not writers.errors, writers.errors
    assert len(made) == 8
    total = conn.execute("SELECT count(*) FROM public.revenues").fetchone()[0]
    assert total == 20000 + sum(committed)
    # nothing that has a partition now is left in the default
    left = conn.execute("SELECT count(*) FROM ONLY public.revenues_default").fetchone()[0]
    assert left == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_split_hash_while_writers_insert_update_delete(fresh_db, connect, dsn_factory, seed):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(
        "CREATE TABLE public.daily_cash_balances (id bigint NOT NULL, org_id int NOT NULL, balance bigint NOT NULL,"
        " PRIMARY KEY (id, org_id)) PARTITION BY HASH (org_id)"
    )
    conn.execute("SELECT part.create_partitioned('public.daily_cash_balances', 'org_id', 'hash', p_partitions => 4)")
    conn.execute(
        "INSERT INTO public.daily_cash_balances SELECT g, g % 500, 0 FROM generate_series(1, 30000) g"
    )
    expected = {i: (i % 500, 0) for i in range(1, 30001)}
    guard = threading.Lock()
    next_id = iter(range(1_000_000, 2_000_000))

    def work(c, rng, i):
        op = rng.random()
        if op < 0.4:
            with guard:
                new_id = next(next_id)
            org = rng.randrange(500)
            c.execute("INSERT INTO public.daily_cash_balances VALUES (%s, %s, 0)", (new_id, org))
            with guard:
                expected[new_id] = (org, 0)
        elif op < 0.8:
            with guard:
                row_id = rng.choice(list(expected)) if expected else None
            if row_id is None:
                return
            # each writer owns the ids with id % 4 == i for updates and deletes: no lost-update races in the test itself
            if row_id % 4 != i:
                return
            cur = c.execute(
                "UPDATE public.daily_cash_balances SET balance = balance + 1 WHERE id = %s RETURNING org_id, balance",
                (row_id,),
            ).fetchone()
            with guard:
                if cur:
                    expected[row_id] = (cur[0], cur[1])
        else:
            with guard:
                row_id = rng.choice(list(expected)) if expected else None
            if row_id is None or row_id % 4 != i:
                return
            cur = c.execute("DELETE FROM public.daily_cash_balances WHERE id = %s RETURNING id", (row_id,)).fetchone()
            with guard:
                if cur:
                    expected.pop(row_id, None)

    splitter = connect(fresh_db, autocommit=True)
    with Writers(dsn_factory(fresh_db), work, 4, seed=seed) as writers:
        time.sleep(0.2)
        splitter.execute("CALL part.split_hash('public.daily_cash_balances', 16)")
        time.sleep(0.2)
    assert not writers.errors, writers.errors
    assert writers.statements > 50, "the writers should have kept writing during the split"
    rows = dict(
        (r[0], (r[1], r[2]))
        for r in conn.execute("SELECT id, org_id, balance FROM public.daily_cash_balances")
    )
    assert rows == expected
    parts = conn.execute(
        "SELECT partition_name, modulus, remainder FROM part.partitions WHERE parent_table = 'public.daily_cash_balances'"
    ).fetchall()
    assert len(parts) == 16
    assert {(p[1], p[2]) for p in parts} == {(16, r) for r in range(16)}
    misplaced = conn.execute(
        "SELECT count(*) FROM public.daily_cash_balances d JOIN pg_inherits i ON i.inhrelid = d.tableoid"
        " JOIN pg_class c ON c.oid = d.tableoid"
        " WHERE NOT satisfies_hash_partition('public.daily_cash_balances'::regclass::oid, 16,"
        "       split_part(c.relname, '_', 4)::int, d.org_id)"
    ).fetchone()[0]
    assert misplaced == 0
    assert conn.execute("SELECT partitions FROM part.config").fetchone()[0] == 16
    assert conn.execute("SELECT count(*) FROM part.split_log").fetchone()[0] == 0


def test_split_hash_resumes_after_an_interrupted_run(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.t (id bigint NOT NULL, org_id int NOT NULL) PARTITION BY HASH (org_id)")
    conn.execute("SELECT part.create_partitioned('public.t', 'org_id', 'hash', p_partitions => 2)")
    conn.execute("INSERT INTO public.t SELECT g, g % 97 FROM generate_series(1, 5000) g")
    # a run that dies in its locked step for the second old partition: another session holds it
    holder = connect(fresh_db)
    holder.execute("SELECT count(*) FROM public.t_1")  # ACCESS SHARE on t_1 until rollback
    conn.execute("SET part.lock_wait = '1 s'")
    with pytest.raises(psycopg.errors.LockNotAvailable) as err:
        conn.execute("CALL part.split_hash('public.t', 4)")
    assert "pid" in (err.value.diag.message_detail or "")
    holder.rollback()
    moduli = [tuple(r) for r in conn.execute("SELECT DISTINCT modulus, remainder FROM part.partitions ORDER BY 1, 2")]
    assert moduli == [(2, 1), (4, 0), (4, 2)]
    conn.execute("CALL part.split_hash('public.t', 4)")
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM public.t").fetchone() == (5000, 5000)
    assert conn.execute("SELECT count(*) FROM part.partitions").fetchone()[0] == 4


def test_lock_wait_gives_up_with_55P03_and_does_not_stall_writers(fresh_db, connect, dsn_factory):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(
        "CREATE TABLE public.events (id bigserial, created_at timestamptz NOT NULL, PRIMARY KEY (id, created_at))"
        " PARTITION BY RANGE (created_at)"
    )
    conn.execute("SELECT part.create_partitioned('public.events', 'created_at', 'range', '1 month', p_premake => 0)")
    conn.execute("INSERT INTO public.events (created_at) VALUES (now() + interval '2 months')")
    # a long transaction has read the default partition: ACCESS SHARE held
    holder = connect(fresh_db)
    holder.execute("SELECT count(*) FROM public.events_default")
    holder_pid = holder.info.backend_pid

    def insert_current(c, rng, i):
        c.execute("INSERT INTO public.events (created_at) VALUES (now())")

    conn.execute("SET part.lock_wait = '2 s'")
    with Writers(dsn_factory(fresh_db), insert_current, 2, seed=3) as writers:
        started = time.monotonic()
        with pytest.raises(psycopg.errors.LockNotAvailable) as err:
            conn.execute("SELECT part.create_ahead(2)")
        gave_up_after = time.monotonic() - started
    holder.rollback()
    assert not writers.errors, writers.errors
    assert f"pid {holder_pid}" in err.value.diag.message_detail
    assert err.value.diag.message_hint
    # writers into the current month never waited behind the attempts (they do not touch the default)
    assert writers.statements > 20
    # part never queues behind the long transaction, and each attempt holds the parent at most 50 ms
    assert writers.max_latency < 5
    # and nothing was made: the call is all or nothing
    assert conn.execute("SELECT count(*) FROM part.partitions WHERE NOT is_default").fetchone()[0] == 1
    assert gave_up_after < 30
