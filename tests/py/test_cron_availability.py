"""pg_cron absent or not created: `pginstall apply` still succeeds and says that
nothing is scheduled; when pg_cron is preloaded but not created in the cron
database, apply creates it there if the role may, else warns. Each case runs on
a small server of its own (initdb'd for the test, as the postgres OS user)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import textwrap
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from pginstall.cli import main

from conftest import PG_BIN  # noqa: E402
CONFIG = """
[schedule]
maintenance = "0 2 * * *"

[databases.app]

[[databases.app.tables]]
table = "public.revenues"
strategy = "range"
key = "occurred_at"
interval = "1 month"
"""
TABLE_DDL = ("CREATE TABLE public.revenues (id bigint NOT NULL, occurred_at timestamptz NOT NULL, "
             "PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _postgres_dir(path: Path) -> Path:
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


class Server:
    def __init__(self, base: Path):
        self.data = _postgres_dir(base) / "data"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
                                     "-E", "UTF8", "--locale=C.UTF-8"]), check=True, capture_output=True, timeout=120)
        self.running = False

    def start(self, *settings: str) -> None:
        if self.running:
            self.stop()
        opts = " ".join([f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-c unix_socket_directories={self.data}",
                         "-c fsync=off", *[f"-c {s}" for s in settings]])
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", opts,
                                     "-l", str(self.data.parent / "server.log"), "-w", "-t", "60", "start"]),
                       check=True, capture_output=True, timeout=90)
        self.running = True

    def stop(self) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]),
                       capture_output=True, timeout=60)
        self.running = False

    def dsn(self, dbname: str, user: str = "postgres") -> str:
        return psycopg.conninfo.make_conninfo(host="127.0.0.1", port=str(self.port), user=user, dbname=dbname)

    def sql(self, dbname: str, *statements: str) -> None:
        with psycopg.connect(self.dsn(dbname), autocommit=True) as conn:
            for s in statements:
                conn.execute(s)


@pytest.fixture
def server(tmp_path):
    s = Server(tmp_path / "pg")
    yield s
    s.stop()


def apply(tmp_path, dsn: str, *args: str):
    path = tmp_path / "pginstall.toml"
    path.write_text(textwrap.dedent(CONFIG))
    result = CliRunner().invoke(main, ["apply", "--db", "app", "--config", str(path), "--dsn", dsn, *args])
    assert "Traceback" not in result.output, result.output
    return result


def test_without_pg_cron_apply_succeeds_and_says_nothing_is_scheduled(server, tmp_path):
    server.start()  # no shared_preload_libraries
    server.sql("postgres", "CREATE DATABASE app")
    server.sql("app", TABLE_DDL)
    r = apply(tmp_path, server.dsn("app"))
    assert r.exit_code == 0, r.output
    assert "nothing scheduled: pg_cron is not loaded" in r.output
    with psycopg.connect(server.dsn("app")) as conn:
        assert conn.execute("SELECT count(*) FROM part.config").fetchone()[0] == 1, "everything else was applied"
        assert conn.execute("SELECT part.setting('maintenance_schedule')").fetchone()[0] == ""
        status, detail = conn.execute(
            "SELECT status, detail FROM part.verify() WHERE check_name = 'maintenance_heartbeat'").fetchone()
        assert status == "warn" and "none scheduled" in detail
    r = CliRunner().invoke(main, ["verify", "--dsn", server.dsn("app")])
    assert r.exit_code == 0, r.output
    assert "pg_cron is not loaded on this server: nothing is scheduled" in r.output


@pytest.mark.cron
def test_preloaded_but_not_created_is_created_if_allowed_else_warned(server, tmp_path):
    server.start()
    server.sql("postgres", "CREATE DATABASE crondb", "CREATE ROLE owner LOGIN",
               "CREATE DATABASE app OWNER owner", "CREATE DATABASE app2 OWNER owner")
    for db in ("app", "app2"):
        server.sql(db, TABLE_DDL, "ALTER TABLE public.revenues OWNER TO owner")
    server.start("shared_preload_libraries=pg_cron", "cron.database_name=crondb")

    # a role that may not even read cron.database_name: a warning saying what to do, exit 0
    r = apply(tmp_path, server.dsn("app2", user="owner"), "--mode", "plain")
    assert r.exit_code == 0, r.output
    assert "warning: nothing scheduled: pg_cron is loaded, but this role may not read cron.database_name" in r.output
    # a role that may read it but not create pg_cron: a warning, nothing scheduled, exit 0
    server.sql("postgres", "GRANT pg_read_all_settings TO owner")
    r = apply(tmp_path, server.dsn("app2", user="owner"), "--mode", "plain")
    assert r.exit_code == 0, r.output
    assert "warning: nothing scheduled: pg_cron is loaded but not created in database crondb" in r.output
    with psycopg.connect(server.dsn("app2")) as conn:
        assert conn.execute("SELECT part.setting('maintenance_schedule')").fetchone()[0] == ""
    with psycopg.connect(server.dsn("crondb"), autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'").fetchone()[0] == 0

    # a superuser: created there, and the job scheduled
    r = apply(tmp_path, server.dsn("app"))
    assert r.exit_code == 0, r.output
    assert "created extension pg_cron in database crondb" in r.output
    assert "scheduled part_maintenance_app '0 2 * * *' in database app (pg_cron in crondb)" in r.output
    with psycopg.connect(server.dsn("crondb"), autocommit=True) as conn:
        assert conn.execute("SELECT database, command FROM cron.job WHERE jobname = 'part_maintenance_app'").fetchone() == (
            "app", "CALL part.run_maintenance()")
