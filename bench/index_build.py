"""Online index build: the longest single-row INSERT that writers see while an index is
built on every partition of a table, part.create_index's steps (CREATE INDEX ON ONLY the
parent, CREATE INDEX CONCURRENTLY per partition, part.attach_index, as `pginstall index`
runs them) against a plain CREATE INDEX on the parent (which locks writers out of every
partition for the whole build); same table, same writers, same index.
"""

from __future__ import annotations

import os
import threading
import time

import psycopg

from common import REVENUES_COLUMNS, REVENUES_ROWS, Result, fresh_database, timed

GROUP = "online index build"
ROWS = int(os.environ.get("BENCH_INDEX_ROWS", "2000000"))
MONTHS = 24
WRITERS = 2


class Writers:
    """Threads inserting one row per statement; the longest statement and the count."""

    def __init__(self, dsn: str):
        self.stop = threading.Event()
        self.longest = 0.0
        self.inserted = 0
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(dsn, i), daemon=True) for i in range(WRITERS)]

    def _run(self, dsn, i):
        with psycopg.connect(dsn, autocommit=True) as conn:
            n = 0
            while not self.stop.is_set():
                n += 1
                started = time.perf_counter()
                try:
                    conn.execute(
                        "INSERT INTO public.revenues (id, org_id, property_id, occurred_at, amount, category)"
                        " VALUES (%s, %s, 1, now() - %s * interval '1 day', 1, 'room')",
                        (-(i * 10_000_000 + n), n % 997, n % 700))
                except psycopg.Error as e:
                    self.errors.append(str(e))
                took = time.perf_counter() - started
                with self._lock:
                    self.inserted += 1
                    self.longest = max(self.longest, took)

    def __enter__(self):
        for t in self._threads:
            t.start()
        time.sleep(0.5)
        return self

    def __exit__(self, *exc):
        time.sleep(0.5)
        self.stop.set()
        for t in self._threads:
            t.join(timeout=120)


def _setup(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE public.revenues ({REVENUES_COLUMNS}) PARTITION BY RANGE (occurred_at)")
        conn.execute("SELECT count(*) FROM part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month',"
                     " p_premake => 1)")
        conn.execute("INSERT INTO public.revenues " + REVENUES_ROWS.format(
            start="date_trunc('month', now()) - interval '23 months'", span=MONTHS * 30 * 24 * 60 // 10, step=10,
            first=1, last=ROWS))
        conn.execute("CALL part.run_maintenance()")
        conn.execute("VACUUM ANALYZE public.revenues")


def _online(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        steps = [r[0] for r in conn.execute(
            "SELECT * FROM part.create_index('public.revenues', '(org_id, occurred_at)')").fetchall()]
        for step in steps:
            conn.execute(step)


def _plain(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE INDEX revenues_plain_idx ON public.revenues (org_id, occurred_at)")


def run(dsn_for) -> list[Result]:
    dsn = dsn_for(fresh_database(dsn_for, "bench_index"))
    _setup(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        parts = conn.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.revenues'::regclass").fetchone()[0]
    with Writers(dsn) as ours_w, timed() as ours_t:
        _online(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        valid = conn.execute("SELECT indisvalid FROM pg_index WHERE indexrelid = "
                             "'public.revenues_org_id_occurred_at_idx'::regclass").fetchone()[0]
        assert valid, "the online build did not end valid"
        conn.execute("DROP INDEX public.revenues_org_id_occurred_at_idx")
        conn.execute("DELETE FROM part.index_build")
    with Writers(dsn) as base_w, timed() as base_t:
        _plain(dsn)
    assert not ours_w.errors and not base_w.errors, (ours_w.errors[:2], base_w.errors[:2])
    note = f"{ROWS:,} rows in {parts} partitions, {WRITERS} writers inserting single rows through the parent"
    return [
        Result(GROUP, "longest single-row INSERT while an (org_id, occurred_at) index is built on every partition",
               ours_w.longest * 1000, "plain CREATE INDEX on the parent", base_w.longest * 1000, "ms", note=note),
        Result(GROUP, "rows inserted by the writers during the build (per second of build)",
               ours_w.inserted / ours_t["s"], "plain CREATE INDEX on the parent", base_w.inserted / base_t["s"],
               "rows/s", higher_is_better=True, note=note),
        Result(GROUP, "time to build the index on every partition",
               ours_t["s"], "plain CREATE INDEX on the parent", base_t["s"], "s",
               note="CREATE INDEX CONCURRENTLY scans each partition twice and waits for older transactions"),
    ]
