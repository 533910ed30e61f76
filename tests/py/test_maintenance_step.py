"""part._maintenance_step, the one step of one kind for one table that
part.run_maintenance loops over: what it returns (counts, partitions made,
more to do), the log rows it writes, and one clear error for a bad kind."""

from __future__ import annotations

import psycopg
import pytest


def test_create_step_makes_one_partition_per_call_and_says_more(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute("SELECT part.create_partitioned('public.ev', 'at', 'range', '1 day', p_premake => 3)")
    # drop every partition but the default one: several are missing now
    for (name,) in conn.execute(
            "SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'public.ev'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'").fetchall():
        conn.execute(f"DROP TABLE {name}")
    assert conn.execute("SELECT count(*) FROM pg_partitioned_table WHERE partrelid = 'public.ev'::regclass "
                        "AND partdefid <> 0").fetchone()[0] == 1
    steps = []
    for _ in range(20):
        r = conn.execute("SELECT created, drained, moved, retired, made, more "
                         "FROM part._maintenance_step(-1, 'public.ev'::regclass, 'public.ev', 'create', true)").fetchone()
        steps.append(r)
        if not r[5]:
            break
    made = [s for s in steps if s[0] > 0]
    assert len(made) >= 4                                          # today and 3 ahead, one per call
    assert all(s[0] == 1 and len(s[4]) == 1 and s[5] for s in made)  # one partition per step, and more to do
    assert steps[-1][0] == 0 and steps[-1][5] is False             # the last call found nothing left
    logged = conn.execute("SELECT partition_name FROM part.maintenance_log "
                          "WHERE run_id = -1 AND action = 'create' AND outcome = 'ok' ORDER BY id").fetchall()
    assert [x[0] for x in logged] == [s[4][0] for s in made]


def test_retire_step_with_nothing_to_retire_returns_zero(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev2 (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute("SELECT part.create_partitioned('public.ev2', 'at', 'range', '1 day', p_retention => '30 days')")
    r = conn.execute("SELECT created, drained, moved, retired, made, more "
                     "FROM part._maintenance_step(-2, 'public.ev2'::regclass, 'public.ev2', 'retire')").fetchone()
    assert r == (0, 0, 0, 0, [], False)


def test_unknown_kind_is_one_clear_error(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev3 (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute("SELECT part.create_partitioned('public.ev3', 'at', 'range', '1 day')")
    with pytest.raises(psycopg.Error) as e:
        conn.execute("SELECT * FROM part._maintenance_step(-3, 'public.ev3'::regclass, 'public.ev3', 'vacuum')")
    assert e.value.sqlstate == "22023"
    assert "create, drain, split, retire" in e.value.diag.message_hint
    assert conn.execute("SELECT count(*) FROM part.maintenance_log WHERE run_id = -3").fetchone()[0] == 0


def _table_with_missing_days(conn, name: str) -> list[str]:
    """A daily table with a default partition and premake 3 whose partitions were all dropped but
    the default: part._maintenance_plan's missing intervals (nearest first)."""
    conn.execute(f"CREATE TABLE public.{name} (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute(f"SELECT part.create_partitioned('public.{name}', 'at', 'range', '1 day', p_premake => 3)")
    for (part_name,) in conn.execute(
            "SELECT c.oid::regclass::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            f"WHERE i.inhparent = 'public.{name}'::regclass AND pg_get_expr(c.relpartbound, c.oid) <> 'DEFAULT'").fetchall():
        conn.execute(f"DROP TABLE {part_name}")
    missing = conn.execute(f"SELECT missing FROM part._maintenance_plan('public.{name}'::regclass)").fetchone()[0]
    assert len(missing) == 4   # today and 3 ahead
    return missing


def _calls(conn) -> dict:
    """How many times this transaction called part._create_ahead and part._create_range_partition."""
    return dict(conn.execute("SELECT funcname, calls FROM pg_stat_xact_user_functions WHERE schemaname = 'part'"
                             " AND funcname IN ('_create_ahead', '_create_range_partition')").fetchall())


def _bounds(conn, name: str) -> list[tuple[str, str]]:
    return conn.execute(
        "SELECT bound_from, bound_to FROM part._partition_bounds(%s::regclass) WHERE NOT is_default ORDER BY bound_from",
        (f"public.{name}",)).fetchall()


def test_create_step_given_the_plan_makes_each_planned_interval_and_no_empty_last_step(fresh_db, connect):
    """With the plan's missing intervals (what run_maintenance passes), each call makes the planned
    interval itself, without a pass of part._create_ahead over the table, and says `more` only
    while intervals are left: no last call that finds nothing (each call is a transaction of
    run_maintenance)."""
    conn = connect(fresh_db)   # one transaction: pg_stat_xact_user_functions counts the calls in it
    conn.execute("SET LOCAL track_functions = 'all'")
    missing = _table_with_missing_days(conn, "evp")
    before = _calls(conn)   # create_partitioned's own
    steps = []
    for i in range(1, 10):
        r = conn.execute("SELECT created, made, more FROM part._maintenance_step(-4, 'public.evp'::regclass, 'public.evp',"
                         " 'create', true, %s, %s)", (missing, i)).fetchone()
        steps.append(r)
        if not r[2]:
            break
    assert [s[0] for s in steps] == [1, 1, 1, 1]                 # one partition per call, four calls
    assert [s[2] for s in steps] == [True, True, True, False]    # the fourth says nothing is left
    assert [b[0] for b in _bounds(conn, "evp")] == missing       # exactly the planned intervals
    after = _calls(conn)
    assert {k: after.get(k, 0) - before.get(k, 0) for k in after} == {"_create_ahead": 0, "_create_range_partition": 4}, (before, after)
    logged = conn.execute("SELECT partition_name FROM part.maintenance_log "
                          "WHERE run_id = -4 AND action = 'create' AND outcome = 'ok' ORDER BY id").fetchall()
    assert [x[0] for x in logged] == [s[1][0] for s in steps]
    conn.rollback()


def test_create_step_falls_back_when_the_planned_interval_was_made_meanwhile(fresh_db, connect):
    """The plan was read at the start of the run: an interval made since (create_ahead in another
    session) is not made twice, and the call goes on with what is still missing."""
    conn = connect(fresh_db, autocommit=True)
    missing = _table_with_missing_days(conn, "evm")
    # the first two planned intervals are made by someone else after the plan was read
    conn.execute("SELECT count(*) FROM part._create_ahead(1, 'public.evm'::regclass, NULL, false)")
    assert [b[0] for b in _bounds(conn, "evm")] == missing[:2]
    r = conn.execute("SELECT created, made, more FROM part._maintenance_step(-5, 'public.evm'::regclass, 'public.evm',"
                     " 'create', true, %s, 1)", (missing,)).fetchone()
    assert r[0] == 1 and r[2] is True                              # fell back: made the next missing one
    for i in range(2, 10):
        r = conn.execute("SELECT created, made, more FROM part._maintenance_step(-5, 'public.evm'::regclass, 'public.evm',"
                         " 'create', true, %s, %s)", (missing, i)).fetchone()
        if not r[2]:
            break
    assert [b[0] for b in _bounds(conn, "evm")] == missing         # each once, nothing overlapping


def test_create_step_falls_back_to_log_an_interval_a_partition_overlaps(fresh_db, connect):
    """A partition made by hand over part of a planned interval (not over the point the plan looked
    at): the planned creation cannot be done, and the call falls back to part._create_ahead, which
    logs the interval as skipped and names the partition in the way, as it did before."""
    conn = connect(fresh_db, autocommit=True)
    missing = _table_with_missing_days(conn, "evo")
    # half of the day after tomorrow, the half without now's time of day (the plan still lists it)
    conn.execute("""DO $$
    DECLARE
        d timestamptz := date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '2 days';
        half boolean := now() - date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' < interval '12 hours';
    BEGIN
        EXECUTE format('CREATE TABLE public.evo_by_hand PARTITION OF public.evo FOR VALUES FROM (%L) TO (%L)',
                       CASE WHEN half THEN d + interval '12 hours' ELSE d END,
                       CASE WHEN half THEN d + interval '1 day' ELSE d + interval '12 hours' END);
    END $$""")
    assert conn.execute("SELECT missing FROM part._maintenance_plan('public.evo'::regclass)").fetchone()[0] == missing
    made = []
    for i in range(1, 10):
        r = conn.execute("SELECT created, made, more FROM part._maintenance_step(-6, 'public.evo'::regclass, 'public.evo',"
                         " 'create', true, %s, %s)", (missing, i)).fetchone()
        made += r[1]
        if not r[2]:
            break
    froms = [b[0] for b in _bounds(conn, "evo")]
    assert all(m in froms for m in missing[:2] + missing[3:])      # the others were made
    assert len(made) == 3
    skipped = conn.execute("SELECT detail FROM part.maintenance_log WHERE action = 'create' AND outcome = 'skipped'"
                           " AND parent_table = 'public.evo'").fetchall()
    assert len(skipped) >= 1 and "evo_by_hand" in skipped[0][0], skipped


def test_rows_waiting_in_the_default_of_a_table_foreign_keys_reference_are_refused(fresh_db, connect):
    """_create_range_partition finds the foreign keys that reference the table or its default
    partition (through pg_depend's index): with rows of the new range waiting in the default it
    refuses, naming them; with none waiting it creates the partition."""
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.evf (id bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)")
    conn.execute("SELECT part.create_partitioned('public.evf', 'at', 'range', '1 day', p_premake => 1)")
    conn.execute("CREATE TABLE public.evf_ref (id bigint, at timestamptz, CONSTRAINT evf_ref_fk FOREIGN KEY (id, at) REFERENCES public.evf)")
    # a row 5 days ahead lands in the default partition
    conn.execute("INSERT INTO public.evf VALUES (1, date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '5 days 1 hour')")
    d5 = conn.execute("SELECT part._range_floor(part._literal((now() AT TIME ZONE 'UTC') + interval '5 days', 'timestamptz'::regtype), 'timestamptz', '1 day', 'UTC')").fetchone()[0]
    d6 = conn.execute("SELECT part._range_next(%s, 'timestamptz', '1 day', 'UTC')", (d5,)).fetchone()[0]
    with pytest.raises(psycopg.Error) as e:
        conn.execute("SELECT part._create_range_partition('public.evf'::regclass, %s, %s)", (d5, d6))
    assert e.value.sqlstate == "55000"
    assert "evf_ref_fk" in e.value.diag.message_primary and "foreign keys" in e.value.diag.message_primary
    # the next day holds no waiting row: made despite the foreign key
    d7 = conn.execute("SELECT part._range_next(%s, 'timestamptz', '1 day', 'UTC')", (d6,)).fetchone()[0]
    assert conn.execute("SELECT part._create_range_partition('public.evf'::regclass, %s, %s)", (d6, d7)).fetchone()[0]
    assert conn.execute("SELECT count(*) FROM ONLY public.evf_default").fetchone()[0] == 1
