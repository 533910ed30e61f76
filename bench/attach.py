"""The attach method (issue 12) against the copy method, on two identical
tables of BENCH_ATTACH_ROWS rows (default 10,000,000) over 24 months:

* the longest single-row INSERT of 2 writer sessions during the switch (the
  short locked step: the legacy table attached as the history partition) and
  during each preparatory step (VALIDATE, CREATE INDEX CONCURRENTLY), against
  the copy method's switch;
* the extra disk at the switch (database size after the switch minus before
  migrate_start): indexes only for attach, a second copy of every row for copy;
* the time from migrate_start to the switch, against the copy method's
  migrate_start + backfill + parity + switch; and the online split of the
  history partition by maintenance afterwards (part.split_history, one step
  per transaction: copy batches into the partitioned copy kept in step by
  triggers, a count-and-hash check per interval, the catalog-only swap, then
  one partition per catalog-only step into the table), with the longest
  INSERT during each kind of step, against the old split's step (it
  re-attached the rest of the history with a scan under its lock: 4,274 ms
  at 10,000,000 rows, bench/NOTES.md).

One writer inserts at now() (the current partition), the other into the
history's range (a year back: through the history partition and, during the
split, its sync trigger). BENCH_SCALE scales the rows (1: 10,000,000);
BENCH_ATTACH_ROWS overrides.

Standalone: PGHOST=127.0.0.1 PGPORT=5497 PG_BIN=... .venv/bin/python bench/attach.py [--rows N]
(else `make bench BENCH_ARGS=attach` runs it on its own throwaway cluster).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Result, fresh_database, scaled  # noqa: E402

GROUP = "attach migration (zero copy)"
ROWS = int(os.environ.get("BENCH_ATTACH_ROWS", "0")) or scaled(10_000_000, 10_000)
# the old split's longest INSERT during one step (bench/NOTES.md: 417 ms at 1,000,000 rows, 4,274 ms at
# 10,000,000; it scanned the rest of the history under its lock), at the nearest of those scales
OLD_SPLIT_STEP_MS = {1_000_000: 417.0, 10_000_000: 4274.0}

TABLE = """
CREATE TABLE public.{t} (
    id          bigserial PRIMARY KEY,
    org_id      integer NOT NULL,
    occurred_at timestamptz NOT NULL,
    amount      numeric(12, 2) NOT NULL,
    note        text
);
"""


def _setup(dsn_for, rows: int) -> str:
    db = fresh_database(dsn_for, "bench_attach")
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        for t in ("ev_a", "ev_c"):
            conn.execute(TABLE.format(t=t))
        # 24 months back from now, oldest first (ids in time order, as an application writes them)
        conn.execute("INSERT INTO public.ev_a (org_id, occurred_at, amount, note)"
                     " SELECT g %% 997, now() - (%s - g) * (interval '730 days' / %s), g / 100.0, 'night ' || g"
                     " FROM generate_series(1, %s) g", (rows, rows, rows))
        conn.execute("INSERT INTO public.ev_c SELECT * FROM public.ev_a")
        for t in ("ev_a", "ev_c"):
            conn.execute(f"SELECT setval('public.{t}_id_seq', {rows})")
            conn.execute(f"CREATE INDEX ON public.{t} (occurred_at)")
            conn.execute(f"CREATE INDEX ON public.{t} (org_id, occurred_at)")
            conn.execute(f"VACUUM ANALYZE public.{t}")
    return db


def _writer(dsn: str, table: str, stop: threading.Event, out: list[float], at: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as c:
        while not stop.is_set():
            t0 = time.perf_counter()
            c.execute(f"INSERT INTO public.{table} (org_id, occurred_at, amount) VALUES (1, {at}, 1)")
            out.append(time.perf_counter() - t0)
            time.sleep(0.002)


class Writers:
    """2 sessions inserting single rows into the application's table (one at now(), one a year back,
    into the history's range); longest() of a window."""

    def __init__(self, dsn: str, table: str):
        self.stop, self.lat = threading.Event(), []
        self.threads = [threading.Thread(target=_writer, args=(dsn, table, self.stop, self.lat, at))
                        for at in ("now()", "now() - interval '365 days'")]

    def __enter__(self):
        for t in self.threads:
            t.start()
        time.sleep(0.5)
        return self

    def window(self, action) -> tuple[float, float]:
        """(seconds action() took, longest INSERT in ms during it)."""
        n = len(self.lat)
        t0 = time.perf_counter()
        action()
        took = time.perf_counter() - t0
        time.sleep(0.2)
        return took, max(self.lat[n:] or [0.0]) * 1000

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join()


def _size(conn) -> int:
    return conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]


def run(dsn_for, rows: int = ROWS) -> list[Result]:
    db = _setup(dsn_for, rows)
    dsn = dsn_for(db)
    conn = psycopg.connect(dsn, autocommit=True)
    table_bytes = conn.execute("SELECT pg_total_relation_size('public.ev_a')").fetchone()[0]

    # --- attach
    with Writers(dsn, "ev_a") as w:
        size0 = _size(conn)
        t_start, lat_start = w.window(lambda: conn.execute(
            "SELECT part.migrate_start('public.ev_a', 'occurred_at', 'range', '1 month', p_method => 'attach')"))
        steps = []

        def prepare_step():
            stmt = conn.execute("SELECT part.attach_prepare('public.ev_a')").fetchone()[0]
            if stmt is not None:
                conn.execute(stmt)
            steps.append(stmt)

        t_prep, lat_prep = 0.0, 0.0
        while not steps or steps[-1] is not None:
            took, lat = w.window(prepare_step)
            t_prep, lat_prep = t_prep + took, max(lat_prep, lat)
        t_switch, lat_switch = w.window(lambda: conn.execute("SELECT part.switch_reads('public.ev_a')"))
        extra_attach = _size(conn) - size0
        split = []

        def split_step():
            split.append(conn.execute("SELECT step FROM part.split_history('public.ev_a')").fetchall())

        t_split = 0.0
        by_step: dict[str, list[tuple[float, float]]] = {}   # step -> [(seconds, longest INSERT ms)]
        while not split or split[-1]:
            took, lat = w.window(split_step)
            t_split += took
            if split[-1]:
                by_step.setdefault(split[-1][0][0], []).append((took, lat))
    assert conn.execute("SELECT phase FROM part.migration WHERE table_name = 'public.ev_a'").fetchone()[0] == "finalized"

    # --- copy, the same table
    with Writers(dsn, "ev_c") as w:
        size0 = _size(conn)
        t_cstart, _ = w.window(lambda: conn.execute(
            "SELECT part.migrate_start('public.ev_c', 'occurred_at', 'range', '1 month')"))
        t_fill, _ = w.window(lambda: conn.execute("CALL part.backfill('public.ev_c', 50000)"))
        t_par, _ = w.window(lambda: conn.execute("SELECT count(*) FROM part.check_parity('public.ev_c')"))
        t_cswitch, lat_cswitch = w.window(lambda: conn.execute("SELECT part.switch_reads('public.ev_c')"))
        extra_copy = _size(conn) - size0
    conn.close()

    old_rows = min(OLD_SPLIT_STEP_MS, key=lambda n: abs(n - rows))
    attach_total = t_start + t_prep + t_switch
    copy_total = t_cstart + t_fill + t_par + t_cswitch
    mb = 1024 * 1024
    return [
        Result(GROUP, f"switch (attach): longest single-row INSERT during it (2 writers), {rows:,} rows", lat_switch,
               "the copy method's switch of the same table", lat_cswitch, "ms",
               note=f"the attach switch took {t_switch * 1000:.0f} ms, the copy's {t_cswitch * 1000:.0f} ms; goal <= 50 ms"),
        Result(GROUP, "preparation (attach: VALIDATE, CREATE INDEX CONCURRENTLY): longest INSERT", max(lat_prep, lat_start),
               "the copy method's switch", lat_cswitch, "ms",
               note=f"{len(steps) - 1} statements run CONCURRENTLY; migrate_start {t_start:.1f} s, preparation {t_prep:.1f} s"),
        Result(GROUP, "extra disk at the switch", extra_attach / mb, "copy method (a second copy of the rows)",
               extra_copy / mb, "MB", note=f"the table with its indexes: {table_bytes / mb:.0f} MB; attach adds indexes only: "
                                           f"(id, occurred_at) and the primary key's stand-in (the old one goes)"),
        Result(GROUP, "migrate_start to the switch", attach_total, "copy method: migrate_start, backfill, parity, switch",
               copy_total, "s", note=f"copy: backfill {t_fill:.1f} s, parity {t_par:.1f} s"),
        Result(GROUP, "split of the history partition by maintenance (after the switch, online)", t_split,
               "the copy method's backfill", t_fill, "s",
               note="; ".join(f"{k}: {len(v)} steps, {sum(x[0] for x in v):.1f} s" for k, v in by_step.items())),
    ] + [
        Result(GROUP, f"split, {what}: longest single-row INSERT during one step (2 writers), {rows:,} rows",
               max(x[1] for x in by_step[k]), f"the old split's step at {old_rows:,} rows (a scan under the lock)",
               OLD_SPLIT_STEP_MS[old_rows], "ms", goal_max=50.0 if k in ("swap", "flatten") else None,
               note=f"{len(by_step[k])} steps, the longest {max(x[0] for x in by_step[k]) * 1000:.0f} ms")
        for k, what in (("copy", "copy batches of 50,000 rows (FOR KEY SHARE)"), ("check", "checks (count and hash per interval)"),
                        ("swap", "the swap (catalog only)"), ("flatten", "flatten (catalog only)"))
        if k in by_step
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    from psycopg.conninfo import make_conninfo

    for r in run(lambda db: make_conninfo(dbname=db), args.rows):
        print(f"{r.name}: ours {r.ours:,.4g} {r.unit}; {r.baseline_name}: {r.baseline:,.4g} {r.unit}; "
              f"ratio {r.ratio:.2f}; {r.note}")
