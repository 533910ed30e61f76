"""pginstall against the real server: apply twice, dry-run, plan, config errors, --all, uninstall."""

import json

import pytest
from click.testing import CliRunner

from pginstall.cli import main

from conftest import HAS_PG_CRON  # noqa: E402

from pginstall import __version__ as VERSION

APP_DDL = """
CREATE TABLE public.revenues (
    id bigserial, org_id int NOT NULL, occurred_at timestamptz NOT NULL, amount numeric(12,2),
    PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at);
CREATE TABLE public.daily_cash_balances (
    org_id int NOT NULL, day date NOT NULL, balance numeric(14,2),
    PRIMARY KEY (org_id, day)) PARTITION BY HASH (org_id);
CREATE TABLE public.events (
    id bigint NOT NULL, created_at timestamp NOT NULL, payload jsonb) PARTITION BY RANGE (id);
CREATE TABLE public.legacy_notes (id bigserial PRIMARY KEY, body text);
CREATE TABLE public.coded (code text NOT NULL) PARTITION BY RANGE (code);
CREATE TABLE public."Daily Balances" (org_id int NOT NULL, "Day" date NOT NULL) PARTITION BY RANGE ("Day");
"""

CONFIG = """
[databases.app]

[[databases.app.tables]]
table = "public.revenues"
strategy = "range"
key = "occurred_at"
interval = "1 month"
premake = 3
retention = "24 months"

[[databases.app.tables]]
table = "public.daily_cash_balances"
strategy = "hash"
key = "org_id"
partitions = 4

[[databases.app.tables]]
table = "public.events"
strategy = "range"
key = "id"
interval = 1000

[[databases.app.tables]]
table = 'public."Daily Balances"'
strategy = "range"
key = "Day"
interval = "1 week"
premake = 1
"""


@pytest.fixture
def app_db(empty_db, connect):
    with connect(empty_db) as conn:
        conn.execute(APP_DDL)
    return empty_db


@pytest.fixture
def cli(pginstall_cli):
    """cli(cmd, db, *args, config=CONFIG) runs `pginstall CMD --config <file> --dsn <db> --db app ARGS`."""
    return pginstall_cli(CONFIG)


def test_every_command_has_help_and_the_shared_options():
    runner = CliRunner()
    assert runner.invoke(main, ["--help"]).exit_code == 0
    for name, command in main.commands.items():
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0, name
        assert command.help and "Example" in command.help, f"{name} has no help with an example"
        for option in ("--db", "--config", "--dsn"):
            assert option in result.output, f"{name} lacks {option}"


def test_render_needs_no_database():
    result = CliRunner().invoke(main, ["render"])
    assert result.exit_code == 0
    assert result.output.startswith(f"-- part {VERSION} (plain install)")
    assert "CREATE FUNCTION part.create_partitioned" in result.output
    result = CliRunner().invoke(main, ["render", "--mode", "extension"])
    assert "CREATE EXTENSION part" in result.output  # the \echo guard
    result = CliRunner().invoke(main, ["render", "--version", "9.9.9"])
    assert result.exit_code != 0 and "9.9.9" in result.output


def test_apply_twice_changes_nothing_the_second_time(app_db, cli, connect, snapshot):
    first = cli("apply", app_db)
    assert first.exit_code == 0, first.output
    assert f"installed part {VERSION}" in first.output
    assert "managing public.revenues" in first.output
    if HAS_PG_CRON:  # registered, not failed (apply exits 1 then; the output says "cron registration failed")
        assert f"app: scheduled part_maintenance_{app_db} '0 2 * * *'" in first.output
    else:
        assert "app: nothing scheduled: pg_cron is not loaded on this server" in first.output
    assert "cron registration failed" not in first.output
    with connect(app_db) as conn:
        managed = conn.execute("SELECT parent_table FROM part.config ORDER BY 1").fetchall()
        assert [r[0] for r in managed] == [
            'public."Daily Balances"', "public.daily_cash_balances", "public.events", "public.revenues"]
        hash_parts = conn.execute(
            "SELECT count(*) FROM part.partitions WHERE parent_table = 'public.daily_cash_balances'").fetchone()[0]
        assert hash_parts == 4
        assert conn.execute(
            "SELECT retention FROM part.config WHERE parent_table = 'public.revenues'").fetchone()[0] == "24 months"

    before = snapshot(app_db)
    plan = cli("plan", app_db)
    assert plan.exit_code == 0 and plan.output == ""
    again = cli("apply", app_db)
    assert again.exit_code == 0, again.output
    assert "up to date" in again.output
    assert snapshot(app_db) == before
    assert cli("plan", app_db).output == ""


def test_dry_run_runs_everything_and_changes_nothing(app_db, cli, snapshot):
    before = snapshot(app_db)
    result = cli("apply", app_db, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "managing public.revenues" in result.output  # the real work ran...
    assert "rolled back" in result.output
    assert snapshot(app_db) == before  # ...and was rolled back
    assert before["config"] is None


def test_plan_lists_what_apply_would_change(app_db, cli):
    out = cli("plan", app_db).output.splitlines()
    assert out[0] == f"app: install part {VERSION} (extension mode)"
    assert "app: manage public.daily_cash_balances: hash on org_id, 4 partitions" in out
    assert any(l.startswith("app: manage public.revenues: range on occurred_at every 1 month") for l in out)
    assert cli("apply", app_db).exit_code == 0

    changed = CONFIG.replace("premake = 3", "premake = 6")
    out = cli("plan", app_db, config=changed).output.splitlines()
    assert out == ["app: change public.revenues: premake 3 -> 6"]
    result = cli("apply", app_db, config=changed)
    assert "created 3 partition(s)" in result.output
    assert cli("plan", app_db, config=changed).output == ""


BAD = [
    ("unknown key", 'intervl = "1 month"', "unknown key 'intervl'"),
    ("missing table", 'table = "public.nope"', "table public.nope does not exist"),
    ("missing key column", 'key = "happened_at"', 'column "happened_at" of table public.revenues does not exist'),
    ("key is not the partition key", 'key = "amount"', "partitioned by RANGE (occurred_at), not by RANGE (amount)"),
    ("key of wrong type", 'table = "public.coded"\nkey = "code"', "a column of type text cannot be range-partitioned"),
    ("integer key with a time interval", 'table = "public.events"\nkey = "id"', 'invalid interval "1 month" for an integer key'),
    ("bad interval", 'interval = "1 fortnight"', 'invalid interval "1 fortnight" (22023); hint: Write an interval'),
    ("zero interval", 'interval = "0 days"', 'invalid interval "0 days": it must be positive (22023)'),
    ("negative premake", "premake = -1", "between 0 and 1000, not -1 (22023)"),
    ("hash with default partition", None, "a hash-partitioned table cannot have a default partition (22023)"),
    ("hash without partitions", "partitions = 0", "(22023)"),
    ("wrong type of value", 'premake = "three"', "premake must be a whole number"),
    ("bad retention mode", 'retention_mode = "shred"', 'invalid retention mode "shred" (22023)'),
    ("bad strategy", 'strategy = "list"', 'invalid strategy "list" (22023)'),
    ("zero batch size", "batch_size = 0", "(22023)"),
    ("bad table name", 'table = "drop table x; --"', "(22023)"),
    ("table name with a database part", 'table = "db.public.revenues"', "invalid table name: db.public.revenues (22023)"),
    ("not partitioned", None, "table public.legacy_notes is not partitioned"),
    ("integer width on a time key", "interval = 100", 'invalid interval "100" for a timestamp with time zone key'),
]


def _bad_config(case, change):
    base = {
        "table": '"public.revenues"', "strategy": '"range"', "key": '"occurred_at"', "interval": '"1 month"'}
    if case in ("hash with default partition", "hash without partitions"):
        base = {"table": '"public.daily_cash_balances"', "strategy": '"hash"', "key": '"org_id"',
                "partitions": "4", "default_partition": "true"}
    elif case == "not partitioned":
        base = {"table": '"public.legacy_notes"', "strategy": '"range"', "key": '"id"', "interval": "100"}
    lines = [f"{k} = {v}" for k, v in base.items()]
    for line in (change or "").splitlines():
        key = line.split("=")[0].strip()
        lines = [l for l in lines if l.split("=")[0].strip() != key] + [line]
    return "[databases.app]\n[[databases.app.tables]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("case,change,expected", BAD, ids=[b[0] for b in BAD])
def test_config_error_is_one_line_and_changes_nothing(app_db, cli, snapshot, case, change, expected):
    before = snapshot(app_db)
    for cmd in ("plan", "apply"):
        result = cli(cmd, app_db, config=_bad_config(case, change))
        assert result.exit_code != 0
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert lines[0].startswith(f"Error: {cli.config_path}: databases.app.tables[1] (")
        assert expected in lines[0]
    assert snapshot(app_db) == before


@pytest.mark.parametrize("schedule,expected", [
    ('maintenance = "@reboot"', "schedule: maintenance '@reboot': "),
    ('retention = "99 99 * * *"', "schedule: retention '99 99 * * *': "),
    ('purge_history = "0 0 31 2 *"', "schedule: purge_history '0 0 31 2 *': "),
    ("history_days = 0", "schedule: history_days 0: history_days must be a whole number from 1 to 3650"),
])
def test_a_schedule_part_refuses_stops_apply_before_anything_changes(app_db, cli, snapshot, connect, schedule, expected):
    """The config file's shape is fine; part.check_schedule refuses the value, in apply's transaction, before any
    table is touched or a pg_cron job registered (the file used to accept "@reboot" and "99 99 * * *", and apply
    failed only after the jobs were registered)."""
    before = snapshot(app_db)
    for cmd in ("plan", "apply"):
        result = cli(cmd, app_db, config=f"[schedule]\n{schedule}\n" + CONFIG)
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {cli.config_path}: {expected}"), result.output
        assert "(22023); hint: " in lines[0]
    assert snapshot(app_db) == before
    if HAS_PG_CRON:
        with connect("postgres") as conn:
            assert conn.execute("SELECT count(*) FROM cron.job WHERE database = %s", (app_db,)).fetchone()[0] == 0


def test_a_table_configured_twice_under_two_spellings(app_db, cli, snapshot):
    """part.qualified_name resolves both entries to public.revenues: the second is refused, nothing changes."""
    before = snapshot(app_db)
    result = cli("apply", app_db, config=CONFIG + """
[[databases.app.tables]]
table = 'Public."revenues"'
strategy = "range"
key = "occurred_at"
interval = "1 month"
""")
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: {cli.config_path}: databases.app.tables[5] (Public.\"revenues\"): table public.revenues is "
        f"configured twice (also databases.app.tables[1])"]
    assert snapshot(app_db) == before


def test_every_problem_is_reported_before_anything_changes(app_db, cli, snapshot):
    config = CONFIG + """
[[databases.app.tables]]
table = "public.nope"
strategy = "hash"
key = "org_id"
partitions = 2

[[databases.app.tables]]
table = "public.legacy_notes"
strategy = "hash"
key = "nope"
partitions = 2
"""
    before = snapshot(app_db)
    result = cli("apply", app_db, config=config)
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 2, result.output
    assert "databases.app.tables[5] (public.nope): table public.nope does not exist" in lines[0]
    assert 'databases.app.tables[6] (public.legacy_notes): column "nope"' in lines[1]
    assert snapshot(app_db) == before


def test_an_error_from_the_server_rolls_back_the_whole_database(app_db, cli, connect, snapshot):
    assert cli("apply", app_db).exit_code == 0
    with connect(app_db) as conn:
        conn.execute("CREATE TABLE public.extra (k int NOT NULL) PARTITION BY RANGE (k)")
    before = snapshot(app_db)
    # a new table (would be managed first), then an interval change part refuses (0A000)
    config = CONFIG.replace('interval = "1 month"', 'interval = "1 week"') + """
[[databases.app.tables]]
table = "public.extra"
strategy = "range"
key = "k"
interval = 10
"""
    result = cli("apply", app_db, config=config)
    assert result.exit_code != 0
    assert "cannot change the interval of public.revenues" in result.output
    assert "0A000" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(app_db) == before


def test_growing_hash_partitions_points_to_split_hash(app_db, cli, snapshot):
    assert cli("apply", app_db).exit_code == 0
    before = snapshot(app_db)
    result = cli("apply", app_db, config=CONFIG.replace("partitions = 4", "partitions = 8"))
    assert result.exit_code != 0
    assert "CALL part.split_hash('public.daily_cash_balances', 8)" in result.output
    assert snapshot(app_db) == before


def test_connection_rules(app_db, cli, dsn_factory, tmp_path, pg_server):
    # --dsn with --all is refused
    result = cli("apply", app_db, "--all", section=None)
    assert result.exit_code != 0 and "--dsn cannot be used with --all" in result.output
    # no database named at all
    result = CliRunner().invoke(main, ["plan", "--config", str(tmp_path / "none.toml")])
    assert result.exit_code != 0 and "config file not found" in result.output
    # a section's dbname, libpq environment for the rest
    cfg = tmp_path / "dbname.toml"
    cfg.write_text(f"[databases.renamed]\ndbname = \"{app_db}\"\n")
    env = {"PGHOST": pg_server.host, "PGPORT": str(pg_server.port), "PGUSER": pg_server.user}
    result = CliRunner().invoke(main, ["plan", "--db", "renamed", "--config", str(cfg)], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"renamed: install part {VERSION} (extension mode)"
    # a section's dsn
    cfg.write_text(f"[databases.x]\ndsn = \"{dsn_factory(app_db)}\"\n")
    result = CliRunner().invoke(main, ["plan", "--db", "x", "--config", str(cfg)], env={"PGPORT": "1"})
    assert result.exit_code == 0, result.output
    # connection failure: one line
    result = CliRunner().invoke(main, ["plan", "--db", "x", "--config", str(cfg), "--dsn", "host=127.0.0.1 port=1"])
    assert result.exit_code != 0 and len(result.output.strip().splitlines()) == 1
    assert "x: cannot connect" in result.output


def test_apply_all_applies_every_database(make_db, connect, dsn_factory, tmp_path):
    dbs = [make_db("empty"), make_db("empty")]
    for db in dbs:
        with connect(db) as conn:
            conn.execute(APP_DDL)
    cfg = tmp_path / "all.toml"
    cfg.write_text("".join(
        f"[databases.db{i}]\ndsn = \"{dsn_factory(db)}\"\n"
        f"[[databases.db{i}.tables]]\ntable = \"public.daily_cash_balances\"\nstrategy = \"hash\"\n"
        f"key = \"org_id\"\npartitions = {i + 2}\n"
        for i, db in enumerate(dbs)))
    result = CliRunner().invoke(main, ["apply", "--all", "--config", str(cfg)])
    assert result.exit_code == 0, result.output
    for i, db in enumerate(dbs):
        with connect(db) as conn:
            assert conn.execute("SELECT partitions FROM part.config").fetchone()[0] == i + 2
    assert CliRunner().invoke(main, ["plan", "--all", "--config", str(cfg)]).output == ""


def test_status_shows_partitions(app_db, cli):
    assert cli("apply", app_db).exit_code == 0
    text = cli("status", app_db)
    assert text.exit_code == 0
    assert f"part {VERSION} (extension mode)" in text.output
    assert "public.daily_cash_balances_3" in text.output
    data = json.loads(cli("status", app_db, "--json").output)
    assert data["mode"] == "extension" and data["version"] == VERSION
    tables = {t["table"]: t for t in data["tables"]}
    assert len(tables["public.daily_cash_balances"]["partitions"]) == 4
    revenues = tables["public.revenues"]["partitions"]
    assert any(p["is_default"] for p in revenues)
    assert len([p for p in revenues if not p["is_default"]]) == 4  # current month + premake 3


def test_flags_from_the_environment_at_apply(app_db, cli, connect):
    env = {"ENABLE_PARTITION_MAINTENANCE": "false"}
    result = cli("apply", app_db, env=env)
    assert result.exit_code == 0, result.output
    assert "set enable_partition_maintenance = false" in result.output
    with connect(app_db) as conn:
        assert conn.execute(
            "SELECT value FROM part.settings WHERE key = 'enable_partition_maintenance'").fetchone()[0] == "false"
    assert cli("plan", app_db, env=env).stdout == ""
    assert "set enable_partition_maintenance = true" in cli("plan", app_db, env={"ENABLE_PARTITION_MAINTENANCE": "1"}).output
    bad = cli("plan", app_db, env={"ENABLE_PARTITION_MAINTENANCE": "maybe"})
    assert bad.exit_code != 0 and "Use true or false" in bad.output


def test_uninstall_keeps_tables_and_refuses_during_a_migration(app_db, cli, connect):
    assert cli("apply", app_db).exit_code == 0
    with connect(app_db) as conn:
        conn.execute(
            "INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, phase) "
            "VALUES ('public.legacy_notes', 'public.legacy_notes', 'public.legacy_notes_p', 'hash', 'id', 'dual_write')")
    refused = cli("uninstall", app_db)
    assert refused.exit_code != 0
    assert "public.legacy_notes (dual_write)" in refused.output and "--force" in refused.output
    with connect(app_db) as conn:
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'part'").fetchone()[0] == 1

    if HAS_PG_CRON:  # the cron side of uninstall needs pg_cron (test_cron.py covers it too)
        with connect("postgres") as conn:
            assert conn.execute("SELECT count(*) FROM cron.job WHERE database = %s", (app_db,)).fetchone()[0] == 1
    forced = cli("uninstall", app_db, "--force")
    assert forced.exit_code == 0, forced.output
    assert "warning: removing the sync of public.legacy_notes" in forced.output
    with connect(app_db) as conn:
        assert conn.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'part'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'part'").fetchone()[0] == 0
        # the user's tables and their partitions stay
        assert conn.execute(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.daily_cash_balances'::regclass").fetchone()[0] == 4
    if HAS_PG_CRON:
        with connect("postgres") as conn:  # its pg_cron jobs went with it
            assert conn.execute("SELECT count(*) FROM cron.job WHERE database = %s", (app_db,)).fetchone()[0] == 0
    again = cli("uninstall", app_db)
    assert again.exit_code == 0 and "nothing to uninstall" in again.output
    # and it can be installed again
    assert cli("apply", app_db).exit_code == 0
    assert cli("plan", app_db).output == ""


def test_flags_show_and_set(app_db, cli, connect):
    assert cli("apply", app_db).exit_code == 0
    shown = cli("flags", app_db)
    assert shown.exit_code == 0
    assert "log_partition_routing" in shown.output and "enable_partition_maintenance" in shown.output
    result = cli("flags", app_db, "log_partition_routing=true")
    assert result.exit_code == 0, result.output
    with connect(app_db) as conn:
        assert conn.execute("SELECT part.setting('log_partition_routing')").fetchone()[0] == "true"
    bad = cli("flags", app_db, "no_such_flag=1")
    assert bad.exit_code != 0 and len(bad.output.strip().splitlines()) == 1
    assert 'unknown setting "no_such_flag"' in bad.output
    assert cli("flags", app_db, "justtext").exit_code != 0


def test_verify_exits_1_on_a_failed_check(app_db, cli, connect):
    assert cli("apply", app_db).exit_code == 0
    ok = cli("verify", app_db, "--json")
    data = json.loads(ok.output)
    assert ok.exit_code == 0 and data["ok"] is True
    assert {c["status"] for c in data["checks"]} <= {"ok", "warn"}
    with connect(app_db) as conn:  # lose the partitions ahead of public.revenues
        for (name,) in conn.execute(
                "SELECT partition_name FROM part.partitions WHERE parent_table = 'public.revenues' AND NOT is_default"
        ).fetchall():
            conn.execute(f"DROP TABLE {name}")
    failed = cli("verify", app_db)
    assert failed.exit_code == 1
    assert any(l.startswith("fail") and "public.revenues" in l for l in failed.output.splitlines())
