"""Migration: the sync triggers, the backfill and the parity check, each
against its baseline in ANCHORS.md, measured in the same run on the same data.

* dual write (pgbench, 2 clients, multi-row INSERTs of 1,000 rows): the
  statement-level sync trigger with transition tables against the
  application writing both tables itself in one statement (the floor for any
  dual write), and against one table with no trigger; also single-row
  INSERTs, where a trigger's fixed cost per statement shows;
* backfill of the legacy table into the partitioned copy: CALL part.backfill
  (batches of 10,000, committed, race-free through the gate) against one
  INSERT ... SELECT (the limit: everything in one transaction, no trigger);
* parity: a full part.check_parity (hash of every row per range, both
  sides in one snapshot) against the bare hash of every row of both tables,
  and grouped per month; and a re-check after one row changed.

Standalone: PGHOST=127.0.0.1 PGPORT=5497 .venv/bin/python bench/migration.py [--rows N] [--seconds S]
(else `make bench` runs it on its own throwaway cluster).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REVENUES_COLUMNS, REVENUES_ROWS, Result, fresh_database, timed  # noqa: E402

GROUP = "migration"
ROWS = int(os.environ.get("BENCH_MIGRATION_ROWS", "2000000"))
SECONDS = int(os.environ.get("BENCH_MIGRATION_SECONDS", "10"))
MONTHS = 24
PGBENCH = Path(os.environ["PG_BIN"]) / "pgbench"  # make bench sets PG_BIN

# 1,000 rows per statement spread over the 24 months of the data
MULTI_ROW = """INSERT INTO public.revenues
SELECT nextval('public.bench_ids'), g % 997, g % 89, g, timestamptz '2024-01-01 00:00+00' + random() * interval '{days} days',
       g / 100.0, 'EUR', 'room', 'pms', 'night ' || g, now(), now()
  FROM generate_series(1, 1000) g;
"""
BOTH_TABLES = """WITH r AS ({insert} RETURNING *)
INSERT INTO public.revenues_partitioned SELECT * FROM r;
"""
SINGLE_ROW = """INSERT INTO public.revenues
VALUES (nextval('public.bench_ids'), 1, 2, 3, timestamptz '2024-01-01 00:00+00' + random() * interval '{days} days',
        1.5, 'EUR', 'room', 'pms', 'night', now(), now());
"""


def _setup(dsn_for, rows: int) -> str:
    db = fresh_database(dsn_for, "bench_migration")
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        conn.execute(f"CREATE TABLE public.revenues ({REVENUES_COLUMNS}, PRIMARY KEY (id))")
        conn.execute("CREATE INDEX revenues_org ON public.revenues (org_id, occurred_at)")
        conn.execute("CREATE SEQUENCE public.bench_ids START 100000000")
        step = max(1, MONTHS * 30 * 24 * 60 // max(rows, 1))
        for first in range(1, rows + 1, 500_000):
            conn.execute("INSERT INTO public.revenues " + REVENUES_ROWS.format(
                start="timestamptz '2024-01-01 00:00+00'", span=rows, step=step, first=first,
                last=min(first + 499_999, rows)))
        conn.execute("VACUUM ANALYZE public.revenues")
        conn.execute("SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 0)")
    return db


def _sync_triggers(conn, enabled: bool) -> None:
    """The sync as migrate_start leaves it (enabled), or none at all (the copy's guard off too)."""
    verb = "ENABLE ALWAYS" if enabled else "DISABLE"
    conn.execute(f"ALTER TABLE public.revenues {verb} TRIGGER part_sync_insert")
    conn.execute(f"ALTER TABLE public.revenues_partitioned {verb} TRIGGER part_sync_guard")


def _empty_both(conn) -> None:
    with conn.transaction():
        conn.execute("SET LOCAL part.syncing = 'on'")
        # the legacy table's TRUNCATE is mirrored into the copy by the sync (its own trigger)
        conn.execute("TRUNCATE public.revenues")
        conn.execute("DELETE FROM part.parity_mark")
    conn.execute("VACUUM ANALYZE public.revenues, public.revenues_partitioned")


def _pgbench(dsn: str, script: str, seconds: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(script)
    try:
        out = subprocess.run([str(PGBENCH), "-n", "-c", "2", "-j", "2", "-T", str(seconds), "-f", f.name, dsn],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    m = re.search(r"tps = ([0-9.]+)", out)
    if not m:
        raise RuntimeError(f"pgbench printed no tps:\n{out}")
    return float(m.group(1))


def _dual_write(dsn_for, db: str, seconds: int) -> list[Result]:
    dsn = dsn_for(db)
    days = MONTHS * 30
    insert = MULTI_ROW.format(days=days).strip().rstrip(";")
    best = {"none": 0.0, "both": 0.0, "sync": 0.0, "none1": 0.0, "both1": 0.0, "sync1": 0.0}
    with psycopg.connect(dsn, autocommit=True) as conn:
        for _ in range(2):  # alternate the variants, keep the best of two
            for variant in ("none", "both", "sync"):
                _empty_both(conn)
                _sync_triggers(conn, variant == "sync")
                script = BOTH_TABLES.format(insert=insert) if variant == "both" else insert + ";\n"
                best[variant] = max(best[variant], _pgbench(dsn, script, seconds))
        single = SINGLE_ROW.format(days=days).strip().rstrip(";")
        for _ in range(2):
            for variant in ("none1", "both1", "sync1"):
                _empty_both(conn)
                _sync_triggers(conn, variant == "sync1")
                script = BOTH_TABLES.format(insert=single) if variant == "both1" else single + ";\n"
                best[variant] = max(best[variant], _pgbench(dsn, script, max(3, seconds // 2)))
        _sync_triggers(conn, True)
        _empty_both(conn)
    return [
        Result(GROUP, "dual write, 1,000-row INSERTs, pgbench -c 2: statement-level sync trigger (statements/s)",
               best["sync"], "the application writing both tables in one statement", best["both"], "stmt/s",
               higher_is_better=True, note="ANCHORS: about 0.95 for a transition-table trigger, 0.42 for the origin's row trigger"),
        Result(GROUP, "dual write, 1,000-row INSERTs: sync trigger vs one table without any trigger",
               best["sync"], "one table only (no dual write)", best["none"], "stmt/s", higher_is_better=True,
               note="the price of writing a second table"),
        Result(GROUP, "single-row INSERTs, pgbench -c 2: sync trigger (statements/s)",
               best["sync1"], "the application writing both tables in one statement", best["both1"], "stmt/s",
               higher_is_better=True, note="the trigger's fixed cost per statement (function call, parity mark) shows here"),
        Result(GROUP, "single-row INSERTs: sync trigger vs one table without any trigger",
               best["sync1"], "one table only (no dual write)", best["none1"], "stmt/s", higher_is_better=True),
    ]


def _backfill(dsn_for, db: str, rows: int) -> list[Result]:
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        _empty_both(conn)  # after the dual-write runs; refill the legacy table alone
        _sync_triggers(conn, False)
        step = max(1, MONTHS * 30 * 24 * 60 // max(rows, 1))
        for first in range(1, rows + 1, 500_000):
            conn.execute("INSERT INTO public.revenues " + REVENUES_ROWS.format(
                start="timestamptz '2024-01-01 00:00+00'", span=rows, step=step, first=first,
                last=min(first + 499_999, rows)))
        _sync_triggers(conn, True)
        conn.execute("VACUUM ANALYZE public.revenues")
        conn.execute("CHECKPOINT")

        # the limit: one INSERT ... SELECT, no trigger on the copy
        conn.execute("ALTER TABLE public.revenues_partitioned DISABLE TRIGGER part_sync_guard")
        with timed() as bare:
            conn.execute("INSERT INTO public.revenues_partitioned SELECT * FROM public.revenues")
        conn.execute("ALTER TABLE public.revenues_partitioned ENABLE TRIGGER part_sync_guard")
        with conn.transaction():
            conn.execute("SET LOCAL part.syncing = 'on'")
            conn.execute("TRUNCATE public.revenues_partitioned")
        conn.execute("VACUUM ANALYZE public.revenues_partitioned")
        conn.execute("CHECKPOINT")

        with timed() as ours:
            conn.execute("CALL part.backfill('public.revenues', 10000, p_check => false)")
        copied = conn.execute("SELECT backfill_rows FROM part.migration").fetchone()[0]
        assert copied == rows, (copied, rows)

        # GitLab's race-free way, for comparison: sub-batches of 2,500 locked FOR UPDATE, each committed
        with conn.transaction():
            conn.execute("SET LOCAL part.syncing = 'on'")
            conn.execute("TRUNCATE public.revenues_partitioned")
        conn.execute("ALTER TABLE public.revenues_partitioned DISABLE TRIGGER part_sync_guard")
        conn.execute("VACUUM ANALYZE public.revenues_partitioned")
        conn.execute("CHECKPOINT")
        top = conn.execute("SELECT max(id) FROM public.revenues").fetchone()[0]
        with timed() as gitlab:
            for lo in range(0, top, 2500):
                conn.execute("WITH src AS (SELECT * FROM public.revenues WHERE id > %s AND id <= %s ORDER BY id FOR UPDATE)"
                             " INSERT INTO public.revenues_partitioned SELECT * FROM src ON CONFLICT DO NOTHING",
                             (lo, lo + 2500))
        conn.execute("ALTER TABLE public.revenues_partitioned ENABLE TRIGGER part_sync_guard")
        assert conn.execute("SELECT count(*) FROM public.revenues_partitioned").fetchone()[0] == rows

        # parity: the bare hash of every row of both tables, whole and per month, then ours
        conn.execute("VACUUM ANALYZE public.revenues, public.revenues_partitioned")
        with timed() as bare_hash:
            conn.execute("SELECT (SELECT sum(hashtextextended(t::text, 0)) FROM public.revenues t),"
                         "       (SELECT sum(hashtextextended(t::text, 0)) FROM public.revenues_partitioned t)")
        with timed() as bare_month:
            conn.execute("SELECT count(*), sum(a.h), sum(b.h) FROM"
                         " (SELECT date_trunc('month', occurred_at) AS m, sum(hashtextextended(t::text, 0)) AS h"
                         "    FROM public.revenues t GROUP BY 1) a FULL JOIN"
                         " (SELECT date_trunc('month', occurred_at) AS m, sum(hashtextextended(t::text, 0)) AS h"
                         "    FROM public.revenues_partitioned t GROUP BY 1) b USING (m)")
        with timed() as full:
            differ = conn.execute("SELECT count(*) FILTER (WHERE status <> 'ok') FROM part.check_parity('public.revenues', true)").fetchone()[0]
        assert differ == 0, differ
        conn.execute("UPDATE public.revenues SET amount = amount + 1 WHERE id = 12345")
        with timed() as one:
            rehashed = conn.execute("SELECT count(*) FILTER (WHERE rehashed) FROM part.check_parity('public.revenues')").fetchone()[0]
        assert rehashed == 1, rehashed
    return [
        Result(GROUP, f"backfill of {rows:,} rows, batches of 10,000 committed, race-free (rows/s)",
               rows / ours["s"], "one INSERT ... SELECT (one transaction, no trigger)", rows / bare["s"], "rows/s",
               higher_is_better=True, note="ANCHORS: batches about 1.0 (racy), FOR UPDATE sub-batches about 0.60 (race-free)"),
        Result(GROUP, f"backfill of {rows:,} rows: part.backfill vs GitLab's race-free sub-batches (rows/s)",
               rows / ours["s"], "sub-batches of 2,500 FOR UPDATE + ON CONFLICT DO NOTHING", rows / gitlab["s"], "rows/s",
               higher_is_better=True, note="both race-free against concurrent deletes; ours locks no source row"),
        Result(GROUP, f"parity, full check of {rows:,} rows per side (hash per range, one snapshot)",
               full["s"], "sum(hashtextextended(row)) of both tables", bare_hash["s"], "s",
               note="ANCHORS: 6.3 s for the bare hash, 9.8 s grouped per month"),
        Result(GROUP, f"parity, full check of {rows:,} rows per side", full["s"],
               "the bare hash of both tables grouped per month", bare_month["s"], "s"),
        Result(GROUP, "parity re-check after one row changed (one range re-hashed)", one["s"],
               "full check", full["s"], "s"),
    ]


def _insert_latencies(dsn: str, stop: threading.Event, out: list[float]) -> None:
    with psycopg.connect(dsn, autocommit=True) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            c.execute("INSERT INTO public.bookings (org_id, occurred_at) VALUES (1, now())")
            out.append(time.perf_counter() - t0)
            time.sleep(0.002)


def _during(dsn: str, action) -> float:
    """The longest single-row INSERT (2 writer sessions) while action() runs."""
    stop, lat = threading.Event(), []
    threads = [threading.Thread(target=_insert_latencies, args=(dsn, stop, lat)) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    lat.clear()
    action()
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join()
    return max(lat)


def _switch_stall(dsn_for, db: str) -> list[Result]:
    dsn = dsn_for(db)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.bookings (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL)")
        conn.execute("INSERT INTO public.bookings (org_id, occurred_at) SELECT g % 50, now() - g * interval '1 minute'"
                     " FROM generate_series(1, 100000) g")
        conn.execute("SELECT part.migrate_start('public.bookings', 'occurred_at', 'range', '1 month', p_premake => 1)")
        conn.execute("CALL part.backfill('public.bookings')")

        def blocked(do):
            """do() while another session reads the table in a transaction open for 4 s."""
            def run():
                with psycopg.connect(dsn) as blocker:
                    blocker.execute("SELECT count(*) FROM public.bookings")
                    t = threading.Timer(4.0, blocker.rollback)
                    t.start()
                    time.sleep(0.05)
                    do()
                    t.join()
            return run

        def pgslice_style():
            with psycopg.connect(dsn) as c:  # one LOCK with a 5 s lock_timeout and no retry, as pgslice swaps
                c.execute("SET lock_timeout = '5s'")
                c.execute("LOCK TABLE public.bookings, public.bookings_partitioned IN ACCESS EXCLUSIVE MODE")
                c.rollback()

        took = {}

        def switch_timed():
            t0 = time.perf_counter()
            conn.execute("SELECT part.switch_reads('public.bookings')")
            took["s"] = time.perf_counter() - t0

        quiet = _during(dsn, switch_timed)
        # the same writers over a window as long as the switch, with no switch: the floor
        idle = _during(dsn, lambda: time.sleep(took["s"]))
        conn.execute("SELECT part.rollback('public.bookings')")
        ours = _during(dsn, blocked(lambda: conn.execute("SELECT part.switch_reads('public.bookings')")))
        conn.execute("SELECT part.rollback('public.bookings')")
        theirs = _during(dsn, blocked(pgslice_style))
    return [
        Result(GROUP, "switch, no other transaction: longest single-row INSERT during it (2 writers)", quiet * 1000,
               "the same writers over as long a window without a switch", idle * 1000, "ms",
               note=f"the switch took {took['s'] * 1000:.0f} ms; ANCHORS: 8 ms, no different from runs without a switch"),
        Result(GROUP, "switch with a 4 s read transaction open: longest INSERT (short lock timeouts, retries)", ours * 1000,
               "one LOCK with lock_timeout 5 s, no retry (pgslice)", theirs * 1000, "ms",
               note="ANCHORS: 3.5 s for the pgslice-style switch"),
    ]


def run(dsn_for, rows: int = ROWS, seconds: int = SECONDS) -> list[Result]:
    db = _setup(dsn_for, 1000)   # partitions for the 24 months
    results = _dual_write(dsn_for, db, seconds)
    results += _backfill(dsn_for, db, rows)
    results += _switch_stall(dsn_for, db)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--seconds", type=int, default=SECONDS)
    args = parser.parse_args()

    def dsn_for(dbname: str) -> str:
        return psycopg.conninfo.make_conninfo(dbname=dbname)

    for r in run(dsn_for, args.rows, args.seconds):
        print(f"{r.name}: ours {r.ours:,.4g} {r.unit}; {r.baseline_name}: {r.baseline:,.4g} {r.unit}; ratio {r.ratio:.2f}")
