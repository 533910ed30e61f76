"""Security model (README "Security model"), tried as an attacker would: with real
roles and sessions, a role with no grant at all, a table owner who wants the
rights of whoever runs part, a database owner, a role with CREATE on the
database, and a monitoring role. Every test here failed on the main before the
security rewrite (see the issue's numbered findings)."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from psycopg import sql


@pytest.fixture
def roles(pg_server, connect):
    """roles(*names) -> dict name -> real role name (LOGIN, no privilege), dropped afterwards."""
    made: list[str] = []
    admin = connect("postgres", autocommit=True)

    def make(*names: str) -> dict[str, str]:
        out = {}
        for n in names:
            r = f"sec_{n}_{uuid.uuid4().hex[:8]}"
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(r)))
            made.append(r)
            out[n] = r
        return out

    yield make
    for db in [r[0] for r in admin.execute("SELECT datname FROM pg_database WHERE datallowconn")]:
        try:
            with psycopg.connect(pg_server.dsn(db), autocommit=True) as c:
                for r in made:
                    c.execute(sql.SQL("REASSIGN OWNED BY {} TO CURRENT_USER").format(sql.Identifier(r)))
                    c.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(r)))
        except psycopg.Error:
            pass
    for r in made:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(r)))


def as_role(pg_server, db: str, role: str) -> psycopg.Connection:
    return psycopg.connect(pg_server.dsn(db) + f" user={role}", autocommit=True)


def migrating_table(conn, owner: str, rows: int = 200) -> None:
    """public.rev owned by `owner`, under migration (dual_write), backfilled."""
    conn.execute("CREATE TABLE public.rev (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL, amount int)")
    conn.execute(sql.SQL("ALTER TABLE public.rev OWNER TO {}").format(sql.Identifier(owner)))
    conn.execute("INSERT INTO public.rev (org_id, occurred_at, amount)"
                 " SELECT g %% 7, now() - g * interval '1 hour', g FROM generate_series(1, %s) g", (rows,))
    conn.execute("SELECT part.migrate_start('public.rev', 'occurred_at', 'range', '1 month')")


# 1. a role with no grant cannot use the generated sync functions ---------------------------------

@pytest.mark.parametrize("direction", ["partitioned", "legacy"])
def test_no_grant_role_cannot_attach_a_sync_function_to_its_own_table(fresh_db, connect, pg_server, roles, direction):
    r = roles("owner", "attacker")
    conn = connect(fresh_db, autocommit=True)
    migrating_table(conn, r["owner"])
    conn.execute("CALL part.backfill('public.rev')")
    before = conn.execute("SELECT count(*), sum(amount) FROM public.rev").fetchone()

    with as_role(pg_server, fresh_db, r["attacker"]) as att:
        att.execute("CREATE TEMP TABLE t (id bigint, org_id int, occurred_at timestamptz, amount int)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            att.execute(f"CREATE TRIGGER x AFTER DELETE ON t REFERENCING OLD TABLE AS old_rows "
                        f"FOR EACH STATEMENT EXECUTE FUNCTION public.rev_sync_to_{direction}()")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            att.execute(f"SELECT public.rev_sync_to_{direction}()")
    assert conn.execute("SELECT count(*), sum(amount) FROM public.rev").fetchone() == before
    assert conn.execute("SELECT count(*) FROM public.rev_partitioned").fetchone()[0] == before[0]


def test_sync_function_refuses_to_fire_as_a_trigger_part_did_not_create(fresh_db, connect, roles):
    """Even a role allowed to attach it (a superuser, by mistake) gets an error, not a mirrored TRUNCATE."""
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    migrating_table(conn, r["owner"])
    conn.execute("CALL part.backfill('public.rev')")
    conn.execute("CREATE TABLE public.scratch (LIKE public.rev)")
    conn.execute("CREATE TRIGGER part_sync_truncate AFTER TRUNCATE ON public.scratch "
                 "FOR EACH STATEMENT EXECUTE FUNCTION public.rev_sync_to_partitioned('table')")
    conn.execute("CREATE TRIGGER mine AFTER DELETE ON public.scratch REFERENCING OLD TABLE AS old_rows "
                 "FOR EACH STATEMENT EXECUTE FUNCTION public.rev_sync_to_partitioned('table')")
    conn.execute("INSERT INTO public.scratch SELECT * FROM public.rev")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
        conn.execute("TRUNCATE public.scratch")
    assert e.value.diag.message_hint
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM public.scratch")
    assert conn.execute("SELECT count(*) FROM public.rev_partitioned").fetchone()[0] == 200


def test_generated_functions_are_owned_by_the_table_owner_and_not_public(fresh_db, connect, roles):
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    migrating_table(conn, r["owner"])
    rows = conn.execute(
        "SELECT p.proname, pg_get_userbyid(p.proowner), p.prosecdef, has_function_privilege('public', p.oid, 'EXECUTE'),"
        "       p.proconfig"
        "  FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'rev_sync_to_%' ORDER BY 1").fetchall()
    assert rows == [
        ("rev_sync_to_legacy", r["owner"], True, False, ["search_path=pg_catalog, pg_temp"]),
        ("rev_sync_to_partitioned", r["owner"], True, False, ["search_path=pg_catalog, pg_temp"]),
    ]


# 2. names never run as code -----------------------------------------------------------------------

HOSTILE_TABLE = "*/RETURN NULL;END$sync$;CALL a.x();SELECT $sync$"
HOSTILE_SCHEMA = "s'%\"$sync$*/"
HOSTILE_COLUMN = "c'%s%%$sync$*/;--"


def test_hostile_names_migrate_and_run_nothing(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE SCHEMA a")
    conn.execute("CREATE TABLE a.ran (what text)")
    conn.execute("CREATE SEQUENCE a.seq")
    conn.execute("CREATE PROCEDURE a.x() LANGUAGE sql AS $$ INSERT INTO a.ran VALUES ('x'); SELECT nextval('a.seq') $$")
    schema, table, column = (sql.Identifier(n) for n in (HOSTILE_SCHEMA, HOSTILE_TABLE, HOSTILE_COLUMN))
    qualified = sql.SQL("{}.{}").format(schema, table).as_string(conn)
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    conn.execute(sql.SQL("CREATE TABLE {}.{} (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, {} text)")
                 .format(schema, table, column))
    conn.execute(sql.SQL("INSERT INTO {}.{} (occurred_at, {}) SELECT now() - g * interval '1 day', 'v' || g"
                         " FROM generate_series(1, 90) g").format(schema, table, column))

    conn.execute("SELECT part.migrate_start(%s, 'occurred_at', 'range', '1 month')", (qualified,))
    conn.execute(sql.SQL("INSERT INTO {}.{} (occurred_at, {}) VALUES (now(), 'it''s %s $sync$')").format(schema, table, column))
    conn.execute(sql.SQL("UPDATE {}.{} SET {} = 'changed' WHERE id = 3").format(schema, table, column))
    conn.execute(sql.SQL("DELETE FROM {}.{} WHERE id = 4").format(schema, table))
    conn.execute("CALL part.backfill(%s)", (qualified,))
    assert conn.execute("SELECT sum(ranges_differ) FROM part.check_parity(%s) "
                        "CROSS JOIN LATERAL (SELECT (status <> 'ok')::int AS ranges_differ) d", (qualified,)).fetchone()[0] == 0
    assert conn.execute("SELECT part.switch_reads(%s)", (qualified,)).fetchone()[0] == "partitioned"
    conn.execute(sql.SQL("INSERT INTO {}.{} (occurred_at, {}) VALUES (now(), 'after')").format(schema, table, column))
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):  # the guard on the legacy table, message built safely
        conn.execute(sql.SQL("DELETE FROM {}").format(sql.SQL(conn.execute("SELECT legacy_table FROM part.migration").fetchone()[0])))
    conn.execute("SELECT part.rollback(%s)", (qualified,))
    assert conn.execute("SELECT count(*) FROM a.ran").fetchone()[0] == 0, "a.x() ran"
    assert conn.execute("SELECT last_value, is_called FROM a.seq").fetchone() == (1, False), "a.x() ran"
    assert conn.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(schema, table)).fetchone()[0] == 90 + 1 - 1 + 1


def test_plan_of_a_hostile_name_runs_nothing(fresh_db, connect, pg_server, tmp_path):
    """pginstall plan runs migrate_start in a rolled-back transaction: nothing may run, not even a nextval."""
    from click.testing import CliRunner

    from pginstall.cli import main

    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE SCHEMA a")
    conn.execute("CREATE SEQUENCE a.seq")
    conn.execute("CREATE PROCEDURE a.x() LANGUAGE sql AS $$ SELECT nextval('a.seq') $$")
    conn.execute(sql.SQL("CREATE TABLE public.{} (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL)")
                 .format(sql.Identifier(HOSTILE_TABLE)))
    cfg = tmp_path / "pginstall.toml"
    name = HOSTILE_TABLE.replace("\\", "\\\\").replace('"', '\\"')
    cfg.write_text(f'[databases.{fresh_db}]\n\n[[databases.{fresh_db}.tables]]\n'
                   f'table = "public.\\"{name}\\""\nkey = "occurred_at"\nstrategy = "range"\ninterval = "1 month"\nmigrate = true\n')
    env = {"PGHOST": pg_server.host, "PGPORT": str(pg_server.port), "PGUSER": pg_server.user}
    result = CliRunner().invoke(main, ["plan", "--db", fresh_db, "--config", str(cfg)], env=env)
    assert result.exit_code == 0 and "migration" in result.output, result.output  # plan did run migrate_start
    assert conn.execute("SELECT last_value, is_called FROM a.seq").fetchone() == (1, False), result.output


# 3. code a table owner controls runs with the owner's rights, never more ----------------------------

OWNER_PROBE = """
CREATE TABLE public.probe (what text, who text);
CREATE FUNCTION public.probe(p_what text) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO public.probe VALUES (p_what, current_user);
    BEGIN
        EXECUTE pg_catalog.format('ALTER ROLE %I SUPERUSER', session_user);
        INSERT INTO public.probe VALUES (p_what || ': ALTER ROLE worked', current_user);
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        EXECUTE pg_catalog.format('ALTER ROLE %I SUPERUSER', (SELECT tableowner FROM pg_tables WHERE tablename = 'probe'));
        INSERT INTO public.probe VALUES (p_what || ': owner became superuser', current_user);
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        RESET ROLE;
        INSERT INTO public.probe VALUES (p_what || ': RESET ROLE worked', current_user);
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    RETURN true;
END
$f$;
CREATE FUNCTION public.probe_trigger() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM public.probe(TG_TABLE_NAME || ' ' || TG_WHEN || ' ' || TG_OP);
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$f$;
"""


def probe_setup(conn, owner: str) -> None:
    conn.execute(OWNER_PROBE)
    for obj in ("TABLE public.probe", "FUNCTION public.probe(text)", "FUNCTION public.probe_trigger()"):
        conn.execute(sql.SQL("ALTER {} OWNER TO {}").format(sql.SQL(obj), sql.Identifier(owner)))


def probe_rows(conn) -> list[tuple[str, str]]:
    return conn.execute("SELECT what, who FROM public.probe ORDER BY what, who").fetchall()


def test_owner_trigger_on_the_copy_runs_as_the_owner_in_backfill_and_sync(fresh_db, connect, pg_server, roles):
    r = roles("owner", "writer")
    conn = connect(fresh_db, autocommit=True)
    probe_setup(conn, r["owner"])
    migrating_table(conn, r["owner"], rows=20)
    conn.execute(sql.SQL("GRANT INSERT, UPDATE, DELETE, SELECT ON public.rev TO {}").format(sql.Identifier(r["writer"])))
    conn.execute(sql.SQL("GRANT USAGE ON SEQUENCE public.rev_id_seq TO {}").format(sql.Identifier(r["writer"])))
    with as_role(pg_server, fresh_db, r["owner"]) as own:  # the owner adds a trigger to the copy it owns
        own.execute("CREATE TRIGGER sneaky BEFORE INSERT ON public.rev_partitioned FOR EACH ROW EXECUTE FUNCTION public.probe_trigger()")

    conn.execute("CALL part.backfill('public.rev')")                    # a superuser copies the rows
    conn.execute("INSERT INTO public.rev (org_id, occurred_at, amount) VALUES (1, now(), 1)")  # a superuser writes
    with as_role(pg_server, fresh_db, r["writer"]) as w:                # an application role writes
        w.execute("INSERT INTO public.rev (org_id, occurred_at, amount) VALUES (2, now(), 2)")

    rows = probe_rows(conn)
    assert len(rows) >= 20 + 2
    assert {who for _, who in rows} == {r["owner"]}, rows
    assert not any(":" in what for what, _ in rows), [x for x in rows if ":" in x[0]]
    assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (r["owner"],)).fetchone() == (False,)
    assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (r["writer"],)).fetchone() == (False,)


def test_drain_of_the_default_runs_the_owners_code_as_the_owner(fresh_db, connect, pg_server, roles):
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    probe_setup(conn, r["owner"])
    conn.execute("CREATE TABLE public.ev (id bigint NOT NULL, at timestamptz NOT NULL CHECK (public.probe('check')))"
                 " PARTITION BY RANGE (at)")
    conn.execute(sql.SQL("ALTER TABLE public.ev OWNER TO {}").format(sql.Identifier(r["owner"])))
    conn.execute("SELECT part.create_partitioned('public.ev', 'at', 'range', '1 month', p_premake => 0)")
    with as_role(pg_server, fresh_db, r["owner"]) as own:  # (a superuser writing it would run the CHECK as superuser)
        own.execute("INSERT INTO public.ev SELECT g, now() - interval '100 days' - g * interval '1 hour' FROM generate_series(1, 30) g")
    conn.execute("TRUNCATE public.probe")
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT count(*) FROM ONLY public.ev_default").fetchone()[0] == 0, "the drain moved the rows"
    rows = probe_rows(conn)
    assert rows, "the owner's CHECK ran during the drain"
    assert {who for _, who in rows} == {r["owner"]}, rows
    assert not any(":" in what for what, _ in rows), [x for x in rows if ":" in x[0]]


def test_owner_code_that_leaves_session_state_behind_is_refused(fresh_db, connect, pg_server, roles):
    """A plain SET (or a temporary object) made by the owner's code while part runs it would catch the
    superuser's next statement: the step fails instead, which undoes it."""
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE SCHEMA evil")
    conn.execute(sql.SQL("ALTER SCHEMA evil OWNER TO {}").format(sql.Identifier(r["owner"])))
    conn.execute("CREATE FUNCTION public.sticky() RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN"
                 " PERFORM set_config('search_path', 'evil, pg_catalog', false); RETURN true; END $f$")
    conn.execute(sql.SQL("ALTER FUNCTION public.sticky() OWNER TO {}").format(sql.Identifier(r["owner"])))
    conn.execute("CREATE TABLE public.ev (id bigint NOT NULL, at timestamptz NOT NULL CHECK (public.sticky())) PARTITION BY RANGE (at)")
    conn.execute(sql.SQL("ALTER TABLE public.ev OWNER TO {}").format(sql.Identifier(r["owner"])))
    conn.execute("SELECT part.create_partitioned('public.ev', 'at', 'range', '1 month', p_premake => 0)")
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        own.execute("INSERT INTO public.ev SELECT g, now() - interval '100 days' FROM generate_series(1, 5) g")
    path = conn.execute("SHOW search_path").fetchone()[0]
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SHOW search_path").fetchone()[0] == path
    assert conn.execute("SELECT count(*) FROM ONLY public.ev_default").fetchone()[0] == 5
    outcome, detail = conn.execute("SELECT outcome, detail FROM part.maintenance_log WHERE action = 'drain'").fetchone()
    assert (outcome, detail.strip()) == (
        "failed", f"42501: code of public.ev's owner {r['owner']} changed this session's settings or temporary objects"
                  " while part ran it as that owner")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
        conn.execute("SELECT * FROM part._drain_default('public.ev')")
    assert e.value.diag.message_hint
    assert conn.execute("SHOW search_path").fetchone()[0] == path


def test_a_caller_who_is_not_the_owner_nor_superuser_is_refused(fresh_db, connect, pg_server, roles):
    r = roles("owner", "other")
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute(sql.SQL("ALTER TABLE public.ev OWNER TO {}").format(sql.Identifier(r["owner"])))
    conn.execute("SELECT part._as_owner('public.ev', 'SELECT 1')")  # superuser: fine
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA part TO {}").format(sql.Identifier(r["other"])))
    conn.execute(sql.SQL("GRANT EXECUTE ON FUNCTION part._as_owner(regclass, text, text, text, boolean) TO {}")
                 .format(sql.Identifier(r["other"])))
    with as_role(pg_server, fresh_db, r["other"]) as o:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
            o.execute("SELECT part._as_owner('public.ev', 'DELETE FROM public.ev', p_returns => false)")
        assert r["owner"] in str(e.value) and e.value.diag.message_hint


# 4. who may install part, and maintenance trusting nothing a weaker role changed ----------------------

def test_a_database_owner_who_is_not_superuser_cannot_create_the_extension(empty_db, connect, pg_server, roles):
    r = roles("dbowner")
    admin = connect(empty_db, autocommit=True)
    admin.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(empty_db), sql.Identifier(r["dbowner"])))
    admin.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(sql.Identifier(r["dbowner"])))
    with as_role(pg_server, empty_db, r["dbowner"]) as c:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            c.execute("CREATE EXTENSION part")
    assert admin.execute("SELECT count(*) FROM pg_extension WHERE extname = 'part'").fetchone()[0] == 0


def test_a_preexisting_schema_part_of_another_role_is_refused(empty_db, connect, roles):
    r = roles("squatter")
    admin = connect(empty_db, autocommit=True)
    admin.execute(sql.SQL("CREATE SCHEMA part AUTHORIZATION {}").format(sql.Identifier(r["squatter"])))
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
        admin.execute("CREATE EXTENSION part")
    assert e.value.diag.message_hint
    assert admin.execute("SELECT count(*) FROM pg_extension WHERE extname = 'part'").fetchone()[0] == 0


@pytest.mark.parametrize("change", ["owner", "grant"])
def test_maintenance_refuses_when_a_weaker_role_could_have_changed_parts_catalog(fresh_db, connect, roles, change):
    r = roles("dbowner")
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute("SELECT part.create_partitioned('public.ev', 'at', 'range', '1 month', p_premake => 1,"
                 " p_retention => '1 month', p_retention_mode => 'drop')")
    conn.execute("SELECT part.create_ahead(0, 'public.ev')")
    conn.execute("CREATE TABLE public.ev_old PARTITION OF public.ev FOR VALUES FROM ('2001-01-01') TO ('2001-02-01')")
    if change == "owner":
        conn.execute(sql.SQL("ALTER FUNCTION part._setting_keys() OWNER TO {}").format(sql.Identifier(r["dbowner"])))
    else:
        conn.execute(sql.SQL("GRANT INSERT, UPDATE ON part.config TO {}").format(sql.Identifier(r["dbowner"])))
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
        conn.execute("CALL part.run_maintenance()")
    assert r["dbowner"] in str(e.value) and e.value.diag.message_hint
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT * FROM part.drop_old()")
    assert conn.execute("SELECT to_regclass('public.ev_old') IS NOT NULL").fetchone()[0], "nothing was dropped"


def test_squatted_part_archive_is_refused_and_nothing_moves(fresh_db, connect, pg_server, roles):
    r = roles("squatter")
    conn = connect(fresh_db, autocommit=True)
    conn.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(sql.Identifier(fresh_db), sql.Identifier(r["squatter"])))
    with as_role(pg_server, fresh_db, r["squatter"]) as s:
        s.execute("CREATE SCHEMA part_archive")
    conn.execute("CREATE TABLE public.ev (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute("SELECT part.create_partitioned('public.ev', 'at', 'range', '1 month', p_premake => 1,"
                 " p_retention => '1 month', p_retention_mode => 'archive')")
    conn.execute("CREATE TABLE public.ev_old PARTITION OF public.ev FOR VALUES FROM ('2001-01-01') TO ('2001-02-01')")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as e:
        conn.execute("SELECT * FROM part.drop_old(p_parent => 'public.ev')")
    assert r["squatter"] in str(e.value) and e.value.diag.message_hint
    assert conn.execute("SELECT to_regclass('part_archive.ev_old')").fetchone()[0] is None
    assert conn.execute("SELECT to_regclass('public.ev_old') IS NOT NULL").fetchone()[0]


def test_part_archive_made_by_part_is_not_open_to_others(fresh_db, connect):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("SELECT part._archive_schema()")
    assert conn.execute("SELECT r.rolsuper, has_schema_privilege('public', n.oid, 'CREATE')"
                        " FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE nspname = 'part_archive'"
                        ).fetchone() == (True, False)


# 6. USAGE on part, and the monitoring role ------------------------------------------------------------

def test_usage_on_part_gives_no_access_to_the_sync_helpers(fresh_db, connect, pg_server, roles):
    r = roles("owner", "nosy")
    conn = connect(fresh_db, autocommit=True)
    migrating_table(conn, r["owner"], rows=5)
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA part TO {}").format(sql.Identifier(r["nosy"])))
    with as_role(pg_server, fresh_db, r["nosy"]) as n:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            n.execute("SELECT part._parity_mark('public.rev', ARRAY['x'])")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            n.execute("SELECT * FROM part._sync_state('public.rev')")
    assert conn.execute("SELECT count(*) FROM part.parity_mark WHERE grp = 'x'").fetchone()[0] == 0


def test_monitoring_role_reads_health_and_nothing_else(fresh_db, connect, pg_server, roles):
    r = roles("monitor", "owner")
    conn = connect(fresh_db, autocommit=True)
    conn.execute(sql.SQL("GRANT pg_monitor TO {}").format(sql.Identifier(r["monitor"])))
    conn.execute("CREATE TABLE public.ev (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at)")
    conn.execute(sql.SQL("ALTER TABLE public.ev OWNER TO {}").format(sql.Identifier(r["owner"])))
    conn.execute("SELECT part.create_partitioned('public.ev', 'at', 'range', '1 month')")
    migrating_table(conn, r["owner"], rows=5)
    with as_role(pg_server, fresh_db, r["monitor"]) as m:
        assert m.execute("SELECT count(*) FROM part.verify()").fetchone()[0] > 0
        assert m.execute("SELECT part.metrics() ? 'tables'").fetchone()[0] is not None
        assert m.execute("SELECT count(*) FROM part.partitions").fetchone()[0] > 0
        assert m.execute("SELECT count(*) FROM part.migrations").fetchone()[0] == 1
        m.execute("SELECT count(*) FROM part.parity")
        for stmt in ("SELECT part.create_ahead(1)", "SELECT * FROM part.drop_old()", "CALL part.run_maintenance()",
                     "SELECT part.set_setting('enable_partition_maintenance', 'false')",
                     "SELECT part.switch_reads('public.rev')", "SELECT * FROM part.config",
                     "SELECT * FROM part.migration", "SELECT count(*) FROM public.ev",
                     "SELECT part.migrate_start('public.ev_default', 'at', 'hash', p_partitions => 2)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                m.execute(stmt)


# the privilege walk: every routine of part, and the generated ones ----------------------------------

# (executable by PUBLIC, executable by pg_monitor, SECURITY DEFINER): every other routine is (False, False, False)
EXPECTED = {
    "_sync_active()": (True, True, False),          # the sync triggers' WHEN: every writer evaluates it
    "verify()": (False, True, True),                # monitoring reads part's catalog and the default partitions
    "metrics(boolean)": (False, True, True),
    "_partition_bounds(regclass)": (False, True, False),  # called by the view part.partitions
    "_normalize_bound(text,regtype)": (False, True, False),
    "_bound_ordinal(text,regtype)": (False, True, False),
    "_to_utc(text,regtype)": (False, True, False),
    "_literal(timestampwithouttimezone,regtype)": (False, True, False),
    "_parity_mark(text,text[])": (False, False, True),    # the sync (as the table owner) marks parity ranges
    "_sync_state(text,boolean)": (False, False, True),    # the sync reads its migration's phase
    "_split_capture()": (False, False, True),             # split_hash's capture trigger writes part.split_log
}


@pytest.mark.parametrize("kind", ["plain", "extension"])
def test_privilege_walk_of_every_routine(make_db, connect, kind):
    db = make_db(kind)
    conn = connect(db, autocommit=True)
    rows = conn.execute(
        "SELECT regexp_replace(p.oid::regprocedure::text, '^part\\.', ''),"
        "       has_function_privilege('public', p.oid, 'EXECUTE'), has_function_privilege('pg_monitor', p.oid, 'EXECUTE'),"
        "       p.prosecdef"
        "  FROM pg_proc p WHERE p.pronamespace = 'part'::regnamespace").fetchall()
    assert len(rows) > 80
    actual = {r[0].replace(" ", ""): tuple(r[1:]) for r in rows}
    expected = {name: EXPECTED.get(name, (False, False, False)) for name in actual}
    assert actual == expected
    assert set(EXPECTED) <= set(actual), set(EXPECTED) - set(actual)
    # nothing PUBLIC may execute is SECURITY DEFINER; and no table of part is writable by PUBLIC
    assert not any(pub and secdef for pub, _, secdef in actual.values())
    assert conn.execute("SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a WHERE c.relnamespace = 'part'::regnamespace"
                        " AND a.grantee = 0").fetchone()[0] == 0
