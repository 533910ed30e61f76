"""On a real standby (pg_basebackup -R from the test server, started as the
postgres user on another port), maintenance refuses to act and says why, while
verify, metrics and `pginstall verify` work read-only."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from pginstall.cli import main

from conftest import PG_BIN  # noqa: E402


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the postgres OS user."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_dir(path: Path) -> Path:
    """A directory the postgres user owns, reachable through its parents."""
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")
        d = path
        while d != d.parent:
            d = d.parent
            st = d.stat()
            if st.st_uid == 0 and not st.st_mode & 0o001:
                d.chmod(st.st_mode | 0o001)
    return path


@pytest.fixture
def standby(pg_server, tmp_path, fresh_db, connect):
    """(primary database, standby conninfo): a standby of the test server holding fresh_db."""
    primary = connect(fresh_db, autocommit=True)
    primary.execute("CREATE TABLE public.revenues (id bigint, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at)")
    primary.execute("SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 2)")
    primary.execute("CALL part.run_maintenance()")  # a heartbeat the standby will see
    # a partition ahead goes missing: maintenance on the standby must not (and cannot) make it
    name = primary.execute("SELECT partition_name FROM part.partitions WHERE NOT is_default "
                           "ORDER BY bound_from DESC LIMIT 1").fetchone()[0]
    primary.execute(f"DROP TABLE {name}")

    data = _postgres_dir(tmp_path / "standby") / "data"
    backup = subprocess.run(_as_postgres([str(PG_BIN / "pg_basebackup"), "-h", pg_server.host, "-p", str(pg_server.port),
                                          "-U", pg_server.user, "-D", str(data), "-R", "-X", "stream", "-c", "fast"]),
                            capture_output=True, text=True, timeout=120)
    assert backup.returncode == 0, f"pg_basebackup failed: {backup.stderr}"
    port = _free_port()
    options = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data} "
               "-c max_connections=200 -c hot_standby=on -c fsync=off -c shared_preload_libraries=''")
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options,
                                 "-l", str(data.parent / "standby.log"), "-w", "-t", "60", "start"]),
                   check=True, capture_output=True, timeout=90)
    dsn = psycopg.conninfo.make_conninfo(host="127.0.0.1", port=str(port), user=pg_server.user, dbname=fresh_db)
    try:
        yield primary, dsn, name
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True, timeout=60)


def test_maintenance_refuses_on_a_standby(standby):
    primary, dsn, missing = standby
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        log_before = conn.execute("SELECT count(*) FROM part.maintenance_log").fetchone()[0]
        notices = []
        conn.add_notice_handler(lambda d: notices.append(d.message_primary))
        conn.execute("CALL part.run_maintenance()")
        assert any("standby" in n and "nothing done" in n for n in notices), notices
        assert conn.execute("SELECT to_regclass(%s)", (missing,)).fetchone()[0] is None, "nothing created"
        assert conn.execute("SELECT count(*) FROM part.maintenance_log").fetchone()[0] == log_before, "nothing written"

        # verify and metrics work read-only and say where they run
        checks = {(r[0], r[1]): (r[2], r[3]) for r in conn.execute("SELECT * FROM part.verify()")}
        assert checks[("standby", None)][0] == "warn"
        assert "standby" in checks[("standby", None)][1]
        assert checks[("partitions_ahead", "public.revenues")][0] == "fail", "the missing partition is reported"
        assert checks[("maintenance_last_run", None)][0] == "ok", "the primary's heartbeat is replicated"
        metrics = conn.execute("SELECT part.metrics()").fetchone()[0]
        assert metrics["tables"][0]["name"] == "revenues"

    # pginstall verify against the standby: read-only, exit 1 because of the failed check
    result = CliRunner().invoke(main, ["verify", "--dsn", dsn])
    assert "Traceback" not in result.output
    assert result.exit_code == 1, result.output
    assert "standby" in result.output and "partitions_ahead" in result.output

    # the primary's maintenance makes it, and the standby receives it
    primary.execute("CALL part.run_maintenance()")
    lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    with psycopg.connect(dsn, autocommit=True) as conn:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if conn.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,)).fetchone()[0]:
                break
            time.sleep(0.1)
        assert conn.execute("SELECT to_regclass(%s)", (missing,)).fetchone()[0] is not None
        assert conn.execute("SELECT status FROM part.verify() WHERE check_name = 'partitions_ahead'").fetchone()[0] == "ok"
