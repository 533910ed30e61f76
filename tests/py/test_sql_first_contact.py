"""SQL details a newcomer meets from psql (issue 13, item 8): the plain install
script with `psql -f` as with `psql -1 -f`, split_hash saying what it does at
client_min_messages = notice, and secondary indexes following the table names
across a switch and a rollback."""

from __future__ import annotations

import subprocess

import pytest

from pginstall import render


@pytest.mark.parametrize("single_transaction", [False, True], ids=["psql -f", "psql -1 -f"])
def test_plain_script_runs_with_or_without_a_transaction(single_transaction, empty_db, pg_server, tmp_path, connect):
    script = tmp_path / "part.sql"
    script.write_text(render.render_install("plain"))
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", pg_server.host, "-p", str(pg_server.port),
           "-U", pg_server.user, "-d", empty_db, "-f", str(script)]
    if single_transaction:
        cmd.insert(1, "-1")
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "SET LOCAL" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    with connect(empty_db) as conn:
        assert conn.execute("SELECT value FROM part.settings WHERE key = 'version'").fetchone()[0] == render.VERSION
        conn.execute("CREATE TABLE public.t (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
        assert len(conn.execute("SELECT part.create_partitioned('public.t', 'at', 'range', '1 month')").fetchall()) > 1
        assert conn.execute("SHOW check_function_bodies").fetchone()[0] == "on"


def test_split_hash_says_what_it_does_at_notice_level(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.t (id bigint NOT NULL, org_id int NOT NULL) PARTITION BY HASH (org_id)")
    conn.execute("SELECT part.create_partitioned('public.t', 'org_id', 'hash', p_partitions => 2)")
    conn.execute("INSERT INTO public.t SELECT g, g % 97 FROM generate_series(1, 1000) g")
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(d.message_primary))
    conn.execute("SET client_min_messages = notice")
    conn.execute("CALL part.split_hash('public.t', 4)")
    assert notices[0] == "part: splitting public.t from 2 to 4 hash partitions: 2 old partition(s) to split, one at a time"
    done = [n for n in notices if n.startswith("part: split public.t_")]
    assert len(done) == 2 and done[-1].endswith("2 of 2 done"), notices
    assert notices[-1] == "part: public.t has 4 hash partitions"
    notices.clear()
    conn.execute("CALL part.split_hash('public.t', 4)")
    assert notices == ["part: public.t has 4 hash partitions already: nothing to split"]


def _indexes(conn, table: str) -> set[str]:
    return {r[0] for r in conn.execute(
        "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass",
        (table,))}


def test_secondary_indexes_follow_the_names_across_switch_and_rollback(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.bookings (id bigserial PRIMARY KEY, org_id int NOT NULL,"
                 " booked_at timestamptz NOT NULL)")
    conn.execute("CREATE INDEX ON public.bookings (org_id, booked_at)")
    conn.execute("INSERT INTO public.bookings (org_id, booked_at) SELECT g % 7, now() - g * interval '1 day'"
                 " FROM generate_series(1, 200) g")
    conn.execute("SELECT part.migrate_start('public.bookings', 'booked_at', 'range', '1 month')")
    assert "bookings_partitioned_org_id_booked_at_idx" in _indexes(conn, "public.bookings_partitioned")
    conn.execute("CALL part.backfill('public.bookings')")
    conn.execute("SELECT part.switch_reads('public.bookings')")
    assert _indexes(conn, "public.bookings") == {"bookings_pkey", "bookings_org_id_booked_at_idx"}
    assert _indexes(conn, "public.bookings_legacy") == {"bookings_legacy_pkey", "bookings_legacy_org_id_booked_at_idx"}
    conn.execute("SELECT part.rollback('public.bookings')")
    assert _indexes(conn, "public.bookings") == {"bookings_pkey", "bookings_org_id_booked_at_idx"}
    assert _indexes(conn, "public.bookings_partitioned") == {"bookings_partitioned_pkey",
                                                              "bookings_partitioned_org_id_booked_at_idx"}
    assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'public.bookings'::regclass").fetchone()[0] == "r"
