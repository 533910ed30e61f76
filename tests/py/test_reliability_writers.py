"""Writers through every phase of a migration (issue 8, "a reliability suite
that keeps it so").

* Randomized concurrent writers (seeded; the seed is in every failure
  message, ``PART_SEED=<seed>`` replays it): INSERT, UPDATE (of values, of the
  partition key), DELETE, COPY, INSERT ... ON CONFLICT (DO UPDATE and DO
  NOTHING), MERGE (insert, update and delete in one statement) and explicit
  transactions that commit or roll back, through the application's table name
  while it goes dual_write -> backfill -> switch -> rollback -> switch again.
* pgbench's TPC-B (the pgbench that ships with PostgreSQL) writing while
  pgbench_history (range on mtime) and pgbench_accounts (hash on aid) migrate
  through the same phases; afterwards every balance agrees with the history.

At the end both tables of each migration hold exactly the same rows (every
column, both ways), part.check_parity(p_full => true) is clean and verify()
has no fail.
"""

from __future__ import annotations

import os
import random
import subprocess
import threading
import time

import psycopg
import pytest

from _reliability import PG_BIN, assert_migration_converged, seeds

pytestmark = pytest.mark.slow

ROWS = 1500
SWITCH_RETRIES = 5


class RandomWriters:
    """Threads writing random statements through `table` until stopped. Errors PostgreSQL itself
    gives concurrent applications (a serialization failure when a row moved to another partition
    under an UPDATE, a deadlock between two writers' multi-row statements) are counted and the
    statement skipped, unless part's sync is in their context; any other error fails the test."""

    def __init__(self, dsn: str, count: int, seed: int, table: str = "public.orders"):
        self.dsn, self.table, self.seed = dsn, table, seed
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.ops: dict[str, int] = {}
        self.retryable = 0
        self._lock = threading.Lock()
        self._local = threading.local()
        self._threads = [threading.Thread(target=self._run, args=(random.Random(seed * 1000 + i),), daemon=True)
                         for i in range(count)]

    def _statement(self, conn: psycopg.Connection, rng: random.Random) -> str:
        t = self.table
        lo = rng.randrange(1, ROWS + 300)
        op = rng.choice(["insert", "update", "move", "delete", "copy", "upsert", "nothing", "merge", "txn"])
        self._local.op = (op, lo)
        if op == "insert":
            conn.execute(f"INSERT INTO {t} (org_id, placed_at, amount, note) SELECT g %% 7,"
                         " timestamptz '2025-01-01 00:00+00' + (random() * 180) * interval '1 day', g, 'i'"
                         " FROM generate_series(1, %s::int) g", (rng.randrange(1, 6),))
        elif op == "update":
            conn.execute(f"UPDATE {t} SET amount = amount + 1, note = md5(random()::text) WHERE id BETWEEN %s AND %s",
                         (lo, lo + rng.randrange(0, 4)))
        elif op == "move":    # partition key change: the row moves to another month
            conn.execute(f"UPDATE {t} SET placed_at = placed_at + %s * interval '1 day' WHERE id = %s",
                         (rng.choice([-45, -2, 3, 31, 62]), lo))
        elif op == "delete":
            conn.execute(f"DELETE FROM {t} WHERE id BETWEEN %s AND %s", (lo, lo + rng.randrange(0, 3)))
        elif op == "copy":
            with conn.cursor().copy(f"COPY {t} (org_id, placed_at, amount, note) FROM STDIN") as cp:
                for _ in range(rng.randrange(1, 5)):
                    day = rng.randrange(0, 180)
                    cp.write_row((rng.randrange(7), f"2025-01-01 00:00+00", rng.randrange(1000), f"c{day}"))
        elif op == "upsert":  # the same rows again: every one conflicts and is updated
            conn.execute(f"INSERT INTO {t} AS o (id, org_id, placed_at, amount, note)"
                         f" SELECT id, org_id, placed_at, amount, note FROM {t} WHERE id BETWEEN %s AND %s"
                         " ON CONFLICT (id, placed_at) DO UPDATE SET amount = o.amount + 10, note = 'u'",
                         (lo, lo + 2))
        elif op == "nothing":
            conn.execute(f"INSERT INTO {t} (id, org_id, placed_at, amount, note)"
                         f" SELECT id, org_id, placed_at, 0, 'n' FROM {t} WHERE id = %s"
                         " ON CONFLICT DO NOTHING", (lo,))
        elif op == "merge":   # matched rows updated or deleted, unmatched keys inserted as new rows
            conn.execute(
                f"MERGE INTO {t} o USING (SELECT g AS id, timestamptz '2025-01-01 00:00+00' + (g %% 180) * interval '1 day'"
                "                              + (g %% 24) * interval '1 hour' AS placed_at"
                "                         FROM generate_series(%s::int, %s::int) g) s"
                " ON o.id = s.id AND o.placed_at = s.placed_at"
                " WHEN MATCHED AND o.amount %% 3 = 0 THEN DELETE"
                " WHEN MATCHED THEN UPDATE SET amount = o.amount + 1, note = 'm'"
                " WHEN NOT MATCHED THEN INSERT (org_id, placed_at, amount, note) VALUES (s.id %% 7, s.placed_at, 1, 'mi')",
                (lo, lo + rng.randrange(0, 5)))
        else:                 # an explicit transaction of several statements, committed or rolled back
            with conn.transaction(force_rollback=rng.random() < 0.3):
                conn.execute(f"UPDATE {t} SET amount = amount - 1 WHERE id = %s", (lo,))
                conn.execute(f"INSERT INTO {t} (org_id, placed_at, amount, note) VALUES (1, now(), 5, 'tx')")
                conn.execute(f"DELETE FROM {t} WHERE id = %s", (lo + 1,))
        return op

    def _run(self, rng: random.Random) -> None:
        try:
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                while not self.stop.is_set():
                    try:
                        op = self._statement(conn, rng)
                    except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected) as e:
                        if "sync_to" in (e.diag.context or ""):
                            raise
                        with self._lock:
                            self.retryable += 1
                        continue
                    with self._lock:
                        self.ops[op] = self.ops.get(op, 0) + 1
        except BaseException as exc:  # noqa: BLE001 - recorded, asserted by the test
            op = getattr(self._local, "op", None)
            self.errors.append(f"{type(exc).__name__} in statement {op}: {exc}")

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self._threads:
            t.join(timeout=60)


def _switch(conn: psycopg.Connection, fn: str, table: str) -> None:
    """switch_reads / rollback, again after 55P03 (it gives up waiting for a lock behind writers)."""
    for attempt in range(SWITCH_RETRIES):
        try:
            conn.execute(f"SELECT part.{fn}(%s)", (table,))
            return
        except psycopg.errors.LockNotAvailable:
            if attempt == SWITCH_RETRIES - 1:
                raise
            time.sleep(0.2)
        except psycopg.errors.ObjectNotInPrerequisiteState as e:
            diff = conn.execute("SELECT key::text, problem FROM part.parity_diff(%s, 20)", (table,)).fetchall()
            raise AssertionError(f"{fn}({table}) refused: {e}; parity_diff now: {diff}") from e


@pytest.mark.parametrize("seed", seeds([21, 22]))
def test_random_writers_through_every_phase_keep_parity_exact(fresh_db, connect, dsn_factory, seed):
    why = f"seed {seed}"
    rng = random.Random(seed)
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.orders (id bigserial, org_id int NOT NULL, placed_at timestamptz NOT NULL,"
                 " amount bigint NOT NULL, note text, PRIMARY KEY (id, placed_at))")
    conn.execute("INSERT INTO public.orders (org_id, placed_at, amount, note)"
                 " SELECT g % 7, timestamptz '2025-01-01 00:00+00' + (g % 180) * interval '1 day' + (g % 24) * interval '1 hour',"
                 f" g, 'r' FROM generate_series(1, {ROWS}) g")

    def pause():
        time.sleep(rng.uniform(0.15, 0.4))

    with RandomWriters(dsn_factory(fresh_db), count=3, seed=seed) as w:
        pause()
        conn.execute("SELECT part.migrate_start('public.orders', 'placed_at', 'range', '1 month', p_premake => 1)")
        pause()
        conn.execute("CALL part.backfill('public.orders', 100, '2 milliseconds')")
        pause()
        bad = conn.execute("SELECT range_from FROM part.check_parity('public.orders') WHERE status <> 'ok'").fetchall()
        assert bad == [], f"{why}: parity after the backfill: {bad}"
        assert conn.execute("SELECT part.phase('public.orders')").fetchone()[0] == "backfilled", why
        _switch(conn, "switch_reads", "public.orders")
        pause()
        _switch(conn, "rollback", "public.orders")
        pause()
        conn.execute("SELECT part.check_parity('public.orders')")
        _switch(conn, "switch_reads", "public.orders")
        pause()
    assert w.errors == [], f"{why}: {w.errors[:3]}"
    assert set(w.ops) == {"insert", "update", "move", "delete", "copy", "upsert", "nothing", "merge", "txn"}, \
        f"{why}: every kind of statement ran: {w.ops}"
    assert conn.execute("SELECT part.phase('public.orders')").fetchone()[0] == "partitioned", why
    # rows a writer moved before the first month wait in the default partition: maintenance moves them
    conn.execute("CALL part.run_maintenance()")
    assert_migration_converged(conn, "public.orders", why)
    print(f"{why}: statements {w.ops}, retryable errors {w.retryable}")


def _pgbench(pg_server, db: str, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, **pg_server.env(), "PGDATABASE": db}
    return subprocess.run([str(PG_BIN / "pgbench"), *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_pgbench_tpcb_through_every_phase_keeps_balances_and_parity(pg_server, fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    init = _pgbench(pg_server, fresh_db, "-i", "-s", "1", "-q")
    assert init.returncode == 0, init.stderr
    # part needs a primary key; TPC-B names the columns it inserts into pgbench_history
    conn.execute("ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY")

    stop = threading.Event()
    runs: list[subprocess.CompletedProcess] = []
    crashed: list[BaseException] = []

    def bench():
        try:
            while not stop.is_set():
                # simple protocol (the default): every statement resolves the table's name again
                runs.append(_pgbench(pg_server, fresh_db, "-n", "-c", "2", "-j", "2", "-T", "2", "-R", "300"))
        except BaseException as exc:  # noqa: BLE001 - asserted below
            crashed.append(exc)

    def settle():
        time.sleep(0.3)

    t = threading.Thread(target=bench, daemon=True)
    t.start()
    try:
        settle()
        conn.execute("SELECT part.migrate_start('public.pgbench_history', 'mtime', 'range', '1 day', p_premake => 1)")
        conn.execute("SELECT part.migrate_start('public.pgbench_accounts', 'aid', 'hash', p_partitions => 4)")
        settle()
        for table in ("public.pgbench_history", "public.pgbench_accounts"):
            conn.execute("CALL part.backfill(%s, 20000)", (table,))
            conn.execute("SELECT part.check_parity(%s)", (table,))
            assert conn.execute("SELECT part.phase(%s)", (table,)).fetchone()[0] == "backfilled"
        for fn in ("switch_reads", "rollback", "switch_reads"):
            for table in ("public.pgbench_history", "public.pgbench_accounts"):
                if fn == "switch_reads":
                    conn.execute("SELECT part.check_parity(%s)", (table,))
                _switch(conn, fn, table)
            settle()
    finally:
        stop.set()
        t.join(timeout=60)
    assert crashed == []
    failed = [r for r in runs if r.returncode != 0]
    assert failed == [], failed[0].stdout + failed[0].stderr
    assert runs, "pgbench did not run"
    transactions = sum(int(line.split(":")[1].split("/")[0])
                       for r in runs for line in r.stdout.splitlines()
                       if line.startswith("number of transactions actually processed"))
    assert transactions > 0

    # TPC-B: every balance is the sum of the history's deltas
    sums = conn.execute(
        "SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(tbalance) FROM pgbench_tellers),"
        "       (SELECT sum(bbalance) FROM pgbench_branches), (SELECT sum(delta) FROM pgbench_history),"
        "       (SELECT count(*) FROM pgbench_history)").fetchone()
    assert sums[0] == sums[1] == sums[2] == sums[3] and sums[4] > 0, sums
    assert sums[4] == transactions, (sums, transactions)
    legacy = conn.execute("SELECT (SELECT sum(abalance) FROM pgbench_accounts_legacy),"
                          "       (SELECT sum(delta) FROM pgbench_history_legacy)").fetchone()
    assert legacy == (sums[0], sums[3])
    for table in ("public.pgbench_history", "public.pgbench_accounts"):
        assert conn.execute("SELECT part.phase(%s)", (table,)).fetchone()[0] == "partitioned"
        assert_migration_converged(conn, table, f"pgbench, {table}")
    print(f"pgbench: {len(runs)} runs, {transactions} TPC-B transactions through migrate_start, backfill, "
          "switch, rollback, switch")


@pytest.mark.parametrize("phase", ["partitioned", "backfilled"])
def test_merge_whose_matched_row_was_deleted_concurrently_is_mirrored_exactly(fresh_db, connect, phase):
    """PostgreSQL 15's MERGE into a partitioned table, when a row it matched is deleted by another
    transaction meanwhile, hands its UPDATE trigger wrong transition tables (the new versions of
    other rows it updated are missing, the row it inserted instead is there twice): the sync
    deleted those rows from the legacy table (a rollback would have lost them) or failed the
    MERGE (21000). Found by the random writers above; deterministic here."""
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.orders (id bigserial, org_id int NOT NULL, placed_at timestamptz NOT NULL,"
                 " amount bigint NOT NULL, note text, PRIMARY KEY (id, placed_at))")
    conn.execute("INSERT INTO public.orders (org_id, placed_at, amount, note)"
                 " SELECT g % 7, timestamptz '2025-01-01 00:00+00' + g * interval '1 day', 1, 'r' FROM generate_series(1, 40) g")
    conn.execute("SELECT part.migrate_start('public.orders', 'placed_at', 'range', '1 month', p_premake => 1)")
    conn.execute("CALL part.backfill('public.orders')")
    if phase == "partitioned":
        conn.execute("SELECT part.switch_reads('public.orders')")
    deleter = connect(fresh_db)
    deleter.execute("DELETE FROM public.orders WHERE id = 5")      # not committed yet
    merger = connect(fresh_db, autocommit=True)
    pid = merger.info.backend_pid
    failure: list[BaseException] = []

    def merge():
        try:
            merger.execute(
                "MERGE INTO public.orders o"
                " USING (SELECT g AS id, timestamptz '2025-01-01 00:00+00' + g * interval '1 day' AS placed_at"
                "          FROM generate_series(3, 7) g) s ON o.id = s.id AND o.placed_at = s.placed_at"
                " WHEN MATCHED THEN UPDATE SET amount = o.amount + 10, note = 'm'"
                " WHEN NOT MATCHED THEN INSERT (org_id, placed_at, amount, note) VALUES (0, s.placed_at, 0, 'mi')")
        except BaseException as exc:  # noqa: BLE001 - asserted below
            failure.append(exc)

    t = threading.Thread(target=merge)
    t.start()
    for _ in range(400):     # the MERGE waits for the deleter's row lock
        if conn.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted", (pid,)).fetchone()[0]:
            break
        time.sleep(0.01)
    deleter.commit()
    t.join(30)
    assert failure == []
    legacy, part = conn.execute("SELECT legacy_table, partitioned_table FROM part.migration").fetchone()
    assert conn.execute(f"SELECT count(*) FROM {part} WHERE note = 'm'").fetchone()[0] == 4
    assert_migration_converged(conn, "public.orders", f"MERGE in {phase}")
    assert conn.execute(f"SELECT count(*) FROM {legacy} WHERE note = 'm'").fetchone()[0] == 4


def test_a_writer_transaction_and_a_backfill_batch_never_deadlock(fresh_db, connect):
    """A transaction updates a row the next batch copies (its sync upsert into the copy is not
    committed), the batch waits for it while holding the gate, then the same transaction deletes
    a row the backfill may still copy (the sync takes the gate): a deadlock, which failed the
    application's transaction or the backfill (40P01). Found by the random writers above. Now the
    writer waits by try-locks and the batch gives way (200 ms lock_timeout) and is done again."""
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.orders (id bigserial PRIMARY KEY, placed_at timestamptz NOT NULL, amount bigint NOT NULL)")
    conn.execute("INSERT INTO public.orders (placed_at, amount)"
                 " SELECT timestamptz '2025-01-01 00:00+00' + g * interval '1 hour', 1 FROM generate_series(1, 2000) g")
    conn.execute("SELECT part.migrate_start('public.orders', 'placed_at', 'range', '1 month', p_premake => 1)")
    conn.execute("CALL part.backfill('public.orders', 100, p_max_batches => 1)")   # started: ids 1..100 copied
    writer = connect(fresh_db)
    writer.execute("UPDATE public.orders SET amount = amount + 1 WHERE id = 1500")   # no key change: no gate
    filler = connect(fresh_db, autocommit=True)
    pid = filler.info.backend_pid
    failure: list[BaseException] = []

    def backfill():
        try:
            filler.execute("CALL part.backfill('public.orders', 5000)")
        except BaseException as exc:  # noqa: BLE001 - asserted below
            failure.append(exc)

    t = threading.Thread(target=backfill)
    t.start()
    for _ in range(500):     # the batch waits for the writer's row 1500 in the copy
        if conn.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND NOT granted AND locktype = 'transactionid'",
                        (pid,)).fetchone()[0]:
            break
        time.sleep(0.01)
    writer.execute("DELETE FROM public.orders WHERE id = 1600")   # the sync takes the gate the batch holds
    writer.commit()
    t.join(60)
    assert failure == []
    assert conn.execute("SELECT part.phase('public.orders')").fetchone()[0] == "backfilled"
    assert_migration_converged(conn, "public.orders", "writer and backfill")
    assert conn.execute("SELECT count(*), sum(amount) FROM public.orders_partitioned").fetchone() == (1999, 2000)
