"""Settings that cannot work are refused once, in SQL, before anything changes: cron
schedules are checked by part before apply commits or registers a job (no half-done
apply), counts and intervals have real bounds, a number too large for SQL is one
config line, and `pginstall flags maintenance_schedule=...` is refused instead of
changing a record pg_cron never reads."""

from __future__ import annotations

import pytest

from conftest import HAS_PG_CRON
from test_cron import config, jobs, pginstall, app_db  # noqa: F401  (fixtures)


def installed(connect, db: str) -> bool:
    return connect(db, autocommit=True).execute("SELECT to_regnamespace('part') IS NOT NULL").fetchone()[0]


@pytest.mark.parametrize("key, kw, problem", [
    ("maintenance", {"maintenance": "99 99 * * *"}, "invalid cron schedule \"99 99 * * *\""),
    ("maintenance", {"maintenance": "@reboot"}, "invalid cron schedule \"@reboot\""),
    ("retention", {"retention": "0 0 31 2 *"}, "cron schedule \"0 0 31 2 *\" never runs"),
    ("purge_history", {"purge": "0 0 30 2 *"}, "never runs"),
    ("history_days", {"days": 99999}, "history_days must be a whole number from 1 to 3650"),
])
def test_bad_schedules_are_refused_before_anything_changes(app_db, connect, pginstall, key, kw, problem):
    cfg = config(**kw)
    for cmd in ("plan", "apply"):
        r = pginstall(cmd, app_db, cfg=cfg)
        assert r.exit_code == 1, r.output
        lines = r.output.strip().splitlines()
        assert len(lines) == 1 and f"schedule: {key}" in lines[0] and problem in lines[0] and "(22023)" in lines[0], r.output
    assert not installed(connect, app_db), "nothing changed in the database"
    if HAS_PG_CRON:
        assert jobs(connect, app_db) == {} or "part_maintenance_" + app_db not in jobs(connect, app_db), "no job registered"


@pytest.mark.parametrize("setting, problem", [
    ('premake = 99999999999', "premake 99999999999 is out of range"),
    ('premake = 100000', "premake must be between 0 and 1000, not 100000 (22023)"),
    ('interval = "2147483647 days"', "longer than 100 years"),
    ('retention = "100000000 years"', "invalid retention"),
])
def test_table_settings_out_of_bounds_are_one_line(app_db, connect, pginstall, setting, problem):
    key = setting.split(" = ")[0]
    cfg = config().replace('retention = "24 months"', "") + setting + "\n"
    if key == "interval":
        cfg = cfg.replace('interval = "1 month"\n', "", 1)
    r = pginstall("apply", app_db, cfg=cfg)
    assert r.exit_code == 1, r.output
    lines = r.output.strip().splitlines()
    assert len(lines) == 1 and problem in lines[0], r.output
    assert not installed(connect, app_db)


def test_flags_refuse_schedules_pg_cron_would_not_see(app_db, connect, pginstall):
    assert pginstall("apply", app_db).exit_code == 0
    r = pginstall("flags", app_db, "maintenance_schedule=*/5 * * * *")
    assert r.exit_code == 1, r.output
    assert "set [schedule] maintenance" in r.output and "pginstall apply" in r.output
    conn = connect(app_db, autocommit=True)
    recorded = conn.execute("SELECT part.setting('maintenance_schedule')").fetchone()[0]
    assert recorded != "*/5 * * * *", "the refused flag changed nothing"
    if HAS_PG_CRON:  # without pg_cron apply schedules nothing and records no schedule
        assert recorded == "0 2 * * *"
        assert jobs(connect, app_db)[f"part_maintenance_{app_db}"][1] == "0 2 * * *"
