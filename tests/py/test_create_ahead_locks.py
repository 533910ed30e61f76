"""How long creating many partitions holds a table's writers (issue 8, item 13).

On a table with a default partition, every partition part makes holds the
table's writers (EXCLUSIVE on the parent) until the transaction ends. So:
  * run_maintenance makes them one per transaction: an event trigger records
    the top-level transaction of every CREATE TABLE, and there are as many
    transactions as partitions made;
  * a direct create_ahead call makes at most 20 of them and says, in a
    WARNING with a HINT, how many it left for run_maintenance;
  * tables without a default partition (their writers never wait for a
    creation) and the first partitions of create_partitioned, made in the
    transaction that created the default partition, get all theirs at once.
Also: a part.lock_wait that is not an interval is one clear error.
"""

from __future__ import annotations

import threading

import psycopg
import pytest

TABLE = (
    "CREATE TABLE public.stays (id bigserial, org_id int NOT NULL, day timestamptz NOT NULL,"
    " PRIMARY KEY (id, day)) PARTITION BY RANGE (day)"
)


def _ddl_log(conn):
    """Record the top-level transaction of every CREATE TABLE (event triggers see DDL run by functions)."""
    conn.execute("CREATE TABLE public.ddl_log (xid bigint NOT NULL, tag text NOT NULL)")
    conn.execute(
        "CREATE FUNCTION public.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$"
        " BEGIN INSERT INTO public.ddl_log VALUES (txid_current(), tg_tag); END $$"
    )
    conn.execute(
        "CREATE EVENT TRIGGER log_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION public.log_ddl()"
    )


def _partitions(conn) -> int:
    return conn.execute(
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.stays'::regclass"
        " AND inhrelid <> (SELECT partdefid FROM pg_partitioned_table WHERE partrelid = 'public.stays'::regclass)"
    ).fetchone()[0]


def test_run_maintenance_makes_one_partition_per_transaction_with_a_default(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(TABLE)
    conn.execute("SELECT part.create_partitioned('public.stays', 'day', 'range', '1 day', p_premake => 2)")
    assert _partitions(conn) == 3
    conn.execute("UPDATE part.config SET premake = 40 WHERE parent_table = 'public.stays'")
    _ddl_log(conn)
    conn.execute("CALL part.run_maintenance()")
    assert _partitions(conn) == 41
    made, transactions = conn.execute("SELECT count(*), count(DISTINCT xid) FROM public.ddl_log").fetchone()
    # each partition is a CREATE TABLE in a transaction of its own (on main: 38 in one)
    assert made == 38
    assert transactions == 38
    logged = conn.execute(
        "SELECT count(*) FROM part.maintenance_log WHERE action = 'create' AND outcome = 'ok'"
        " AND parent_table = 'public.stays'"
    ).fetchone()[0]
    assert logged == 38 + 3 - 3  # the 38 of this run (create_partitioned's 3 are not maintenance's)
    summary = conn.execute(
        "SELECT detail FROM part.maintenance_log WHERE action = 'run' ORDER BY id DESC LIMIT 1"
    ).fetchone()[0]
    assert "38 partitions created" in summary


def test_run_maintenance_without_a_default_makes_them_in_one_transaction(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(TABLE)
    conn.execute(
        "SELECT part.create_partitioned('public.stays', 'day', 'range', '1 day', p_premake => 2,"
        " p_default_partition => false)"
    )
    conn.execute("UPDATE part.config SET premake = 40 WHERE parent_table = 'public.stays'")
    _ddl_log(conn)
    conn.execute("CALL part.run_maintenance()")
    assert _partitions(conn) == 41
    made, transactions = conn.execute("SELECT count(*), count(DISTINCT xid) FROM public.ddl_log").fetchone()
    assert (made, transactions) == (38, 1)


def test_create_ahead_makes_at_most_20_with_a_default_and_says_what_is_left(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(TABLE)
    conn.execute("SELECT part.create_partitioned('public.stays', 'day', 'range', '1 day', p_premake => 0)")
    warnings = []
    # a notice's Diagnostic is valid only inside the handler: keep its texts
    conn.add_notice_handler(
        lambda d: warnings.append((d.message_primary, d.message_hint)) if d.severity_nonlocalized == "WARNING" else None
    )
    made = [r[0] for r in conn.execute("SELECT * FROM part.create_ahead(50, 'public.stays')")]
    assert len(made) == 20
    assert _partitions(conn) == 21
    # the nearest intervals first: no gap after today's partition
    gaps = conn.execute(
        "SELECT count(*) FROM part.partitions p WHERE p.parent_table = 'public.stays' AND NOT p.is_default"
        " AND NOT EXISTS (SELECT 1 FROM part.partitions q WHERE q.parent_table = p.parent_table"
        "                  AND q.from_time = p.to_time)"
    ).fetchone()[0]
    assert gaps == 1  # only the last one has no successor
    assert len(warnings) == 1
    message, hint = warnings[0]
    assert "created 20 partitions of public.stays" in message
    assert "30 more are due" in message
    assert "CALL part.run_maintenance('public.stays')" in hint
    # a second call makes the next 20, a third the last 10 with no warning
    warnings.clear()
    assert len(conn.execute("SELECT * FROM part.create_ahead(50, 'public.stays')").fetchall()) == 20
    assert len(conn.execute("SELECT * FROM part.create_ahead(50, 'public.stays')").fetchall()) == 10
    assert len(warnings) == 1 and "10 more are due" in warnings[0][0]
    assert conn.execute("SELECT * FROM part.create_ahead(50, 'public.stays')").fetchall() == []


def test_create_ahead_without_a_default_and_create_partitioned_make_all(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(TABLE)
    conn.execute(
        "SELECT part.create_partitioned('public.stays', 'day', 'range', '1 day', p_premake => 0,"
        " p_default_partition => false)"
    )
    assert len(conn.execute("SELECT * FROM part.create_ahead(50, 'public.stays')").fetchall()) == 50
    conn.execute(TABLE.replace("public.stays", "public.nights"))
    # create_partitioned makes the default partition in its own transaction: nobody waits on a table
    # whose default partition did not exist before, so all its first partitions come at once
    made = conn.execute(
        "SELECT * FROM part.create_partitioned('public.nights', 'day', 'range', '1 day', p_premake => 50)"
    ).fetchall()
    assert len(made) == 1 + 51


def test_partitions_made_before_are_committed_while_the_next_is_made(fresh_db, connect, dsn_factory):
    """Writers wait for one creation, not for the whole run: an advisory
    lock taken by an event trigger on the 3rd CREATE TABLE pauses the run right after it, with
    the 3rd partition's transaction open; the writer must then be waiting on the table's lock
    while partitions 1 and 2 are committed (visible to another session)."""
    conn = connect(fresh_db, autocommit=True)
    conn.execute(TABLE)
    conn.execute("SELECT part.create_partitioned('public.stays', 'day', 'range', '1 day', p_premake => 0)")
    conn.execute("UPDATE part.config SET premake = 10 WHERE parent_table = 'public.stays'")
    conn.execute("CREATE SEQUENCE public.ddl_seen")
    conn.execute(
        "CREATE FUNCTION public.pause_on_third() RETURNS event_trigger LANGUAGE plpgsql AS $$"
        " BEGIN IF nextval('public.ddl_seen') = 3 THEN PERFORM pg_advisory_xact_lock_shared(42); END IF; END $$"
    )
    conn.execute(
        "CREATE EVENT TRIGGER pause_on_third ON ddl_command_end WHEN TAG IN ('CREATE TABLE')"
        " EXECUTE FUNCTION public.pause_on_third()"
    )
    gate = connect(fresh_db, autocommit=False)
    gate.execute("SELECT pg_advisory_xact_lock(42)")  # held: the 3rd creation waits for it
    errors = []

    def maintain():
        try:
            with psycopg.connect(dsn_factory(fresh_db), autocommit=True) as c:
                c.execute("CALL part.run_maintenance()")
        except BaseException as exc:  # asserted below
            errors.append(exc)

    t = threading.Thread(target=maintain, daemon=True)
    t.start()
    watcher = connect(fresh_db, autocommit=True)
    watcher.execute("SET statement_timeout = '60s'")
    # wait until the run sits on the gate
    watcher.execute(
        "DO $$ BEGIN WHILE NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 42"
        " AND NOT granted) LOOP PERFORM pg_sleep(0.02); END LOOP; END $$"
    )
    # partitions 1 and 2 are committed: another session sees them
    assert _partitions(watcher) == 3  # today's (from create_partitioned) and the first two of the run
    gate.rollback()
    t.join(timeout=120)
    assert not errors, errors
    assert _partitions(watcher) == 11


def test_bad_lock_wait_is_one_clear_error(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(TABLE)
    conn.execute("SELECT part.create_partitioned('public.stays', 'day', 'range', '1 day', p_premake => 0)")
    for bad in ("soon", "-1 s", "2 days", "99999999999 years"):
        conn.execute("SELECT set_config('part.lock_wait', %s, false)", (bad,))
        with pytest.raises(psycopg.errors.InvalidParameterValue) as e:
            conn.execute("SELECT * FROM part.create_ahead(1, 'public.stays')")
        assert f'invalid part.lock_wait "{bad}"' in str(e.value)
        assert "SET part.lock_wait" in e.value.diag.message_hint
    conn.execute("RESET part.lock_wait")
    assert _partitions(conn) == 1
    assert len(conn.execute("SELECT * FROM part.create_ahead(1, 'public.stays')").fetchall()) == 1
