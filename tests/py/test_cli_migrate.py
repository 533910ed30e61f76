"""`migrate = true` in the config and `pginstall migrate --to`, against the real server."""

import re
import textwrap

import pytest
from click.testing import CliRunner

from pginstall.cli import main

LEGACY_DDL = """
CREATE TABLE public.revenues (
    id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL, amount numeric(12,2));
INSERT INTO public.revenues (org_id, occurred_at, amount)
SELECT 1 + g % 7, now() - (g % 90) * interval '1 day', g FROM generate_series(1, 3000) g;
CREATE TABLE public.no_pk (org_id int NOT NULL, note text);
"""

CONFIG = """
[databases.app]
[[databases.app.tables]]
table = "public.revenues"
strategy = "range"
key = "occurred_at"
interval = "1 month"
migrate = true
batch_size = 500
"""


@pytest.fixture
def legacy_db(empty_db, connect):
    with connect(empty_db) as conn:
        conn.execute(LEGACY_DDL)
    return empty_db


@pytest.fixture
def cli(tmp_path, dsn_factory):
    def run(cmd, db, *args, config=CONFIG, env=None):
        cfg = tmp_path / "pginstall.toml"
        cfg.write_text(textwrap.dedent(config))
        result = CliRunner().invoke(main, [cmd, "--config", str(cfg), "--dsn", dsn_factory(db), "--db", "app", *args],
                                    env=env)
        assert "Traceback" not in result.output
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return run


def phase(conn, table="public.revenues"):
    return conn.execute("SELECT part.phase(%s)", (table,)).fetchone()[0]


def test_plan_shows_the_migration_and_its_warning_and_changes_nothing(legacy_db, cli, snapshot):
    before = snapshot(legacy_db)
    out = cli("plan", legacy_db).output
    assert "app: start migration of public.revenues (dual_write): range on occurred_at every 1 month" in out
    assert "warning: part: the primary key of public.revenues becomes (id, occurred_at)" in out
    assert "ON CONFLICT (id)" in out
    assert snapshot(legacy_db) == before


def test_apply_starts_the_migration_then_migrate_walks_the_phases(legacy_db, cli, connect):
    result = cli("apply", legacy_db)
    assert result.exit_code == 0, result.output
    assert "started migration of public.revenues (dual_write)" in result.output
    assert "warning: part: the primary key of public.revenues becomes (id, occurred_at)" in result.output
    conn = connect(legacy_db, autocommit=True)
    assert phase(conn) == "dual_write"
    assert conn.execute(  # the config's batch_size, partitions named after the table
        "SELECT batch_size, partition_prefix FROM part.config WHERE parent_table = 'public.revenues_partitioned'"
    ).fetchone() == (500, "revenues")
    assert cli("plan", legacy_db).output.strip() == ""  # started: apply leaves the rest to `migrate`

    conn.execute("INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (99, now(), 1)")
    result = cli("migrate", legacy_db, "public.revenues", "--to", "partitioned")
    assert result.exit_code == 0, result.output
    assert re.search(r"backfill public.revenues: 3,00[01]/3,00[01] rows \(100%\)", result.output)
    assert "parity clean" in result.output
    assert phase(conn) == "partitioned"
    assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'public.revenues'::regclass").fetchone()[0] == "p"
    assert conn.execute("SELECT count(*) FROM public.revenues").fetchone()[0] == 3001

    assert "already partitioned" in cli("migrate", legacy_db, "revenues", "--to", "partitioned").output
    result = cli("migrate", legacy_db, "revenues", "--to", "rollback")
    assert result.exit_code == 0 and "rolled back" in result.output
    assert phase(conn) == "backfilled"
    assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'public.revenues'::regclass").fetchone()[0] == "r"

    result = cli("migrate", legacy_db, "public.revenues", "--to", "finalized", "--keep-legacy", "keep")
    assert result.exit_code == 0, result.output
    assert phase(conn) == "finalized"
    assert conn.execute("SELECT to_regclass('public.revenues_legacy') IS NOT NULL").fetchone()[0]

    refused = cli("migrate", legacy_db, "public.revenues", "--to", "dual_write")
    assert refused.exit_code != 0 and "going back to dual_write is not supported" in refused.output


def test_a_table_migrate_start_refuses_is_reported_and_nothing_changes(legacy_db, cli, snapshot):
    config = CONFIG + """
[[databases.app.tables]]
table = "public.no_pk"
strategy = "hash"
key = "org_id"
partitions = 4
migrate = true
"""
    before = snapshot(legacy_db)
    for cmd in ("plan", "apply"):
        result = cli(cmd, legacy_db, config=config)
        assert result.exit_code != 0
        lines = result.output.strip().splitlines()
        assert len(lines) == 1, result.output
        assert "databases.app.tables[2] (public.no_pk)" in lines[0] and "primary key" in lines[0]
    assert snapshot(legacy_db) == before


def test_migrate_needs_the_table_in_the_config(legacy_db, cli):
    assert cli("apply", legacy_db, config="[databases.app]\n").exit_code == 0
    result = cli("migrate", legacy_db, "public.no_pk", "--to", "dual_write", config="[databases.app]\n")
    assert result.exit_code != 0 and "not in [databases.app] tables" in result.output


def test_use_partitioned_tables_switches_backfilled_migrations(legacy_db, cli, connect):
    assert cli("apply", legacy_db).exit_code == 0
    conn = connect(legacy_db, autocommit=True)
    env = {"USE_PARTITIONED_TABLES": "true"}
    # still in dual_write: nothing to switch; apply says why
    assert "switch reads" not in cli("plan", legacy_db, env=env).output
    result = cli("apply", legacy_db, env=env)
    assert "cannot switch public.revenues: it is in dual_write, not backfilled" in result.output
    assert cli("migrate", legacy_db, "public.revenues", "--to", "backfilled").exit_code == 0
    assert "app: switch reads of public.revenues to the partitioned table (USE_PARTITIONED_TABLES=true)" in \
        cli("plan", legacy_db, env=env).output
    result = cli("apply", legacy_db, env=env)
    assert result.exit_code == 0, result.output
    assert "switched reads of public.revenues to the partitioned table" in result.output
    assert phase(conn) == "partitioned"
    assert cli("plan", legacy_db, env=env).stdout.strip() == ""
