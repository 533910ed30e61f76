"""`migrate = true` in the config and `pginstall migrate --to`, against the real server.

Also (the tests after WALK_CONFIG, formerly test_migration_cli.py): `pginstall
migrate TABLE --to PHASE` walks a live table through the phases: start,
backfill (progress bar with rows/s and ETA), parity, switch, rollback,
finalize; errors are one line and a non-zero exit; and `pginstall uninstall
--force` leaves no sync trigger behind that would break the application's
writes."""

import re

import pytest


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
def cli(pginstall_cli):
    return pginstall_cli(CONFIG)


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


# -- formerly test_migration_cli.py

WALK_CONFIG = """
[databases.app]

[[databases.app.tables]]
table = "public.revenues"
strategy = "range"
key = "occurred_at"
interval = "1 month"
premake = 1
migrate = true
batch_size = 500
"""


@pytest.fixture
def app(fresh_db, connect, pginstall_cli):
    with connect(fresh_db) as conn:
        conn.execute(
            "CREATE TABLE public.revenues (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL,"
            " amount numeric(12,2))")
        conn.execute(
            "INSERT INTO public.revenues (org_id, occurred_at, amount)"
            " SELECT g % 9, timestamptz '2025-01-01' + g * interval '2 hours', g FROM generate_series(1, 3000) g")
    return pginstall_cli(WALK_CONFIG, db=fresh_db)


def phase_of(connect, db):
    with connect(db) as conn:
        return conn.execute("SELECT part.phase('public.revenues')").fetchone()[0]


def test_migrate_walks_to_partitioned_then_rolls_back_and_finalizes(app, connect):
    out = app("migrate", "public.revenues", "--to", "partitioned")
    assert out.exit_code == 0, out.output
    assert "backfill public.revenues: 3,000/3,000 rows (100%)" in out.output and "rows/s" in out.output  # progress
    assert "parity clean" in out.output
    assert phase_of(connect, app.db) == "partitioned"
    with connect(app.db) as conn:
        assert conn.execute("SELECT backfill_rows, backfill_batches FROM part.migration").fetchone() == (3000, 6)
        assert conn.execute("SELECT count(*) FROM public.revenues").fetchone()[0] == 3000
        assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'public.revenues'::regclass").fetchone()[0] == "p"

    again = app("migrate", "public.revenues", "--to", "partitioned")
    assert again.exit_code == 0 and "already partitioned" in again.output

    back = app("migrate", "public.revenues", "--to", "rollback")
    assert back.exit_code == 0, back.output
    assert phase_of(connect, app.db) == "backfilled"
    again = app("migrate", "public.revenues", "--to", "rollback")
    assert again.exit_code == 0 and "already rolled back (backfilled)" in again.output, again.output

    done = app("migrate", "public.revenues", "--to", "finalized", "--keep-legacy", "drop", "--yes")
    assert done.exit_code == 0, done.output
    assert phase_of(connect, app.db) == "finalized"
    with connect(app.db) as conn:
        assert conn.execute("SELECT to_regclass('public.revenues_legacy')").fetchone()[0] is None
        assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'part_sync_%'").fetchone()[0] == 0


def test_migrate_stops_with_one_line_where_a_step_fails(app, connect):
    assert app("migrate", "public.revenues", "--to", "dual_write").exit_code == 0
    with connect(app.db) as conn:  # a difference the sync did not make
        conn.execute("SET part.syncing = 'on'")
        conn.execute("INSERT INTO public.revenues_partitioned (id, org_id, occurred_at) VALUES (99999, 1, '2025-02-02')")
    out = app("migrate", "public.revenues", "--to", "partitioned")
    assert out.exit_code != 0
    last = out.output.strip().splitlines()[-1]
    assert "parity" in last and "parity_diff" in last, out.output
    assert phase_of(connect, app.db) == "dual_write"


def test_uninstall_force_removes_the_sync_so_writes_go_on(app, connect):
    assert app("migrate", "public.revenues", "--to", "dual_write").exit_code == 0
    out = app("uninstall", "--force")
    assert out.exit_code == 0, out.output
    with connect(app.db) as conn:
        assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'part_sync_%'").fetchone()[0] == 0
        conn.execute("INSERT INTO public.revenues (org_id, occurred_at) VALUES (1, '2025-03-03')")
        conn.execute("UPDATE public.revenues SET amount = 0 WHERE id < 10")


def test_finalize_refuses_after_a_parity_check_that_differs_unless_forced(app, connect):
    assert app("migrate", "public.revenues", "--to", "partitioned").exit_code == 0
    with connect(app.db) as conn:  # a legacy row changed behind the sync's back, found by a full check
        conn.execute("ALTER TABLE public.revenues_legacy DISABLE TRIGGER part_sync_guard")
        conn.execute("UPDATE public.revenues_legacy SET amount = amount + 1 WHERE id = 7")
        conn.execute("ALTER TABLE public.revenues_legacy ENABLE ALWAYS TRIGGER part_sync_guard")
        assert conn.execute("SELECT count(*) FROM part.check_parity('public.revenues', true) WHERE status <> 'ok'").fetchone()[0] == 1
    out = app("migrate", "public.revenues", "--to", "finalized")
    assert out.exit_code != 0
    last = out.output.strip().splitlines()[-1]
    assert "cannot finalize public.revenues" in last and "p_force" in last, out.output
    assert phase_of(connect, app.db) == "partitioned"
    forced = app("migrate", "public.revenues", "--to", "finalized", "--keep-legacy", "keep", "--force")
    assert forced.exit_code == 0, forced.output
    assert phase_of(connect, app.db) == "finalized"


def test_migrate_to_none_abandons_the_migration(app, connect):
    assert app("migrate", "public.revenues", "--to", "dual_write").exit_code == 0
    out = app("migrate", "public.revenues", "--to", "none")
    assert out.exit_code == 0, out.output
    assert "migration cancelled" in out.output and "public.revenues_partitioned (dropped)" in out.output
    assert phase_of(connect, app.db) is None
    with connect(app.db) as conn:
        assert conn.execute("SELECT to_regclass('public.revenues_partitioned')").fetchone()[0] is None
        assert conn.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'part_sync_%'").fetchone()[0] == 0
        conn.execute("INSERT INTO public.revenues (org_id, occurred_at) VALUES (1, '2031-03-03')")
        assert conn.execute("SELECT count(*) FROM public.revenues").fetchone()[0] == 3001
    again = app("migrate", "public.revenues", "--to", "none")
    assert again.exit_code == 0 and "already none" in again.output
    # a switched table is rolled back first, the copy kept when asked
    assert app("migrate", "public.revenues", "--to", "partitioned").exit_code == 0
    out = app("migrate", "public.revenues", "--to", "none", "--keep-copy")
    assert out.exit_code == 0, out.output
    assert "rolled back" in out.output and "(kept)" in out.output
    assert phase_of(connect, app.db) is None
    with connect(app.db) as conn:
        assert conn.execute("SELECT relkind FROM pg_class WHERE oid = 'public.revenues'::regclass").fetchone()[0] == "r"
        assert conn.execute("SELECT count(*) FROM public.revenues_partitioned").fetchone()[0] == 3001
