"""The migration's copy gets statistics when its backfill finishes: the partitions
and the partitioned table as a whole (inherited statistics, which autovacuum never
gathers for a partitioned table), so that after the switch the table is planned
from statistics as the legacy table was. Gathered with the owner's rights, once."""

from __future__ import annotations


def _setup(conn, owner: str | None = None) -> None:
    conn.execute("CREATE TABLE public.rev (id bigint PRIMARY KEY, org_id int NOT NULL, at timestamptz NOT NULL)")
    conn.execute("INSERT INTO public.rev SELECT g, g % 7, timestamptz '2024-01-01 00:00+00' + g * interval '1 hour'"
                 " FROM generate_series(1, 3000) g")
    if owner:
        conn.execute(f"ALTER TABLE public.rev OWNER TO {owner}")
    conn.execute("SELECT part.migrate_start('public.rev', 'at', 'range', '1 month', p_premake => 0)")


def _inherited_stats(conn) -> int:
    return conn.execute("SELECT count(*) FROM pg_stats WHERE schemaname = 'public' AND tablename = 'rev_partitioned'"
                        " AND inherited").fetchone()[0]


def _analyzed_partitions(conn) -> tuple[int, int]:
    """(partitions holding rows, of them analyzed: reltuples known and pg_stats rows)"""
    return conn.execute("""
        SELECT count(*), count(*) FILTER (WHERE c.reltuples >= 0 AND EXISTS (
                   SELECT 1 FROM pg_stats s WHERE s.schemaname = 'public' AND s.tablename = c.relname))
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'public.rev_partitioned'::regclass AND pg_relation_size(c.oid) > 0""").fetchone()


def test_finished_backfill_leaves_the_copy_analyzed(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    _setup(conn)
    assert _inherited_stats(conn) == 0
    conn.execute("CALL part.backfill('public.rev', 1000, p_max_batches => 1)")   # not finished yet
    assert _inherited_stats(conn) == 0
    conn.execute("CALL part.backfill('public.rev', 1000)")
    assert conn.execute("SELECT phase FROM part.migration").fetchone()[0] == "backfilled"
    assert _inherited_stats(conn) > 0                       # the whole table's statistics
    with_rows, analyzed = _analyzed_partitions(conn)
    assert with_rows >= 4 and analyzed == with_rows          # and each partition's
    n = conn.execute("SELECT reltuples FROM pg_class WHERE oid = 'public.rev_partitioned'::regclass").fetchone()[0]
    assert n == 3000 or n < 0   # (a partitioned table's reltuples: PostgreSQL 14+ sets it, 3000 rows)


def test_backfill_analyzes_with_the_owners_rights(fresh_db, connect):
    """Called by a superuser for a table another role owns: the statistics are gathered (as the
    owner, not skipped with a warning), inside the procedure's transaction handling."""
    conn = connect(fresh_db, autocommit=True)
    conn.execute("DROP ROLE IF EXISTS rev_owner")
    conn.execute("CREATE ROLE rev_owner")
    try:
        _setup(conn, owner="rev_owner")
        conn.execute("CALL part.backfill('public.rev', 1000, p_commit => false)")
        assert _inherited_stats(conn) > 0
    finally:
        conn.execute("DROP TABLE IF EXISTS public.rev, public.rev_partitioned CASCADE")
        conn.execute("DELETE FROM part.migration")
        conn.execute("DROP OWNED BY rev_owner")
        conn.execute("DROP ROLE rev_owner")
