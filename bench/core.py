"""Partition core: creating partitions, draining the default partition, and
splitting hash partitions, against the bare SQL that does the same job.

* create_ahead over 200 monthly tables (12 partitions each) vs the bare
  ``CREATE TABLE ... PARTITION OF`` statements;
* moving rows out of the default partition into 12 new monthly partitions
  (create_ahead) vs the bare one-transaction SQL (detach the default, create
  the partitions, INSERT ... SELECT, truncate, re-attach), which blocks every
  writer for all of it;
* split_hash 16 -> 32 vs rebuilding the table in one transaction.
"""

from __future__ import annotations

import psycopg

from common import REVENUES_COLUMNS, REVENUES_ROWS, RUNS, Result, fresh_database, repeated, scaled, timed

GROUP = "partition core"
TABLES = 200
MONTHS = 12
DEFAULT_ROWS = scaled(1_000_000, 10_000)
HASH_ROWS = scaled(1_000_000, 10_000)


def _create_partitions(dsn_for) -> tuple[float, float]:
    db = fresh_database(dsn_for, "bench_core_create")
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        for i in range(TABLES):
            conn.execute(f"CREATE TABLE public.ours_{i} ({REVENUES_COLUMNS}, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
            conn.execute(f"CREATE INDEX ON public.ours_{i} (org_id, occurred_at)")
            conn.execute(f"CREATE TABLE public.bare_{i} ({REVENUES_COLUMNS}, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
            conn.execute(f"CREATE INDEX ON public.bare_{i} (org_id, occurred_at)")
            conn.execute(f"SELECT part.create_partitioned('public.ours_{i}', 'occurred_at', 'range', '1 month', p_premake => 0, p_default_partition => false)")
        with timed() as ours:
            made = conn.execute(f"SELECT count(*) FROM part.create_ahead({MONTHS})").fetchone()[0]
        assert made == TABLES * MONTHS, made
        with timed() as bare, conn.transaction():
            for i in range(TABLES):
                for m in range(1, MONTHS + 1):
                    conn.execute(
                        f"CREATE TABLE public.bare_{i}_{m} PARTITION OF public.bare_{i} FOR VALUES"
                        f" FROM (date_trunc('month', now()) + interval '{m} months')"
                        f" TO (date_trunc('month', now()) + interval '{m + 1} months')"
                    )
    n = TABLES * MONTHS
    return ours["s"] / n * 1000, bare["s"] / n * 1000


def _drain_default(dsn_for) -> tuple[float, float]:
    db = fresh_database(dsn_for, "bench_core_drain")
    rows = REVENUES_ROWS.format(start="date_trunc('month', now()) + interval '1 month'", span=MONTHS * 30 * 24 * 60 // 60,
                                step=60, first=1, last=DEFAULT_ROWS)
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        for name in ("ours", "bare"):
            conn.execute(f"CREATE TABLE public.{name} ({REVENUES_COLUMNS}, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
            conn.execute(f"CREATE INDEX ON public.{name} (org_id, occurred_at)")
        conn.execute("SELECT part.create_partitioned('public.ours', 'occurred_at', 'range', '1 month', p_premake => 0)")
        conn.execute("CREATE TABLE public.bare_default PARTITION OF public.bare DEFAULT")
        conn.execute("CREATE TABLE public.bare_0 PARTITION OF public.bare FOR VALUES FROM (date_trunc('month', now())) TO (date_trunc('month', now()) + interval '1 month')")
        conn.execute(f"INSERT INTO public.ours {rows}")
        conn.execute(f"INSERT INTO public.bare {rows}")
        conn.execute("VACUUM ANALYZE public.ours, public.bare")
        with timed() as ours:
            made = conn.execute(f"SELECT count(*) FROM part.create_ahead({MONTHS})").fetchone()[0]
        assert made == MONTHS
        assert conn.execute("SELECT count(*) FROM ONLY public.ours_default").fetchone()[0] == 0
        with timed() as bare, conn.transaction():
            conn.execute("ALTER TABLE public.bare DETACH PARTITION public.bare_default")
            for m in range(1, MONTHS + 1):
                conn.execute(
                    f"CREATE TABLE public.bare_{m} PARTITION OF public.bare FOR VALUES"
                    f" FROM (date_trunc('month', now()) + interval '{m} months')"
                    f" TO (date_trunc('month', now()) + interval '{m + 1} months')"
                )
            conn.execute("INSERT INTO public.bare SELECT * FROM public.bare_default")
            conn.execute("TRUNCATE public.bare_default")
            conn.execute("ALTER TABLE public.bare ATTACH PARTITION public.bare_default DEFAULT")
    return ours["s"], bare["s"]


def _split_hash(dsn_for) -> tuple[float, float]:
    db = fresh_database(dsn_for, "bench_core_split")
    with psycopg.connect(dsn_for(db), autocommit=True) as conn:
        cols = "id bigint NOT NULL, org_id int NOT NULL, property_id int NOT NULL, balance_date date NOT NULL, balance numeric(14,2), PRIMARY KEY (id, org_id)"
        conn.execute(f"CREATE TABLE public.ours ({cols}) PARTITION BY HASH (org_id)")
        conn.execute("SELECT part.create_partitioned('public.ours', 'org_id', 'hash', p_partitions => 16)")
        conn.execute(f"INSERT INTO public.ours SELECT g, g % 5003, g % 31, current_date - (g % 365), g / 100.0 FROM generate_series(1, {HASH_ROWS}) g")
        conn.execute("CREATE TABLE public.bare_src AS SELECT * FROM public.ours")
        conn.execute("VACUUM ANALYZE public.ours, public.bare_src")
        with timed() as ours:
            conn.execute("CALL part.split_hash('public.ours', 32)")
        assert conn.execute("SELECT count(*) FROM part.partitions WHERE parent_table = 'public.ours'").fetchone()[0] == 32
        with timed() as bare, conn.transaction():
            conn.execute(f"CREATE TABLE public.bare ({cols}) PARTITION BY HASH (org_id)")
            for r in range(32):
                conn.execute(f"CREATE TABLE public.bare_{r} PARTITION OF public.bare FOR VALUES WITH (MODULUS 32, REMAINDER {r})")
            conn.execute("INSERT INTO public.bare SELECT * FROM public.bare_src")
    return ours["s"], bare["s"]


def run(dsn_for) -> list[Result]:
    """Each measurement RUNS times on fresh databases: the medians, each run's ratio."""
    create = [_create_partitions(dsn_for) for _ in range(RUNS)]
    drain = [_drain_default(dsn_for) for _ in range(RUNS)]
    split = [_split_hash(dsn_for) for _ in range(RUNS)]
    return [
        repeated(GROUP, f"create_ahead: {TABLES * MONTHS} partitions of {TABLES} tables (per partition)", create,
                 "bare CREATE TABLE ... PARTITION OF", "ms",
                 note="tables without a default partition: all of a table's partitions in one transaction, as the bare DDL"),
        repeated(GROUP, f"drain {DEFAULT_ROWS:,} default rows into {MONTHS} new partitions", drain,
                 "bare SQL in one transaction (detach, create, INSERT ... SELECT, truncate, attach)", "s",
                 note="ours holds writers only one partition's move at a time; the bare SQL blocks them throughout"),
        repeated(GROUP, f"split_hash 16 -> 32 partitions, {HASH_ROWS:,} rows", split,
                 "rebuild in one transaction (new table of 32 partitions, INSERT ... SELECT)", "s",
                 note="ours blocks writers only in 16 short steps; the rebuild would block them throughout"),
    ]
