"""pg_dump / restore of a database using part as an extension: the catalogs
are extension config tables, so part.config and changed flags come back,
defaults are not restored twice, and managed tables keep working."""

import subprocess

import pytest


@pytest.mark.parametrize("kind", ["extension"])
def test_dump_and_restore_keeps_config_and_flags(make_db, connect, pg_server, kind):
    src = make_db(kind)
    conn = connect(src, autocommit=True)
    conn.execute(
        "CREATE TABLE public.revenues (id bigint NOT NULL, occurred_at timestamptz NOT NULL)"
        " PARTITION BY RANGE (occurred_at)"
    )
    conn.execute("SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 2)")
    conn.execute("UPDATE part.settings SET value = 'true' WHERE key = 'log_partition_routing'")
    dump = subprocess.run(
        ["pg_dump", "--no-owner", "-h", pg_server.host, "-p", str(pg_server.port), "-U", pg_server.user, src],
        capture_output=True, text=True, check=True,
    ).stdout
    dst = make_db("empty")
    restored = subprocess.run(
        ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-q", "-h", pg_server.host, "-p", str(pg_server.port),
         "-U", pg_server.user, "-d", dst],
        input=dump, capture_output=True, text=True,
    )
    assert restored.returncode == 0, restored.stderr
    out = connect(dst, autocommit=True)
    assert out.execute("SELECT parent_table, \"interval\", premake FROM part.config").fetchall() == [
        ("public.revenues", "1 month", 2)
    ]
    settings = dict(out.execute("SELECT key, value FROM part.settings").fetchall())
    assert settings["log_partition_routing"] == "true"
    assert settings["enable_partition_maintenance"] == "true"
    assert settings["version"] == out.execute("SELECT extversion FROM pg_extension WHERE extname = 'part'").fetchone()[0]
    # the restored table is still managed: a second create_ahead(2) has nothing to do
    assert out.execute("SELECT count(*) FROM part.create_ahead(2)").fetchone()[0] == 0
    assert out.execute("SELECT count(*) FROM part.partitions").fetchone()[0] == 4
