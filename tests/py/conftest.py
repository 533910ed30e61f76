"""Fixtures: one real PostgreSQL server per test session, databases per test.

The server is the one in $PG_BIN (`make test` runs the suite once per major, each with
its own PG_BIN; see scripts/pg_major.sh). It is started by pytest-postgresql with
pg_cron preloaded when that major has pg_cron (cron.database_name = postgres), and
trust auth on 127.0.0.1. Tests that need pg_cron carry ``@pytest.mark.cron`` and are
skipped, with a reason naming the major, where it is missing. As root (CI), the
server runs as the `postgres` OS user through scripts/pg_ctl_as_postgres.sh.

Databases are cheap copies of template databases made once per session:

* ``part_template``: part installed in plain mode (render_install('plain'));
* ``part_ext_template``: ``CREATE EXTENSION part`` and pgtap (needs `make install`);
* ``empty_template``: nothing installed (for the installer's own tests).

Fixtures:

* ``pg_server``: host, port, user of the server; ``pg_server.dsn(dbname)``.
* ``dsn_factory(dbname)``: a libpq conninfo string for one database.
* ``connect(dbname, autocommit=False)``: a psycopg connection, closed after the test.
* ``fresh_db`` / ``ext_db`` / ``empty_db``: the name of a new database for this
  test (plain part / extension part / nothing), dropped afterwards.
* ``make_db(kind)``: more such databases in one test (kind: plain, extension, empty).
* ``pginstall_cli(config=TEXT, ...)``: the one way the tests run the pginstall CLI (in-process,
  click's CliRunner) against a test database with a config file.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from pytest_postgresql import factories

from pginstall import render

REPO = Path(__file__).resolve().parents[2]
if not os.environ.get("PG_BIN"):
    raise pytest.UsageError(
        "PG_BIN is not set: run the tests through `make test` / `make pytest [PG=MAJOR]`, "
        "or set PG_BIN to a PostgreSQL bin directory (scripts/pg_major.sh MAJOR prints one)"
    )
PG_BIN = Path(os.environ["PG_BIN"])
PG_CTL_WRAPPER = REPO / "scripts" / "pg_ctl_as_postgres.sh"


def _pg_config(option: str) -> str:
    import subprocess

    return subprocess.check_output([str(PG_BIN / "pg_config"), option], text=True).strip()


# "PostgreSQL 17.11" -> 17: the major of the server under test
PG_MAJOR = int(_pg_config("--version").split()[1].split(".")[0])
# pg_cron exists only where a registry ships it for this major's build (Debian's packages)
HAS_PG_CRON = (Path(_pg_config("--pkglibdir")) / "pg_cron.so").exists()
NO_CRON_REASON = (
    f"pg_cron is not installed for PostgreSQL {PG_MAJOR} (no reachable package registry ships "
    f"it for this build); the cron tests run on the majors that have it"
)

POSTGRES_OPTIONS = " ".join(
    (["-c shared_preload_libraries=pg_cron", "-c cron.database_name=postgres", "-c cron.timezone=UTC"]
     if HAS_PG_CRON else [])
    + [
        "-c max_connections=200",
        "-c wal_level=replica",
        "-c max_wal_senders=5",
        "-c fsync=off",
    ]
)

postgresql_proc = factories.postgresql_proc(
    executable=str(PG_CTL_WRAPPER),
    host="127.0.0.1",
    port=None,  # any free port
    user="postgres",
    postgres_options=POSTGRES_OPTIONS,
)

TEMPLATES = {
    "plain": "part_template",
    "extension": "part_ext_template",
    "empty": "empty_template",
}


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    datadir: str
    logfile: str

    def dsn(self, dbname: str = "postgres") -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host, port=str(self.port), user=self.user, dbname=dbname
        )

    def env(self) -> dict[str, str]:
        """libpq variables reaching this server (for subprocesses such as pg_prove)."""
        return {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user}


def _admin(server: PgServer) -> psycopg.Connection:
    return psycopg.connect(server.dsn("postgres"), autocommit=True)


def _create_db(server: PgServer, name: str, template: str = "template0") -> None:
    with _admin(server) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )


def _drop_db(server: PgServer, name: str) -> None:
    with _admin(server) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        # pg_cron jobs that `pginstall apply` registered for it (cron.database_name = postgres)
        if conn.execute("SELECT to_regclass('cron.job') IS NOT NULL").fetchone()[0]:
            conn.execute("DELETE FROM cron.job WHERE database = %s", (name,))


def extension_files_problem() -> str | None:
    """Why CREATE EXTENSION part would not install what templates/ renders, or None."""
    import subprocess

    sharedir = subprocess.check_output([str(PG_BIN / "pg_config"), "--sharedir"], text=True).strip()
    extdir = Path(sharedir) / "extension"
    for fname, text in render.render_extension_files().items():
        path = extdir / fname
        if not path.exists():
            return f"{path} is missing: run `make install`"
        if path.read_text() != text:
            return f"{path} differs from what templates/ renders: run `make install`"
    return None


@pytest.fixture(scope="session")
def pg_server(postgresql_proc) -> PgServer:
    server = PgServer(
        host=postgresql_proc.host,
        port=int(postgresql_proc.port),
        user=postgresql_proc.user,
        datadir=postgresql_proc.datadir,
        logfile=postgresql_proc.logfile,
    )
    if HAS_PG_CRON:
        with _admin(server) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")
    return server


def pytest_configure(config):
    config.addinivalue_line("markers", "cron: needs pg_cron in the server under test (skipped where missing)")


def pytest_collection_modifyitems(config, items):
    if HAS_PG_CRON:
        return
    skip = pytest.mark.skip(reason=NO_CRON_REASON)
    for item in items:
        if item.get_closest_marker("cron"):
            item.add_marker(skip)


def pytest_report_header(config):
    return f"PostgreSQL {PG_MAJOR} from {PG_BIN} ({'with' if HAS_PG_CRON else 'without'} pg_cron)"


@pytest.fixture(scope="session")
def _templates(pg_server: PgServer) -> dict[str, str | None]:
    """Build the template databases once; value None means built, else why not."""
    state: dict[str, str | None] = {}

    _drop_db(pg_server, TEMPLATES["empty"])
    _create_db(pg_server, TEMPLATES["empty"])
    state["empty"] = None

    _drop_db(pg_server, TEMPLATES["plain"])
    _create_db(pg_server, TEMPLATES["plain"])
    with psycopg.connect(pg_server.dsn(TEMPLATES["plain"])) as conn:
        conn.execute(render.render_install("plain"))
    state["plain"] = None

    _drop_db(pg_server, TEMPLATES["extension"])
    problem = extension_files_problem()
    if problem is None:
        _create_db(pg_server, TEMPLATES["extension"])
        with psycopg.connect(pg_server.dsn(TEMPLATES["extension"])) as conn:
            conn.execute("CREATE EXTENSION part")
            conn.execute("CREATE EXTENSION pgtap")
    state["extension"] = problem
    return state


@pytest.fixture
def make_db(pg_server: PgServer, _templates):
    """make_db(kind='plain'|'extension'|'empty') -> name of a new database, dropped after the test."""
    made: list[str] = []

    def factory(kind: str = "plain") -> str:
        problem = _templates[kind]
        if problem is not None:
            pytest.fail(f"cannot make a database with part as an extension: {problem}")
        name = f"t_{kind[:3]}_{uuid.uuid4().hex[:10]}"
        _create_db(pg_server, name, TEMPLATES[kind])
        made.append(name)
        return name

    yield factory
    for name in made:
        _drop_db(pg_server, name)


@pytest.fixture
def fresh_db(make_db) -> str:
    """A new database with part installed in plain mode."""
    return make_db("plain")


@pytest.fixture
def ext_db(make_db) -> str:
    """A new database with CREATE EXTENSION part (and pgtap) done."""
    return make_db("extension")


@pytest.fixture
def empty_db(make_db) -> str:
    """A new database without part."""
    return make_db("empty")


@pytest.fixture
def dsn_factory(pg_server: PgServer):
    return pg_server.dsn


@pytest.fixture
def connect(pg_server: PgServer):
    """connect(dbname, autocommit=False) -> psycopg.Connection, closed after the test."""
    opened: list[psycopg.Connection] = []

    def factory(dbname: str, autocommit: bool = False, **kwargs) -> psycopg.Connection:
        conn = psycopg.connect(pg_server.dsn(dbname), autocommit=autocommit, **kwargs)
        opened.append(conn)
        return conn

    yield factory
    for conn in opened:
        conn.close()


@pytest.fixture
def pginstall_cli(tmp_path, dsn_factory):
    """pginstall_cli(config="", db=None, env=None, section="app") -> run: the one CLI runner.

    run(cmd, db, *args, config=None, section=..., env=None, input=None) writes the config text
    (dedented) to tmp_path/pginstall.toml and runs `pginstall CMD --config FILE --dsn <db>
    [--db SECTION] ARGS` in-process; it returns click's Result. A traceback in the output or an
    exception other than SystemExit fails the test: pginstall reports every problem as one line.
    With db= given here, run(cmd, *args, ...) acts on that database. env is merged (the call's
    over the fixture's); run.config_path, run.db and run.dsn say what it uses.
    """
    import textwrap

    from click.testing import CliRunner

    from pginstall.cli import main

    path = tmp_path / "pginstall.toml"

    def make(config: str = "", db: str | None = None, env: dict | None = None, section: str | None = "app"):
        defaults = {"config": config, "env": env or {}, "section": section}

        def invoke(cmd, dbname, args, config=None, section=..., env=None, input=None):
            path.write_text(textwrap.dedent(defaults["config"] if config is None else config))
            argv = [cmd, "--config", str(path), "--dsn", dsn_factory(dbname)]
            section = defaults["section"] if section is ... else section
            if section:
                argv += ["--db", section]
            result = CliRunner().invoke(main, argv + list(args), env={**defaults["env"], **(env or {})},
                                        input=input, catch_exceptions=True)
            assert "Traceback" not in result.output, result.output
            if result.exception is not None and not isinstance(result.exception, SystemExit):
                raise result.exception
            return result

        if db is None:
            def run(cmd, dbname, *args, **kw):
                return invoke(cmd, dbname, args, **kw)
        else:
            def run(cmd, *args, **kw):
                return invoke(cmd, db, args, **kw)
        run.config_path, run.cfg, run.db = path, path, db
        run.dsn = dsn_factory(db) if db else None
        path.write_text(textwrap.dedent(config))
        return run

    return make


@pytest.fixture
def snapshot(pg_server: PgServer):
    """snapshot(dbname) -> what "changes nothing" compares: part's functions (with xmin),
    part.config, part.settings, the relations of user schemas, the extensions."""

    def take(dbname: str) -> dict:
        with psycopg.connect(pg_server.dsn(dbname)) as conn:
            out = {
                "functions": conn.execute(
                    """SELECT p.oid::bigint, p.proname, p.xmin::text FROM pg_proc p
                         JOIN pg_namespace n ON n.oid = p.pronamespace
                        WHERE n.nspname = 'part' ORDER BY 1"""
                ).fetchall(),
                "relations": conn.execute(
                    """SELECT n.nspname, c.relname, c.relkind::text, c.xmin::text FROM pg_class c
                         JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
                        ORDER BY 1, 2"""
                ).fetchall(),
                "extensions": conn.execute(
                    "SELECT extname, extversion FROM pg_extension ORDER BY 1"
                ).fetchall(),
                "config": None,
                "settings": None,
            }
            if conn.execute("SELECT to_regclass('part.config') IS NOT NULL").fetchone()[0]:
                out["config"] = conn.execute("SELECT c.*, c.xmin::text FROM part.config c ORDER BY 1").fetchall()
                out["settings"] = conn.execute("SELECT s.*, s.xmin::text FROM part.settings s ORDER BY 1").fetchall()
            return out

    return take


def pytest_sessionfinish(session, exitstatus):
    """Collect the stopped server's executor while the interpreter is whole: its
    __del__ otherwise runs at shutdown and prints a spurious psutil traceback."""
    import gc

    gc.collect()
