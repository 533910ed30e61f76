"""Upgrades, tested as pgTAP and pg_partman test theirs: install every released version
(its install script is kept verbatim in templates/released/), give it managed tables, a
migration in dual_write with its generated sync, one in partitioned, changed flags and a
pg_cron job (where the major has pg_cron), upgrade it (ALTER EXTENSION part UPDATE in
extension mode, `pginstall apply` in plain mode), then:

* every object of schema part equals a fresh install of the current version, compared from
  the catalog (routines with their definitions, settings and ACLs; tables, columns,
  constraints, indexes, triggers, views, sequences, comments, extension membership and
  pg_extension_config_dump registrations), and so do the generated sync functions and
  triggers of the same scenario run on the fresh install: a change to templates/ that no
  update step carries (a table change, most often) fails here;
* the migrations go on: writes are mirrored, the dual_write one backfills and switches
  with exact parity, the partitioned one finalizes; maintenance runs; flags and the job stay.
"""

from __future__ import annotations

import textwrap

import psycopg
import pytest
from click.testing import CliRunner

from pginstall import render
from pginstall.cli import main

from conftest import HAS_PG_CRON  # noqa: E402

OLD_VERSIONS = render.released_versions()
COLUMNS = "id, org_id, occurred_at, amount"

# What makes two installs "the same": everything of schema part, from the catalog.
CATALOG = {
    "routines": """
        SELECT p.oid::regprocedure::text, p.prokind, pg_get_function_result(p.oid), p.prosrc, p.prosecdef,
               p.provolatile, p.proconfig::text, l.lanname, p.proacl::text, obj_description(p.oid, 'pg_proc')
          FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
         WHERE p.pronamespace = 'part'::regnamespace ORDER BY 1""",
    "relations": """
        SELECT c.relname, c.relkind, c.relpersistence, c.reloptions::text, c.relacl::text,
               obj_description(c.oid, 'pg_class'), c.relhasrules
          FROM pg_class c WHERE c.relnamespace = 'part'::regnamespace ORDER BY 1""",
    "columns": """
        SELECT c.relname, a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attacl::text,
               col_description(c.oid, a.attnum)
          FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
          LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
         WHERE c.relnamespace = 'part'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY 1, 2""",
    "constraints": """
        SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
          FROM pg_constraint c WHERE c.connamespace = 'part'::regnamespace ORDER BY 1, 2""",
    "indexes": """
        SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
         WHERE indrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'part'::regnamespace) ORDER BY 1""",
    "triggers": """
        SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'part'::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2""",
    "views": """
        SELECT c.relname, pg_get_viewdef(c.oid) FROM pg_class c
         WHERE c.relnamespace = 'part'::regnamespace AND c.relkind IN ('v', 'm') ORDER BY 1""",
    "sequences": """
        SELECT s.seqrelid::regclass::text, format_type(s.seqtypid, NULL), s.seqincrement, s.seqmin, s.seqcycle
          FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
         WHERE c.relnamespace = 'part'::regnamespace ORDER BY 1""",
    "types": """
        SELECT t.typname, t.typtype FROM pg_type t
         WHERE t.typnamespace = 'part'::regnamespace AND t.typtype NOT IN ('c', 'b') ORDER BY 1""",
    "schema": """
        SELECT n.nspacl::text, obj_description(n.oid, 'pg_namespace') FROM pg_namespace n WHERE n.nspname = 'part'""",
    "extension_members": """
        SELECT pg_describe_object(d.classid, d.objid, d.objsubid) FROM pg_depend d
          JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
         WHERE e.extname = 'part' AND d.deptype = 'e' ORDER BY 1""",
    "config_dump": """
        SELECT c.relname, f.cond FROM pg_extension e,
               unnest(e.extconfig, e.extcondition) AS f(rel, cond) JOIN pg_class c ON c.oid = f.rel
         WHERE e.extname = 'part' ORDER BY 1""",
    "settings": "SELECT key, value, description FROM part.settings ORDER BY 1",
    # what the scenario generated in the user's schema: the sync functions and triggers
    "generated_functions": """
        SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid), p.proacl::text FROM pg_proc p
         WHERE p.pronamespace = 'public'::regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')  -- pgtap
         ORDER BY 1""",
    "generated_triggers": """
        SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled
          FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
         WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2""",
}


def catalog(conn: psycopg.Connection) -> dict[str, list]:
    return {name: conn.execute(q).fetchall() for name, q in CATALOG.items()}


def assert_same_catalog(upgraded: dict, fresh: dict, how: str) -> None:
    for name in CATALOG:
        only_up = [r for r in upgraded[name] if r not in fresh[name]]
        only_fresh = [r for r in fresh[name] if r not in upgraded[name]]
        assert upgraded[name] == fresh[name], (
            f"{how}: {name} differ between the upgraded database and a fresh install of part "
            f"{render.VERSION}; a change to templates/ needs its step in "
            f"templates/updates/ (tables: hand-written ALTERs, columns added at the end).\n"
            f"only after the upgrade: {only_up}\nonly in the fresh install: {only_fresh}"
        )


def scenario(conn: psycopg.Connection) -> None:
    """Managed tables, a migration left in dual_write (half backfilled), one switched
    (partitioned), changed flags: the state a database upgrades in."""
    for statement in [
        "CREATE TABLE public.bookings (id bigint NOT NULL, booked_at timestamptz NOT NULL,"
        " PRIMARY KEY (id, booked_at)) PARTITION BY RANGE (booked_at)",
        "SELECT part.create_partitioned('public.bookings', 'booked_at', 'range', p_interval => '1 month',"
        " p_premake => 2, p_retention => '24 months', p_retention_mode => 'archive')",
        "CREATE TABLE public.balances (org_id int NOT NULL, day date NOT NULL, amount numeric,"
        " PRIMARY KEY (org_id, day)) PARTITION BY HASH (org_id)",
        "SELECT part.create_partitioned('public.balances', 'org_id', 'hash', p_partitions => 4)",
        # a migration in dual_write, half backfilled: its sync triggers are live
        "CREATE TABLE public.revenues (id bigserial PRIMARY KEY, org_id int NOT NULL,"
        " occurred_at timestamptz NOT NULL, amount numeric(12,2))",
        "INSERT INTO public.revenues (org_id, occurred_at, amount)"
        " SELECT g % 5, timestamptz '2025-01-01' + g * interval '5 hours', g FROM generate_series(1, 2000) g",
        "SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 0)",
        "CALL part.backfill('public.revenues', 500, p_max_batches => 2)",
        # a migration switched: writes go to the partitioned table, mirrored back to the legacy one
        "CREATE TABLE public.expenses (id bigserial PRIMARY KEY, org_id int NOT NULL,"
        " occurred_at timestamptz NOT NULL, amount numeric(12,2))",
        "INSERT INTO public.expenses (org_id, occurred_at, amount)"
        " SELECT g % 3, timestamptz '2025-03-01' + g * interval '7 hours', g FROM generate_series(1, 1500) g",
        "SELECT part.migrate_start('public.expenses', 'occurred_at', 'range', '1 month', p_premake => 0)",
        "CALL part.backfill('public.expenses', 1000)",
        "SELECT part.switch_reads('public.expenses')",
        # changed flags
        "SELECT part.set_setting('log_partition_routing', 'true')",
        "SELECT part.set_setting('enable_partition_maintenance', 'false')",
    ]:
        conn.execute(statement)


def symmetric_difference(conn: psycopg.Connection, a: str, b: str) -> int:
    return conn.execute(
        f"SELECT count(*) FROM ((SELECT {COLUMNS} FROM {a} EXCEPT ALL SELECT {COLUMNS} FROM {b})"
        f" UNION ALL (SELECT {COLUMNS} FROM {b} EXCEPT ALL SELECT {COLUMNS} FROM {a})) d"
    ).fetchone()[0]


def migrations_finish(conn: psycopg.Connection) -> None:
    """After the upgrade: writes through both tables are mirrored, the dual_write migration
    backfills and switches with clean parity, the partitioned one finalizes, maintenance runs."""
    conn.execute("INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (7, '2025-02-03', 11)")
    conn.execute("UPDATE public.revenues SET amount = -1, occurred_at = '2025-03-09' WHERE id = 1900")
    conn.execute("DELETE FROM public.revenues WHERE id = 10")
    conn.execute("INSERT INTO public.expenses (org_id, occurred_at, amount) VALUES (8, '2025-04-04', 12)")
    conn.execute("UPDATE public.expenses SET amount = -2 WHERE id = 5")
    conn.execute("DELETE FROM public.expenses WHERE id = 6")
    assert symmetric_difference(conn, "public.expenses", "public.expenses_legacy") == 0

    conn.execute("CALL part.backfill('public.revenues', 500)")
    assert conn.execute("SELECT part.phase('public.revenues')").fetchone()[0] == "backfilled"
    statuses = conn.execute("SELECT DISTINCT status FROM part.check_parity('public.revenues')").fetchall()
    assert statuses == [("ok",)]
    assert conn.execute("SELECT part.switch_reads('public.revenues')").fetchone()[0] == "partitioned"
    assert symmetric_difference(conn, "public.revenues", "public.revenues_legacy") == 0
    assert conn.execute("SELECT count(*) FROM public.revenues").fetchone()[0] == 2000

    assert conn.execute("SELECT DISTINCT status FROM part.check_parity('public.expenses')").fetchall() == [("ok",)]
    conn.execute("SELECT part.finalize('public.expenses')")
    assert conn.execute("SELECT part.phase('public.expenses')").fetchone()[0] == "finalized"
    assert conn.execute("SELECT count(*) FROM public.expenses").fetchone()[0] == 1500

    assert conn.execute("SELECT part.setting('enable_partition_maintenance')").fetchone()[0] == "false"
    conn.execute("SELECT part.set_setting('enable_partition_maintenance', 'true')")
    conn.execute("CALL part.run_maintenance()")
    failed = conn.execute("SELECT parent_table, action, detail FROM part.maintenance_log WHERE outcome = 'failed'").fetchall()
    assert failed == []
    assert conn.execute("SELECT count(*) FROM part.create_ahead()").fetchone()[0] == 0


def schedule_job(connect, db: str) -> int | None:
    if not HAS_PG_CRON:
        return None
    cron = connect("postgres", autocommit=True)
    return cron.execute("SELECT cron.schedule_in_database(%s, '0 2 * * *', 'CALL part.run_maintenance()', %s)",
                        (f"part_maintenance_{db}", db)).fetchone()[0]


def job_is_kept(connect, db: str, jobid: int | None) -> None:
    if jobid is None:
        return
    cron = connect("postgres", autocommit=True)
    assert cron.execute("SELECT jobid, command, database FROM cron.job WHERE jobname = %s",
                        (f"part_maintenance_{db}",)).fetchone() == (jobid, "CALL part.run_maintenance()", db)


def fresh_catalog(make_db, connect, kind: str, then=None) -> dict:
    """The same scenario on a fresh install of the current version (then: what else ran
    on the upgraded database, e.g. the same `pginstall apply`)."""
    db = make_db(kind)
    conn = connect(db, autocommit=True)
    scenario(conn)
    if then is not None:
        then(db)
    return catalog(conn)


@pytest.mark.parametrize("old", OLD_VERSIONS)
def test_alter_extension_update_equals_a_fresh_install(old, make_db, connect):
    db = make_db("empty")
    conn = connect(db, autocommit=True)
    conn.execute(f"CREATE EXTENSION part VERSION '{old}'")
    assert conn.execute("SELECT value FROM part.settings WHERE key = 'version'").fetchone()[0] == old
    scenario(conn)
    jobid = schedule_job(connect, db)

    conn.execute("ALTER EXTENSION part UPDATE")
    assert conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'part'").fetchone()[0] == render.VERSION
    assert_same_catalog(catalog(conn), fresh_catalog(make_db, connect, "extension"), f"extension mode, from {old}")
    job_is_kept(connect, db, jobid)
    migrations_finish(conn)


@pytest.mark.parametrize("old", OLD_VERSIONS)
def test_plain_apply_runs_the_update_chain_and_equals_a_fresh_install(old, make_db, connect, dsn_factory, tmp_path):
    db = make_db("empty")
    conn = connect(db, autocommit=True)
    conn.execute(render.render_install("plain", old))
    assert conn.execute("SELECT value FROM part.settings WHERE key = 'version'").fetchone()[0] == old
    scenario(conn)
    jobid = schedule_job(connect, db)

    def apply(name: str):
        cfg = tmp_path / f"{name}.toml"
        cfg.write_text(textwrap.dedent(f"""\
            [schedule]
            maintenance = "0 2 * * *"
            purge_history = ""

            [databases.{name}]
            """))
        r = CliRunner().invoke(main, ["apply", "--db", name, "--config", str(cfg), "--dsn", dsn_factory(name)])
        assert r.exit_code == 0, r.output
        return r.output

    assert f"upgraded part {old} -> {render.VERSION} (plain mode)" in apply(db)
    assert_same_catalog(catalog(conn), fresh_catalog(make_db, connect, "plain", then=apply), f"plain mode, from {old}")
    job_is_kept(connect, db, jobid)
    migrations_finish(conn)


def test_update_keeps_grants_an_administrator_added(make_db, connect):
    """Routines are dropped and recreated by an update: grants given to a role on them survive."""
    db = make_db("empty")
    conn = connect(db, autocommit=True)
    conn.execute(f"CREATE EXTENSION part VERSION '{OLD_VERSIONS[-1]}'")
    conn.execute("DROP ROLE IF EXISTS part_upgrade_monitor")
    conn.execute("CREATE ROLE part_upgrade_monitor")
    try:
        conn.execute("GRANT EXECUTE ON FUNCTION part.verify() TO part_upgrade_monitor")
        conn.execute("GRANT SELECT ON part.partitions TO part_upgrade_monitor")
        conn.execute("ALTER EXTENSION part UPDATE")
        assert conn.execute("SELECT has_function_privilege('part_upgrade_monitor', 'part.verify()', 'EXECUTE'),"
                            " has_table_privilege('part_upgrade_monitor', 'part.partitions', 'SELECT')"
                            ).fetchone() == (True, True)
        assert conn.execute(
            "SELECT count(*) FROM pg_proc p, aclexplode(p.proacl) a WHERE p.oid = 'part.verify()'::regprocedure"
            " AND a.grantee = 'part_upgrade_monitor'::regrole").fetchone()[0] == 1
    finally:
        conn.execute("DROP EXTENSION part CASCADE")
        conn.execute("DROP OWNED BY part_upgrade_monitor")
        conn.execute("DROP ROLE part_upgrade_monitor")


def test_every_step_of_the_chain_exists_in_both_modes():
    """From every released version there is an update path to this one, rendered in both modes."""
    assert OLD_VERSIONS, "templates/released/ keeps at least the install scripts of 0.1.0"
    for old in OLD_VERSIONS:
        chain = render.update_chain(old)
        assert chain and chain[-1][1] == render.VERSION
        for _a, _b, name in chain:
            for mode in render.MODES:
                text = render.render_update(name, mode)
                assert text.startswith(f"-- part {_a} -> {_b} ({mode} update)")


def _plain_upgraded_and_fresh(make_db, connect) -> tuple[dict, dict]:
    """Catalogs of: the oldest released version (plain) taken through the update chain that
    the current templates render, and a fresh plain install of them."""
    up = connect(make_db("empty"), autocommit=True)
    up.execute(render.render_install("plain", OLD_VERSIONS[0]))
    for _a, _b, name in render.update_chain(OLD_VERSIONS[0]):
        up.execute(render.render_update(name, "plain"))
    fresh = connect(make_db("empty"), autocommit=True)
    fresh.execute(render.render_install("plain"))
    return catalog(up), catalog(fresh)


def test_a_table_change_without_its_update_step_is_caught(make_db, connect, tmp_path, monkeypatch):
    """The guard itself: a column added to a table template with no step in the update
    script makes the comparison fail; the hand-written ALTER TABLE makes it pass."""
    import shutil
    from pathlib import Path

    templates = tmp_path / "templates"
    shutil.copytree(render.templates_dir(), templates)
    table = templates / "settings" / "settings.sql"
    table.write_text(table.read_text().replace("    description text\n", "    description text,\n    note text\n"))
    monkeypatch.setenv("PGINSTALL_TEMPLATES", str(templates))
    upgraded, fresh = _plain_upgraded_and_fresh(make_db, connect)
    with pytest.raises(AssertionError, match="columns differ"):
        assert_same_catalog(upgraded, fresh, "a column added without its step")

    step = next(Path(templates, name) for _a, b, name in render.update_chain(OLD_VERSIONS[0]) if b == render.VERSION)
    text = step.read_text()
    marker = "-- part's tables: changes since"
    assert marker in text, f"{step.name} keeps a place for the hand-written table steps"
    step.write_text(text.replace(marker, "ALTER TABLE part.settings ADD COLUMN note text;\n" + marker, 1))
    upgraded, fresh = _plain_upgraded_and_fresh(make_db, connect)
    assert_same_catalog(upgraded, fresh, "with its step")
