"""What a newcomer hits first (issue 13, items 3 and 4): the config file that is
not there, libpq conventions as psql has them, connection errors and exit codes."""

from __future__ import annotations

from click.testing import CliRunner

from pginstall.cli import main

NO_PG = {k: None for k in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGSERVICE", "PGSERVICEFILE",
                           "PGPASSWORD", "PGINSTALL_CONFIG", "PGHOSTADDR")}


def _run(args, env=None):
    return CliRunner().invoke(main, args, env={**NO_PG, **(env or {})})


def test_pgdatabase_names_the_database_as_for_psql(pg_server, ext_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {**pg_server.env(), "PGDATABASE": ext_db}
    result = _run(["status"], env)
    assert result.exit_code == 0, result.output
    assert f"in database {ext_db}" in result.output.splitlines()[0]
    # the config section of that database gives its tables
    (tmp_path / "pginstall.toml").write_text(f"[databases.app]\ndbname = \"{ext_db}\"\n")
    result = _run(["plan"], env)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_service_file_dbname_is_honoured(pg_server, ext_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[appdb]\nhost={pg_server.host}\nport={pg_server.port}\nuser={pg_server.user}\n"
                        f"dbname={ext_db}\n")
    result = _run(["status", "--json"], {"PGSERVICEFILE": str(services), "PGSERVICE": "appdb"})
    assert result.exit_code == 0, result.output
    assert f'"database": "{ext_db}"' in result.output


def test_no_database_at_all_says_how_to_name_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run(["status"])
    assert result.exit_code == 1
    assert "PGDATABASE" in result.output and "--db NAME" in result.output


def test_bad_pghost_is_reported_as_libpq_does_with_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run(["status", "--db", "x"], {"PGHOST": "nosuchhost.invalid"})
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert 'could not translate host name "nosuchhost.invalid" to address' in lines[0]
    assert "None" not in lines[0]
    assert "check that the server runs there" in lines[0] and "PGHOST" in lines[0]


def test_refused_connection_exits_2_and_says_what_to_check(pg_server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _run(["verify", "--db", "x"], {"PGHOST": "127.0.0.1", "PGPORT": "1"})
    assert result.exit_code == 2, result.output
    assert "port 1 failed" in result.output and "PGPORT" in result.output
    assert "Traceback" not in result.output


def test_bad_command_line_exits_1_not_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _run(["status", "--no-such-option"]).exit_code == 1
    assert _run(["no-such-command"]).exit_code == 1
    assert _run(["migrate", "public.t", "--db", "x", "--to", "nowhere"]).exit_code == 1


def test_missing_config_file_is_reported_with_where_it_was_looked_for(pg_server, ext_db, connect, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = pg_server.env()
    result = _run(["plan", "--db", ext_db], env)
    assert result.exit_code == 0, result.output
    assert "no config file" not in result.stdout  # the note goes to stderr
    assert f"no config file: {tmp_path / 'pginstall.toml'} not found" in result.stderr
    assert "--config FILE" in result.stderr
    # migrate names no file that does not exist
    with connect(ext_db) as conn:
        conn.execute("CREATE TABLE public.t (id int PRIMARY KEY, at timestamptz NOT NULL)")
    result = _run(["migrate", "public.t", "--db", ext_db, "--to", "dual_write"], env)
    assert result.exit_code == 1
    assert "of pginstall.toml" not in result.output
    assert f"{tmp_path / 'pginstall.toml'} not found" in result.output
    # a file without that section
    (tmp_path / "pginstall.toml").write_text("[databases.other]\n")
    result = _run(["plan", "--db", ext_db], env)
    assert result.exit_code == 0, result.output
    assert f"pginstall.toml has no [databases.{ext_db}] section (sections: other)" in result.stderr


def test_a_config_file_that_is_not_utf8_is_one_line(tmp_path):
    (tmp_path / "latin1.toml").write_bytes(b"[databases.caf\xe9]\n")
    result = _run(["plan", "--db", "x", "--config", str(tmp_path / "latin1.toml")])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {tmp_path / 'latin1.toml'}: not UTF-8 text (byte 14): TOML files are UTF-8"]


def test_a_broken_template_is_one_line(tmp_path):
    """A Jinja problem (a template edited badly, a missing include) is a RenderError: one line, exit 1."""
    import shutil

    from pginstall import render

    templates = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), templates)
    (templates / "install.sql.j2").write_text("{% if %}\n")
    result = _run(["render"], {"PGINSTALL_TEMPLATES": str(templates)})
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1 and "Traceback" not in result.output
    assert result.output.startswith("Error: template install.sql.j2, line 1: "), result.output
    (templates / "install.sql.j2").write_text("{% include 'nope.sql' %}\n")
    result = _run(["render"], {"PGINSTALL_TEMPLATES": str(templates)})
    assert result.exit_code == 1
    assert result.output.startswith("Error: template nope.sql not found in "), result.output
