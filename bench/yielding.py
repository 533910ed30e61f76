"""Yielding to production: what the check between batches costs when there is
nothing to yield to (no standby lagging, nobody queued for a lock).

* backfill of the legacy table in small batches (1,000 rows, so that the
  check runs often) with both checks on (yield_on_lock_queue, and
  yield_max_replay_lag set: pg_stat_replication and pg_locks read before every
  batch) against the same backfill with both off;
* one check (part._yield_reason, both on) against one backfill batch of the
  same run: the share of a batch the check takes.

Standalone: PGHOST=127.0.0.1 PGPORT=5497 .venv/bin/python bench/yielding.py [--rows N]
(else `make bench` runs it on its own throwaway cluster).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REVENUES_COLUMNS, REVENUES_ROWS, Result, fresh_database, timed  # noqa: E402

GROUP = "yielding to production"
ROWS = int(os.environ.get("BENCH_YIELD_ROWS", "300000"))
BATCH = 1000
CHECKS = 2000


def _backfill(dsn_for, rows: int, on: bool) -> tuple[float, int]:
    """A fresh database, the legacy table, migrate_start, then the timed backfill."""
    db = fresh_database(dsn_for, "bench_yield")
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        conn.execute("SELECT part.set_setting('yield_on_lock_queue', %s)", ("true" if on else "false",))
        conn.execute("SELECT part.set_setting('yield_max_replay_lag', %s)", ("1GB" if on else "",))
        conn.execute(f"CREATE TABLE public.revenues ({REVENUES_COLUMNS}, PRIMARY KEY (id))")
        conn.execute("INSERT INTO public.revenues " + REVENUES_ROWS.format(
            start="timestamptz '2024-01-01 00:00+00'", span=rows, step=1, first=1, last=rows))
        conn.execute("VACUUM ANALYZE public.revenues")
        conn.execute("SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month')")
        conn.execute("CHECKPOINT")
        with timed() as t:
            conn.execute("CALL part.backfill('public.revenues', %s, p_check => false)", (BATCH,))
        copied, batches = conn.execute("SELECT backfill_rows, backfill_batches FROM part.migration").fetchone()
        assert copied == rows, (copied, rows)
    return t["s"], batches


def run(dsn_for, rows: int = ROWS) -> list[Result]:
    on, off = [], []
    for _ in range(3):   # alternate, keep the best of each
        off.append(_backfill(dsn_for, rows, False)[0])
        took, batches = _backfill(dsn_for, rows, True)
        on.append(took)
    with psycopg.connect(dsn_for("bench_yield"), autocommit=True) as conn:
        rels = "ARRAY['public.revenues'::regclass, 'public.revenues_partitioned'::regclass]"
        with timed() as checks:
            reason = conn.execute(f"SELECT count(part._yield_reason({rels})) FROM generate_series(1, {CHECKS})").fetchone()[0]
        assert reason == 0, "nothing to yield to on the benchmark server"
    per_check_ms = 1000 * checks["s"] / CHECKS
    per_batch_ms = 1000 * min(on) / batches
    return [
        Result(GROUP, f"backfill of {rows:,} rows in batches of {BATCH:,}, yield checks on, no load (rows/s)",
               rows / min(on), "the same backfill with yield_on_lock_queue off and no yield_max_replay_lag",
               rows / min(off), "rows/s", higher_is_better=True,
               note=f"{batches} batches: one check each (pg_stat_replication, pg_locks); best of 3"),
        Result(GROUP, "one yield check (part._yield_reason, both checks on) vs one backfill batch of 1,000 rows",
               per_check_ms, "one batch of the backfill above", per_batch_ms, "ms",
               note="the ratio is how many checks fit in one batch"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    base = psycopg.conninfo.conninfo_to_dict("")
    for r in run(lambda db: psycopg.conninfo.make_conninfo(**{**base, "dbname": db}), args.rows):
        print(f"{r.name}: ours {r.ours:.4g} {r.unit}, {r.baseline_name} {r.baseline:.4g} {r.unit}, ratio {r.ratio:.2f}")
