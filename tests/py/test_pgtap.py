"""Run every pgTAP file of tests/sql with pg_prove, each in a fresh database
where part is installed as an extension (CREATE EXTENSION part) with pgtap."""

import shutil
import subprocess
from pathlib import Path

import pytest

SQL_DIR = Path(__file__).resolve().parents[1] / "sql"
SQL_FILES = sorted(SQL_DIR.glob("*.sql"))


def test_pg_prove_is_installed():
    assert shutil.which("pg_prove"), "pg_prove is missing: run `make deps`"


@pytest.mark.parametrize("path", SQL_FILES, ids=[p.name for p in SQL_FILES])
def test_pgtap_file(path, ext_db, pg_server):
    result = subprocess.run(
        ["pg_prove", "--verbose", "--failures", "-h", pg_server.host, "-p", str(pg_server.port),
         "-U", pg_server.user, "-d", ext_db, str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, (
        f"pg_prove {path.name} failed (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    )
