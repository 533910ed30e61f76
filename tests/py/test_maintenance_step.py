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
