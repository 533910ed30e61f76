"""Concurrent calls on the same object, with real sessions: the second call waits for the
first and then finds its work done (moving to the phase a table is already in is a no-op
success), instead of failing with a hint about a relation or a config row it misread."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest

from test_maintenance import make_table, month


def backfilled(conn) -> None:
    conn.execute("CREATE TABLE public.revenues (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL)")
    conn.execute("INSERT INTO public.revenues (org_id, occurred_at)"
                 " SELECT g % 5, timestamptz '2025-01-01' + g * interval '5 hours' FROM generate_series(1, 500) g")
    conn.execute("SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 0)")
    conn.execute("CALL part.backfill('public.revenues')")
    assert conn.execute("SELECT part.phase('public.revenues')").fetchone()[0] == "backfilled"


def second_call(connect, db: str, statement: str, first: psycopg.Connection):
    """Run `statement` in another session while `first` holds its transaction open; commit `first`
    once the second session is running it; return (rows or exception, notices) of the second."""
    other = connect(db, autocommit=True)
    pid = other.execute("SELECT pg_backend_pid()").fetchone()[0]
    notices: list[str] = []
    other.add_notice_handler(lambda d: notices.append(d.message_primary))
    out: list = []

    def run():
        try:
            out.append(other.execute(statement).fetchall())
        except psycopg.Error as e:
            out.append(e)

    t = threading.Thread(target=run)
    t.start()
    watcher = connect(db, autocommit=True)
    while not watcher.execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = %s AND state = 'active')",
                              (pid,)).fetchone()[0]:
        time.sleep(0.02)
    first.commit()
    t.join()
    return out[0], notices


@pytest.mark.parametrize("call, phase", [("switch_reads", "partitioned"), ("rollback", "backfilled")])
def test_two_phase_changes_at_once(fresh_db, connect, call, phase):
    setup = connect(fresh_db, autocommit=True)
    backfilled(setup)
    if call == "rollback":
        setup.execute("SELECT part.switch_reads('public.revenues')")
    first = connect(fresh_db)
    assert first.execute(f"SELECT part.{call}('public.revenues')").fetchone()[0] == phase
    result, notices = second_call(connect, fresh_db, f"SELECT part.{call}('public.revenues')", first)
    assert not isinstance(result, Exception), f"the second {call} failed: {result}"
    assert result == [(phase,)]
    assert any("nothing to" in n for n in notices), notices
    assert setup.execute("SELECT part.phase('public.revenues')").fetchone()[0] == phase
    assert setup.execute("SELECT count(*) FROM public.revenues").fetchone()[0] == 500
    assert setup.execute("SELECT count(*) FROM part.check_parity('public.revenues', true) WHERE status <> 'ok'"
                         ).fetchone()[0] == 0


def test_create_ahead_during_another_creation(fresh_db, connect):
    setup = connect(fresh_db, autocommit=True)
    make_table(setup, "bookings", p_premake=2)
    setup.execute(f"DROP TABLE public.bookings_{month(2)}")
    first = connect(fresh_db)
    assert first.execute("SELECT * FROM part.create_ahead()").fetchall() == [(f"public.bookings_{month(2)}",)]
    result, _ = second_call(connect, fresh_db, "SELECT * FROM part.create_ahead()", first)
    assert not isinstance(result, Exception), f"the second create_ahead failed: {result}"
    assert result == [], "the other call made it: nothing left to create"
