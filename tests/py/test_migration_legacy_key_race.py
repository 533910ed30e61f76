"""After the switch, two sessions writing the same id with different dates at
the same time: the legacy table (kept for a rollback, primary key id) can hold
only one, and the second must be refused, not written over the first, even
though neither saw the other's row when it started."""

import threading

import psycopg
import pytest


def test_concurrent_same_id_other_date_is_refused_not_overwritten(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.rev (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, amount int)")
    conn.execute("INSERT INTO public.rev (occurred_at, amount) SELECT now() - g * interval '1 day', g FROM generate_series(1, 50) g")
    conn.execute("SELECT part.migrate_start('public.rev', 'occurred_at', 'range', '1 month')")
    conn.execute("CALL part.backfill('public.rev')")
    assert conn.execute("SELECT part.switch_reads('public.rev')").fetchone()[0] == "partitioned"

    first = connect(fresh_db)  # a transaction left open: its mirrored legacy row is not committed yet
    first.execute("INSERT INTO public.rev (id, occurred_at, amount) VALUES (5000, now(), 1)")
    outcome = {}

    def second():
        with psycopg.connect(conn.info.dsn, autocommit=True) as c:
            try:
                c.execute("INSERT INTO public.rev (id, occurred_at, amount) VALUES (5000, now() - interval '40 days', 2)")
                outcome["ok"] = True
            except psycopg.Error as e:
                outcome["error"] = e

    t = threading.Thread(target=second)
    t.start()
    t.join(timeout=1.0)
    assert t.is_alive(), "the second insert should wait for the first transaction's legacy row"
    first.commit()
    t.join(timeout=30)
    assert isinstance(outcome.get("error"), psycopg.errors.UniqueViolation), outcome
    assert outcome["error"].diag.message_hint
    assert conn.execute("SELECT amount FROM public.rev_legacy WHERE id = 5000").fetchone() == (1,)
    assert conn.execute("SELECT count(*) FROM public.rev WHERE id = 5000").fetchone() == (1,)
    assert conn.execute("SELECT part.rollback('public.rev')").fetchone()[0] == "backfilled"
    assert conn.execute("SELECT count(*) FROM public.rev").fetchone() == (51,)
