"""Bounds in a table's own time zone: what a zone (p_time_zone => 'Europe/Paris')
costs against the same tables in UTC, measured in the same run.

* create_ahead making daily partitions for tables in Paris time vs the same
  tables in UTC (per partition: bound arithmetic, standalone table, ATTACH);
* the bound arithmetic alone (part._range_floor + part._range_next, a day in
  Paris vs in UTC), per pair of calls.
"""

from __future__ import annotations

import psycopg

from common import REVENUES_COLUMNS, Result, fresh_database, timed

GROUP = "time zones"
TABLES = 50
DAYS = 30
CALLS = 20_000


def _create_ahead(dsn_for) -> list[Result]:
    db = fresh_database(dsn_for, "bench_time_zone")
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        conn.execute("SET TimeZone = 'America/New_York'")   # neither of the tables' zones
        for zone in ("UTC", "Europe/Paris"):
            tag = "utc" if zone == "UTC" else "paris"
            for i in range(TABLES):
                conn.execute(f"CREATE TABLE public.{tag}_{i} ({REVENUES_COLUMNS}, PRIMARY KEY (id, occurred_at)) "
                             "PARTITION BY RANGE (occurred_at)")
                conn.execute(f"CREATE INDEX ON public.{tag}_{i} (org_id, occurred_at)")
                conn.execute(f"SELECT part.create_partitioned('public.{tag}_{i}', 'occurred_at', 'range', '1 day', "
                             "p_premake => 0, p_default_partition => false, p_time_zone => %s)", (zone,))
        # the two kinds of table alternate, so that the machine's load falls on both alike
        figures = {"UTC": 0.0, "Europe/Paris": 0.0}
        for i in range(TABLES):
            for zone, tag in (("UTC", "utc"), ("Europe/Paris", "paris")) if i % 2 else (("Europe/Paris", "paris"), ("UTC", "utc")):
                with timed() as t:
                    made = conn.execute("SELECT count(*) FROM part.create_ahead(%s, %s)", (DAYS, f"public.{tag}_{i}")).fetchone()[0]
                assert made == DAYS, made
                figures[zone] += t["s"]
        figures = {z: s / (TABLES * DAYS) * 1000 for z, s in figures.items()}
        arithmetic = {"UTC": [], "Europe/Paris": []}
        for _ in range(3):
            for zone in ("UTC", "Europe/Paris"):
                with timed() as t:
                    conn.execute("SELECT count(part._range_next(part._range_floor(to_char(timestamptz '2025-01-01' + g * interval '37 minutes', "
                                 "'YYYY-MM-DD HH24:MI:SS+00'), 'timestamptz', '1 day', %s), 'timestamptz', '1 day', %s)) "
                                 "FROM generate_series(1, %s) g", (zone, zone, CALLS))
                arithmetic[zone].append(t["s"])
    n = TABLES * DAYS
    return [
        Result(GROUP, f"create_ahead: {n} daily partitions of {TABLES} tables in Europe/Paris time (per partition)",
               figures["Europe/Paris"], "the same tables in UTC", figures["UTC"], "ms",
               note="local midnight across changes of clocks; the session in America/New_York"),
        Result(GROUP, f"bound arithmetic: _range_floor + _range_next of a day, {CALLS:,} calls (per pair)",
               min(arithmetic["Europe/Paris"]) / CALLS * 1e6, "the same in UTC", min(arithmetic["UTC"]) / CALLS * 1e6, "us",
               note="best of 3; the zone's first instant of a local day (a skipped or repeated midnight) checked each time"),
    ]


def run(dsn_for) -> list[Result]:
    return _create_ahead(dsn_for)
