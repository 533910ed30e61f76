"""The sync's per-statement fast paths (issue 9, part 2: dual write at the cost of writing both
tables), each a behaviour a test pins down:

* a mirrored INSERT into the partitioned copy is a plain INSERT (no upsert): the copy cannot have
  the keys the legacy table has just accepted, so a key planted in the copy behind the sync's back
  makes the application's INSERT fail with 23505 and nothing is written (the upsert silently
  overwrote the planted row); into the legacy table after the switch it stays an upsert;
* the guard's trigger names the table owner's oid, its shortcut for part's own writes (no catalog
  query per statement); an owner changed since is reported by verify until migrate_refresh, and
  the guard still refuses everyone else."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from test_security import as_role, roles  # noqa: F401  (the fixture `roles` is used by name)


def start(conn, rows: int = 60) -> None:
    conn.execute("CREATE TABLE public.rev (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL, amount int)")
    conn.execute("INSERT INTO public.rev (org_id, occurred_at, amount)"
                 " SELECT g %% 7, timestamptz '2026-06-01 00:00+00' + g * interval '1 day', g FROM generate_series(1, %s) g", (rows,))
    conn.execute("SELECT part.migrate_start('public.rev', 'occurred_at', 'range', '1 month')")
    conn.execute("CALL part.backfill('public.rev')")


def test_mirrored_insert_into_the_copy_is_a_plain_insert(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    start(conn)
    # a row planted in the copy behind the sync's back (the owner, with part.syncing on)
    with conn.transaction():
        conn.execute("SET LOCAL part.syncing = 'on'")
        conn.execute("INSERT INTO public.rev_partitioned (id, org_id, occurred_at, amount)"
                     " VALUES (1000, 1, timestamptz '2026-06-15 00:00+00', -1)")
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO public.rev (id, org_id, occurred_at, amount) VALUES (1000, 2, timestamptz '2026-06-15 00:00+00', 5)")
    assert conn.execute("SELECT count(*) FROM public.rev WHERE id = 1000").fetchone()[0] == 0
    assert conn.execute("SELECT amount FROM public.rev_partitioned WHERE id = 1000").fetchone()[0] == -1
    # every other insert is mirrored as before, single rows and many
    conn.execute("INSERT INTO public.rev (org_id, occurred_at, amount) VALUES (3, timestamptz '2026-07-02 00:00+00', 7)")
    conn.execute("INSERT INTO public.rev (org_id, occurred_at, amount)"
                 " SELECT 4, timestamptz '2026-05-01 00:00+00' + g * interval '5 hours', g FROM generate_series(1, 300) g")
    with conn.transaction():
        conn.execute("SET LOCAL part.syncing = 'on'")
        conn.execute("DELETE FROM public.rev_partitioned WHERE id = 1000")
    assert conn.execute("SELECT count(*) FILTER (WHERE status <> 'ok') FROM part.check_parity('public.rev', true)").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM public.rev").fetchone()[0] == 361


def test_mirrored_insert_into_the_legacy_table_after_the_switch_stays_an_upsert(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    start(conn)
    conn.execute("SELECT * FROM part.check_parity('public.rev')")
    assert conn.execute("SELECT part.switch_reads('public.rev')").fetchone()[0] == "partitioned"
    with conn.transaction():
        conn.execute("SET LOCAL part.syncing = 'on'")
        conn.execute("INSERT INTO public.rev_legacy (id, org_id, occurred_at, amount)"
                     " VALUES (1000, 1, timestamptz '2026-06-15 00:00+00', -1)")
    conn.execute("INSERT INTO public.rev (id, org_id, occurred_at, amount) VALUES (1000, 2, timestamptz '2026-06-15 00:00+00', 5)")
    assert conn.execute("SELECT amount FROM public.rev_legacy WHERE id = 1000").fetchone()[0] == 5


def _guard_args(conn) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute(
        "SELECT t.tgrelid::regclass::text, convert_from(substring(t.tgargs FROM 1 FOR length(t.tgargs) - 1), 'UTF8')"
        "  FROM pg_trigger t WHERE t.tgname = 'part_sync_guard' AND t.tgnargs = 1")}


def test_guard_names_the_owner_and_an_owner_change_is_reported_until_refreshed(fresh_db, connect, pg_server, roles):
    r = roles("owner", "other")
    conn = connect(fresh_db, autocommit=True)
    start(conn)
    me = conn.execute("SELECT oid::text FROM pg_roles WHERE rolname = current_user").fetchone()[0]
    assert _guard_args(conn) == {"rev": me, "rev_partitioned": me}
    for t in ("rev", "rev_partitioned"):
        conn.execute(sql.SQL("ALTER TABLE public.{} OWNER TO {}").format(sql.Identifier(t), sql.Identifier(r["owner"])))
    problems = conn.execute("SELECT part._sync_problems('public.rev')").fetchone()[0]
    assert "names another owner" in (problems or ""), problems
    conn.execute("SELECT part.migrate_refresh('public.rev')")
    owner = conn.execute("SELECT oid::text FROM pg_roles WHERE rolname = %s", (r["owner"],)).fetchone()[0]
    assert _guard_args(conn) == {"rev": owner, "rev_partitioned": owner}
    assert "names another owner" not in (conn.execute("SELECT part._sync_problems('public.rev')").fetchone()[0] or "")
    # the sync (now the new owner's) still writes the copy; another role with part.syncing on does not
    conn.execute("INSERT INTO public.rev (org_id, occurred_at, amount) VALUES (1, timestamptz '2026-06-20 00:00+00', 1)")
    conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON public.rev, public.rev_partitioned TO {}").format(sql.Identifier(r["other"])))
    with as_role(pg_server, fresh_db, r["other"]) as other:
        other.execute("SET part.syncing = on")
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
            other.execute("DELETE FROM public.rev_partitioned WHERE id = 1")
    assert conn.execute("SELECT count(*) FILTER (WHERE status <> 'ok') FROM part.check_parity('public.rev', true)").fetchone()[0] == 0


# The backfill marks the groups from a batch's smallest to its largest key (no group per row) --------

def _gapped(conn, months: list[str]) -> None:
    conn.execute("CREATE TABLE public.gap (id bigint PRIMARY KEY, occurred_at timestamptz NOT NULL, v int)")
    for i, m in enumerate(months):
        conn.execute("INSERT INTO public.gap SELECT %s * 10 + g, %s::timestamptz + g * interval '1 hour', g FROM generate_series(1, 3) g",
                     (i, m))
    conn.execute("SELECT part.migrate_start('public.gap', 'occurred_at', 'range', '1 month')")
    conn.execute("DELETE FROM part.parity_mark")
    conn.execute("CALL part.backfill('public.gap', p_check => false)")


def _marks(conn) -> list[str]:
    return [r[0] for r in conn.execute("SELECT DISTINCT grp FROM part.parity_mark WHERE table_name = 'public.gap' ORDER BY 1")]


def test_backfill_marks_every_group_between_a_batchs_smallest_and_largest_key(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    _gapped(conn, ["2026-01-10 00:00+00", "2026-04-10 00:00+00"])
    # February and March hold no row: marked too (re-hashed once more by the next check)
    assert _marks(conn) == ["2026-01-01 00:00:00", "2026-02-01 00:00:00", "2026-03-01 00:00:00", "2026-04-01 00:00:00"]
    assert conn.execute("SELECT count(*) FILTER (WHERE status <> 'ok') FROM part.check_parity('public.gap')").fetchone()[0] == 0
    assert _marks(conn) == []


def test_backfill_marks_only_the_groups_of_its_rows_when_they_span_more_than_64(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    _gapped(conn, ["2019-01-10 00:00+00", "2026-04-10 00:00+00"])
    assert _marks(conn) == ["2019-01-01 00:00:00", "2026-04-01 00:00:00"]
    assert conn.execute("SELECT count(*) FILTER (WHERE status <> 'ok') FROM part.check_parity('public.gap', true)").fetchone()[0] == 0


# The backfill's batches commit without waiting for the WAL flush; the call returns flushed ---------

def test_backfill_batches_commit_asynchronously_only_inside_the_call(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.rev (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL, amount int)")
    conn.execute("INSERT INTO public.rev (org_id, occurred_at, amount)"
                 " SELECT g % 7, timestamptz '2026-06-01 00:00+00' + g * interval '1 day', g FROM generate_series(1, 60) g")
    conn.execute("SELECT part.migrate_start('public.rev', 'occurred_at', 'range', '1 month')")
    # what each batch's transaction runs with, seen by a row trigger on the copy
    conn.execute("CREATE TABLE public.seen (setting text)")
    conn.execute("CREATE FUNCTION public.note() RETURNS trigger LANGUAGE plpgsql AS"
                 " $$BEGIN INSERT INTO public.seen VALUES (current_setting('synchronous_commit')); RETURN NULL; END$$")
    conn.execute("CREATE TRIGGER note AFTER INSERT ON public.rev_partitioned FOR EACH ROW EXECUTE FUNCTION public.note()")
    conn.execute("CALL part.backfill('public.rev', 20, p_max_batches => 2, p_check => false)")
    assert [r[0] for r in conn.execute("SELECT DISTINCT setting FROM public.seen")] == ["off"]
    assert conn.execute("SHOW synchronous_commit").fetchone()[0] == "on"
    # inside the caller's transaction (p_commit => false) its commit is the caller's: untouched
    conn.execute("TRUNCATE public.seen")
    with conn.transaction():
        conn.execute("CALL part.backfill('public.rev', 20, p_check => false, p_commit => false)")
    assert [r[0] for r in conn.execute("SELECT DISTINCT setting FROM public.seen")] == ["on"]
    assert conn.execute("SELECT count(*) FROM public.rev_partitioned").fetchone()[0] == 60
    conn.execute("DROP TRIGGER note ON public.rev_partitioned")
    assert conn.execute("SELECT count(*) FILTER (WHERE status <> 'ok') FROM part.check_parity('public.rev', true)").fetchone()[0] == 0
