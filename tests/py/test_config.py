"""pginstall.toml: every key known, every problem one line naming the file, the entry and the problem."""

import textwrap
from pathlib import Path

import pytest

from pginstall import config as cf

REPO = Path(__file__).resolve().parents[2]


def parse(text: str) -> cf.Config:
    return cf.parse(cf.tomllib.loads(textwrap.dedent(text)), "x.toml")


def error(text: str) -> str:
    with pytest.raises(cf.ConfigError) as e:
        parse(text)
    message = str(e.value)
    assert "\n" not in message
    assert message.startswith("x.toml: ")
    return message


def test_full_example_of_the_spec():
    cfg = parse("""
        [schedule]
        maintenance = "0 2 * * *"
        retention = ""
        purge_history = "30 3 * * *"
        history_days = 7

        [databases.finance]
        dsn = "postgresql://app@db1/finance"
        dbname = "finance"

        [databases.finance.schedule]
        maintenance = "0 2 1 * *"
        retention = "0 3 15 * *"

        [[databases.finance.tables]]
        table = "public.revenues"
        strategy = "range"
        key = "occurred_at"
        interval = "1 month"
        premake = 3
        retention = "24 months"
        retention_mode = "detach"
        default_partition = true
        migrate = false
        batch_size = 10000

        [[databases.finance.tables]]
        table = "public.daily_cash_balances"
        strategy = "hash"
        key = "org_id"
        partitions = 16
    """)
    db = cfg.databases["finance"]
    assert db.dsn == "postgresql://app@db1/finance"
    revenues, balances = db.tables
    assert revenues.settings == {"strategy": "range", "key": "occurred_at", "interval": "1 month", "premake": 3,
                                 "retention": "24 months", "retention_mode": "detach", "default_partition": True,
                                 "batch_size": 10000}
    assert (revenues.table, revenues.migrate, balances.settings["partitions"]) == ("public.revenues", False, 16)
    merged = cfg.schedule_for(db)
    assert (merged.maintenance, merged.retention, merged.purge_history, merged.history_days) == (
        "0 2 1 * *", "0 3 15 * *", "30 3 * * *", 7)


def test_only_the_keys_the_file_sets_reach_part():
    """The defaults are those of part's SQL signatures (part.create_partitioned, part.check_schedule):
    a key the file leaves out is not passed at all."""
    cfg = parse("""
        [databases.app]
        [[databases.app.tables]]
        table = "events"
        strategy = "range"
        key = "id"
        interval = 100000
    """)
    t = cfg.databases["app"].tables[0]
    assert t.settings == {"strategy": "range", "key": "id", "interval": "100000"}  # an integer width as its digits
    assert (t.migrate, t.batch_size) == (False, None)
    assert cfg.schedule == cf.Schedule()  # nothing set: part.check_schedule gives the defaults


def test_demo_config_is_valid():
    cfg = cf.load(str(REPO / "demo" / "pginstall.toml"))
    assert set(cfg.databases) == {"hospitality", "finance", "event_store"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("colour = 1", "x.toml: unknown key 'colour'"),
        ("[schedule]\nmaintenence = '0 2 * * *'", "x.toml: schedule: unknown key 'maintenence'"),
        ("[schedule]\nmaintenance = 2", "schedule: maintenance must be a cron schedule string, not 2"),
        ("[schedule]\nhistory_days = '7'", "history_days must be a whole number of days"),
        ("[schedule]\nhistory_days = 99999999999", "history_days 99999999999 is out of range"),
        ("[databases.a]\nhost = 'x'", "databases.a: unknown key 'host'"),
        ("[databases.a]\ndbname = ' '", "databases.a: dbname must not be empty"),
        ("[databases.a.schedule]\npurge_history = '0 1 * * *'", "databases.a.schedule: unknown key 'purge_history'"),
        ("databases = 3", "databases must be a table"),
        ("schedule = 3", "schedule must be a table"),
        ("[databases]\na = 3", "databases.a: must be a table"),
        ("[databases.a]\ntables = 3", "databases.a: tables must be an array of tables"),
    ],
)
def test_file_level_errors(text, expected):
    assert expected in error(text)


TABLE = {"table": '"public.revenues"', "strategy": '"range"', "key": '"occurred_at"', "interval": '"1 month"'}
HASH = {"table": '"public.balances"', "strategy": '"hash"', "key": '"org_id"', "partitions": "16"}


def table_error(base: dict, **change) -> str:
    fields = {**base, **change}
    lines = [f"{k} = {v}" for k, v in fields.items() if v is not None]
    return error("[databases.fin]\n[[databases.fin.tables]]\n" + "\n".join(lines))


@pytest.mark.parametrize(
    "base,change,expected",
    [
        (TABLE, {"intervl": '"1 month"'}, "databases.fin.tables[1] (public.revenues): unknown key 'intervl'"),
        (TABLE, {"key": None}, "(public.revenues): missing key 'key'"),
        (TABLE, {"table": None}, "databases.fin.tables[1]: missing key 'table'"),
        (TABLE, {"strategy": "1"}, 'strategy must be "range" or "hash", not 1'),
        (TABLE, {"interval": "true"}, "interval must be an interval"),
        (TABLE, {"premake": "2.5"}, "premake must be a whole number"),
        (TABLE, {"premake": "true"}, "premake must be a whole number"),
        (TABLE, {"premake": "4294967296"}, "premake 4294967296 is out of range"),
        (TABLE, {"default_partition": '"yes"'}, "default_partition must be true or false"),
        (TABLE, {"migrate": "1"}, "migrate must be true, false, \"copy\" or \"attach\""),
        (HASH, {"partitions": '"16"'}, "partitions must be a whole number"),
    ],
)
def test_table_errors(base, change, expected):
    assert expected in table_error(base, **change)


def test_values_are_left_to_part():
    """Only the shape is checked here: a bad interval, schedule, name or bound is part's to refuse, in apply's
    transaction (test_cli.py: test_a_value_part_refuses_is_one_line_and_changes_nothing)."""
    cfg = parse("""
        [schedule]
        maintenance = "@reboot"
        retention = "99 99 * * *"
        [databases.fin]
        [[databases.fin.tables]]
        table = 'drop table x; --'
        strategy = "list"
        key = ""
        interval = "1 fortnight"
        premake = -1
    """)
    assert cfg.schedule.maintenance == "@reboot"
    assert cfg.databases["fin"].tables[0].settings["interval"] == "1 fortnight"


def test_missing_files_and_unreadable_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PGINSTALL_CONFIG", raising=False)
    assert cf.load(None).databases == {}  # no ./pginstall.toml: defaults
    with pytest.raises(cf.ConfigError, match="nope.toml: config file not found"):
        cf.load("nope.toml")
    monkeypatch.setenv("PGINSTALL_CONFIG", str(tmp_path / "env.toml"))
    with pytest.raises(cf.ConfigError, match="env.toml: config file not found"):
        cf.load(None)
    (tmp_path / "env.toml").write_text("[databases.a\n")
    with pytest.raises(cf.ConfigError, match="env.toml: not valid TOML"):
        cf.load(None)
    (tmp_path / "env.toml").write_bytes(b"[databases.caf\xe9]\n")  # Latin-1, not UTF-8
    with pytest.raises(cf.ConfigError, match="env.toml: not UTF-8 text"):
        cf.load(None)
