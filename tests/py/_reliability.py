"""Shared pieces of the reliability suite (issue 8): crash a step at a random
point, then check that a rerun converged (exact parity, nothing half made,
verify clean).

A *crash* is either ``pg_terminate_backend`` of the session doing the step
(:class:`TerminateCrash`, on the shared pytest server) or ``pg_ctl stop -m
immediate`` of a whole throwaway server followed by a restart
(:class:`ServerCrash` with :class:`ThrowawayServer`). Each crash point is
drawn from a seeded ``random.Random``; every assertion message carries the
seed, so a failure can be replayed with ``PART_SEED=<seed>``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Callable

import psycopg

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))

# verify() checks that may warn in a test database (no maintenance scheduled or run)
EXPECTED_WARNS = {"maintenance_heartbeat", "maintenance_last_run"}


def seeds(default: list[int]) -> list[int]:
    """The seeds to run: PART_SEED=<n>[,<n>...] replays given ones, else the defaults."""
    env = os.environ.get("PART_SEED")
    return [int(s) for s in env.split(",")] if env else default


# ---------------------------------------------------------------- crashes


class TerminateCrash:
    """pg_terminate_backend of the session running the step."""

    kind = "terminate"

    def __init__(self, dsn: str):
        self.dsn = dsn

    def crash(self, pid: int) -> None:
        with psycopg.connect(self.dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def _as_postgres(cmd: list[str]) -> list[str]:
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


class ThrowawayServer:
    """A PostgreSQL server of its own (as the postgres OS user when root), never the shared one:
    a server crash test stops it with -m immediate and starts it again."""

    def __init__(self, base: Path):
        self.dir = _postgres_dir(base / "crashsrv")
        self.data = self.dir / "data"
        self.port = _free_port()
        self.user = "postgres"
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", self.user]),
                       check=True, capture_output=True, timeout=120)
        self.start()

    def _ctl(self, *args: str, timeout: int = 90) -> None:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
                       check=True, capture_output=True, timeout=timeout)

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data} "
                   "-c max_connections=50 -c fsync=off -c shared_preload_libraries=''")
        self._ctl("-o", options, "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")

    def crash_and_restart(self) -> None:
        self._ctl("-m", "immediate", "-w", "stop")
        self.start()

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass

    def dsn(self, dbname: str = "postgres") -> str:
        return psycopg.conninfo.make_conninfo(host="127.0.0.1", port=str(self.port), user=self.user, dbname=dbname)


class ServerCrash:
    """pg_ctl stop -m immediate of the whole (throwaway) server, then a restart (crash recovery)."""

    kind = "server"

    def __init__(self, server: ThrowawayServer):
        self.server = server

    def crash(self, pid: int) -> None:  # noqa: ARG002 - the whole server goes down
        self.server.crash_and_restart()


# ---------------------------------------------------------------- a step crashed at a point


class Step:
    """Run one SQL statement in its own session (a thread), to be crashed while it runs."""

    def __init__(self, dsn: str, sql: str, setup: tuple[str, ...] = ()):
        self.error: BaseException | None = None
        self.done = False
        self._started = threading.Event()
        self.pid = 0
        self.began = 0.0

        def run():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    for s in setup:
                        conn.execute(s)
                    self.pid = conn.info.backend_pid
                    self.began = time.monotonic()
                    self._started.set()
                    conn.execute(sql)
                    self.done = True
            except BaseException as exc:  # noqa: BLE001 - the crash is the point
                self.error = exc
            finally:
                self._started.set()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        self._started.wait(60)

    def join(self, timeout: float = 120) -> None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the step did not end"


def crash_step(dsn: str, sql: str, crash, when: Callable[[Step], None], setup: tuple[str, ...] = ()) -> bool:
    """Run `sql`, wait with `when(step)` for the crash point, crash, wait for the step to end.
    True when the crash hit the step while it ran (it did not finish)."""
    step = Step(dsn, sql, setup)
    if step.error is None:
        when(step)
        crash.crash(step.pid)
    step.join()
    if step.error is not None and not isinstance(step.error, psycopg.OperationalError):
        raise step.error  # anything but a lost session is a real failure
    return not step.done


def after(seconds: float) -> Callable[[Step], None]:
    """A crash point `seconds` after the step began."""

    def wait(step: Step) -> None:
        rest = step.began + seconds - time.monotonic()
        if rest > 0:
            time.sleep(rest)

    return wait


def timed(conn: psycopg.Connection, sql: str) -> float:
    began = time.monotonic()
    conn.execute(sql)
    return time.monotonic() - began


def connect_retry(dsn: str, attempts: int = 100) -> psycopg.Connection:
    for i in range(attempts):
        try:
            return psycopg.connect(dsn, autocommit=True)
        except psycopg.OperationalError:
            if i == attempts - 1:
                raise
            time.sleep(0.1)
    raise AssertionError("unreachable")


# ---------------------------------------------------------------- convergence


def columns(conn: psycopg.Connection, table: str) -> str:
    return ", ".join(
        r[0] for r in conn.execute(
            "SELECT quote_ident(attname) FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
            " AND NOT attisdropped ORDER BY attnum", (table,)).fetchall())


def content_differs(conn: psycopg.Connection, a: str, b: str) -> tuple[int, int, int, int]:
    """(rows only in a, rows only in b, rows of a, rows of b), comparing every column, duplicates too."""
    cols = columns(conn, a)
    return conn.execute(
        f"SELECT (SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b}) x),"
        f"       (SELECT count(*) FROM (SELECT {cols} FROM {b} EXCEPT ALL SELECT {cols} FROM {a}) y),"
        f"       (SELECT count(*) FROM {a}), (SELECT count(*) FROM {b})").fetchone()


def half_made(conn: psycopg.Connection) -> list[str]:
    """What an interrupted step may leave behind: split tables, capture triggers, split_log rows,
    hash tables of two moduli, part's temporary owner functions."""
    out = [f"split table {r[0]}" for r in conn.execute(
        "SELECT conrelid::regclass::text FROM pg_constraint WHERE conname = 'part_split_check'")]
    out += [f"capture trigger {r[0]} on {r[1]}" for r in conn.execute(
        "SELECT tgname, tgrelid::regclass::text FROM pg_trigger"
        " WHERE tgname IN ('part_split_capture', 'part_split_capture_truncate')")]
    n = conn.execute("SELECT count(*) FROM part.split_log").fetchone()[0]
    if n:
        out.append(f"{n} split_log rows")
    out += [f"{r[0]} has partitions of moduli {r[1]}" for r in conn.execute(
        "SELECT parent_table, array_agg(DISTINCT split_part(split_part(bound_from, ',', 1), ' ', 2))"
        "  FROM part.partitions WHERE strategy = 'hash' GROUP BY 1"
        " HAVING count(DISTINCT split_part(split_part(bound_from, ',', 1), ' ', 2)) > 1")]
    return out


def verify_problems(conn: psycopg.Connection) -> list[tuple]:
    return [r for r in conn.execute("SELECT check_name, table_name, status, detail FROM part.verify()")
            if r[2] == "fail" or (r[2] == "warn" and r[0] not in EXPECTED_WARNS)]


def assert_migration_converged(conn: psycopg.Connection, table: str, why: str) -> None:
    """Both tables of the migration of `table` hold exactly the same rows, a full parity check is
    clean, nothing is half made and verify() has no fail (nor an unexpected warn)."""
    legacy, part, phase = conn.execute(
        "SELECT legacy_table, partitioned_table, phase FROM part.migration WHERE table_name = %s", (table,)).fetchone()
    diff = content_differs(conn, legacy, part)
    assert diff[:2] == (0, 0) and diff[2] == diff[3], f"{why}: {table} ({phase}): rows differ {diff}"
    bad = conn.execute("SELECT range_from, legacy_rows, partitioned_rows FROM part.check_parity(%s, p_full => true)"
                       " WHERE status <> 'ok'", (table,)).fetchall()
    assert bad == [], f"{why}: {table}: check_parity(p_full) differs: {bad}"
    left = half_made(conn)
    assert left == [], f"{why}: half made: {left}"
    problems = verify_problems(conn)
    assert problems == [], f"{why}: verify: {problems}"
