"""Migration: the sync triggers, the backfill and the parity check, each
against its baseline in ANCHORS.md, measured in the same run on the same data.

* dual write (pgbench, 2 clients, multi-row INSERTs of 1,000 rows): the
  statement-level sync trigger with transition tables against the
  application writing both tables itself in one statement (the floor for any
  dual write), and against one table with no trigger, the three interleaved
  in one pgbench run (each script's latency); also single-row INSERTs,
  UPDATEs and DELETEs, where a trigger's fixed cost per statement shows;
* backfill of the legacy table into the partitioned copy: CALL part.backfill
  (batches of 10,000, committed, race-free through the gate) against one
  INSERT ... SELECT (the limit: everything in one transaction, no trigger);
* parity: a full part.check_parity (hash of every row per range, both
  sides in one snapshot) against the bare hash of every row of both tables,
  and grouped per month; and a re-check after one row changed;
(switch_reads and rollback under writers: bench/locks.py.)

Standalone: PGHOST=127.0.0.1 PGPORT=5497 .venv/bin/python bench/migration.py [--rows N] [--seconds S]
(else `make bench` runs it on its own throwaway cluster).
"""

from __future__ import annotations

import argparse
import statistics
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import RUNS, REVENUES_COLUMNS, REVENUES_ROWS, SCALE, Result, fresh_database, repeated, scaled, timed  # noqa: E402

GROUP = "migration"
ROWS = int(os.environ.get("BENCH_MIGRATION_ROWS", str(scaled(2_000_000, 20_000))))
SECONDS = int(os.environ.get("BENCH_MIGRATION_SECONDS", str(scaled(10, 2))))
UD_ROWS = scaled(200_000, 2_000)   # rows the UPDATE / DELETE runs pick from
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


BASE_TABLES = """
DROP TABLE IF EXISTS public.base_legacy, public.base_copy, public.base_one;
CREATE TABLE public.base_legacy (LIKE public.revenues INCLUDING ALL);
CREATE TABLE public.base_one (LIKE public.revenues INCLUDING ALL);
CREATE TABLE public.base_copy (LIKE public.revenues_partitioned INCLUDING DEFAULTS) PARTITION BY RANGE (occurred_at);
ALTER TABLE public.base_copy ADD PRIMARY KEY (id, occurred_at);
CREATE INDEX ON public.base_copy (org_id, occurred_at);
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) AS b FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'public.revenues_partitioned'::regclass LOOP
    EXECUTE format('CREATE TABLE public.%I PARTITION OF public.base_copy %s', 'base_' || r.relname, r.b);
  END LOOP;
END $$;
"""

UPDATE_SYNC = "\\set id random(1, {n})\nUPDATE public.revenues SET amount = amount + 1, updated_at = now() WHERE id = :id;\n"
UPDATE_BOTH = ("\\set id random(1, {n})\nWITH u AS (UPDATE public.base_legacy SET amount = amount + 1, updated_at = now() WHERE id = :id RETURNING *)"
               " UPDATE public.base_copy c SET amount = u.amount, updated_at = u.updated_at FROM u"
               " WHERE c.id = u.id AND c.occurred_at = u.occurred_at;\n")
UPDATE_ONE = "\\set id random(1, {n})\nUPDATE public.base_one SET amount = amount + 1, updated_at = now() WHERE id = :id;\n"
DELETE_SYNC = "\\set id random(1, {n})\nDELETE FROM public.revenues WHERE id = :id;\n"
DELETE_BOTH = ("\\set id random(1, {n})\nWITH d AS (DELETE FROM public.base_legacy WHERE id = :id RETURNING id, occurred_at)"
               " DELETE FROM public.base_copy c USING d WHERE c.id = d.id AND c.occurred_at = d.occurred_at;\n")
DELETE_ONE = "\\set id random(1, {n})\nDELETE FROM public.base_one WHERE id = :id;\n"


def _pgbench_mix(dsn: str, scripts: list[str], seconds: int) -> list[float]:
    """One pgbench run (2 clients) picking the scripts at random: each script's average latency
    in ms. Every variant runs in the same seconds under the same load of the (shared) machine."""
    files = []
    try:
        for script in scripts:
            with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
                f.write(script)
            files.append(f.name)
        args = [str(PGBENCH), "-n", "-c", "2", "-j", "2", "-T", str(seconds)]
        for name in files:
            args += ["-f", name]
        out = subprocess.run(args + [dsn], capture_output=True, text=True, check=True).stdout
    finally:
        for name in files:
            os.unlink(name)
    if len(scripts) == 1:
        m = re.search(r"latency average = ([0-9.]+) ms", out)
        return [float(m.group(1))]
    found = re.findall(r"SQL script \d+:.*?latency average = ([0-9.]+) ms", out, flags=re.S)
    if len(found) != len(scripts):
        raise RuntimeError(f"pgbench printed no latency per script:\n{out}")
    return [float(x) for x in found]


def _base_tables(conn) -> None:
    conn.execute(BASE_TABLES)


def _empty_base(conn) -> None:
    conn.execute("TRUNCATE public.base_legacy, public.base_copy, public.base_one")


def _dual_write(dsn_for, db: str, seconds: int) -> list[Result]:
    """INSERTs of 1,000 rows and of one row: the sync trigger, the application writing both tables
    itself (one statement) and one table alone, the three interleaved in each pgbench run."""
    dsn = dsn_for(db)
    days = MONTHS * 30
    multi = MULTI_ROW.format(days=days).strip().rstrip(";")
    single = SINGLE_ROW.format(days=days).strip().rstrip(";")
    runs = {"multi": [], "single": []}
    with psycopg.connect(dsn, autocommit=True) as conn:
        _base_tables(conn)
        _sync_triggers(conn, True)
        for _ in range(RUNS):
            for kind, stmt in (("multi", multi), ("single", single)):
                _empty_both(conn)
                _empty_base(conn)
                conn.execute("VACUUM ANALYZE public.base_legacy, public.base_copy, public.base_one")
                base = stmt.replace("public.revenues", "public.base_legacy")
                scripts = [stmt + ";\n", BOTH_TABLES.format(insert=base).replace("public.revenues_partitioned", "public.base_copy"),
                           stmt.replace("public.revenues", "public.base_one") + ";\n"]
                runs[kind].append(_pgbench_mix(dsn, scripts, seconds if kind == "multi" else max(2, seconds // 2)))
        _empty_both(conn)
        _empty_base(conn)
    out = []
    for kind, label, goal in (("multi", "1,000-row INSERTs", 0.95), ("single", "single-row INSERTs", 0.9)):
        lat = runs[kind]
        out.append(repeated(GROUP, f"dual write, {label}, pgbench -c 2: the sync trigger (ms per statement)",
                            [(r[0], r[1]) for r in lat], "the application writing both tables in one statement", "ms",
                            goal=goal, note="the three variants interleaved in one pgbench run per measurement"))
        out.append(repeated(GROUP, f"dual write, {label}: the sync trigger vs one table without any trigger",
                            [(r[0], r[2]) for r in lat], "one table only (no dual write)", "ms",
                            note="the price of writing a second table"))
    return out


def _dual_write_changes(dsn_for, db: str, seconds: int) -> list[Result]:
    """Single-row UPDATEs and DELETEs by primary key (random ids of the first UD_ROWS rows), after
    the backfill finished: the sync trigger vs the application writing both tables itself."""
    dsn = dsn_for(db)
    runs = {"update": [], "delete": []}
    with psycopg.connect(dsn, autocommit=True) as conn:
        _base_tables(conn)
        for t in ("base_legacy", "base_copy", "base_one"):
            conn.execute(f"INSERT INTO public.{t} SELECT * FROM public.revenues WHERE id <= %s", (UD_ROWS,))
        conn.execute("VACUUM ANALYZE public.base_legacy, public.base_copy, public.base_one, public.revenues, public.revenues_partitioned")
        for _ in range(RUNS):
            for kind, scripts in (("update", (UPDATE_SYNC, UPDATE_BOTH, UPDATE_ONE)), ("delete", (DELETE_SYNC, DELETE_BOTH, DELETE_ONE))):
                runs[kind].append(_pgbench_mix(dsn, [x.format(n=UD_ROWS) for x in scripts], max(2, seconds // 2)))
    out = []
    for kind in ("update", "delete"):
        lat = runs[kind]
        out.append(repeated(GROUP, f"dual write, single-row {kind.upper()}s by key, pgbench -c 2: the sync trigger (ms per statement)",
                            [(r[0], r[1]) for r in lat], "the application writing both tables in one statement", "ms",
                            goal=0.9, note=f"random ids of {UD_ROWS:,} rows (a repeated DELETE finds nothing, alike in all variants); backfill finished"))
        out.append(repeated(GROUP, f"dual write, single-row {kind.upper()}s: the sync trigger vs one table without any trigger",
                            [(r[0], r[2]) for r in lat], "one table only (no dual write)", "ms"))
    return out


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

        def empty_copy():
            with conn.transaction():
                conn.execute("SET LOCAL part.syncing = 'on'")
                conn.execute("TRUNCATE public.revenues_partitioned")
            conn.execute("UPDATE part.migration SET backfill_started_at = NULL, backfill_finished_at = NULL,"
                         " backfill_last_key = NULL, backfill_high_key = NULL, backfill_rows = 0, backfill_batches = 0,"
                         " backfill_total = NULL WHERE table_name = 'public.revenues'")
            conn.execute("DELETE FROM part.parity_mark")
            conn.execute("VACUUM ANALYZE public.revenues_partitioned")
            conn.execute("CHECKPOINT")

        pairs = []
        for _ in range(RUNS):
            empty_copy()
            # the limit: one INSERT ... SELECT, no trigger on the copy
            conn.execute("ALTER TABLE public.revenues_partitioned DISABLE TRIGGER part_sync_guard")
            with timed() as bare:
                conn.execute("INSERT INTO public.revenues_partitioned SELECT * FROM public.revenues")
            conn.execute("ALTER TABLE public.revenues_partitioned ENABLE ALWAYS TRIGGER part_sync_guard")
            empty_copy()
            with timed() as ours:
                conn.execute("CALL part.backfill('public.revenues', 10000, p_check => false)")
            copied = conn.execute("SELECT backfill_rows FROM part.migration").fetchone()[0]
            assert copied == rows, (copied, rows)
            pairs.append((rows / ours["s"], rows / bare["s"]))

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
        repeated(GROUP, f"backfill of {rows:,} rows, batches of 10,000 committed, race-free (rows/s)",
                 pairs, "one INSERT ... SELECT (one transaction, no trigger)", "rows/s", higher_is_better=True, goal=0.9,
                 note="ANCHORS: batches about 1.0 (racy), FOR UPDATE sub-batches about 0.60 (race-free)"),
        Result(GROUP, f"backfill of {rows:,} rows: part.backfill vs GitLab's race-free sub-batches (rows/s)",
               statistics.median(p[0] for p in pairs), "sub-batches of 2,500 FOR UPDATE + ON CONFLICT DO NOTHING", rows / gitlab["s"], "rows/s",
               higher_is_better=True, note="both race-free against concurrent deletes; ours locks no source row"),
        Result(GROUP, f"parity, full check of {rows:,} rows per side (hash per range, one snapshot)",
               full["s"], "sum(hashtextextended(row)) of both tables", bare_hash["s"], "s",
               note="ANCHORS: 6.3 s for the bare hash, 9.8 s grouped per month"),
        Result(GROUP, f"parity, full check of {rows:,} rows per side", full["s"],
               "the bare hash of both tables grouped per month", bare_month["s"], "s"),
        Result(GROUP, "parity re-check after one row changed (one range re-hashed)", one["s"],
               "full check", full["s"], "s"),
    ]


def run(dsn_for, rows: int = ROWS, seconds: int = SECONDS) -> list[Result]:
    db = _setup(dsn_for, 1000)   # partitions for the 24 months
    results = _dual_write(dsn_for, db, seconds)
    results += _backfill(dsn_for, db, rows)
    results += _dual_write_changes(dsn_for, db, seconds)
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
