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
    assert (revenues.interval, revenues.retention, revenues.effective_default_partition) == ("1 month", "24 months", True)
    assert (balances.partitions, balances.effective_default_partition, balances.premake) == (16, None, 3)
    merged = cfg.schedule_for(db)
    assert (merged.maintenance, merged.retention, merged.purge_history, merged.history_days) == (
        "0 2 1 * *", "0 3 15 * *", "30 3 * * *", 7)


def test_defaults():
    cfg = parse("""
        [databases.app]
        [[databases.app.tables]]
        table = "events"
        strategy = "range"
        key = "id"
        interval = 100000
    """)
    t = cfg.databases["app"].tables[0]
    assert (t.interval, t.premake, t.retention_mode, t.migrate, t.batch_size) == ("100000", 3, "detach", False, 10000)
    assert cfg.schedule == cf.DEFAULT_SCHEDULE


def test_demo_config_is_valid():
    cfg = cf.load(str(REPO / "demo" / "pginstall.toml"))
    assert set(cfg.databases) == {"hospitality", "finance", "event_store"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("colour = 1", "x.toml: unknown key 'colour'"),
        ("[schedule]\nmaintenence = '0 2 * * *'", "x.toml: schedule: unknown key 'maintenence'"),
        ("[schedule]\nmaintenance = 'nightly'", "schedule: maintenance 'nightly' is not a cron schedule"),
        ("[schedule]\nmaintenance = '0 2 * *'", "is not a cron schedule"),
        ("[schedule]\nhistory_days = 0", "history_days must be 1 or more"),
        ("[schedule]\nhistory_days = '7'", "history_days must be a whole number of days"),
        ("[databases.a]\nhost = 'x'", "databases.a: unknown key 'host'"),
        ("[databases.a.schedule]\npurge_history = '0 1 * * *'", "databases.a.schedule: unknown key 'purge_history'"),
        ("databases = 3", "databases: must be a table"),
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
        (TABLE, {"strategy": '"list"'}, 'strategy must be "range" or "hash", not \'list\''),
        (TABLE, {"interval": None}, "a range table needs interval"),
        (TABLE, {"interval": '"1 fortnight"'}, "interval '1 fortnight' is not an interval"),
        (TABLE, {"interval": '"0 days"'}, "interval must be positive"),
        (TABLE, {"interval": "0"}, "interval must be positive"),
        (TABLE, {"interval": "true"}, "interval must be an interval"),
        (TABLE, {"partitions": "4"}, "partitions is for hash tables"),
        (TABLE, {"premake": "-1"}, "premake must be 0 or more"),
        (TABLE, {"premake": "2.5"}, "premake must be a whole number"),
        (TABLE, {"premake": "true"}, "premake must be a whole number"),
        (TABLE, {"retention": '"forever"'}, "retention 'forever' is not an interval"),
        (TABLE, {"retention_mode": '"shred"'}, "retention_mode must be drop, detach or archive"),
        (TABLE, {"default_partition": '"yes"'}, "default_partition must be true or false"),
        (TABLE, {"migrate": "1"}, "migrate must be true, false, \"copy\" or \"attach\""),
        (TABLE, {"batch_size": "0"}, "batch_size must be 1 or more"),
        (TABLE, {"table": '"public.revenues.x"'}, "write schema.table (no database part)"),
        (TABLE, {"table": '"public.\\"open"'}, "unterminated quoted name"),
        (TABLE, {"table": '"drop table x; --"'}, "is not a valid name"),
        (HASH, {"partitions": None}, "a hash table needs partitions"),
        (HASH, {"partitions": "0"}, "partitions must be 1 or more"),
        (HASH, {"default_partition": "true"}, "a hash table cannot have a default partition"),
        (HASH, {"interval": '"1 month"'}, "interval is for range tables"),
        (HASH, {"retention": '"1 month"'}, "retention is for range tables"),
    ],
)
def test_table_errors(base, change, expected):
    assert expected in table_error(base, **change)


def test_a_table_configured_twice():
    message = error("""
        [databases.fin]
        [[databases.fin.tables]]
        table = "public.revenues"
        strategy = "hash"
        key = "org_id"
        partitions = 2
        [[databases.fin.tables]]
        table = 'public."revenues"'
        strategy = "hash"
        key = "org_id"
        partitions = 2
    """)
    assert "databases.fin.tables[2]" in message and "configured twice (also databases.fin.tables[1])" in message


def test_table_names_with_quotes_spaces_and_capitals():
    assert cf.split_table_name('public."Daily Balances"') == ("public", "Daily Balances")
    assert cf.split_table_name('Public.Revenues') == ("public", "revenues")
    assert cf.split_table_name('"we""ird"') == (None, 'we"ird')
    assert cf.split_table_name('"my schema" . "t"') == ("my schema", "t")


def test_missing_files(tmp_path, monkeypatch):
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
