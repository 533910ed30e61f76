"""Install paths: the wheel in a fresh virtualenv gives a working `pginstall` (templates
inside the package), the PGXN archive installs with PGXS (`make install DESTDIR=...
PG_CONFIG=...`), and the plain script installs with `psql -f` as well as `psql -1 -f`.
On PostgreSQL 18 the staged extension directory is used through extension_control_path;
before 18 that setting does not exist."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import zipfile
from pathlib import Path

import psycopg
import pytest

from pginstall import render

from conftest import PG_BIN, PG_MAJOR  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


def _sources_digest() -> str:
    import hashlib

    h = hashlib.sha256()
    for p in sorted([REPO / "pyproject.toml", *(REPO / "installer" / "pginstall").rglob("*.py"),
                     *(p for p in (REPO / "templates").rglob("*") if p.is_file())]):
        h.update(p.relative_to(REPO).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


@pytest.fixture(scope="session")
def wheel_venv() -> Path:
    """A fresh virtualenv with pginstall installed from a wheel built from this checkout;
    kept in .pg/ for the same sources, so the run of the next major reuses it."""
    import fcntl

    base = REPO / ".pg" / f"wheel-{_sources_digest()}"
    base.parent.mkdir(exist_ok=True)
    with open(REPO / ".pg" / "wheel.lock", "w") as lock:  # majors run side by side: one builds
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (base / "ok").exists():
            return base / "venv"
        for stale in base.parent.glob("wheel-*"):  # of older sources, and a half-built one
            subprocess.run(["rm", "-rf", str(stale)], check=True)
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"), str(REPO)])
        wheels = list((base / "dist").glob("pginstall-*.whl"))
        assert [w.name for w in wheels] == [f"pginstall-{render.VERSION}-py3-none-any.whl"]
        names = zipfile.ZipFile(wheels[0]).namelist()
        assert "pginstall/_templates/install.sql.j2" in names
        assert "pginstall/_templates/core/create_partitioned.sql" in names
        assert f"pginstall/_templates/released/part--{render.released_versions()[0]}.sql" in names
        _run([sys.executable, "-m", "venv", str(base / "venv")])
        _run([str(base / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", str(wheels[0])])
        (base / "ok").touch()
    return base / "venv"


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PGINSTALL", "PYTHON", "VIRTUAL_ENV"))}
    return env


def test_wheel_in_a_fresh_venv_renders_and_applies(wheel_venv, tmp_path, make_db, pg_server, connect):
    exe = str(wheel_venv / "bin" / "pginstall")
    env = _clean_env()
    assert "Usage:" in _run([exe, "--help"], cwd=tmp_path, env=env).stdout
    # the templates come from the package, not from this checkout: same text
    assert _run([exe, "render"], cwd=tmp_path, env=env).stdout == render.render_install("plain")
    assert _run([exe, "render", "--mode", "extension"], cwd=tmp_path, env=env).stdout == render.render_install("extension")
    where = _run([str(wheel_venv / "bin" / "python"), "-c",
                  "from pginstall import render; print(render.templates_dir())"], cwd=tmp_path, env=env).stdout.strip()
    assert where.startswith(str(wheel_venv)), where

    db = make_db("empty")
    (tmp_path / "pginstall.toml").write_text(textwrap.dedent(f"""\
        [schedule]
        maintenance = ""
        purge_history = ""

        [databases.{db}]

        [[databases.{db}.tables]]
        table = "public.events"
        strategy = "range"
        key = "created_at"
        interval = "1 day"
        premake = 2
        """))
    with connect(db, autocommit=True) as conn:
        conn.execute("CREATE TABLE public.events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at)")
    r = _run([exe, "apply", "--db", db, "--mode", "plain", "--dsn", pg_server.dsn(db)], cwd=tmp_path, env=env)
    assert f"installed part {render.VERSION} (plain mode)" in r.stdout
    with connect(db) as conn:
        assert conn.execute("SELECT value FROM part.settings WHERE key = 'version'").fetchone()[0] == render.VERSION
        assert conn.execute("SELECT count(*) FROM part.partitions WHERE parent_table = 'public.events'"
                            " AND NOT is_default").fetchone()[0] == 3


@pytest.mark.parametrize("single_transaction", [False, True], ids=["psql -f", "psql -1 -f"])
def test_plain_script_installs_with_psql(single_transaction, make_db, pg_server, connect, tmp_path):
    db = make_db("empty")
    script = tmp_path / "part.sql"
    script.write_text(render.render_install("plain"))
    r = _run([str(PG_BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", *(["-1"] if single_transaction else []),
              "-f", str(script), pg_server.dsn(db)])
    assert "WARNING" not in r.stderr and "ERROR" not in r.stderr, r.stderr
    with connect(db) as conn:
        assert conn.execute("SELECT value FROM part.settings WHERE key = 'version'").fetchone()[0] == render.VERSION
        assert conn.execute("SELECT count(*) FROM part.create_ahead()").fetchone()[0] == 0


def test_pgxn_archive_installs_with_pgxs_and_destdir(tmp_path, make_db, connect):
    sys.path.insert(0, str(REPO / "scripts"))
    import make_dist

    archive = make_dist.build(tmp_path / "dist")
    top = f"part-{render.VERSION}"
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path / "src")
        names = z.namelist()
    meta = json.loads((tmp_path / "src" / top / "META.json").read_text())
    assert meta["version"] == render.VERSION and meta["license"] == "postgresql"
    assert f"{top}/sql/part--{render.VERSION}.sql" in names and f"{top}/part.control" in names

    # a staging directory the server (the postgres OS user, as root) can read
    stage = Path(tempfile.mkdtemp(prefix="stage-", dir=REPO / ".pg"))
    stage.chmod(0o755)
    try:
        _run(["make", "-C", str(tmp_path / "src" / top), "install", f"DESTDIR={stage}",
              f"PG_CONFIG={PG_BIN / 'pg_config'}"])
        sharedir = _run([str(PG_BIN / "pg_config"), "--sharedir"]).stdout.strip()
        extdir = Path(f"{stage}{sharedir}") / "extension"
        assert sorted(p.name for p in extdir.iterdir()) == sorted(render.render_extension_files())
        for name, text in render.render_extension_files().items():
            assert (extdir / name).read_text() == text

        db = make_db("empty")
        with connect(db, autocommit=True) as conn:
            if PG_MAJOR >= 18:
                # 18: the staged share directory alone serves CREATE EXTENSION (PostgreSQL looks
                # in its extension/ subdirectory)
                conn.execute(f"SET extension_control_path = '{extdir.parent}'")
                conn.execute("CREATE EXTENSION part")
                assert conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'part'").fetchone()[0] == render.VERSION
            else:
                with pytest.raises(psycopg.errors.UndefinedObject):
                    conn.execute(f"SET extension_control_path = '{extdir}'")
    finally:
        subprocess.run(["rm", "-rf", str(stage)], check=False)
