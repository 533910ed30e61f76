"""The online split of an attach migration's history partition H (issue 12, part 1):
part.split_history never bounds H anew (a scan under a lock); it copies H into M, a
partitioned table of one partition per interval kept in step by row triggers on H
(copy batches read FOR KEY SHARE), checks every interval (count and hash), swaps M in
for H in one catalog-only step, then moves M's partitions into the table one per step,
catalog-only (each partition's CHECK proves its bound).

"Catalog-only" is checked from PostgreSQL's own account of each ATTACH: with
client_min_messages = debug1 it says, per partition, either "partition constraint for
table X is implied by existing constraints" or "verifying table X" (a scan). Only the
default partition may be verified (every ATTACH beside a default checks it, as before).
"""

from __future__ import annotations

import re
import threading

import psycopg
import pytest

from test_migrate_attach import DDL, ShadowWriters, content, crash_in_transaction, phase, prepare, start
from test_security import roles  # noqa: F401  (a fixture)


def scans(steps):
    """Tables PostgreSQL verified (scanned) for an ATTACH or a CHECK, but the default partition (every ATTACH
    beside a default checks it) and the start's (its CHECKs are added to M's partitions while they are empty)."""
    return [v for v in steps.verified if v[1] != "ev_default" and v[0] != "start"]


@pytest.fixture
def db(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(DDL)
    return conn


def switched(conn):
    start(conn)
    prepare(conn)
    conn.execute("SELECT part.switch_reads('public.ev')")


class Steps:
    """Runs part.split_history step by step on its own session with debug1 messages, recording
    each step's kind and every table PostgreSQL verified (scanned) for an ATTACH."""

    def __init__(self, conn):
        self.conn = conn
        self.verified: list[tuple[str, str]] = []
        self.implied: list[tuple[str, str]] = []
        self.steps: list[str] = []
        self._step = "?"
        conn.execute("SET client_min_messages = debug1")
        conn.add_notice_handler(self._notice)

    def _notice(self, diag):
        msg = diag.message_primary or ""
        m = re.match(r'verifying table "([^"]+)"', msg)
        if m:
            self.verified.append((self._step, m.group(1)))
        m = re.match(r'partition constraint for table "([^"]+)" is implied', msg)
        if m:
            self.implied.append((self._step, m.group(1)))

    def one(self, batch=500):
        rows = self.conn.execute("SELECT step, partition_name FROM part.split_history('public.ev', %s)", (batch,)).fetchall()
        if rows:
            self._step = rows[0][0]
            # the messages of this statement came before its result: relabel them with the step
            self.verified = [(self._step if s == "?" else s, t) for s, t in self.verified]
            self.implied = [(self._step if s == "?" else s, t) for s, t in self.implied]
            self.steps.append(self._step)
        self._step = "?"
        return rows

    def all(self, batch=500, between=None):
        for _ in range(500):
            if not self.one(batch):
                return
            if between:
                between(self.steps[-1])
        raise AssertionError(f"split_history did not finish: {self.steps[-20:]}")


def test_swap_and_flatten_never_scan_the_history_or_its_copy(db, connect, fresh_db):
    # (fails on the old split, which attached the history partition again with a smaller bound: a scan)
    switched(db)
    before = content(db)
    s = Steps(connect(fresh_db, autocommit=True))
    s.all(batch=700)
    assert phase(db) == "finalized" and content(db) == before
    kinds = set(s.steps)
    assert {"start", "copy", "check", "swap", "drop", "flatten"} <= kinds, s.steps
    assert s.steps.count("copy") == 5 and s.steps.count("swap") == 1   # 3000 rows, 700 a batch
    assert s.steps.index("drop") == s.steps.index("swap") + 1   # the detached history, dropped by its own step
    assert scans(s) == [], s.verified
    # the swap proved M's bound from its partitions' CHECKs, each flatten its partition's and M's
    assert any(st == "swap" for st, _ in s.implied) and any(st == "flatten" for st, _ in s.implied), s.implied


def test_the_partitions_end_up_like_any_other(db, connect, fresh_db, roles):
    from psycopg import sql

    r = roles("reader")
    db.execute(sql.SQL("GRANT SELECT ON public.ev TO {}").format(sql.Identifier(r["reader"])))
    db.execute("CREATE TABLE public.org (id integer PRIMARY KEY)")
    db.execute("INSERT INTO public.org SELECT g FROM generate_series(0, 9) g")
    db.execute("ALTER TABLE public.ev ADD CONSTRAINT ev_org_fk FOREIGN KEY (org_id) REFERENCES public.org (id)")
    db.execute("ALTER TABLE public.ev ADD CONSTRAINT ev_amount_check CHECK (amount IS NULL OR amount > -1000000)")
    switched(db)
    before = content(db)
    s = Steps(connect(fresh_db, autocommit=True))
    s.all(batch=1000)
    assert phase(db) == "finalized" and content(db) == before
    assert scans(s) == [], s.verified

    def shape(rel):
        return db.execute(r"""
            SELECT pg_get_userbyid(c.relowner), c.relacl::text,
                   (SELECT array_agg(regexp_replace(pg_get_indexdef(i.indexrelid), 'INDEX \S+ ON \S+ ', 'INDEX ON ') ORDER BY i.indkey::text, pg_get_indexdef(i.indexrelid))
                      FROM pg_index i WHERE i.indrelid = c.oid AND (SELECT ip.inhparent FROM pg_inherits ip WHERE ip.inhrelid = i.indexrelid) IS NOT NULL),
                   (SELECT array_agg(pg_get_constraintdef(x.oid) ORDER BY pg_get_constraintdef(x.oid)) FROM pg_constraint x WHERE x.conrelid = c.oid),
                   (SELECT array_agg(t.tgname::text || t.tgenabled::text ORDER BY t.tgname) FROM pg_trigger t WHERE t.tgrelid = c.oid AND NOT t.tgisinternal)
              FROM pg_class c WHERE c.oid = %s::regclass""", (rel,)).fetchone()

    parts = [p for (p,) in db.execute("""SELECT b.partition_name FROM part._partition_bounds('public.ev'::regclass) b
                                          WHERE NOT b.is_default ORDER BY part._bound_ordinal(b.bound_from, 'timestamptz')""").fetchall()]
    ahead = parts[-1]   # made by part.create_ahead, as every partition of a managed table
    want = shape(ahead)
    assert want[2] and len(want[2]) == 3, want   # primary key and both indexes, attached to the table's
    for p in parts[:-1]:
        got = shape(p)
        assert got == want, (p, got, want)
    # the foreign key holds on the moved partitions
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        db.execute("UPDATE public.ev SET org_id = 99 WHERE id = 5")


def test_writers_through_the_whole_split_lose_nothing_and_no_attach_scans(db, fresh_db, dsn_factory, connect):
    db.execute("CREATE TABLE public.ev_shadow AS SELECT * FROM public.ev")
    db.execute("ALTER TABLE public.ev_shadow ADD PRIMARY KEY (id)")
    switched(db)
    s = Steps(connect(fresh_db, autocommit=True))
    with ShadowWriters(dsn_factory(fresh_db), count=4) as w:
        w.wait_for(30)
        s.all(batch=150, between=lambda step: w.wait_for(4 if step == "copy" else 10))
        w.wait_for(30)
    assert w.errors == [], w.errors[:5]
    assert phase(db) == "finalized"
    assert content(db) == content(db, "public.ev_shadow")
    assert s.steps.count("copy") >= 15 and "recopy" not in s.steps, s.steps
    assert scans(s) == [], s.verified
    db.execute("CALL part.run_maintenance()")   # rows moved past the cut into the default
    assert content(db) == content(db, "public.ev_shadow")


def test_a_delete_racing_a_copy_batch_is_not_lost(db, connect, fresh_db):
    """A writer deletes (uncommitted) a row the copy batch is about to read: the batch's FOR KEY SHARE
    waits for it, then skips the row; a key change of a copied row waits for the batch instead."""
    switched(db)
    db.execute("SELECT * FROM part.split_history('public.ev')")   # start
    writer = connect(fresh_db)
    writer.execute("DELETE FROM public.ev WHERE id = 500")   # inside the first batch (ids 1 to 1000), open
    copier = connect(fresh_db, autocommit=True)
    out = []
    t = threading.Thread(target=lambda: out.append(copier.execute("SELECT * FROM part.split_history('public.ev', 1000)").fetchall()))
    t.start()
    t.join(1.0)
    assert t.is_alive()   # the batch waits for the delete's outcome
    writer.commit()
    t.join(30)
    assert out and out[0][0][0] == "copy"
    assert db.execute("SELECT count(*) FROM public.ev_history_split WHERE id = 500").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM public.ev_history_split").fetchone()[0] == 999
    # a row already copied, its key changed by a writer while a later batch runs: the trigger moves it in M
    writer.execute("UPDATE public.ev SET created_at = created_at - interval '1 day' WHERE id = 998")
    writer.commit()
    assert db.execute("SELECT created_at FROM public.ev_history_split WHERE id = 998").fetchone() \
        == db.execute("SELECT created_at FROM public.ev WHERE id = 998").fetchone()
    before = content(db)
    for _ in range(100):
        if not db.execute("SELECT * FROM part.split_history('public.ev', 1000)").fetchall():
            break
    assert phase(db) == "finalized" and content(db) == before


def test_a_crash_at_every_split_step_then_a_rerun_converges(db, connect, fresh_db):
    switched(db)
    before = content(db)
    seen = set()
    for i in range(200):
        m = db.execute("SELECT phase, split_phase, split_checked_to IS NOT NULL FROM part.migration").fetchone()
        if m[0] == "finalized":
            break
        # the step killed before it commits: nothing of it stays
        crash_in_transaction(connect, fresh_db, "SELECT * FROM part.split_history('public.ev', 800)")
        assert db.execute("SELECT phase, split_phase, split_checked_to IS NOT NULL FROM part.migration").fetchone() == m
        assert content(db) == before
        (step,) = db.execute("SELECT step FROM part.split_history('public.ev', 800)").fetchone()
        seen.add(step)
        assert content(db) == before
        if i % 3 == 0:   # a write now and then, kept in step by the triggers
            db.execute("UPDATE public.ev SET amount = amount + 1 WHERE id = %s", (i + 1,))
            before = content(db)
    assert phase(db) == "finalized"
    assert {"start", "copy", "check", "swap", "drop", "flatten"} <= seen, seen
    assert content(db) == before
    assert db.execute("SELECT check_name, detail FROM part.verify() WHERE status = 'fail'").fetchall() == []


def test_truncate_is_refused_while_the_copy_is_kept_in_step(db):
    switched(db)
    db.execute("SELECT * FROM part.split_history('public.ev')")   # start
    before = content(db)
    for target in ("public.ev", "public.ev_history"):
        with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
            db.execute(f"TRUNCATE {target}")
        assert "DELETE" in e.value.diag.message_hint
    assert content(db) == before


def test_a_write_the_triggers_missed_is_found_and_copied_again(db):
    switched(db)
    steps = []
    while db.execute("SELECT split_phase IS DISTINCT FROM 'checking' FROM part.migration").fetchone()[0]:
        steps += [r[0] for r in db.execute("SELECT step FROM part.split_history('public.ev', 5000)").fetchall()]
    # the owner switches the sync off for a while after the copy: M misses a delete and an update
    db.execute("ALTER TABLE public.ev_history DISABLE TRIGGER part_split_sync")
    db.execute("DELETE FROM public.ev WHERE id = 100")
    db.execute("UPDATE public.ev SET note = 'missed' WHERE id = 2900")
    assert [f[0] for f in db.execute("SELECT check_name FROM part.verify() WHERE status = 'fail'").fetchall()] == ["attach_history"]
    # the swap refuses while the trigger is off
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        for _ in range(20):
            steps += [r[0] for r in db.execute("SELECT step FROM part.split_history('public.ev')").fetchall()]
    assert "ENABLE ALWAYS TRIGGER part_split_sync" in e.value.diag.message_hint
    assert steps.count("recopy") == 2, steps   # the two intervals that differed, copied again
    # off again after every interval matched, a write missed, on again: the swap sees the trigger was
    # changed since the checks began and has every interval checked again
    db.execute("ALTER TABLE public.ev_history ENABLE ALWAYS TRIGGER part_split_sync")
    db.execute("ALTER TABLE public.ev_history DISABLE TRIGGER part_split_sync")
    db.execute("UPDATE public.ev SET note = 'missed again' WHERE id = 2800")
    db.execute("ALTER TABLE public.ev_history ENABLE ALWAYS TRIGGER part_split_sync")
    before = content(db)
    steps = [r[0] for _ in range(60) for r in db.execute("SELECT step FROM part.split_history('public.ev')").fetchall()]
    assert steps[0] == "recheck" and steps.count("recopy") == 1, steps
    assert phase(db) == "finalized" and content(db) == before


def test_rollback_is_refused_once_the_split_started_and_the_status_shows_it(db):
    switched(db)
    db.execute("SELECT * FROM part.split_history('public.ev')")
    db.execute("SELECT * FROM part.split_history('public.ev', 1000)")
    m = db.execute("SELECT split_phase, split_rows FROM part.migrations").fetchone()
    assert m == ("copying", 1000), m
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        db.execute("SELECT part.rollback('public.ev')")
    assert "before the split" in e.value.diag.message_hint
    detail = db.execute("SELECT detail FROM part.verify() WHERE check_name = 'attach_history'").fetchone()[0]
    assert "copying" in detail, detail
    # after the swap the history partition is gone, but the split is not done: finalize refuses
    while db.execute("SELECT split_intervals FROM part.migration").fetchone()[0] < 1:   # one partition moved in
        db.execute("SELECT * FROM part.split_history('public.ev', 1000)")
    assert db.execute("SELECT to_regclass('public.ev_history')").fetchone()[0] is None   # dropped after the swap
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        db.execute("SELECT part.finalize('public.ev')")
    assert "the split is flattening" in e.value.diag.message_primary
    ok = db.execute("SELECT status, detail FROM part.verify() WHERE check_name = 'attach_history'").fetchone()
    assert ok[0] == "ok" and "flattening" in ok[1] and "moved 1 intervals" in ok[1], ok


def test_a_column_change_during_the_split_is_refused_until_undone(db):
    switched(db)
    db.execute("SELECT * FROM part.split_history('public.ev')")   # start
    db.execute("ALTER TABLE public.ev ADD COLUMN extra integer")
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        db.execute("SELECT * FROM part.split_history('public.ev')")
    assert "Undo the column change" in e.value.diag.message_hint
    db.execute("ALTER TABLE public.ev DROP COLUMN extra")
    before = content(db)
    for _ in range(100):
        if not db.execute("SELECT * FROM part.split_history('public.ev')").fetchall():
            break
    assert phase(db) == "finalized" and content(db) == before


@pytest.mark.parametrize("batch", [0, -5, 1000001, None])
def test_a_batch_size_out_of_bounds_is_one_error_and_changes_nothing(db, batch):
    """split_history's p_batch is checked like the backfill's batch_size (1 to 1,000,000), before
    anything changes: no split is started and no copy made (a 0, negative or NULL batch was taken
    as 1 row before)."""
    switched(db)
    before = db.execute("SELECT split_phase, split_rows FROM part.migration").fetchone()
    with pytest.raises(psycopg.errors.InvalidParameterValue) as e:
        db.execute("SELECT * FROM part.split_history('public.ev', %s)", (batch,))
    assert "batch_size must be between 1 and 1000000" in e.value.diag.message_primary
    assert e.value.diag.message_hint
    assert db.execute("SELECT split_phase, split_rows FROM part.migration").fetchone() == before
    assert db.execute("SELECT to_regclass('public.ev_history_split')").fetchone()[0] is None
