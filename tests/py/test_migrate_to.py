"""CALL part.migrate_to(p_table, p_phase, ...): the walk of `pginstall migrate --to` in SQL, against a
real server, committing as it goes (issue 11, part 2): to each phase, one step back, refusals with a
HINT that change nothing, a rerun that does nothing, the progress NOTICEs, and a walk from psql."""

from __future__ import annotations

import re
import subprocess

import psycopg
import pytest

ROWS = 3000


@pytest.fixture
def db(fresh_db, connect):
    with connect(fresh_db) as conn:
        conn.execute(
            "CREATE TABLE public.revenues (id bigserial PRIMARY KEY, org_id int NOT NULL,"
            " occurred_at timestamptz NOT NULL, amount numeric(12,2))")
        conn.execute(
            "INSERT INTO public.revenues (org_id, occurred_at, amount)"
            f" SELECT g % 9, timestamptz '2025-01-01' + g * interval '2 hours', g FROM generate_series(1, {ROWS}) g")
        conn.execute("ANALYZE public.revenues")
        conn.execute("SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 1)")
    return fresh_db


class Session:
    """An autocommit session (as psql's) that keeps the NOTICEs and WARNINGs it receives."""

    def __init__(self, conn: psycopg.Connection):
        self.conn, self.notices = conn, []
        conn.add_notice_handler(lambda d: self.notices.append(d.message_primary))

    def call(self, *args: str, **kwargs) -> list[str]:
        self.notices.clear()
        named = "".join(f", {k} => %s" for k in kwargs)
        self.conn.execute(f"CALL part.migrate_to({', '.join(['%s'] * len(args))}{named})", (*args, *kwargs.values()))
        return list(self.notices)

    def one(self, query: str, *params):
        return self.conn.execute(query, params or None).fetchone()

    def phase(self) -> str | None:
        return self.one("SELECT part.phase('public.revenues')")[0]

    def state(self):
        return self.one("SELECT phase, backfill_rows, backfill_batches, parity_clean, partitioned_at, rolled_back_at"
                        " FROM part.migration")


@pytest.fixture
def s(db, connect):
    return Session(connect(db, autocommit=True))


def test_walks_to_backfilled_with_progress_notices_then_partitioned_then_finalized(s):
    notes = s.call("public.revenues", "backfilled", p_batch_size=500, p_progress="0")
    progress = [m for m in notes if re.match(r"part: public\.revenues: backfill \d+/\d+ rows \(\d+%\), \d+ rows/s", m)]
    done = [int(re.search(r"backfill (\d+)/", m)[1]) for m in progress]
    assert done[0] == 0 and done[-1] == ROWS, notes
    assert done == sorted(done) and len(progress) >= ROWS // 500, notes  # one per batch (p_progress 0)
    assert all(f"/{ROWS} rows" in m for m in progress), notes  # the total: the estimate, then the real count
    assert progress[-1].startswith(f"part: public.revenues: backfill {ROWS}/{ROWS} rows (100%)")
    assert any(re.match(rf"part: public\.revenues: backfill done, {ROWS} rows in all; {ROWS} copied now in [\d.]+ s "
                        r"\(\d+ rows/s\)", m) for m in notes), notes
    assert "part: public.revenues: checking parity" in notes
    assert any(re.match(r"part: public\.revenues: parity clean over \d+ ranges", m) for m in notes), notes
    phase, rows, batches, clean, *_ = s.state()
    assert (phase, rows, batches, clean) == ("backfilled", ROWS, ROWS // 500, True)

    notes = s.call("public.revenues", "partitioned")
    assert "part: public.revenues: partitioned: reads and writes go to the partitioned table" in notes
    assert s.phase() == "partitioned"
    assert s.one("SELECT relkind FROM pg_class WHERE oid = 'public.revenues'::regclass")[0] == "p"
    assert s.one("SELECT count(*) FROM public.revenues")[0] == ROWS

    notes = s.call("public.revenues", "finalized", p_keep_legacy="keep")
    assert "part: public.revenues: finalized: sync removed; legacy table kept as public.revenues_legacy" in notes
    assert s.phase() == "finalized"
    assert s.one("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'part_sync_%'")[0] == 0


def test_walks_from_dual_write_to_finalized_in_one_call(s):
    notes = s.call("public.revenues", "finalized")
    steps = [m for m in notes if not re.search(r": backfill \d+/", m)]
    assert [re.sub(r"\d+", "N", m) for m in steps] == [
        "part: public.revenues: backfill done, N rows in all; N copied now in N.N s (N rows/s)",
        "part: public.revenues: checking parity",
        "part: public.revenues: parity clean over N ranges",
        "part: public.revenues: partitioned: reads and writes go to the partitioned table",
        "part: public.revenues: finalized: sync removed; legacy table kept as part_archive.revenues_legacy",
    ], notes
    assert s.phase() == "finalized"
    assert s.one("SELECT count(*) FROM part_archive.revenues_legacy")[0] == ROWS


def test_one_step_back_and_rerun_does_nothing(s):
    s.call("public.revenues", "partitioned")
    before = s.state()
    assert s.call("public.revenues", "partitioned") == ["part: public.revenues: already partitioned: nothing to do"]
    assert s.state() == before

    assert s.call("public.revenues", "rollback") == [
        "part: public.revenues: rolled back: reads and writes on the legacy table again (backfilled)"]
    assert s.phase() == "backfilled"
    assert s.one("SELECT relkind FROM pg_class WHERE oid = 'public.revenues'::regclass")[0] == "r"
    before = s.state()
    assert s.call("public.revenues", "rollback") == [
        "part: public.revenues: already rolled back (backfilled): nothing to do"]
    assert s.call("public.revenues", "backfilled") == ["part: public.revenues: already backfilled: nothing to do"]
    assert s.state() == before

    # --to backfilled from partitioned is the same step back
    s.call("public.revenues", "partitioned")
    s.call("public.revenues", "backfilled")
    assert s.phase() == "backfilled"


def refusal(s: Session, *args, **kwargs) -> tuple[str, str, str]:
    before = s.one("SELECT to_jsonb(m) - 'parity_checked_at' FROM part.migration m")
    with pytest.raises(psycopg.Error) as e:
        s.call(*args, **kwargs)
    assert s.one("SELECT to_jsonb(m) - 'parity_checked_at' FROM part.migration m") == before  # nothing changed
    return e.value.diag.sqlstate, e.value.diag.message_primary, e.value.diag.message_hint


def test_refusals_say_what_to_do_and_change_nothing(s):
    state, msg, hint = refusal(s, "public.revenues", "switched")
    assert (state, msg) == ("22023", 'invalid phase "switched"')
    assert "dual_write, backfilled, partitioned or finalized" in hint and "rollback" in hint
    assert refusal(s, "public.revenues", None)[0] == "22023"
    assert refusal(s, "public.revenues", "backfilled", p_keep_legacy="shred")[0] == "22023"
    assert refusal(s, "public.revenues", "backfilled", p_batch_size=0)[0] == "22023"
    assert refusal(s, "public.revenues", "backfilled", p_sleep="-1 s")[0] == "22023"

    state, msg, hint = refusal(s, "public.revenues", "rollback")
    assert state == "55000" and "it is in dual_write" in msg
    assert "part.migrate_to('public.revenues', 'none')" in hint

    state, msg, hint = refusal(s, "public.nosuch", "partitioned")
    assert state == "42P01" and hint
    s.conn.execute("CREATE TABLE public.other (id int PRIMARY KEY)")
    state, msg, hint = refusal(s, "public.other", "partitioned")
    assert state == "55000" and "part.migrate_start('public.other'" in hint

    s.call("public.revenues", "finalized")
    state, msg, hint = refusal(s, "public.revenues", "dual_write")
    assert state == "55000" and "going back to dual_write is not supported" in msg and hint
    state, msg, hint = refusal(s, "public.revenues", "rollback")
    assert state == "55000" and "no way back" in hint


def test_parity_that_differs_stops_the_walk_with_what_to_do(s):
    with s.conn.transaction():  # a difference the sync did not make
        s.conn.execute("SET LOCAL part.syncing = 'on'")
        s.conn.execute("INSERT INTO public.revenues_partitioned (id, org_id, occurred_at) VALUES (99999, 1, '2025-02-02')")
    with pytest.raises(psycopg.Error) as e:
        s.call("public.revenues", "partitioned")
    assert e.value.diag.sqlstate == "55000" and "differs in 1 of" in e.value.diag.message_primary
    assert "part.parity_diff('public.revenues')" in e.value.diag.message_hint
    phase, rows, *_ = s.state()
    assert (phase, rows) == ("dual_write", ROWS)  # the backfill committed; the walk stopped before the switch
    with s.conn.transaction():
        s.conn.execute("SET LOCAL part.syncing = 'on'")
        s.conn.execute("DELETE FROM public.revenues_partitioned WHERE id = 99999")
    s.call("public.revenues", "partitioned")  # run again: it goes on from there
    assert s.phase() == "partitioned"


def test_none_abandons_the_migration(s):
    s.call("public.revenues", "partitioned")
    notes = s.call("public.revenues", "none", p_copy="keep")
    assert notes == [
        "part: public.revenues: rolled back: reads and writes on the legacy table again (backfilled)",
        "part: public.revenues: migration cancelled: sync removed, partitioned copy public.revenues_partitioned (kept); "
        "the legacy table is untouched"]
    assert s.phase() is None
    assert s.call("public.revenues", "none") == ["part: public.revenues: already none (no migration)"]


def test_a_cancelled_walk_keeps_its_batches_and_resumes(s, db, connect):
    other = connect(db, autocommit=True)
    pid = s.conn.info.backend_pid

    import threading

    def cancel_after_some_batches():
        for _ in range(600):
            if other.execute("SELECT backfill_rows FROM part.migration").fetchone()[0] >= 500:
                break
            other.execute("SELECT pg_sleep(0.01)")
        other.execute("SELECT pg_cancel_backend(%s)", (pid,))

    t = threading.Thread(target=cancel_after_some_batches)
    t.start()
    with pytest.raises(psycopg.errors.QueryCanceled):
        s.call("public.revenues", "partitioned", p_batch_size=50, p_sleep="10 milliseconds")
    t.join()
    phase, rows, *_ = s.state()
    assert phase == "dual_write" and 500 <= rows < ROWS
    notes = s.call("public.revenues", "partitioned")
    assert any(f"backfill done, {ROWS} rows in all; {ROWS - rows} copied now" in m for m in notes), notes
    assert s.phase() == "partitioned"


def test_psql_walks_a_table(db, pg_server):
    """The issue's 'done': CALL part.migrate_to('public.revenues', 'partitioned') from psql."""
    out = subprocess.run(
        ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", pg_server.dsn(db),
         "-c", "CALL part.migrate_to('public.revenues', 'partitioned')",
         "-c", "SELECT part.phase('public.revenues')"],
        capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "partitioned" in out.stdout
    assert "NOTICE:  part: public.revenues: backfill 0/3000 rows (0%)" in out.stderr
    assert "NOTICE:  part: public.revenues: partitioned: reads and writes go to the partitioned table" in out.stderr


def test_a_role_without_a_grant_cannot_walk_a_table(s):
    """Administrative routines are not executable by PUBLIC: migrate_to neither."""
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        with s.conn.transaction():
            s.conn.execute("CREATE ROLE part_test_nobody")
            s.conn.execute("GRANT USAGE ON SCHEMA part TO part_test_nobody")
            s.conn.execute("SET LOCAL ROLE part_test_nobody")
            s.conn.execute("CALL part.migrate_to('public.revenues', 'partitioned', p_commit => false)")
    assert s.phase() == "dual_write"
