"""An org-month report (sum of amount by property for one organization and
one month) on the legacy table against the same query on the partitioned
layouts part makes: range by month and hash by organization, each with the
same (org_id, occurred_at) index. EXPLAIN shows the pruning (how many
partitions the plan scans).

10,000,000 rows over 24 months at BENCH_SCALE=1 (BENCH_REPORT_ROWS overrides).

* The org-month report as an application runs it: pgbench, 1 client, the
  organization and the month's bounds random (the bounds as epochs through
  to_timestamp(), IMMUTABLE, so the planner can prune), the three tables
  interleaved in one pgbench run (each script's latency), once with the
  simple protocol (`-M simple`: the values in the text, planned each time)
  and once with prepared statements (`-M prepared`: plan_cache_mode auto, as
  a driver's prepared statements get it).
* Where pruning pays: one month for every organization (no index leads with
  the month), a few queries on each table.
* EXPLAIN (ANALYZE, BUFFERS) of one org-month query on each table, custom
  and generic plan: planning and execution time, buffers, partitions scanned.

Each figure RUNS times (the order of the tables alternated for the month
scan).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from common import RUNS, REVENUES_COLUMNS, REVENUES_ROWS, SCALE, fresh_database, repeated, scaled

GROUP = "org-month report"
ROWS = int(os.environ.get("BENCH_REPORT_ROWS", str(scaled(10_000_000, 20_000))))
MONTHS = 24
HASH_PARTITIONS = 16
# seconds of each pgbench run (per protocol and run); at least 2
SECONDS = max(2, int(os.environ.get("BENCH_REPORT_SECONDS", str(scaled(10, 2)))))
MONTH_SCANS = 3   # month-for-every-organization queries per table and run
PGBENCH = Path(os.environ.get("PG_BIN", "")) / "pgbench"
TABLES = ("rev_legacy", "rev_range", "rev_hash")
PROTOCOLS = ("simple", "prepared", "custom")
PROTOCOL_NAMES = {"simple": "simple protocol", "prepared": "prepared statements",
                  "custom": "prepared statements, force_custom_plan"}

QUERY = """SELECT property_id, sum(amount) FROM {table}
 WHERE org_id = {org} AND occurred_at >= {lo} AND occurred_at < {hi}
 GROUP BY property_id"""
MONTH_QUERY = """SELECT property_id, sum(amount) FROM {table}
 WHERE occurred_at >= {lo} AND occurred_at < {hi}
 GROUP BY property_id"""

# the first day of each month of 2024 (and of 2025-01) as days since 2024-01-01 (UTC)
_DAYS = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366]
_EPOCH_2024 = 1704067200
# pgbench: a random organization and month of 2024, the bounds as epochs
PGBENCH_SCRIPT = ("\\set org random(0, 996)\n\\set m random(0, 11)\n"
                  "\\set lo " + str(_EPOCH_2024) + " + 86400 * (" + " ".join(
                      f"CASE WHEN :m = {i} THEN {d} ELSE" for i, d in enumerate(_DAYS[:12])) + " 0" + " END" * 12 + ")\n"
                  "\\set hi " + str(_EPOCH_2024) + " + 86400 * (" + " ".join(
                      f"CASE WHEN :m = {i} THEN {d} ELSE" for i, d in enumerate(_DAYS[1:])) + " 0" + " END" * 12 + ")\n"
                  + QUERY.format(table="{table}", org=":org", lo="to_timestamp(:lo)", hi="to_timestamp(:hi)")
                  .replace("\n", "") + ";\n")


def _setup(dsn_for) -> str:
    db = fresh_database(dsn_for, "bench_report")
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute(f"CREATE TABLE public.rev_legacy ({REVENUES_COLUMNS}, PRIMARY KEY (id))")
        conn.execute(f"CREATE TABLE public.rev_range ({REVENUES_COLUMNS}, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
        conn.execute(f"CREATE TABLE public.rev_hash ({REVENUES_COLUMNS}, PRIMARY KEY (id, org_id)) PARTITION BY HASH (org_id)")
        # part makes the partitions (create_partitioned / create_ahead), as in production
        conn.execute("SELECT part.create_partitioned('public.rev_range', 'occurred_at', 'range', '1 month',"
                     " p_premake => 0, p_default_partition => true)")
        conn.execute("SELECT part.create_partitioned('public.rev_hash', 'org_id', 'hash', p_partitions => %s)", (HASH_PARTITIONS,))
        # minutes between rows: the ROWS rows spread over the 24 months (a fraction of a minute at 10,000,000 rows;
        # an integer step of at least 1 minute put 9 of the 10 million rows after 2025, in the default partition)
        step = repr(MONTHS * 30 * 24 * 60 / max(ROWS, 1))
        for first in range(1, ROWS + 1, 1_000_000):
            conn.execute("INSERT INTO public.rev_legacy " + REVENUES_ROWS.format(
                start="timestamptz '2024-01-01 00:00+00'", span=ROWS, step=step, first=first,
                last=min(first + 999_999, ROWS)))
        # the range table's months (its default partition would take them otherwise)
        conn.execute("DO $$ DECLARE m date; BEGIN FOR m IN SELECT generate_series(date '2024-01-01', date '2025-12-01', interval '1 month') LOOP"
                     " EXECUTE format('CREATE TABLE public.%I PARTITION OF public.rev_range FOR VALUES FROM (%L) TO (%L)',"
                     " 'rev_range_' || to_char(m, 'YYYY_MM'), m::timestamptz, (m + interval '1 month')::timestamptz); END LOOP; END $$")
        for t in ("rev_range", "rev_hash"):
            conn.execute(f"INSERT INTO public.{t} SELECT * FROM public.rev_legacy")
        for t in TABLES:
            conn.execute(f"CREATE INDEX ON public.{t} (org_id, occurred_at)")
        conn.execute("VACUUM ANALYZE public.rev_legacy, public.rev_range, public.rev_hash")
    return db


def _bounds(i: int) -> tuple[int, str, str]:
    m = i % 12
    return ((i * 37) % 997, f"'2024-{1 + m:02d}-01 00:00+00'", f"'{2024 + (m + 1) // 12}-{1 + (m + 1) % 12:02d}-01 00:00+00'")


def _explain(conn, table: str) -> str:
    org, lo, hi = _bounds(1)
    plan = "\n".join(r[0] for r in conn.execute("EXPLAIN (COSTS OFF) " + QUERY.format(table=table, org=org, lo=lo, hi=hi)))
    parts = sorted(set(n for n in re.findall(r" on (rev_\w+)", plan) if not n.endswith("_idx")))
    return f"{len(parts)} scanned ({', '.join(parts)})"


def _analyze_figures(conn, table: str) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of the org-month query, custom plan (literals) and generic plan
    (a prepared statement under plan_cache_mode = force_generic_plan): planning and execution ms,
    shared buffers hit + read, and the partitions the executor kept (generic: pruned at executor start)."""
    org, lo, hi = _bounds(5)
    out = {}
    for kind in ("custom", "generic"):
        best = None
        for _ in range(5):   # the best of 5 (warm)
            if kind == "custom":
                text = "\n".join(r[0] for r in conn.execute(
                    "EXPLAIN (ANALYZE, BUFFERS) " + QUERY.format(table=table, org=org, lo=lo, hi=hi)))
            else:
                conn.execute("SET plan_cache_mode = force_generic_plan")
                conn.execute("PREPARE q(int, timestamptz, timestamptz) AS "
                             + QUERY.format(table=table, org="$1", lo="$2", hi="$3"))
                text = "\n".join(r[0] for r in conn.execute(f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE q({org}, {lo}, {hi})"))
                conn.execute("DEALLOCATE q")
                conn.execute("RESET plan_cache_mode")
            plan = float(re.search(r"Planning Time: ([0-9.]+)", text).group(1))
            execu = float(re.search(r"Execution Time: ([0-9.]+)", text).group(1))
            if best is None or plan + execu < best[0] + best[1]:
                buffers = re.search(r"Buffers: shared ([^\n]+)", text)
                removed = re.search(r"Subplans Removed: (\d+)", text)
                best = (plan, execu, buffers.group(1).strip() if buffers else "none",
                        int(removed.group(1)) if removed else 0)
        out[kind] = best
    return out


def _pgbench(dsn: str, protocol: str, seconds: int) -> dict:
    """protocol: simple, prepared, or custom (prepared under plan_cache_mode = force_custom_plan)."""
    env = dict(os.environ)
    if protocol == "custom":
        protocol = "prepared"
        env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " -c plan_cache_mode=force_custom_plan").strip()
    """One pgbench run, 1 client, the three tables' scripts interleaved: each table's average latency (ms)."""
    files = []
    try:
        for t in TABLES:
            with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
                f.write(PGBENCH_SCRIPT.replace("{table}", f"public.{t}"))
            files.append(f.name)
        args = [str(PGBENCH), "-n", "-c", "1", "-M", protocol, "-T", str(seconds)]
        for name in files:
            args += ["-f", name]
        out = subprocess.run(args + [dsn], capture_output=True, text=True, check=True, env=env).stdout
    finally:
        for name in files:
            os.unlink(name)
    found = re.findall(r"SQL script \d+:.*?latency average = ([0-9.]+) ms", out, flags=re.S)
    if len(found) != len(TABLES):
        raise RuntimeError(f"pgbench printed no latency per script:\n{out}")
    return dict(zip(TABLES, (float(x) for x in found)))


def run(dsn_for):
    db = _setup(dsn_for)
    dsn = dsn_for(db)
    lat = {p: {t: [] for t in TABLES} for p in PROTOCOLS}
    scans = {t: [] for t in TABLES}
    # prepare_threshold=None: psycopg prepares nothing itself (each statement below is what it says)
    with psycopg.connect(dsn, autocommit=True, prepare_threshold=None) as conn:
        total = {t: conn.execute(f"SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.{t}'::regclass").fetchone()[0]
                 for t in ("rev_range", "rev_hash")}
        plans = {t: _explain(conn, t) for t in ("rev_range", "rev_hash")}
        for t in TABLES:  # warm: every table's pages in the cache alike
            for i in range(20):
                org, lo, hi = _bounds(i)
                conn.execute(QUERY.format(table=t, org=org, lo=lo, hi=hi))
        explained = {t: _analyze_figures(conn, t) for t in TABLES}
        lo, hi = "'2024-03-01 00:00+00'", "'2024-04-01 00:00+00'"
        for t in TABLES:   # warm for the month scans
            conn.execute(MONTH_QUERY.format(table=t, lo=lo, hi=hi))
        for r in range(RUNS):
            for protocol in (PROTOCOLS if r % 2 == 0 else PROTOCOLS[::-1]):
                for t, ms in _pgbench(dsn, protocol, SECONDS).items():
                    lat[protocol][t].append(ms)
            for t in (TABLES if r % 2 == 0 else TABLES[::-1]):   # alternate the order
                t0 = time.perf_counter()
                for i in range(MONTH_SCANS):
                    m = 2 + (i + r) % 10
                    conn.execute(MONTH_QUERY.format(table=t, lo=f"'2024-{m:02d}-01 00:00+00'", hi=f"'2024-{m + 1:02d}-01 00:00+00'"))
                scans[t].append((time.perf_counter() - t0) / MONTH_SCANS * 1000)

    def explained_note(t: str) -> str:
        c, g = explained[t]["custom"], explained[t]["generic"]
        legacy_c = explained["rev_legacy"]["custom"]
        return (f"EXPLAIN (ANALYZE, BUFFERS), best of 5: custom plan planning {c[0]:.3f} ms + execution {c[1]:.3f} ms"
                f" (buffers {c[2]}), generic plan {g[0]:.3f} + {g[1]:.3f} ms ({g[3]} subplans removed at executor start);"
                f" legacy table {legacy_c[0]:.3f} + {legacy_c[1]:.3f} ms (buffers {legacy_c[2]})")

    results = []
    layouts = (("rev_range", "range partitions by month"), ("rev_hash", f"{HASH_PARTITIONS} hash partitions by organization"))
    for protocol, how in (("simple", "pgbench -M simple: planned each time"),
                          ("prepared", "pgbench -M prepared: prepared statements, plan_cache_mode auto (checked in pg_prepared_statements:"
                                       " the legacy table's statement goes to a generic plan after 5 executions, the partitioned tables'"
                                       " stay on custom plans, planned each time, as a generic plan's estimated cost counts every partition)"),
                          ("custom", "pgbench -M prepared with plan_cache_mode = force_custom_plan (a setting of the"
                                     " application's role or statement: planned each time, pruned by the planner)")):
        for t, layout in layouts:
            note = f"{how}; 1 client, {SECONDS} s per run, the three tables interleaved; EXPLAIN: of {total[t]} partitions {plans[t]}"
            if protocol == "simple":
                note += "; " + explained_note(t)
            results.append(repeated(
                GROUP, f"org-month report on {ROWS:,} rows, {layout}, {PROTOCOL_NAMES[protocol]} (ms per query)",
                list(zip(lat[protocol][t], lat[protocol]["rev_legacy"])), "the same query on the legacy table", "ms",
                goal=1.0, note=note))
    for t, layout in layouts:
        results.append(repeated(
            GROUP, f"one month for every organization on {ROWS:,} rows, {layout} (ms per query)",
            list(zip(scans[t], scans["rev_legacy"])), "the same query on the legacy table", "ms",
            note="no index leads with the month: the legacy table reads every row"
                 + ("; the range table reads one partition" if t == "rev_range" else "; hash by organization cannot prune a month")))
    return results


if __name__ == "__main__":  # PGHOST/PGPORT/PGUSER name the server, PG_BIN the pgbench to use
    def _dsn_for(dbname: str) -> str:
        return psycopg.conninfo.make_conninfo(host=os.environ.get("PGHOST", "127.0.0.1"),
                                              port=os.environ.get("PGPORT", "5432"),
                                              user=os.environ.get("PGUSER", "postgres"), dbname=dbname)

    print(f"BENCH_SCALE={SCALE:g}: {ROWS:,} rows, {SECONDS} s per pgbench run, {RUNS} runs")
    for r in run(_dsn_for):
        print(f"{r.name}: ours {r.ours:.4g} {r.unit}, {r.baseline_name} {r.baseline:.4g} {r.unit}, "
              f"ratio {r.ratio:.2f} ({min(r.ratios):.2f}-{max(r.ratios):.2f})  {r.note}")
