"""Maintenance: `CALL part.run_maintenance()` against pg_partman 4.7.2's
run_maintenance on tables of the same shape, and against the bare SQL.

* a pass that creates nothing over 1,000 managed monthly tables (each with a
  primary key, one index, a default partition and 3 partitions before and 3
  after the current month, as pg_partman's create_parent makes them): ours
  reads what needs doing for all tables in one catalog pass; pg_partman
  queries each table;
* a pass that creates 3 partitions for each of 200 of those tables (premake
  raised by 3), per created partition, against the bare
  ``CREATE TABLE ... PARTITION OF`` statements for as many partitions of
  identical tables (in one transaction, and with a commit after each, the
  transactions part makes on a table with a default partition), and against
  pg_partman creating the same partitions;
  RUNS times (premake raised by 3 again each time), in alternating order.

Standalone: PGHOST=127.0.0.1 PGPORT=5511 .venv/bin/python bench/maintenance.py
(else `make bench` runs it on its own throwaway cluster).
"""

from __future__ import annotations

import statistics
import time

import psycopg

from common import RUNS, Result, fresh_database, repeated, timed

GROUP = "maintenance"
NOOP_TABLES = 1000
CREATE_TABLES = 200
NEW_PER_TABLE = 3
BATCH = 50  # tables per transaction while setting up (locks per transaction)
SHAPE = ("id bigint NOT NULL, org_id integer NOT NULL, occurred_at timestamptz NOT NULL, amount numeric(12, 2), "
         "PRIMARY KEY (id, occurred_at)")


def _make_parents(conn, prefix: str, n: int) -> None:
    for first in range(0, n, BATCH):
        with conn.transaction():
            for i in range(first, min(first + BATCH, n)):
                conn.execute(f"CREATE TABLE public.{prefix}_{i} ({SHAPE}) PARTITION BY RANGE (occurred_at)")
                conn.execute(f"CREATE INDEX ON public.{prefix}_{i} (org_id, occurred_at)")


def _setup_ours(dsn_for) -> str:
    db = fresh_database(dsn_for, "bench_maint_ours")
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        _make_parents(conn, "t", NOOP_TABLES)
        for first in range(0, NOOP_TABLES, BATCH):
            with conn.transaction():
                for i in range(first, min(first + BATCH, NOOP_TABLES)):
                    conn.execute(f"SELECT part.create_partitioned('public.t_{i}', 'occurred_at', 'range', '1 month', p_premake => 3)")
                    conn.execute(f"SELECT part._ensure_range_partitions('public.t_{i}'::regclass, "
                                 "(now() - interval '3 months')::text, now()::text)")
        # the bare baselines: identical tables, partitions made by hand (bare: all in one transaction;
        # baretx: a commit after each partition, as part must on a table with a default partition)
        for prefix in ("bare", "baretx"):
            _make_parents(conn, prefix, CREATE_TABLES)
            for first in range(0, CREATE_TABLES, BATCH):
                with conn.transaction():
                    for i in range(first, min(first + BATCH, CREATE_TABLES)):
                        conn.execute(f"CREATE TABLE public.{prefix}_{i}_default PARTITION OF public.{prefix}_{i} DEFAULT")
                        for m in range(-3, 4):
                            conn.execute(
                                f"CREATE TABLE public.{prefix}_{i}_{m + 3} PARTITION OF public.{prefix}_{i} FOR VALUES"
                                f" FROM (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{m} months')"
                                f" TO (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{m + 1} months')")
        conn.execute("VACUUM ANALYZE")
    return db


def _setup_partman(dsn_for) -> str:
    db = fresh_database(dsn_for, "bench_maint_partman", with_part=False)
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        conn.execute("CREATE SCHEMA partman")
        conn.execute("CREATE EXTENSION pg_partman SCHEMA partman VERSION '4.7.2'")
        _make_parents(conn, "t", NOOP_TABLES)
        for first in range(0, NOOP_TABLES, BATCH):
            with conn.transaction():
                for i in range(first, min(first + BATCH, NOOP_TABLES)):
                    conn.execute(f"SELECT partman.create_parent('public.t_{i}', 'occurred_at', 'native', 'monthly', p_premake => 3)")
        conn.execute("VACUUM ANALYZE")
    return db


def _median_of(conn, statement: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        conn.execute(statement)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _median_cold(dsn: str, statement: str, runs: int) -> float:
    """The statement's time in a new session each run (as pg_cron runs a job): cold caches."""
    times = []
    for _ in range(runs):
        with psycopg.connect(dsn, autocommit=True) as conn:
            started = time.perf_counter()
            conn.execute(statement)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def _partitions(conn, prefix: str, n: int) -> int:
    return conn.execute(
        "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent "
        "WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY(%s)",
        ([f"{prefix}_{i}" for i in range(n)],),
    ).fetchone()[0]


def run(dsn_for) -> list[Result]:
    ours_db = _setup_ours(dsn_for)
    partman_db = _setup_partman(dsn_for)
    results = []
    with psycopg.connect(dsn_for(ours_db), autocommit=True) as ours, \
            psycopg.connect(dsn_for(partman_db), autocommit=True) as pm:
        parts_ours, parts_pm = _partitions(ours, "t", NOOP_TABLES), _partitions(pm, "t", NOOP_TABLES)
        assert parts_ours == parts_pm == NOOP_TABLES * 8, (parts_ours, parts_pm)

        # 1. a pass that creates nothing
        ours.execute("CALL part.run_maintenance()")  # warm-up (plans, caches)
        pm.execute("CALL partman.run_maintenance_proc(p_jobmon => false)")
        noop_ours = _median_of(ours, "CALL part.run_maintenance()", 5)  # same session: warm caches
        noop_pm_proc = _median_of(pm, "CALL partman.run_maintenance_proc(p_jobmon => false)", 3)
        try:  # the one-transaction function: it locks every partition of every set at once
            noop_pm = _median_of(pm, "SELECT partman.run_maintenance(p_jobmon => false)", 3)
        except psycopg.Error as e:
            noop_pm = None
            pm_error = str(e).splitlines()[0]
        cold_ours = _median_cold(dsn_for(ours_db), "CALL part.run_maintenance()", 5)
        cold_pm = _median_cold(dsn_for(partman_db), "CALL partman.run_maintenance_proc(p_jobmon => false)", 3)
        assert _partitions(ours, "t", NOOP_TABLES) == parts_ours and _partitions(pm, "t", NOOP_TABLES) == parts_pm
        last = ours.execute("SELECT outcome, detail FROM part.maintenance_log WHERE action = 'run' ORDER BY id DESC LIMIT 1").fetchone()
        assert last[0] == "ok" and " 0 partitions created" in last[1], last
        results.append(
            Result(GROUP, f"no-op pass over {NOOP_TABLES} managed tables", noop_ours, "pg_partman 4.7.2 run_maintenance_proc()",
                   noop_pm_proc, "s", note=f"{noop_ours / NOOP_TABLES * 1000:.3f} ms vs {noop_pm_proc / NOOP_TABLES * 1000:.2f} ms a table; "
                                            "both commit per table"))
        results.append(
            Result(GROUP, f"no-op pass over {NOOP_TABLES} managed tables, new session each run (as pg_cron)", cold_ours,
                   "pg_partman 4.7.2 run_maintenance_proc()", cold_pm, "s",
                   note=f"{cold_ours / NOOP_TABLES * 1000:.3f} ms vs {cold_pm / NOOP_TABLES * 1000:.2f} ms a table"))
        if noop_pm is not None:
            results.append(Result(GROUP, f"no-op pass over {NOOP_TABLES} managed tables", noop_ours,
                                  "pg_partman 4.7.2 run_maintenance()", noop_pm, "s", note="one transaction for all sets"))
        else:
            results.append(Result(GROUP, f"no-op pass over {NOOP_TABLES} managed tables", noop_ours,
                                  "pg_partman 4.7.2 run_maintenance()", float("nan"), "s",
                                  note=f"pg_partman failed: {pm_error} (default max_locks_per_transaction)"))

        # 2. creating partitions: premake raised by 3 for CREATE_TABLES tables, RUNS times (ours, the
        #    bare DDL and pg_partman each making 3 more partitions per table per run, in alternating order)
        names = [f"public.t_{i}" for i in range(CREATE_TABLES)]
        n = CREATE_TABLES * NEW_PER_TABLE
        per = lambda s, count=n: s / count * 1000  # noqa: E731
        pairs, tx_pairs, pm_pairs, pm_made = [], [], [], []
        for r in range(RUNS):
            got = {}

            def do_ours():
                before = _partitions(ours, "t", NOOP_TABLES)
                ours.execute("UPDATE part.config SET premake = premake + %s WHERE parent_table = ANY(%s)", (NEW_PER_TABLE, names))
                with timed() as t:
                    ours.execute("CALL part.run_maintenance()")
                assert _partitions(ours, "t", NOOP_TABLES) == before + n, "ours did not create every partition"
                got["ours"] = per(t["s"])

            def do_pm():
                before = _partitions(pm, "t", NOOP_TABLES)
                pm.execute("UPDATE partman.part_config SET premake = premake + %s, infinite_time_partitions = true "
                           "WHERE parent_table = ANY(%s)", (NEW_PER_TABLE, names))
                with timed() as t:
                    pm.execute("CALL partman.run_maintenance_proc(p_jobmon => false)")
                made = _partitions(pm, "t", NOOP_TABLES) - before  # pg_partman's premake counts one more month at first
                assert made >= n, f"pg_partman created {made} partitions, fewer than {n}"
                pm_made.append(made)
                got["pm"] = per(t["s"], made)

            def do_bare():
                first = 4 + r * NEW_PER_TABLE
                with timed() as t, ours.transaction():
                    for i in range(CREATE_TABLES):
                        for m in range(first, first + NEW_PER_TABLE):
                            ours.execute(
                                f"CREATE TABLE public.bare_{i}_{m + 3} PARTITION OF public.bare_{i} FOR VALUES"
                                f" FROM (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{m} months')"
                                f" TO (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{m + 1} months')")
                got["bare"] = per(t["s"])

            def do_bare_tx():
                first = 4 + r * NEW_PER_TABLE
                with timed() as t:
                    for i in range(CREATE_TABLES):
                        for m in range(first, first + NEW_PER_TABLE):
                            ours.execute(  # autocommit: one transaction per partition
                                f"CREATE TABLE public.baretx_{i}_{m + 3} PARTITION OF public.baretx_{i} FOR VALUES"
                                f" FROM (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{m} months')"
                                f" TO (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '{m + 1} months')")
                got["bare_tx"] = per(t["s"])

            steps = [do_ours, do_bare, do_bare_tx, do_pm]
            for step in (steps if r % 2 == 0 else steps[::-1]):
                step()
            pairs.append((got["ours"], got["bare"]))
            tx_pairs.append((got["ours"], got["bare_tx"]))
            pm_pairs.append((got["ours"], got["pm"]))
        results += [
            repeated(GROUP, f"run_maintenance creating {n} partitions of {CREATE_TABLES} tables with a default partition (per partition)",
                     pairs, "bare CREATE TABLE ... PARTITION OF", "ms", goal=0.77,
                     note="ours: one partition per transaction (the tables have a default partition: its writers wait while"
                          " one is made), each a standalone table + ATTACH under EXCLUSIVE (reads go on), owner and grants,"
                          " a log row; the bare DDL in one transaction, ACCESS EXCLUSIVE on each parent"),
            repeated(GROUP, f"run_maintenance creating {n} partitions of {CREATE_TABLES} tables with a default partition (per partition)",
                     tx_pairs, "bare CREATE TABLE ... PARTITION OF, a commit after each", "ms",
                     note="the same DDL with the transactions part makes (one partition per transaction on a table with a"
                          " default partition, so its writers wait for one creation at a time): what the maintenance path"
                          " adds beyond the commits"),
            repeated(GROUP, f"run_maintenance creating {n} partitions of {CREATE_TABLES} tables with a default partition (per partition)",
                     pm_pairs, "pg_partman 4.7.2 run_maintenance_proc()", "ms",
                     note=f"pg_partman created {', '.join(map(str, pm_made))} (per run); CREATE TABLE ... PARTITION OF, a commit per table"),
        ]
    return results


if __name__ == "__main__":  # PGHOST/PGPORT/PGUSER name the server
    import os

    def _dsn_for(dbname: str) -> str:
        return psycopg.conninfo.make_conninfo(host=os.environ.get("PGHOST", "127.0.0.1"),
                                              port=os.environ.get("PGPORT", "5432"),
                                              user=os.environ.get("PGUSER", "postgres"), dbname=dbname)

    for r in run(_dsn_for):
        print(f"{r.group}: ", end="")
        print(f"{r.name}: ours {r.ours:.4g} {r.unit}, {r.baseline_name} {r.baseline:.4g} {r.unit}, "
              f"ratio {r.ratio:.2f}  {r.note}")
