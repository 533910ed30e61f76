"""part.create_index and `pginstall index` against a real server: the index built on every
partition while writers insert (none of them waits for a lock beyond a short lock_timeout, none
fails), a build killed in the middle of a CREATE INDEX CONCURRENTLY and resumed, partitions made
by maintenance during the build, and who may build (real roles).

Writers are threads with their own connections, each inserting single rows with
`lock_timeout = '1s'`: a writer queued behind a lock for longer fails its statement, and the
test counts failed statements (no timing is asserted).
"""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
from click.testing import CliRunner

from pginstall.cli import main

RANGE_DDL = """
CREATE TABLE public.events (id bigserial, org_id int NOT NULL, kind text NOT NULL, occurred_at timestamptz NOT NULL,
                            PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at);
SELECT count(*) FROM part.create_partitioned('public.events', 'occurred_at', 'range', '1 month', p_premake => 2);
INSERT INTO public.events (org_id, kind, occurred_at)
SELECT g % 500, 'k' || g % 7, now() - (g % 10000) * interval '1 hour' FROM generate_series(1, {rows}) g;
CALL part.run_maintenance();
"""

HASH_DDL = """
CREATE TABLE public.events (id bigserial, org_id int NOT NULL, kind text NOT NULL, occurred_at timestamptz NOT NULL,
                            PRIMARY KEY (id, org_id)) PARTITION BY HASH (org_id);
SELECT count(*) FROM part.create_partitioned('public.events', 'org_id', 'hash', p_partitions => 8);
INSERT INTO public.events (org_id, kind, occurred_at)
SELECT g % 500, 'k' || g % 7, now() - (g % 10000) * interval '1 hour' FROM generate_series(1, {rows}) g;
"""


class Inserters:
    """Threads inserting one row per statement into public.events until stopped."""

    def __init__(self, dsn: str, count: int = 4):
        self.stop = threading.Event()
        self.failed: list[str] = []
        self.inserted = 0
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, args=(dsn, i), daemon=True) for i in range(count)]

    def _run(self, dsn, i):
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '1s'")
            n = 0
            while not self.stop.is_set():
                n += 1
                try:
                    conn.execute("INSERT INTO public.events (org_id, kind, occurred_at) "
                                 "VALUES (%s, 'w', now() - %s * interval '1 hour')", (n % 500, n % 2000))
                    with self._lock:
                        self.inserted += 1
                except psycopg.Error as e:
                    with self._lock:
                        self.failed.append(f"{e.sqlstate}: {e}")

    def __enter__(self):
        for t in self._threads:
            t.start()
        time.sleep(0.3)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self._threads:
            t.join(timeout=60)


def _index_everywhere(conn, parent_index: str) -> tuple[bool, int, int]:
    """(parent's index valid, partitions, partitions with a valid index attached to it)."""
    return conn.execute(
        """SELECT (SELECT indisvalid FROM pg_index WHERE indexrelid = %s::regclass),
                  (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass),
                  (SELECT count(*) FROM pg_inherits h JOIN pg_index i ON i.indexrelid = h.inhrelid
                    WHERE h.inhparent = %s::regclass AND i.indisvalid
                      AND i.indrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'public.events'::regclass))""",
        (parent_index, parent_index)).fetchone()


def _setup(conn, ddl: str, rows: int) -> None:
    for statement in ddl.format(rows=rows).split(";\n"):
        if statement.strip():
            conn.execute(statement)


def _cli(dsn, *args):
    return CliRunner().invoke(main, ["index", *args, "--dsn", dsn], catch_exceptions=False)


@pytest.mark.parametrize("ddl", [RANGE_DDL, HASH_DDL], ids=["range", "hash"])
def test_online_build_never_blocks_writers(fresh_db, connect, dsn_factory, ddl):
    conn = connect(fresh_db, autocommit=True)
    _setup(conn, ddl, 300000)
    with Inserters(dsn_factory(fresh_db)) as w:
        result = _cli(dsn_factory(fresh_db), "public.events", "(org_id, occurred_at)")
        time.sleep(0.3)
    assert result.exit_code == 0, result.output
    assert w.failed == [], f"writers failed during the build: {w.failed[:3]}"
    assert w.inserted > 0
    valid, parts, have = _index_everywhere(conn, "public.events_org_id_occurred_at_idx")
    assert valid and have == parts, (valid, parts, have)
    assert "valid" in result.output and "[1/" in result.output
    assert conn.execute("SELECT status FROM part.verify() WHERE check_name = 'index_build'").fetchone()[0] == "ok"
    # the index answers queries on the parent
    plan = conn.execute("EXPLAIN (COSTS OFF) SELECT * FROM public.events WHERE org_id = 7 AND occurred_at > now()"
                        " - interval '1 day'").fetchall()
    assert "org_id_occurred_at_idx" in " ".join(r[0] for r in plan)
    # again: nothing to do
    again = _cli(dsn_factory(fresh_db), "public.events", "(org_id, occurred_at)")
    assert again.exit_code == 0 and "nothing to build" in again.output


def test_build_killed_mid_way_resumes(fresh_db, connect, dsn_factory):
    """pg_terminate_backend of the runner during a CREATE INDEX CONCURRENTLY leaves an invalid
    index; verify() says the build is unfinished and how to resume; the same command again drops
    the invalid index, builds it anew, keeps the partitions done before, and ends valid."""
    conn = connect(fresh_db, autocommit=True)
    _setup(conn, RANGE_DDL, 100000)
    # a transaction with a snapshot: CREATE INDEX CONCURRENTLY waits for it before marking its index valid
    holder = connect(fresh_db)
    holder.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    holder.execute("SELECT count(*) FROM part.config")
    box = {}
    runner = threading.Thread(target=lambda: box.setdefault("r", _cli(dsn_factory(fresh_db), "public.events",
                                                                        "USING brin (occurred_at)")))
    runner.start()
    pid = None
    for _ in range(600):
        row = conn.execute("SELECT pid FROM pg_stat_activity WHERE query LIKE 'CREATE INDEX CONCURRENTLY%%'"
                           " AND datname = current_database()").fetchone()
        if row:
            pid = row[0]
            break
        time.sleep(0.05)
    assert pid, "the build did not start"
    time.sleep(0.3)
    done_before = conn.execute(
        "SELECT array_agg(h.inhrelid ORDER BY h.inhrelid) FROM pg_inherits h"
        " WHERE h.inhparent = 'public.events_occurred_at_idx'::regclass").fetchone()[0] or []
    conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
    runner.join(timeout=60)
    holder.rollback()
    assert box["r"].exit_code != 0
    assert "run the same command again" in box["r"].output
    invalid = conn.execute(
        "SELECT count(*) FROM pg_index i JOIN pg_inherits p ON p.inhrelid = i.indrelid"
        " WHERE p.inhparent = 'public.events'::regclass AND NOT i.indisvalid").fetchone()[0]
    assert invalid == 1, "the killed CREATE INDEX CONCURRENTLY left its index invalid"
    status, detail = conn.execute(
        "SELECT status, detail FROM part.verify() WHERE check_name = 'index_build'").fetchone()
    assert status == "fail" and "pginstall index public.events" in detail and "part.create_index(" in detail, detail

    result = _cli(dsn_factory(fresh_db), "public.events", "USING brin (occurred_at)")
    assert result.exit_code == 0, result.output
    assert "left invalid by a build that was interrupted" in result.output
    valid, parts, have = _index_everywhere(conn, "public.events_occurred_at_idx")
    assert valid and have == parts
    kept = conn.execute(
        "SELECT count(*) FROM pg_inherits h WHERE h.inhparent = 'public.events_occurred_at_idx'::regclass"
        " AND h.inhrelid = ANY(%s)", (done_before,)).fetchone()[0]
    assert kept == len(done_before), "partitions finished before the kill were not rebuilt"
    assert conn.execute("SELECT count(*) FROM pg_index i JOIN pg_inherits p ON p.inhrelid = i.indrelid"
                        " WHERE p.inhparent = 'public.events'::regclass AND NOT i.indisvalid").fetchone()[0] == 0
    assert conn.execute("SELECT status FROM part.verify() WHERE check_name = 'index_build'").fetchone()[0] == "ok"


def test_maintenance_creates_partitions_mid_build(fresh_db, connect, dsn_factory):
    """Partitions made while the build runs (create_ahead, run_maintenance) get the index natively;
    writers keep inserting; at the end the index is valid on every partition, the new ones too."""
    conn = connect(fresh_db, autocommit=True)
    _setup(conn, RANGE_DDL, 100000)
    runner = connect(fresh_db, autocommit=True)
    steps = [r[0] for r in runner.execute("SELECT * FROM part.create_index('public.events', '(kind)')").fetchall()]
    assert len(steps) >= 4
    with Inserters(dsn_factory(fresh_db), count=2) as w:
        for i, step in enumerate(steps):
            runner.execute(step)
            if i == 1:
                made = conn.execute("SELECT count(*) FROM part.create_ahead(6, 'public.events')").fetchone()[0]
                conn.execute("CALL part.run_maintenance()")
    assert made > 0
    assert w.failed == []
    valid, parts, have = _index_everywhere(conn, "public.events_kind_idx")
    assert valid and have == parts
    # a partition made after the build is complete has it too
    conn.execute("SELECT part.create_ahead(9, 'public.events')")
    valid, parts2, have = _index_everywhere(conn, "public.events_kind_idx")
    assert parts2 > parts and valid and have == parts2


def test_second_runner_is_refused(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    _setup(conn, RANGE_DDL, 1000)
    first = connect(fresh_db, autocommit=True)
    first.execute("SELECT * FROM part.create_index('public.events', '(org_id)')").fetchall()
    second = connect(fresh_db, autocommit=True)
    with pytest.raises(psycopg.Error) as e:
        second.execute("SELECT * FROM part.create_index('public.events', '(org_id)')")
    assert e.value.sqlstate == "55P03" and f"pid {first.info.backend_pid}" in str(e.value)


def test_who_may_build(fresh_db, connect, dsn_factory, pg_server):
    """A role with part's routines granted but not the table owner is refused (42501), nothing
    made; the owner (not a superuser) builds through pginstall index as itself."""
    admin = connect(fresh_db, autocommit=True)
    for role in ("idx_owner", "idx_other"):
        admin.execute(f"DROP ROLE IF EXISTS {role}")
    admin.execute("CREATE ROLE idx_owner LOGIN; CREATE ROLE idx_other LOGIN")
    admin.execute("GRANT CREATE ON SCHEMA public TO idx_owner")
    for role in ("idx_owner", "idx_other"):
        admin.execute(f"GRANT USAGE ON SCHEMA part TO {role};"
                      f" GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA part TO {role};"
                      f" GRANT SELECT, INSERT, UPDATE ON part.index_build TO {role};"
                      f" GRANT SELECT ON part.settings TO {role}")
    try:
        owner = psycopg.connect(dsn_factory(fresh_db), user="idx_owner", autocommit=True)
        with owner:
            owner.execute("CREATE TABLE public.events (id bigint, org_id int NOT NULL) PARTITION BY HASH (org_id)")
            for r in range(4):
                owner.execute(f"CREATE TABLE public.events_{r} PARTITION OF public.events"
                              f" FOR VALUES WITH (MODULUS 4, REMAINDER {r})")
            owner.execute("INSERT INTO public.events SELECT g, g FROM generate_series(1, 1000) g")
        other = psycopg.connect(dsn_factory(fresh_db), user="idx_other", autocommit=True)
        with other:
            with pytest.raises(psycopg.Error) as e:
                other.execute("SELECT * FROM part.create_index('public.events', '(id)')")
            assert e.value.sqlstate == "42501" and "idx_owner" in str(e.value)
        assert admin.execute("SELECT count(*) FROM pg_indexes WHERE tablename LIKE 'events%'").fetchone()[0] == 0
        dsn = dsn_factory(fresh_db)
        result = CliRunner().invoke(main, ["index", "public.events", "(id)", "--dsn", f"{dsn} user=idx_owner"],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        valid, parts, have = _index_everywhere(admin, "public.events_id_idx")
        assert valid and parts == have == 4
        assert admin.execute("SELECT DISTINCT c.relowner::regrole::text FROM pg_class c JOIN pg_index i ON"
                             " i.indexrelid = c.oid WHERE i.indrelid IN (SELECT inhrelid FROM pg_inherits"
                             " WHERE inhparent = 'public.events'::regclass)").fetchall() == [("idx_owner",)]
    finally:
        admin.execute("DROP TABLE IF EXISTS public.events")
        for role in ("idx_owner", "idx_other"):
            admin.execute(f"DROP OWNED BY {role}; DROP ROLE IF EXISTS {role}")
