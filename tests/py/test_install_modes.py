"""Both install modes, each in its own database; mode detection; mixing refused; the update chain."""

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from pginstall import state as ap
from pginstall import render
from pginstall.cli import main

VERSION = render.VERSION

REPO = Path(__file__).resolve().parents[2]


def run(cmd, dsn, *args, env=None):
    result = CliRunner().invoke(main, [cmd, "--dsn", dsn, *args], env=env)
    assert "Traceback" not in result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def installed(conn):
    ext = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'part'").fetchone()
    plain = None
    if conn.execute("SELECT to_regclass('part.settings') IS NOT NULL").fetchone()[0]:
        plain = conn.execute("SELECT value FROM part.settings WHERE key = 'version'").fetchone()[0]
    return (ext[0] if ext else None), plain


def test_plain_mode_install(empty_db, dsn_factory, connect, snapshot):
    result = run("apply", dsn_factory(empty_db), "--mode", "plain")
    assert result.exit_code == 0, result.output
    assert f"installed part {VERSION} (plain mode)" in result.output
    with connect(empty_db) as conn:
        assert installed(conn) == (None, VERSION)
        # plain objects belong to no extension
        assert conn.execute(
            """SELECT count(*) FROM pg_depend d JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                WHERE d.deptype = 'e' AND p.pronamespace = 'part'::regnamespace""").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM pg_proc WHERE pronamespace = 'part'::regnamespace").fetchone()[0] > 10
    before = snapshot(empty_db)
    # detected from now on without --mode: nothing to do
    assert run("plan", dsn_factory(empty_db)).stdout == ""
    assert run("apply", dsn_factory(empty_db)).exit_code == 0
    assert snapshot(empty_db) == before


def test_extension_mode_install(empty_db, dsn_factory, connect, snapshot):
    result = run("apply", dsn_factory(empty_db))  # the files are installed: extension by default
    assert result.exit_code == 0, result.output
    assert f"installed part {VERSION} (extension mode)" in result.output
    with connect(empty_db) as conn:
        assert installed(conn) == (VERSION, VERSION)
        dumped = {r[0] for r in conn.execute(
            "SELECT unnest(extconfig)::regclass::text FROM pg_extension WHERE extname = 'part'")}
        assert {"part.config", "part.settings", "part.migration", "part.maintenance_log"} <= dumped
    before = snapshot(empty_db)
    assert run("plan", dsn_factory(empty_db)).stdout == ""
    assert run("apply", dsn_factory(empty_db)).exit_code == 0
    assert snapshot(empty_db) == before


def test_plain_database_refuses_extension_mode(fresh_db, dsn_factory, connect, snapshot):
    before = snapshot(fresh_db)
    result = run("apply", dsn_factory(fresh_db), "--mode", "extension")
    assert result.exit_code != 0
    assert "installed in plain mode" in result.output and "mix modes" in result.output
    assert "pginstall uninstall" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(fresh_db) == before


def test_extension_database_refuses_plain_mode(ext_db, dsn_factory, snapshot):
    before = snapshot(ext_db)
    result = run("apply", dsn_factory(ext_db), "--mode", "plain")
    assert result.exit_code != 0
    assert "installed in extension mode" in result.output and "mix modes" in result.output
    assert snapshot(ext_db) == before
    # without --mode the extension is detected and kept
    assert "install part" not in run("plan", dsn_factory(ext_db)).output
    assert run("apply", dsn_factory(ext_db)).exit_code == 0
    assert run("plan", dsn_factory(ext_db)).stdout == ""


def test_a_foreign_part_schema_is_refused(empty_db, dsn_factory, connect, snapshot):
    with connect(empty_db) as conn:
        conn.execute("CREATE SCHEMA part; CREATE TABLE part.mine (x int)")
    before = snapshot(empty_db)
    result = run("apply", dsn_factory(empty_db))
    assert result.exit_code != 0
    assert 'a schema "part" exists but holds no part installation' in result.output
    assert snapshot(empty_db) == before


def test_mode_chosen_for_a_fresh_database():
    fresh = dict(ext_version=None, plain_version=None, schema_exists=False)
    # files of this version on the server: extension; none: plain
    assert ap.choose_mode(ap.InstallState(available_versions=[VERSION], **fresh), None, "x") == "extension"
    assert ap.choose_mode(ap.InstallState(available_versions=[], **fresh), None, "x") == "plain"
    assert ap.choose_mode(ap.InstallState(available_versions=[VERSION], **fresh), "plain", "x") == "plain"
    with pytest.raises(ap.ApplyError, match=f"no extension files for part {VERSION}"):
        ap.choose_mode(ap.InstallState(available_versions=[], **fresh), "extension", "x")


def test_uninstall_each_mode(fresh_db, ext_db, dsn_factory, connect):
    for db in (fresh_db, ext_db):
        result = run("uninstall", dsn_factory(db))
        assert result.exit_code == 0, result.output
        with connect(db) as conn:
            assert installed(conn) == (None, None)
            assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'part'").fetchone()[0] == 0
    # then either mode can be installed: converting is uninstall + apply
    assert "plain mode" in run("apply", dsn_factory(ext_db), "--mode", "plain").output
    assert "extension mode" in run("apply", dsn_factory(fresh_db), "--mode", "extension").output


def test_newer_installed_version_is_refused(fresh_db, dsn_factory, connect, snapshot):
    with connect(fresh_db) as conn:
        conn.execute("UPDATE part.settings SET value = '9.0.0' WHERE key = 'version'")
    before = snapshot(fresh_db)
    result = run("apply", dsn_factory(fresh_db))
    assert result.exit_code != 0 and f"part 9.0.0 is installed, newer than this pginstall's {VERSION}" in result.output
    assert snapshot(fresh_db) == before


def test_plain_upgrade_runs_the_update_chain(fresh_db, dsn_factory, connect, tmp_path, monkeypatch):
    """The update-script mechanism: templates/updates/part--A--B.sql.j2 run in order, version recorded.
    (A copy of templates/ with a made-up 0.0.9 -> 0.1.0 step before the real 0.1.0 -> current one;
    tests/py/test_upgrade.py upgrades real released versions.)"""
    assert render.update_chain(render.VERSION) == []
    templates = tmp_path / "templates"
    shutil.copytree(REPO / "templates", templates)
    (templates / "updates" / "part--0.0.9--0.1.0.sql.j2").write_text(textwrap.dedent("""\
        -- part {{ old_version }} -> {{ version }} ({{ mode }})
        CREATE TABLE {{ schema }}.upgraded_from (version text);
        INSERT INTO {{ schema }}.upgraded_from VALUES ('{{ old_version }}');
        """))
    monkeypatch.setenv("PGINSTALL_TEMPLATES", str(templates))
    assert [s[:2] for s in render.update_chain("0.0.9")] == [("0.0.9", "0.1.0"), ("0.1.0", VERSION)]
    with connect(fresh_db) as conn:
        conn.execute("UPDATE part.settings SET value = '0.0.9' WHERE key = 'version'")
    assert run("plan", dsn_factory(fresh_db)).output.splitlines()[0] == f"{fresh_db}: upgrade part 0.0.9 -> {VERSION} (plain mode)"
    result = run("apply", dsn_factory(fresh_db))
    assert result.exit_code == 0, result.output
    assert f"upgraded part 0.0.9 -> {VERSION} (plain mode)" in result.output
    with connect(fresh_db) as conn:
        assert installed(conn) == (None, VERSION)
        assert conn.execute("SELECT version FROM part.upgraded_from").fetchone()[0] == "0.0.9"
    assert run("plan", dsn_factory(fresh_db)).stdout == ""


def test_no_update_path_is_refused(fresh_db, dsn_factory, connect, snapshot):
    with connect(fresh_db) as conn:
        conn.execute("UPDATE part.settings SET value = '0.0.1' WHERE key = 'version'")
    before = snapshot(fresh_db)
    result = run("apply", dsn_factory(fresh_db))
    assert result.exit_code != 0 and f"no update path from part 0.0.1 to {VERSION}" in result.output
    assert snapshot(fresh_db) == before
