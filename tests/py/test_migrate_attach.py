"""The attach method (issue 12): part.migrate_start(..., p_method => 'attach')
turns a range table into a partitioned one without copying its rows: the
legacy table gets a CHECK NOT VALID, part.attach_prepare validates it and
hands out the indexes to build CONCURRENTLY, part.switch_reads attaches the
legacy table itself as the history partition [MINVALUE, cut) (the same file
on disk), part.rollback undoes that before the split, and maintenance
(part.split_history) splits the history online into interval partitions
(a copy kept in step by triggers, swapped in, then one partition per
transaction into the table: tests/py/test_split_online.py), until it is
gone ('finalized').

Every test compares the rows before and after (content hash and count);
writers run through every step with a shadow table written in the same
transactions (so "nothing lost, nothing duplicated" is exact), and a crash
(pg_terminate_backend) at each step is followed by a rerun that converges.
"""

from __future__ import annotations

import random
import threading
import time

import psycopg
import pytest

from conftest import PG_MAJOR

DDL = """
CREATE TABLE public.ev (
    id         bigserial PRIMARY KEY,
    created_at timestamptz NOT NULL,
    org_id     integer NOT NULL,
    amount     integer,
    note       text
);
CREATE INDEX ev_created_at_idx ON public.ev (created_at);
CREATE INDEX ev_org_idx ON public.ev (org_id, created_at);
CREATE TABLE public.ev_audit (id bigint, op text);
CREATE FUNCTION public.ev_audit_fn() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO public.ev_audit VALUES (NEW.id, TG_OP); RETURN NEW; END $$;
CREATE TRIGGER ev_audit AFTER INSERT ON public.ev FOR EACH ROW EXECUTE FUNCTION public.ev_audit_fn();
INSERT INTO public.ev (created_at, org_id, amount, note)
SELECT now() - g * interval '97 minutes', g % 7, g, 'r' || g FROM generate_series(1, 3000) g;
"""

CONTENT = "SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) FROM {} t"


def content(conn, table="public.ev"):
    return conn.execute(CONTENT.format(table)).fetchone()


def prepare(conn, table="public.ev"):
    """part.attach_prepare until it returns NULL, running each statement it returns (as the CLI does)."""
    ran = []
    for _ in range(20):
        (stmt,) = conn.execute("SELECT part.attach_prepare(%s)", (table,)).fetchone()
        if stmt is None:
            return ran
        conn.execute(stmt)
        ran.append(stmt)
    raise AssertionError(f"attach_prepare did not converge: {ran}")


def start(conn, table="public.ev"):
    return conn.execute("SELECT part.migrate_start(%s, 'created_at', 'range', '1 month', p_method => 'attach')",
                        (table,)).fetchone()[0]


def phase(conn, table="public.ev"):
    return conn.execute("SELECT phase FROM part.migration WHERE table_name = %s", (table,)).fetchone()[0]


def fails(conn):
    return conn.execute("SELECT check_name, table_name, detail FROM part.verify() WHERE status = 'fail'").fetchall()


def split_all(conn, table="public.ev"):
    for _ in range(200):
        if not conn.execute("SELECT * FROM part.split_history(%s, 1000)", (table,)).fetchall():
            return
    raise AssertionError("split_history did not finish")


@pytest.fixture
def db(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute(DDL)
    return conn


def test_attach_converts_in_place_and_keeps_every_row(db):
    before = content(db)
    filenode = db.execute("SELECT pg_relation_filenode('public.ev')").fetchone()[0]
    assert start(db) == "public.ev_partitioned"
    assert phase(db) == "preparing"
    ran = prepare(db)
    assert ran and all("CONCURRENTLY" in s for s in ran)
    assert any("UNIQUE INDEX CONCURRENTLY" in s and "(id, created_at)" in s for s in ran), ran
    assert phase(db) == "prepared"
    assert db.execute("SELECT part.switch_reads('public.ev')").fetchone()[0] == "partitioned"

    # the application's name is the partitioned table; its history partition is the legacy table's own file
    assert db.execute("SELECT relkind FROM pg_class WHERE oid = 'public.ev'::regclass").fetchone()[0] == "p"
    assert db.execute("SELECT pg_relation_filenode('public.ev_history')").fetchone()[0] == filenode
    assert db.execute("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = 'public.ev_history'::regclass"
                      ).fetchone()[0].startswith("FOR VALUES FROM (MINVALUE) TO (")
    assert content(db) == before
    assert fails(db) == []

    # ids continue, the application's trigger fires once per row (the parent's, not the history's own too)
    db.execute("TRUNCATE public.ev_audit")
    new_id = db.execute("INSERT INTO public.ev (created_at, org_id, amount) VALUES (now(), 1, 1) RETURNING id").fetchone()[0]
    assert new_id == 3001
    assert db.execute("SELECT count(*) FROM public.ev_audit").fetchone()[0] == 1
    assert db.execute("SELECT pg_get_serial_sequence('public.ev', 'id')").fetchone()[0] == "public.ev_id_seq"
    db.execute("DELETE FROM public.ev WHERE id = 3001")

    db.execute("CALL part.run_maintenance()")
    m = db.execute("SELECT phase, split_intervals, split_rows, split_percent, history_table FROM part.migrations").fetchone()
    assert m[0] == "finalized" and m[1] >= 4 and m[2] == 3000 and m[3] == 100 and m[4] is None, m
    assert db.execute("SELECT to_regclass('public.ev_history')").fetchone()[0] is None
    assert content(db) == before
    # only interval partitions (and the default) remain, each holding its month's rows (the lowest one also
    # any smaller key: it starts at MINVALUE), no helper CHECK left
    bounds = db.execute("""SELECT b.partition_name, b.bound_from FROM part._partition_bounds('public.ev'::regclass) b
                            WHERE NOT b.is_default ORDER BY part._bound_ordinal(b.bound_from, 'timestamptz')""").fetchall()
    assert bounds[0][1] == "MINVALUE" and all(b[1] != "MINVALUE" for b in bounds[1:]), bounds
    assert db.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'part_split_bound'").fetchone()[0] == 0
    assert db.execute("SELECT to_regclass('public.ev_history_split')").fetchone()[0] is None
    assert db.execute("SELECT count(*) FROM part.maintenance_log WHERE action = 'split' AND outcome = 'ok' "
                      "AND detail LIKE 'partition of the history%%'").fetchone()[0] == m[1]
    assert fails(db) == []
    # the finalized migration is shown as such and the table is managed like any other
    metrics = db.execute("SELECT part.metrics()").fetchone()[0]
    entry = next(t for t in metrics["tables"] if t["name"] == "ev")
    assert entry["phase"] == "finalized" and entry["method"] == "attach"


def test_hash_target_is_refused_with_a_hint_and_nothing_changes(db):
    with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
        db.execute("SELECT part.migrate_start('public.ev', 'org_id', 'hash', p_partitions => 4, p_method => 'attach')")
    assert "p_method => ''copy''" in e.value.diag.message_hint or "copy method" in e.value.diag.message_hint
    assert db.execute("SELECT count(*) FROM part.migration").fetchone()[0] == 0
    assert db.execute("SELECT to_regclass('public.ev_partitioned')").fetchone()[0] is None
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        db.execute("SELECT part.migrate_start('public.ev', 'created_at', 'range', '1 month', p_method => 'clone')")


def test_identity_column_is_refused(db):
    db.execute("CREATE TABLE public.idt (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamptz NOT NULL)")
    with pytest.raises(psycopg.errors.FeatureNotSupported) as e:
        db.execute("SELECT part.migrate_start('public.idt', 'at', 'range', '1 month', p_method => 'attach')")
    assert "copy" in e.value.diag.message_hint


def test_copy_only_steps_refuse_an_attach_migration(db):
    start(db)
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        db.execute("CALL part.backfill('public.ev')")
    assert "attach_prepare" in e.value.diag.message_hint
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        db.execute("SELECT part.switch_reads('public.ev')")   # still preparing
    assert "attach_prepare" in e.value.diag.message_hint


def test_rollback_before_the_split_then_again_and_refused_after(db):
    start(db)
    prepare(db)
    db.execute("SELECT part.switch_reads('public.ev')")
    # written after the switch: one into the history range, one past the cut (into the default)
    db.execute("INSERT INTO public.ev (created_at, org_id, amount, note) VALUES (now(), 1, 1, 'a'), (now() + interval '2 years', 2, 2, 'b')")
    db.execute("UPDATE public.ev SET amount = -1 WHERE id = 5")
    before = content(db)
    assert db.execute("SELECT part.rollback('public.ev')").fetchone()[0] == "preparing"   # a row past the cut: a new CHECK
    assert db.execute("SELECT relkind FROM pg_class WHERE oid = 'public.ev'::regclass").fetchone()[0] == "r"
    assert content(db) == before
    assert db.execute("SELECT tgenabled FROM pg_trigger WHERE tgrelid = 'public.ev'::regclass AND tgname = 'ev_audit'").fetchone()[0] == "O"
    db.execute("TRUNCATE public.ev_audit")
    db.execute("INSERT INTO public.ev (created_at, org_id) VALUES (now(), 3)")
    assert db.execute("SELECT count(*) FROM public.ev_audit").fetchone()[0] == 1
    assert fails(db) == []
    before = content(db)

    prepare(db)
    db.execute("SELECT part.switch_reads('public.ev')")
    # nothing past the cut this time; the primary key (id) is back on its stand-in, the prepared (id, created_at) went
    assert db.execute("SELECT part.rollback('public.ev')").fetchone()[0] == "preparing"
    assert db.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.ev'::regclass AND contype = 'p'"
                      ).fetchone()[0] == "PRIMARY KEY (id)"
    assert db.execute("SELECT convalidated FROM pg_constraint WHERE conname = 'part_history_bound'").fetchone()[0]
    assert content(db) == before
    prepare(db)
    db.execute("SELECT part.switch_reads('public.ev')")
    assert db.execute("SELECT step FROM part.split_history('public.ev')").fetchall() == [("start",)]
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as e:
        db.execute("SELECT part.rollback('public.ev')")
    assert "before the split" in e.value.diag.message_hint
    split_all(db)
    assert phase(db) == "finalized"
    assert content(db) == before


def test_cancel_before_the_switch_leaves_the_table_as_it_was(db):
    before = content(db)
    start(db)
    prepare(db)
    db.execute("SELECT part.migrate_cancel('public.ev')")
    assert db.execute("SELECT count(*) FROM pg_constraint WHERE conname = 'part_history_bound'").fetchone()[0] == 0
    assert db.execute("SELECT to_regclass('public.ev_partitioned')").fetchone()[0] is None
    assert content(db) == before
    db.execute("INSERT INTO public.ev (created_at, org_id) VALUES (now() + interval '10 years', 1)")   # no CHECK left


# ------------------------------------------------------------------ writers


class ShadowWriters:
    """Threads writing into public.ev and, in the same transaction, the same change into the plain
    table public.ev_shadow: at the end both must hold the same rows (nothing lost, nothing twice).
    Each thread works on its own ids (no two writers update one row). Every error is recorded."""

    def __init__(self, dsn: str, count: int = 3, seed: int = 12):
        self.dsn = dsn
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.done = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(i, count, random.Random(seed + i)), daemon=True)
                         for i in range(count)]

    def _run(self, me: int, count: int, rng: random.Random) -> None:
        conn = psycopg.connect(self.dsn, autocommit=True)
        conn.execute("SET lock_timeout = '60s'")
        try:
            while not self.stop.is_set():
                op = rng.choice(["insert", "insert_old", "update", "move", "delete"])
                ident = rng.randrange(1, 3000)
                ident -= ident % count - me   # my ids: ident % count == me
                try:
                    with conn.transaction():
                        if op in ("insert", "insert_old"):
                            at = "now()" if op == "insert" else f"now() - interval '{rng.randrange(1, 250)} days'"
                            row = conn.execute(f"INSERT INTO public.ev (created_at, org_id, amount, note) "
                                               f"VALUES ({at}, {me}, {rng.randrange(100)}, 'w{me}') RETURNING *").fetchone()
                            if row[0] % count != me:      # not mine to update later: fine, still mirrored
                                pass
                            conn.execute("INSERT INTO public.ev_shadow VALUES (%s, %s, %s, %s, %s)", row)
                        elif op == "update":
                            conn.execute("UPDATE public.ev SET amount = coalesce(amount, 0) + 1 WHERE id = %s AND org_id >= 0", (ident,))
                            conn.execute("UPDATE public.ev_shadow SET amount = coalesce(amount, 0) + 1 WHERE id = %s", (ident,))
                        elif op == "move":   # the key changes: another month, another partition after the switch
                            days = rng.choice([-40, -3, 5, 33])
                            conn.execute("UPDATE public.ev SET created_at = least(created_at + %s * interval '1 day', now()) WHERE id = %s",
                                         (days, ident))
                            conn.execute("UPDATE public.ev_shadow SET created_at = least(created_at + %s * interval '1 day', now()) WHERE id = %s",
                                         (days, ident))
                        else:
                            conn.execute("DELETE FROM public.ev WHERE id = %s", (ident,))
                            conn.execute("DELETE FROM public.ev_shadow WHERE id = %s", (ident,))
                    with self._lock:
                        self.done += 1
                except psycopg.Error as e:   # any failed statement fails the test
                    with self._lock:
                        self.errors.append(f"{op} {ident}: {e.sqlstate} {e}")
                time.sleep(0.002)
        finally:
            conn.close()

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self._threads:
            t.join(60)

    def wait_for(self, n: int) -> None:
        target = self.done + n
        deadline = time.monotonic() + 30
        while self.done < target and time.monotonic() < deadline:
            time.sleep(0.01)


def test_writers_through_every_step_lose_nothing_and_never_fail(db, fresh_db, dsn_factory):
    # writers' ids: only rows whose id is theirs (id % 3) are updated or moved, by one thread each
    db.execute("CREATE TABLE public.ev_shadow AS SELECT * FROM public.ev")
    db.execute("ALTER TABLE public.ev_shadow ADD PRIMARY KEY (id)")
    with ShadowWriters(dsn_factory(fresh_db)) as w:
        w.wait_for(30)
        start(db)
        w.wait_for(30)
        for _ in range(20):                      # the CHECK validated, the indexes built CONCURRENTLY
            (stmt,) = db.execute("SELECT part.attach_prepare('public.ev')").fetchone()
            if stmt is None:
                break
            db.execute(stmt)
            w.wait_for(20)
        assert phase(db) == "prepared"
        w.wait_for(30)
        db.execute("SELECT part.switch_reads('public.ev')")
        w.wait_for(30)
        db.execute("SELECT part.rollback('public.ev')")
        w.wait_for(30)
        prepare(db)
        db.execute("SELECT part.switch_reads('public.ev')")
        w.wait_for(30)
        for _ in range(200):                     # the split, interval by interval, writers going on
            if not db.execute("SELECT * FROM part.split_history('public.ev', 700)").fetchall():
                break
            w.wait_for(5)
        db.execute("CALL part.run_maintenance()")   # rows moved below the split intervals wait in the default
        w.wait_for(30)
    db.execute("CALL part.run_maintenance()")
    assert w.errors == [], w.errors[:5]
    assert w.done > 200
    assert phase(db) == "finalized"
    assert content(db) == content(db, "public.ev_shadow")
    # (PostgreSQL 14: rows a writer moved below the split intervals stay in the default, whose drain 14's cloned
    # row triggers refuse, as for any managed table; verify says so)
    assert [f for f in fails(db) if not (PG_MAJOR < 15 and f[0] in ("default_empty", "maintenance_last_run"))] == []


# ------------------------------------------------------------------ crashes


def swallow(fn, *args):
    """fn(*args) in a thread whose session gets killed: its error is the expected end (or it finished first)."""
    try:
        fn(*args)
    except psycopg.Error:
        pass


def crash_in_transaction(connect, dbname, sql, params=()):
    """Run sql in an open transaction of its own session, then kill that session before it commits."""
    victim = connect(dbname)
    victim.execute(sql, params).fetchall()
    pid = victim.info.backend_pid
    admin = connect(dbname, autocommit=True)
    admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    for _ in range(100):
        if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
            break
        time.sleep(0.05)


def test_a_crash_at_each_step_then_a_rerun_converges(db, fresh_db, connect):
    before = content(db)
    name = fresh_db

    crash_in_transaction(connect, name, "SELECT part.migrate_start('public.ev', 'created_at', 'range', '1 month', p_method => 'attach')")
    assert db.execute("SELECT count(*) FROM part.migration").fetchone()[0] == 0
    assert db.execute("SELECT to_regclass('public.ev_partitioned')").fetchone()[0] is None
    start(db)

    crash_in_transaction(connect, name, "SELECT part.attach_prepare('public.ev')")   # the VALIDATE
    assert not db.execute("SELECT convalidated FROM pg_constraint WHERE conname = 'part_history_bound'").fetchone()[0]

    # CREATE INDEX CONCURRENTLY killed while it waits for an older writer: an invalid index is left
    (stmt,) = db.execute("SELECT part.attach_prepare('public.ev')").fetchone()
    assert stmt.startswith("CREATE UNIQUE INDEX CONCURRENTLY")
    writer = connect(name)
    writer.execute("INSERT INTO public.ev (created_at, org_id) VALUES (now(), 9)")   # open, holding the table
    builder = connect(name, autocommit=True)
    pid = builder.info.backend_pid
    t = threading.Thread(target=swallow, args=(builder.execute, stmt), daemon=True)
    t.start()
    for _ in range(200):
        if db.execute("SELECT 1 FROM pg_index WHERE indrelid = 'public.ev'::regclass AND NOT indisvalid").fetchone():
            break
        time.sleep(0.05)
    db.execute("SELECT pg_terminate_backend(%s)", (pid,))
    t.join(30)
    writer.rollback()
    assert db.execute("SELECT count(*) FROM pg_index WHERE indrelid = 'public.ev'::regclass AND NOT indisvalid").fetchone()[0] == 1
    (stmt,) = db.execute("SELECT part.attach_prepare('public.ev')").fetchone()
    assert stmt.startswith("DROP INDEX CONCURRENTLY"), stmt
    db.execute(stmt)
    prepare(db)
    assert phase(db) == "prepared"

    crash_in_transaction(connect, name, "SELECT part.switch_reads('public.ev')")
    assert phase(db) == "prepared"
    assert db.execute("SELECT relkind FROM pg_class WHERE oid = 'public.ev'::regclass").fetchone()[0] == "r"
    db.execute("SELECT part.switch_reads('public.ev')")

    crash_in_transaction(connect, name, "SELECT part.rollback('public.ev')")
    assert phase(db) == "partitioned"

    crash_in_transaction(connect, name, "SELECT * FROM part.split_history('public.ev')")
    m = db.execute("SELECT split_intervals, history_from, split_phase FROM part.migration").fetchone()
    assert m == (0, None, None)
    assert db.execute("SELECT to_regclass('public.ev_history_split')").fetchone()[0] is None
    assert content(db) == before

    # maintenance killed at random points of its split (each interval its own transaction)
    rng = random.Random(12)
    for _ in range(4):
        runner = connect(name, autocommit=True)
        rpid = runner.info.backend_pid
        t = threading.Thread(target=swallow, args=(runner.execute, "CALL part.run_maintenance()"), daemon=True)
        t.start()
        time.sleep(rng.uniform(0.02, 0.4))
        db.execute("SELECT pg_terminate_backend(%s)", (rpid,))
        t.join(60)
        assert content(db) == before
        split = db.execute("SELECT split_phase FROM part.migration").fetchone()[0]
        assert db.execute("SELECT count(*) FROM pg_inherits WHERE inhrelid = to_regclass('public.ev_history')").fetchone()[0] \
            == (1 if phase(db) == "partitioned" and split != "flattening" else 0)
    db.execute("CALL part.run_maintenance()")
    assert phase(db) == "finalized"
    assert content(db) == before
    assert fails(db) == []


# ------------------------------------------------------------------ the CLI

ATTACH_CONFIG = """
[databases.app]
[[databases.app.tables]]
table = "public.ev"
strategy = "range"
key = "created_at"
interval = "1 month"
migrate = "attach"
"""


def _cli(tmp_path, dsn, cmd, *args, config=ATTACH_CONFIG):
    from click.testing import CliRunner

    from pginstall.cli import main

    cfg = tmp_path / "pginstall.toml"
    cfg.write_text(config)
    result = CliRunner().invoke(main, [cmd, "--config", str(cfg), "--dsn", dsn, "--db", "app", *args])
    assert "Traceback" not in result.output, result.output
    return result


def test_config_attach_then_pginstall_migrate_walks_it(db, fresh_db, dsn_factory, tmp_path):
    before = content(db)
    dsn = dsn_factory(fresh_db)
    r = _cli(tmp_path, dsn, "apply")
    assert r.exit_code == 0, r.output
    assert "started migration of public.ev (preparing, attach)" in r.output
    assert phase(db) == "preparing"
    r = _cli(tmp_path, dsn, "migrate", "public.ev", "--to", "backfilled")   # = prepared for the attach method
    assert r.exit_code == 0, r.output
    assert "CREATE UNIQUE INDEX CONCURRENTLY" in r.output and phase(db) == "prepared"
    r = _cli(tmp_path, dsn, "migrate", "public.ev", "--to", "partitioned")
    assert r.exit_code == 0 and "no row was copied" in r.output, r.output
    r = _cli(tmp_path, dsn, "migrate", "public.ev", "--to", "rollback")
    assert r.exit_code == 0 and phase(db) == "preparing", r.output   # the prepared primary-key index went back
    r = _cli(tmp_path, dsn, "migrate", "public.ev", "--to", "finalized")
    assert r.exit_code == 0, r.output
    assert "split: public.ev_history_split made" in r.output and "split: public.ev_2" in r.output, r.output
    assert "replaced the history partition" in r.output and phase(db) == "finalized"
    assert content(db) == before
    r = _cli(tmp_path, dsn, "apply")                       # applying again changes nothing
    assert r.exit_code == 0, r.output


def test_config_refuses_attach_for_a_hash_table(tmp_path, fresh_db, dsn_factory, connect):
    # pginstall checks the file's shape; the values are part's (part.migrate_start), in plan's
    # transaction, before anything changes
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev (id bigint PRIMARY KEY, created_at timestamptz NOT NULL)")
    bad = ATTACH_CONFIG.replace('strategy = "range"', 'strategy = "hash"').replace('interval = "1 month"', "partitions = 4")
    r = _cli(tmp_path, dsn_factory(fresh_db), "plan", config=bad)
    assert r.exit_code != 0 and "the attach method cannot convert public.ev to hash partitioning" in r.output, r.output
    assert "use the copy method" in r.output
    r = _cli(tmp_path, dsn_factory(fresh_db), "plan", config=ATTACH_CONFIG.replace('"attach"', '"clone"'))
    assert r.exit_code != 0 and 'invalid method "clone"' in r.output, r.output
    r = _cli(tmp_path, dsn_factory(fresh_db), "plan", config=ATTACH_CONFIG.replace('"attach"', "1"))
    assert r.exit_code != 0 and 'migrate must be true, false, "copy" or "attach"' in r.output, r.output
    assert conn.execute("SELECT count(*) FROM part.migration").fetchone()[0] == 0


# ------------------------------------------------------------------ security

from test_security import as_role, probe_rows, probe_setup, roles  # noqa: E402,F401  (roles: a fixture)


def test_owner_code_runs_as_the_owner_when_a_superuser_splits_and_rolls_back(fresh_db, connect, pg_server, roles):
    """A CHECK of the table owner's (a function of theirs) runs for every row the split and the rollback
    move, and runs as the owner although a superuser (maintenance, a DBA) calls them; the owner's
    own triggers never fire for a moved row."""
    from psycopg import sql

    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    probe_setup(conn, r["owner"])
    conn.execute("CREATE TABLE public.rev (id bigserial PRIMARY KEY, at timestamptz NOT NULL CHECK (public.probe('check')), amount int)")
    conn.execute(sql.SQL("ALTER TABLE public.rev OWNER TO {}").format(sql.Identifier(r["owner"])))
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        own.execute("INSERT INTO public.rev (at, amount) SELECT now() - g * interval '5 days', g FROM generate_series(1, 40) g")
        own.execute("CREATE TRIGGER t BEFORE INSERT OR DELETE ON public.rev FOR EACH ROW EXECUTE FUNCTION public.probe_trigger()")
    before = content(conn, "public.rev")
    conn.execute("SELECT part.migrate_start('public.rev', 'at', 'range', '1 month', p_method => 'attach')")
    prepare(conn, "public.rev")
    conn.execute("SELECT part.switch_reads('public.rev')")
    with as_role(pg_server, fresh_db, r["owner"]) as own:   # written after the switch, then carried back by the rollback
        own.execute("INSERT INTO public.rev (at, amount) VALUES (now() + interval '3 years', 0)")
    conn.execute("TRUNCATE public.probe")
    conn.execute("SELECT part.rollback('public.rev')")
    rows = probe_rows(conn)
    assert rows and {who for _, who in rows} == {r["owner"]}, rows
    assert all(what == "check" for what, _ in rows), rows                 # no trigger fired for the moved row
    prepare(conn, "public.rev")
    conn.execute("SELECT part.switch_reads('public.rev')")
    conn.execute("TRUNCATE public.probe")
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT phase FROM part.migration").fetchone()[0] == "finalized"
    rows = probe_rows(conn)
    assert len(rows) >= 41 and {who for _, who in rows} == {r["owner"]}, rows
    assert all(what == "check" for what, _ in rows), rows
    after = conn.execute("SELECT count(*) FROM public.rev").fetchone()[0]
    assert after == before[0] + 1
    assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (r["owner"],)).fetchone() == (False,)


def test_split_fires_no_row_trigger_of_the_application_on_any_major(db):
    """No row leaves the history partition during the split (it is copied, then swapped out whole):
    no application trigger fires for it, not even PostgreSQL 14's cloned DELETE triggers (the old
    split moved rows and refused to run under them there)."""
    db.execute("CREATE TRIGGER del AFTER DELETE OR UPDATE ON public.ev FOR EACH ROW EXECUTE FUNCTION public.ev_audit_fn()")
    start(db)
    prepare(db)
    db.execute("SELECT part.switch_reads('public.ev')")
    before = content(db)
    db.execute("TRUNCATE public.ev_audit")
    split_all(db)
    assert phase(db) == "finalized"
    assert content(db) == before
    assert db.execute("SELECT count(*) FROM public.ev_audit").fetchone()[0] == 0
    # the application's triggers are on every partition, cloned from the table, as on any other partition
    per_part = db.execute("""SELECT c.relname, array_agg(t.tgname::text ORDER BY t.tgname)
                               FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                               LEFT JOIN pg_trigger t ON t.tgrelid = c.oid AND t.tgparentid <> 0
                              WHERE i.inhparent = 'public.ev'::regclass GROUP BY c.relname""").fetchall()
    assert per_part and all(trg == ["del", "ev_audit"] for _, trg in per_part), per_part
    db.execute("UPDATE public.ev SET amount = 0 WHERE id = 7")
    assert db.execute("SELECT op FROM public.ev_audit").fetchall() == [("UPDATE",)]
