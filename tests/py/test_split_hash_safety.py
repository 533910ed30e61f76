"""split_hash of a migration's copy, and split_hash left half done (issue 8, items 6 and 8).

* Item 6: after part.split_hash grows the hash copy of a migration, the sync
  must mark parity groups by the new partition count, so that an incremental
  part.check_parity re-hashes the range a write really touched.
* Item 8: a split_hash killed (or stopped by an error) after it made its split
  tables and capture trigger leaves them behind; part.verify() must fail and
  say what to run, and running it converges (finish or abandon).
"""

from __future__ import annotations

import psycopg
import pytest


def _hash_migration(conn, rows: int = 2000, partitions: int = 4) -> None:
    conn.execute("CREATE TABLE public.bal (id bigint PRIMARY KEY, org_id int NOT NULL, amount bigint NOT NULL)")
    conn.execute("INSERT INTO public.bal SELECT g, g %% 300, 0 FROM generate_series(1, %s) g", (rows,))
    conn.execute("SELECT part.migrate_start('public.bal', 'org_id', 'hash', p_partitions => %s)", (partitions,))
    conn.execute("CALL part.backfill('public.bal')")


def _org_moving_remainder(conn, table: str, old: int, new: int) -> tuple[int, int]:
    """An org_id of the table whose remainder of `new` is not its remainder of `old`."""
    return conn.execute(
        "SELECT o, r FROM generate_series(0, 299) o, generate_series(0, %s - 1) r"
        " WHERE satisfies_hash_partition(%s::regclass::oid, %s, r, o) AND r >= %s ORDER BY o LIMIT 1",
        (new, table, new, old),
    ).fetchone()


def test_parity_marks_use_the_new_count_after_split_hash_of_the_copy(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    _hash_migration(conn)
    assert conn.execute("SELECT count(*) FROM part.check_parity('public.bal') WHERE status = 'ok'").fetchone()[0] == 4
    conn.execute("CALL part.split_hash('public.bal_partitioned', 8)")
    # the partition count changed: a full check over the 8 remainders
    rows = conn.execute("SELECT range_from, status FROM part.check_parity('public.bal')").fetchall()
    assert sorted(int(r[0]) for r in rows) == list(range(8)) and {r[1] for r in rows} == {"ok"}

    org, remainder = _org_moving_remainder(conn, "public.bal_partitioned", 4, 8)
    conn.execute("UPDATE public.bal SET amount = amount + 1 WHERE org_id = %s", (org,))
    rehashed = conn.execute(
        "SELECT range_from FROM part.check_parity('public.bal') WHERE rehashed ORDER BY 1"
    ).fetchall()
    # the write touched remainder `remainder` of 8 (its remainder of 4 is remainder - 4)
    assert rehashed == [(str(remainder),)]

    # the same after the switch: writes now go to the partitioned table, mirrored back
    conn.execute("SELECT part.switch_reads('public.bal')")
    conn.execute("UPDATE public.bal SET amount = amount + 1 WHERE org_id = %s", (org,))
    rehashed = conn.execute(
        "SELECT range_from FROM part.check_parity('public.bal') WHERE rehashed ORDER BY 1"
    ).fetchall()
    assert rehashed == [(str(remainder),)]
    assert conn.execute("SELECT count(*) FROM part.parity_diff('public.bal')").fetchone()[0] == 0


def test_parity_marks_after_a_split_of_the_switched_table(fresh_db, connect):
    """split_hash of the application's table after the switch (the copy took its name)."""
    conn = connect(fresh_db, autocommit=True)
    _hash_migration(conn)
    conn.execute("SELECT part.check_parity('public.bal')")
    conn.execute("SELECT part.switch_reads('public.bal')")
    conn.execute("CALL part.split_hash('public.bal', 8)")
    conn.execute("SELECT part.check_parity('public.bal')")
    org, remainder = _org_moving_remainder(conn, "public.bal", 4, 8)
    conn.execute("DELETE FROM public.bal WHERE id = (SELECT min(id) FROM public.bal WHERE org_id = %s)", (org,))
    rehashed = conn.execute(
        "SELECT range_from FROM part.check_parity('public.bal') WHERE rehashed ORDER BY 1"
    ).fetchall()
    assert rehashed == [(str(remainder),)]


def _hash_table(conn, partitions: int = 4, rows: int = 3000) -> None:
    conn.execute("CREATE TABLE public.dcb (id bigint NOT NULL, org_id int NOT NULL, PRIMARY KEY (id, org_id))"
                 " PARTITION BY HASH (org_id)")
    conn.execute("SELECT part.create_partitioned('public.dcb', 'org_id', 'hash', p_partitions => %s)", (partitions,))
    conn.execute("INSERT INTO public.dcb SELECT g, g %% 211 FROM generate_series(1, %s) g", (rows,))


def _leftovers(conn) -> tuple[int, int]:
    tables = conn.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'dcb\\_split\\_%%'").fetchone()[0]
    triggers = conn.execute(
        "SELECT count(*) FROM pg_trigger WHERE tgname IN ('part_split_capture', 'part_split_capture_truncate')"
    ).fetchone()[0]
    return tables, triggers


def _split_check(conn) -> tuple[str, str]:
    return conn.execute(
        "SELECT status, detail FROM part.verify() WHERE check_name = 'partitions_ahead' AND table_name = 'public.dcb'"
    ).fetchone()


def _kill_split_after_copy(conn, connect, db) -> None:
    """Run CALL part.split_hash('public.dcb', 8) and kill it in the locked step of its first old
    partition (after it made the split tables, the capture trigger and copied the rows)."""
    holder = connect(db)
    holder.execute("SELECT count(*) FROM public.dcb_0")  # ACCESS SHARE on dcb_0 until rollback
    worker = connect(db, autocommit=True)
    pid = worker.info.backend_pid
    import threading

    failure: list[BaseException] = []

    def run():
        try:
            worker.execute("SET part.lock_wait = '60 s'")
            worker.execute("CALL part.split_hash('public.dcb', 8)")
        except BaseException as e:  # noqa: BLE001 - the kill is expected
            failure.append(e)

    t = threading.Thread(target=run)
    t.start()
    admin = connect(db, autocommit=True)
    for _ in range(600):   # the copy of dcb_0 is committed: the locked step waits for the holder
        copied = admin.execute(
            "SELECT count(*) FROM pg_class WHERE relname IN ('dcb_split_0', 'dcb_split_4')").fetchone()[0] == 2 \
            and admin.execute("SELECT (SELECT count(*) FROM public.dcb_split_0) + (SELECT count(*) FROM public.dcb_split_4)"
                              " = (SELECT count(*) FROM public.dcb_0)").fetchone()[0]
        if copied:
            break
        t.join(0.05)
    t.join(0.3)
    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    t.join(30)
    holder.rollback()
    assert failure, "the split should have been killed"


def test_verify_fails_on_a_split_killed_after_copying_and_a_rerun_finishes_it(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    _hash_table(conn)
    assert _split_check(conn)[0] == "ok"
    _kill_split_after_copy(conn, connect, fresh_db)
    assert _leftovers(conn) == (2, 2)          # split tables of remainder 0 (0 and 4), capture triggers on dcb_0
    status, detail = _split_check(conn)
    assert status == "fail"
    assert "CALL part.split_hash('public.dcb', 8)" in detail
    assert "CALL part.split_hash('public.dcb', 4)" in detail
    # writes go on meanwhile and are logged for the split
    conn.execute("INSERT INTO public.dcb SELECT g, g % 211 FROM generate_series(3001, 3100) g")
    conn.execute("CALL part.split_hash('public.dcb', 8)")
    assert _leftovers(conn) == (0, 0)
    assert _split_check(conn)[0] == "ok"
    assert conn.execute("SELECT count(*), count(DISTINCT id) FROM public.dcb").fetchone() == (3100, 3100)
    assert conn.execute("SELECT count(*) FROM part.split_log").fetchone()[0] == 0


def test_a_split_killed_after_copying_can_be_abandoned(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    _hash_table(conn)
    _kill_split_after_copy(conn, connect, fresh_db)
    conn.execute("CALL part.split_hash('public.dcb', 4)")     # the count it has: abandon the split
    assert _leftovers(conn) == (0, 0)
    assert conn.execute("SELECT count(*) FROM part.split_log").fetchone()[0] == 0
    assert _split_check(conn)[0] == "ok"
    assert conn.execute("SELECT count(*) FROM part.partitions WHERE parent_table = 'public.dcb'").fetchone()[0] == 4
    assert conn.execute("SELECT count(*) FROM public.dcb").fetchone()[0] == 3000


def test_split_of_a_table_a_foreign_key_references_is_refused_before_anything(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    _hash_table(conn)
    conn.execute("CREATE TABLE public.dcb_ref (id bigint, org_id int, FOREIGN KEY (id, org_id) REFERENCES public.dcb)")
    conn.execute("INSERT INTO public.dcb_ref SELECT id, org_id FROM public.dcb WHERE id % 10 = 0")
    with pytest.raises(psycopg.errors.FeatureNotSupported) as err:
        conn.execute("CALL part.split_hash('public.dcb', 8)")
    assert "public.dcb_ref" in err.value.diag.message_primary
    assert err.value.diag.message_hint
    assert _leftovers(conn) == (0, 0)
    assert _split_check(conn)[0] == "ok"
    assert conn.execute("SELECT count(*) FROM part.partitions WHERE parent_table = 'public.dcb'").fetchone()[0] == 4
