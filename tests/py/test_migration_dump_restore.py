"""pg_dump / restore of a database in the middle of a migration: the generated
sync functions and triggers are dumped with the user's schema (not as part of
the extension), the migration state comes back with part's catalogs, and the
restored database goes on mirroring and switches."""

import subprocess

COLUMNS = "id, org_id, occurred_at, amount"


def test_restored_migration_keeps_syncing_and_switches(make_db, connect, pg_server):
    src = make_db("extension")
    conn = connect(src, autocommit=True)
    conn.execute("CREATE TABLE public.revenues (id bigserial PRIMARY KEY, org_id int NOT NULL,"
                 " occurred_at timestamptz NOT NULL, amount numeric(12,2))")
    conn.execute("INSERT INTO public.revenues (org_id, occurred_at, amount)"
                 " SELECT g % 5, timestamptz '2025-01-01' + g * interval '5 hours', g FROM generate_series(1, 2000) g")
    conn.execute("SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 0)")
    conn.execute("CALL part.backfill('public.revenues', 500, p_max_batches => 2)")  # half way
    conn.execute("UPDATE public.revenues SET amount = -1 WHERE id = 1900")          # mirrored, marked

    dump = subprocess.run(
        ["pg_dump", "--no-owner", "-h", pg_server.host, "-p", str(pg_server.port), "-U", pg_server.user, src],
        capture_output=True, text=True, check=True,
    ).stdout
    assert "CREATE FUNCTION public.revenues_sync_to_partitioned()" in dump
    dst = make_db("empty")
    restored = subprocess.run(
        ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-q", "-h", pg_server.host, "-p", str(pg_server.port),
         "-U", pg_server.user, "-d", dst],
        input=dump, capture_output=True, text=True,
    )
    assert restored.returncode == 0, restored.stderr

    out = connect(dst, autocommit=True)
    assert out.execute("SELECT phase, backfill_rows, backfill_last_key FROM part.migration").fetchone() == (
        "dual_write", 1000, "1000")
    # restoring the data did not go through the sync: the copy holds what it held
    assert out.execute("SELECT count(*) FROM public.revenues_partitioned").fetchone()[0] == 1001
    out.execute("INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (1, '2025-02-02', 5)")
    assert out.execute("SELECT count(*) FROM public.revenues_partitioned WHERE amount = 5 AND occurred_at = '2025-02-02'"
                       ).fetchone()[0] == 1
    out.execute("CALL part.backfill('public.revenues', 500)")  # resumes after the restored position
    assert out.execute("SELECT part.phase('public.revenues')").fetchone()[0] == "backfilled"
    assert out.execute("SELECT part.switch_reads('public.revenues')").fetchone()[0] == "partitioned"
    only = out.execute(
        f"SELECT count(*) FROM ((SELECT {COLUMNS} FROM public.revenues EXCEPT SELECT {COLUMNS} FROM public.revenues_legacy)"
        f" UNION ALL (SELECT {COLUMNS} FROM public.revenues_legacy EXCEPT SELECT {COLUMNS} FROM public.revenues)) d"
    ).fetchone()[0]
    assert only == 0


def test_drop_extension_refuses_while_a_migration_syncs(make_db, connect):
    import psycopg
    import pytest

    db = make_db("extension")
    conn = connect(db, autocommit=True)
    conn.execute("CREATE TABLE public.events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL)")
    conn.execute("SELECT part.migrate_start('public.events', 'created_at', 'range', '1 day')")
    with pytest.raises(psycopg.errors.DependentObjectsStillExist):
        conn.execute("DROP EXTENSION part")
    conn.execute("DROP EXTENSION part CASCADE")  # takes the sync triggers with it: writes go on
    conn.execute("INSERT INTO public.events VALUES (1, now())")
    assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'part_sync_%'").fetchone()[0] == 0
