"""What pginstall reports reads as text and as JSON (issue 13, items 6 and 7):
status without raw dumps, durations and times readable, unknown row counts
shown as unknown; --json on the commands that report; uninstall --force
listing what it leaves; plan quiet after a finished migration; apply's
environment variables documented and announced."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pginstall.cli import main

from conftest import HAS_PG_CRON

CONFIG = """
[databases.app]
[[databases.app.tables]]
table = "public.revenues"
strategy = "range"
key = "occurred_at"
interval = "1 month"
premake = 1
"""

LEGACY = """
[databases.app]
[[databases.app.tables]]
table = "public.ledger"
strategy = "range"
key = "occurred_at"
interval = "1 month"
premake = 1
migrate = {migrate}
batch_size = 500
"""

NO_ENV = {"USE_PARTITIONED_TABLES": None, "ENABLE_PARTITION_MAINTENANCE": None, "LOG_PARTITION_ROUTING": None}


@pytest.fixture
def cli(pginstall_cli):
    return pginstall_cli(CONFIG, env=NO_ENV)


@pytest.fixture
def managed(empty_db, connect, cli):
    with connect(empty_db) as conn:
        conn.execute("CREATE TABLE public.revenues (id bigserial, occurred_at timestamptz NOT NULL, amount int,"
                     " PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at)")
    assert cli("apply", empty_db).exit_code == 0
    conn = connect(empty_db, autocommit=True)
    # rows for a past month: maintenance makes their partition and moves them (a run with a duration)
    conn.execute("INSERT INTO public.revenues (occurred_at, amount) SELECT now() - interval '4 months', g"
                 " FROM generate_series(1, 100) g")
    conn.execute("CALL part.run_maintenance()")
    # 1,450 rows in the current partition, never analyzed (autovacuum kept away)
    current = conn.execute("SELECT partition_name FROM part.partitions WHERE from_time <= now() AND to_time > now()"
                           " AND parent_table = 'public.revenues'").fetchone()[0]
    conn.execute(f"ALTER TABLE {current} SET (autovacuum_enabled = false)")
    conn.execute("INSERT INTO public.revenues (occurred_at, amount) SELECT now(), g FROM generate_series(1, 1450) g")
    return empty_db, current


def test_status_text_is_readable(managed, cli):
    db, current = managed
    out = cli("status", db).output
    assert "jobid=" not in out and "=True" not in out and "last_status=None" not in out, out
    assert "0:00:00." not in out, out
    row = next(l for l in out.splitlines() if l.strip().startswith(current + " "))
    assert row.split()[-3] == "unknown", row  # partition, from (2 words), to (2 words), rows, size (2 words)
    assert "(1 partition(s) not analyzed yet: unknown)" in out  # the empty ones are known: 0
    if HAS_PG_CRON:  # the scheduled jobs exist only where pg_cron does
        job = next(l for l in out.splitlines() if f"part_maintenance_{db} (job " in l)
        assert f"'0 2 * * *' in database {db}: CALL part.run_maintenance(); never run" in job
    runs = out[out.index("last maintenance runs:"):].splitlines()
    assert runs[1].split() == ["at", "outcome", "took", "detail"]
    assert " UTC  ok " in runs[2] and (" ms " in runs[2] or " s " in runs[2]), runs[2]


def test_status_json_has_numbers_for_durations_and_null_for_unknown(managed, cli):
    db, current = managed
    s = json.loads(cli("status", db, "--json").output)
    run = s["maintenance_runs"][0]
    assert isinstance(run["duration"], float) and run["duration"] >= 0
    parts = {p["partition_name"]: p for p in s["tables"][0]["partitions"]}
    assert parts[current]["estimated_rows"] is None
    assert parts[current]["from_time"].endswith("+00:00")
    if HAS_PG_CRON:
        assert all(isinstance(j["active"], bool) for j in s["cron_jobs"])


def test_flags_and_plan_report_json(managed, cli):
    db, _ = managed
    flags = json.loads(cli("flags", db, "--json").output)
    assert flags["enable_partition_maintenance"]["value"] == "true"
    assert cli("flags", db, "--json", "log_partition_routing=true").exit_code == 0
    assert json.loads(cli("flags", db, "--json").output)["log_partition_routing"]["value"] == "true"
    plan = json.loads(cli("plan", db, "--json", config=CONFIG.replace("premake = 1", "premake = 2")).output)
    assert plan["databases"][0]["database"] == "app"
    assert plan["databases"][0]["changes"][0].startswith("change public.revenues: premake 1 -> 2")
    assert json.loads(cli("plan", db, "--json").output) == {"databases": [{"database": "app", "changes": []}]}


def test_apply_reports_json(managed, cli):
    db, _ = managed
    result = cli("apply", db, "--json", "--dry-run", config=CONFIG.replace("premake = 1", "premake = 2"))
    assert result.exit_code == 0, result.output
    [report] = json.loads(result.stdout)["databases"]
    assert report["database"] == "app" and report["dry_run"] is True and report["failed"] is False
    assert report["done"][0].startswith("changed public.revenues (premake 1 -> 2): created 1 partition(s)")
    assert report["done"][-1] == "dry run: rolled back, nothing changed"


def test_apply_help_and_run_name_the_environment_variables(managed, cli):
    db, _ = managed
    help_text = CliRunner().invoke(main, ["apply", "--help"]).output
    for var in ("ENABLE_PARTITION_MAINTENANCE", "LOG_PARTITION_ROUTING", "USE_PARTITIONED_TABLES"):
        assert var in help_text
    assert "tables not in the config" in help_text
    result = cli("plan", db, env={"ENABLE_PARTITION_MAINTENANCE": "false"})
    assert "pginstall: from the environment: ENABLE_PARTITION_MAINTENANCE=false" in result.stderr
    assert "set enable_partition_maintenance = false" in result.stdout


@pytest.fixture
def legacy(empty_db, connect):
    with connect(empty_db) as conn:
        conn.execute("CREATE TABLE public.ledger (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL)")
        conn.execute("INSERT INTO public.ledger (occurred_at) SELECT now() - g * interval '1 day'"
                     " FROM generate_series(1, 300) g")
    return empty_db


def test_uninstall_force_lists_the_half_made_copy_it_leaves(legacy, cli, connect):
    assert cli("apply", legacy, config=LEGACY.format(migrate="true")).exit_code == 0
    result = cli("uninstall", legacy, "--force", config=LEGACY.format(migrate="true"))
    assert result.exit_code == 0, result.output
    left = [l for l in result.output.splitlines() if "left in place:" in l]
    assert len(left) == 1, result.output
    assert "public.ledger_partitioned, the partitioned copy of public.ledger's unfinished migration" in left[0]
    assert "DROP TABLE public.ledger_partitioned" in left[0]
    with connect(legacy) as conn:
        assert conn.execute("SELECT to_regclass('public.ledger_partitioned') IS NOT NULL").fetchone()[0]


def test_plan_is_quiet_after_a_finished_migration(legacy, cli):
    assert cli("apply", legacy, config=LEGACY.format(migrate="true")).exit_code == 0
    assert cli("migrate", legacy, "public.ledger", "--to", "finalized", config=LEGACY.format(migrate="true")).exit_code == 0
    # the table is partitioned now: the config says so, and there is nothing to change
    for migrate in ("true", "false"):
        result = cli("plan", legacy, config=LEGACY.format(migrate=migrate))
        assert result.exit_code == 0 and result.stdout.strip() == "", result.output


@pytest.mark.parametrize("cmd", ["verify", "status"])
def test_a_report_opens_one_connection_to_the_database_and_one_to_the_cron_database(managed, cli, monkeypatch, cmd):
    """The cron database is resolved once, through the database's own connection, and one connection to it
    serves the whole command (verify opened six before: each cron helper resolved and connected anew)."""
    import psycopg

    opened = []
    real = psycopg.connect

    def counting(conninfo="", **kwargs):  # every connection pginstall opens goes through psycopg.connect
        opened.append(psycopg.conninfo.conninfo_to_dict(conninfo).get("dbname"))
        return real(conninfo, **kwargs)

    monkeypatch.setattr(psycopg, "connect", counting)
    db, _ = managed
    result = cli(cmd, db)
    assert "Error" not in result.output, result.output
    assert opened == ([db, "postgres"] if HAS_PG_CRON else [db])  # cron.database_name = postgres in the tests
