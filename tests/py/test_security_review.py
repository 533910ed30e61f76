"""An independent security review of the rewritten security model (README "Security model"),
tried with real roles and sessions: each test is one way through the model that the review found
(each failed before its fix).

Victim: the superuser running part (backfill, run_maintenance, create_ahead, verify through a
monitoring role). Attackers: a table owner, an application role with writes on a table under
migration, a monitoring role (pg_monitor)."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from test_security import as_role, roles  # noqa: F401  (the fixture `roles` is used by name)


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _is_super(conn, role: str) -> bool:
    return conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,)).fetchone()[0]


def _owned_table(conn, name: str, owner: str, rows: int = 40) -> None:
    conn.execute(sql.SQL("CREATE TABLE public.{} (id bigserial PRIMARY KEY, created_at timestamptz NOT NULL, amount int)")
                 .format(_ident(name)))
    conn.execute(sql.SQL("ALTER TABLE public.{} OWNER TO {}").format(_ident(name), _ident(owner)))
    conn.execute(sql.SQL("INSERT INTO public.{} (created_at, amount) SELECT now() - g * interval '1 day', g"
                         " FROM generate_series(1, %s) g").format(_ident(name)), (rows,))


def _schema_for(conn, owner: str) -> str:
    """A schema the owner owns (table owners usually own their schema)."""
    schema = f"s_{owner}"
    conn.execute(sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(_ident(schema), _ident(owner)))
    return schema


# 1. Code of the table owner that part runs through part._as_owner queues work that runs later,
#    outside the owner's SECURITY DEFINER runner, with the caller's (a superuser's) rights. -------

def test_deferred_trigger_on_the_copy_does_not_fire_as_the_backfill_caller(fresh_db, connect, pg_server, roles):
    """A DEFERRABLE INITIALLY DEFERRED constraint trigger on a partition of the copy is queued while
    the backfill writes as the owner, and fires at the batch's COMMIT as the superuser."""
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    _owned_table(conn, "rev", r["owner"])
    conn.execute("SELECT part.migrate_start('public.rev', 'created_at', 'range', '1 month')")
    schema = _schema_for(conn, r["owner"])
    parts = [p for (p,) in conn.execute(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'public.rev_partitioned'::regclass")]
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        own.execute(sql.SQL(
            "CREATE FUNCTION {}.grab() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
            "EXECUTE format('ALTER ROLE %I SUPERUSER', {}); END IF; RETURN NULL; END $$")
            .format(_ident(schema), sql.Literal(r["owner"])))
        for p in parts:
            own.execute(sql.SQL("CREATE CONSTRAINT TRIGGER zz AFTER INSERT ON {} DEFERRABLE INITIALLY DEFERRED "
                                "FOR EACH ROW EXECUTE FUNCTION {}.grab()")
                        .format(sql.SQL(p), _ident(schema)))
    try:
        conn.execute("CALL part.backfill('public.rev')")
    except psycopg.Error:
        pass                                    # refusing the backfill is a fine answer
    assert not _is_super(conn, r["owner"]), "the owner's deferred trigger ran as the superuser who called backfill"


def test_deferred_trigger_queued_during_the_drain_does_not_fire_as_maintenance(fresh_db, connect, pg_server, roles):
    """run_maintenance (pg_cron, a superuser) drains the default partition through part._as_owner.
    A CHECK constraint of the owner writes to another table of the owner that has a deferred
    constraint trigger: the trigger fires at the step's COMMIT as the superuser."""
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    schema = _schema_for(conn, r["owner"])
    conn.execute("CREATE TABLE public.m (id bigint NOT NULL, created_at timestamptz NOT NULL, amount int) PARTITION BY RANGE (created_at)")
    conn.execute(sql.SQL("ALTER TABLE public.m OWNER TO {}").format(_ident(r["owner"])))
    conn.execute("SELECT part.create_partitioned('public.m', 'created_at', 'range', '1 month', p_premake => 1)")
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        s = _ident(schema)
        own.execute(sql.SQL("CREATE TABLE {}.bait (x int)").format(s))
        own.execute(sql.SQL(
            "CREATE FUNCTION {}.grab() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
            "EXECUTE format('ALTER ROLE %I SUPERUSER', {}); END IF; RETURN NULL; END $$")
            .format(s, sql.Literal(r["owner"])))
        own.execute(sql.SQL("CREATE CONSTRAINT TRIGGER d AFTER INSERT ON {}.bait DEFERRABLE INITIALLY DEFERRED "
                            "FOR EACH ROW EXECUTE FUNCTION {}.grab()").format(s, s))
        own.execute(sql.SQL("CREATE FUNCTION {}.chk(int) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
                            "INSERT INTO {}.bait VALUES (1); RETURN true; END $$").format(s, s))
        own.execute(sql.SQL("ALTER TABLE public.m ADD CONSTRAINT c CHECK ({}.chk(amount))").format(s))
        # a row for an interval beyond premake: it waits in the default partition
        own.execute("INSERT INTO public.m VALUES (1, now() + interval '2 months 5 days', 1)")
    assert not _is_super(conn, r["owner"])
    conn.execute("UPDATE part.config SET premake = 3 WHERE parent_table = 'public.m'")
    conn.execute("CALL part.run_maintenance()")
    assert conn.execute("SELECT count(*) FROM ONLY public.m_default").fetchone()[0] == 0   # the drain ran
    assert not _is_super(conn, r["owner"]), "the owner's deferred trigger ran as the superuser who ran maintenance"


def test_with_hold_cursor_of_the_owner_does_not_run_as_the_backfill_caller(fresh_db, connect, pg_server, roles):
    """A cursor WITH HOLD declared by the owner's trigger inside the runner is run to completion
    at COMMIT (to be kept), as the superuser who called backfill."""
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    _owned_table(conn, "rev", r["owner"])
    conn.execute("SELECT part.migrate_start('public.rev', 'created_at', 'range', '1 month')")
    schema = _schema_for(conn, r["owner"])
    s = _ident(schema)
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        own.execute(sql.SQL(
            "CREATE FUNCTION {}.grab() RETURNS int LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
            "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
            "EXECUTE format('ALTER ROLE %I SUPERUSER', {}); END IF; RETURN 1; END $$")
            .format(s, sql.Literal(r["owner"])))
        own.execute(sql.SQL(
            "CREATE FUNCTION {}.plant() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_cursors WHERE name = 'c1') THEN "
            "EXECUTE 'DECLARE c1 CURSOR WITH HOLD FOR SELECT ' || {} || '.grab()'; END IF; RETURN NULL; END $$")
            .format(s, sql.Literal(sql.Identifier(schema).as_string(own))))
        own.execute(sql.SQL("CREATE TRIGGER t AFTER INSERT ON public.rev_partitioned FOR EACH STATEMENT "
                            "EXECUTE FUNCTION {}.plant()").format(s))
    try:
        conn.execute("CALL part.backfill('public.rev')")
    except psycopg.Error:
        pass
    assert not _is_super(conn, r["owner"]), "the owner's WITH HOLD cursor ran as the superuser who called backfill"


def test_owner_code_cannot_reach_the_runner_of_another_owner(fresh_db, connect, pg_server, roles):
    """In one session part backfills a table of A, a table of B, another table of A. A's trigger
    renames A's runner to the name of B's runner (count-neutral) and grants EXECUTE on it to a group
    A belongs to; part 'repairs' it with CREATE OR REPLACE + ALTER OWNER TO B, which keeps the grant;
    A's second trigger then runs SQL as B (here: reads B's table A has no right on)."""
    r = roles("a", "b", "grp")
    conn = connect(fresh_db, autocommit=True)
    conn.execute(sql.SQL("GRANT {} TO {}").format(_ident(r["grp"]), _ident(r["a"])))
    schema = _schema_for(conn, r["a"])
    s = _ident(schema)
    _owned_table(conn, "a1", r["a"], 5)
    _owned_table(conn, "bsecret", r["b"], 5)
    _owned_table(conn, "a2", r["a"], 5)
    for t in ("a1", "bsecret", "a2"):
        conn.execute("SELECT part.migrate_start(%s, 'created_at', 'range', '1 month')", (f"public.{t}",))
    conn.execute(sql.SQL("CREATE TABLE {}.loot (what text)").format(s))
    conn.execute(sql.SQL("ALTER TABLE {}.loot OWNER TO {}").format(s, _ident(r["a"])))
    a_oid, b_oid = (conn.execute("SELECT oid FROM pg_roles WHERE rolname = %s", (x,)).fetchone()[0] for x in (r["a"], r["b"]))
    with as_role(pg_server, fresh_db, r["a"]) as own:
        assert not own.execute("SELECT has_table_privilege('public.bsecret', 'SELECT')").fetchone()[0]
        own.execute(sql.SQL(
            "CREATE FUNCTION {s}.plant() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF to_regprocedure('pg_temp.part_as_owner_{b}(text, boolean, text, text)') IS NULL "
            "   AND to_regprocedure('pg_temp.part_as_owner_{a}(text, boolean, text, text)') IS NOT NULL THEN "
            "  ALTER FUNCTION pg_temp.part_as_owner_{a}(text, boolean, text, text) RENAME TO part_as_owner_{b}; "
            "  GRANT EXECUTE ON FUNCTION pg_temp.part_as_owner_{b}(text, boolean, text, text) TO {grp}; "
            "END IF; RETURN NULL; END $$").format(s=s, a=sql.SQL(str(a_oid)), b=sql.SQL(str(b_oid)), grp=_ident(r["grp"])))
        own.execute(sql.SQL(
            "CREATE FUNCTION {s}.use() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE v text; BEGIN "
            "v := pg_temp.part_as_owner_{b}('SELECT string_agg(amount::text, '','') FROM public.bsecret', true, NULL, NULL); "
            "INSERT INTO {s}.loot VALUES (v); RETURN NULL; "
            "EXCEPTION WHEN OTHERS THEN INSERT INTO {s}.loot VALUES ('failed: ' || SQLERRM); RETURN NULL; END $$").format(s=s, b=sql.SQL(str(b_oid))))
        own.execute(sql.SQL("CREATE TRIGGER p AFTER INSERT ON public.a1_partitioned FOR EACH STATEMENT EXECUTE FUNCTION {}.plant()").format(s))
        own.execute(sql.SQL("CREATE TRIGGER u AFTER INSERT ON public.a2_partitioned FOR EACH STATEMENT EXECUTE FUNCTION {}.use()").format(s))
    dba = connect(fresh_db, autocommit=True)    # a new session, as a DBA's or a script's
    for t in ("a1", "bsecret", "a2"):
        try:
            dba.execute("CALL part.backfill(%s)", (f"public.{t}",))
        except psycopg.Error:
            pass
    loot = [w for (w,) in conn.execute(sql.SQL("SELECT what FROM {}.loot").format(s)) if not w.startswith("failed: ")]
    assert loot == [], f"A ran SQL as B through B's runner and read B's table: {loot}"


def test_owner_code_cannot_leave_part_settings_behind(fresh_db, connect, pg_server, roles):
    """Custom settings (part.syncing, part.truncating, part.run_id, part.lock_wait) are not in
    pg_settings, so part._as_owner's before/after comparison does not see them: the owner's code
    leaves part.syncing = on in the superuser's session (after which the guard lets that
    session's direct writes to the copy through, unmirrored)."""
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    _owned_table(conn, "rev", r["owner"])
    conn.execute("SELECT part.migrate_start('public.rev', 'created_at', 'range', '1 month')")
    schema = _schema_for(conn, r["owner"])
    s = _ident(schema)
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        own.execute(sql.SQL("CREATE FUNCTION {}.leave() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                            "PERFORM set_config('part.syncing', 'on', false); "
                            "PERFORM set_config('part.lock_wait', '1000 hours', false); RETURN NULL; END $$").format(s))
        own.execute(sql.SQL("CREATE TRIGGER t AFTER INSERT ON public.rev_partitioned FOR EACH STATEMENT "
                            "EXECUTE FUNCTION {}.leave()").format(s))
    try:
        conn.execute("CALL part.backfill('public.rev')")
    except psycopg.Error:
        pass
    left = conn.execute("SELECT current_setting('part.syncing', true), current_setting('part.lock_wait', true)").fetchone()
    assert left[0] in (None, "", "off") and left[1] in (None, ""), f"owner code left settings in the caller's session: {left}"


# 2. Row-level security does not follow part's copies and partitions ------------------------------

def _tenant_table(conn, owner: str, app: str) -> None:
    conn.execute("CREATE TABLE public.tenant_rows (id bigserial PRIMARY KEY, tenant text NOT NULL, created_at timestamptz NOT NULL, secret text)")
    conn.execute(sql.SQL("ALTER TABLE public.tenant_rows OWNER TO {}").format(_ident(owner)))
    conn.execute("INSERT INTO public.tenant_rows (tenant, created_at, secret) SELECT CASE WHEN g %% 2 = 0 THEN %s ELSE 'other' END,"
                 " now() - g * interval '1 day', 'secret' || g FROM generate_series(1, 50) g", (app,))
    conn.execute("ALTER TABLE public.tenant_rows ENABLE ROW LEVEL SECURITY")
    conn.execute("CREATE POLICY own ON public.tenant_rows USING (tenant = current_user)")
    conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON public.tenant_rows TO {}").format(_ident(app)))


def test_row_level_security_follows_the_migration(fresh_db, connect, pg_server, roles):
    """An application role limited by RLS to its tenant's rows reads every tenant's rows in the
    partitioned copy during the migration, and in the table itself after switch_reads."""
    r = roles("owner", "app")
    conn = connect(fresh_db, autocommit=True)
    _tenant_table(conn, r["owner"], r["app"])
    with as_role(pg_server, fresh_db, r["app"]) as app:
        assert app.execute("SELECT count(*) FROM public.tenant_rows WHERE tenant <> current_user").fetchone()[0] == 0
    conn.execute("SELECT part.migrate_start('public.tenant_rows', 'created_at', 'range', '1 month')")
    conn.execute("CALL part.backfill('public.tenant_rows')")
    with as_role(pg_server, fresh_db, r["app"]) as app:
        try:
            seen = app.execute("SELECT count(*) FROM public.tenant_rows_partitioned WHERE tenant <> current_user").fetchone()[0]
        except psycopg.errors.InsufficientPrivilege:
            seen = 0
        assert seen == 0, f"the app read {seen} rows of other tenants in the copy"
    conn.execute("SELECT part.switch_reads('public.tenant_rows')")
    with as_role(pg_server, fresh_db, r["app"]) as app:
        seen = app.execute("SELECT count(*) FROM public.tenant_rows WHERE tenant <> current_user").fetchone()[0]
        assert seen == 0, f"after switch_reads the app reads {seen} rows of other tenants"


def test_partitions_part_creates_do_not_bypass_the_parents_row_security(fresh_db, connect, pg_server, roles):
    """part gives each new partition the parent's grants (_copy_owner_and_grants) but not its row
    security: a role that sees only its rows through the parent reads every row of a partition."""
    r = roles("owner", "app")
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev (id bigint, tenant text NOT NULL, created_at timestamptz NOT NULL, secret text) PARTITION BY RANGE (created_at)")
    conn.execute(sql.SQL("ALTER TABLE public.ev OWNER TO {}").format(_ident(r["owner"])))
    conn.execute("ALTER TABLE public.ev ENABLE ROW LEVEL SECURITY")
    conn.execute("CREATE POLICY own ON public.ev USING (tenant = current_user)")
    conn.execute(sql.SQL("GRANT SELECT ON public.ev TO {}").format(_ident(r["app"])))
    made = [p for (p,) in conn.execute("SELECT * FROM part.create_partitioned('public.ev', 'created_at', 'range', '1 month')")]
    conn.execute("INSERT INTO public.ev SELECT g, CASE WHEN g %% 2 = 0 THEN %s ELSE 'other' END, now(), 's' || g"
                 " FROM generate_series(1, 10) g", (r["app"],))
    with as_role(pg_server, fresh_db, r["app"]) as app:
        assert app.execute("SELECT count(*) FROM public.ev WHERE tenant <> current_user").fetchone()[0] == 0
        leaked = 0
        for p in made:
            try:
                leaked += app.execute(sql.SQL("SELECT count(*) FROM {} WHERE tenant <> current_user").format(sql.SQL(p))).fetchone()[0]
            except psycopg.errors.InsufficientPrivilege:
                pass
        assert leaked == 0, f"the app read {leaked} rows of other tenants through partitions part created"


# 3. The guard trusts a setting any session can set -----------------------------------------------

def test_app_role_cannot_skip_the_guard_with_part_syncing(fresh_db, connect, pg_server, roles):
    """An application role with writes on the table (copied to the copy by migrate_start) sets
    part.syncing = on and writes the copy directly: nothing is mirrored or marked, verify() says
    ok, switch_reads proceeds, and the table after the switch has lost and changed rows."""
    r = roles("owner", "app")
    conn = connect(fresh_db, autocommit=True)
    _owned_table(conn, "acct", r["owner"])
    conn.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON public.acct TO {}").format(_ident(r["app"])))
    conn.execute("SELECT part.migrate_start('public.acct', 'created_at', 'range', '1 month')")
    conn.execute("CALL part.backfill('public.acct')")
    before = conn.execute("SELECT count(*), sum(amount) FROM public.acct").fetchone()
    with as_role(pg_server, fresh_db, r["app"]) as app:
        with pytest.raises(psycopg.Error):
            app.execute("DELETE FROM public.acct_partitioned WHERE id = 1")     # refused, as documented
        app.execute("SET part.syncing = on")
        try:
            app.execute("DELETE FROM public.acct_partitioned WHERE id BETWEEN 1 AND 10")
            app.execute("UPDATE public.acct_partitioned SET amount = -1 WHERE id BETWEEN 11 AND 15")
        except psycopg.Error:
            pass
    assert conn.execute("SELECT count(*), sum(amount) FROM public.acct_partitioned").fetchone() == before, \
        "direct writes to the copy got through the guard"


# 4. A stored name resolves to a view of the table owner, read with a superuser's rights --------

def test_view_in_place_of_a_managed_table_runs_nothing_as_superuser_in_verify(fresh_db, connect, pg_server, roles):
    """part.config keeps names. The owner of a managed range table with an integer key renames it
    and creates a view with its name; verify() (SECURITY DEFINER, run by any pg_monitor role, e.g.
    every minute by Grafana) reads max(key) FROM that name as its superuser owner: the view's
    function runs as superuser (in the review it ran COPY ... TO PROGRAM)."""
    r = roles("owner", "mon")
    conn = connect(fresh_db, autocommit=True)
    conn.execute(sql.SQL("GRANT pg_monitor TO {}").format(_ident(r["mon"])))
    schema = _schema_for(conn, r["owner"])
    s = _ident(schema)
    conn.execute(sql.SQL("CREATE TABLE {}.ik (id bigint NOT NULL, v int) PARTITION BY RANGE (id)").format(s))
    conn.execute(sql.SQL("ALTER TABLE {}.ik OWNER TO {}").format(s, _ident(r["owner"])))
    conn.execute("SELECT part.create_partitioned(%s, 'id', 'range', '1000')", (f"{schema}.ik",))
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        own.execute(sql.SQL(
            "CREATE FUNCTION {}.grab(bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
            "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
            "EXECUTE format('ALTER ROLE %I SUPERUSER', {}); END IF; RETURN $1; END $$")
            .format(s, sql.Literal(r["owner"])))
        own.execute(sql.SQL("ALTER TABLE {}.ik RENAME TO ik_real").format(s))
        own.execute(sql.SQL("CREATE VIEW {}.ik AS SELECT {}.grab(5) AS id, 1 AS v").format(s, s))
    with as_role(pg_server, fresh_db, r["mon"]) as mon:
        try:
            mon.execute("SELECT * FROM part.verify()").fetchall()
        except psycopg.Error:
            pass
    assert not _is_super(conn, r["owner"]), "verify(), called by a monitoring role, ran the owner's view function as superuser"


def test_view_in_place_of_a_managed_table_runs_nothing_as_superuser_in_create_ahead(fresh_db, connect, pg_server, roles):
    """Same swap; a superuser's part.create_ahead() (no table named) reads max(key) from the view
    before failing on it. The failure rolls the transaction back, so the proof is a sequence
    (nextval survives the rollback; COPY ... TO PROGRAM does too)."""
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    schema = _schema_for(conn, r["owner"])
    s = _ident(schema)
    conn.execute(sql.SQL("CREATE TABLE {}.ik (id bigint NOT NULL, v int) PARTITION BY RANGE (id)").format(s))
    conn.execute(sql.SQL("ALTER TABLE {}.ik OWNER TO {}").format(s, _ident(r["owner"])))
    conn.execute("SELECT part.create_partitioned(%s, 'id', 'range', '1000')", (f"{schema}.ik",))
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        own.execute(sql.SQL("CREATE SEQUENCE {}.canary").format(s))
        own.execute(sql.SQL("GRANT USAGE ON SEQUENCE {}.canary TO PUBLIC").format(s))
        own.execute(sql.SQL(
            "CREATE FUNCTION {s}.grab(bigint) RETURNS bigint LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
            "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
            "PERFORM nextval('{s}.canary'); END IF; RETURN $1; END $$").format(s=s))
        own.execute(sql.SQL("ALTER TABLE {}.ik RENAME TO ik_real").format(s))
        own.execute(sql.SQL("CREATE VIEW {}.ik AS SELECT {}.grab(100000) AS id, 1 AS v").format(s, s))
    try:
        conn.execute("SELECT * FROM part.create_ahead()").fetchall()
    except psycopg.Error:
        pass
    called = conn.execute(sql.SQL("SELECT is_called FROM {}.canary").format(s)).fetchone()[0]
    assert not called, "create_ahead() ran the owner's view function as superuser"


# 5. part's advisory locks have public, predictable keys: any role can take them ------------------

# 6. Grants copied once: a later REVOKE on the table does not reach what part made ---------------

# 7. Names part derives can be another role's objects --------------------------------------------

def test_split_hash_does_not_drop_another_roles_table(fresh_db, connect, pg_server, roles):
    """split_hash drops any relation named <prefix>_split_<n> in the table's schema as 'leftovers
    of an interrupted run' (by name, as the superuser): the owner of a hash table named payment
    gets another role's table public.payment_split_5 dropped, data and all."""
    r = roles("a", "victim")
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.payment_split_5 (id int, amount int)")
    conn.execute(sql.SQL("ALTER TABLE public.payment_split_5 OWNER TO {}").format(_ident(r["victim"])))
    conn.execute("INSERT INTO public.payment_split_5 VALUES (1, 100)")
    conn.execute("CREATE TABLE public.payment (id bigint NOT NULL, v int) PARTITION BY HASH (id)")
    conn.execute(sql.SQL("ALTER TABLE public.payment OWNER TO {}").format(_ident(r["a"])))
    conn.execute("SELECT part.create_partitioned('public.payment', 'id', 'hash', p_partitions => 4)")
    conn.execute("INSERT INTO public.payment SELECT g, g FROM generate_series(1, 100) g")
    try:
        conn.execute("CALL part.split_hash('public.payment', 8)")
    except psycopg.Error:
        pass                                    # refusing is a fine answer
    row = conn.execute("SELECT to_regclass('public.payment_split_5') IS NOT NULL, "
                       "(SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = to_regclass('public.payment_split_5'))").fetchone()
    assert row == (True, r["victim"]), "split_hash dropped another role's table"


def test_migrate_start_does_not_take_over_another_roles_function(fresh_db, connect, pg_server, roles):
    """migrate_start writes the sync functions with CREATE OR REPLACE under derived names
    (<table>_sync_to_partitioned/_legacy, in the table's schema) and then gives them to the table
    owner: a function of another role with that name (say the trigger function of its own legacy
    sync) is overwritten and handed to the owner of the migrated table, who may then replace its
    body with anything that the victim's triggers will run."""
    r = roles("a", "victim")
    conn = connect(fresh_db, autocommit=True)
    conn.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(_ident(r["victim"])))
    with as_role(pg_server, fresh_db, r["victim"]) as v:
        v.execute("CREATE FUNCTION public.inventory_sync_to_legacy() RETURNS trigger LANGUAGE plpgsql "
                  "AS $$ BEGIN RETURN NULL; END $$")
    _owned_table(conn, "inventory", r["a"], 5)
    try:
        conn.execute("SELECT part.migrate_start('public.inventory', 'created_at', 'range', '1 month')")
    except psycopg.Error:
        pass                                    # refusing is a fine answer
    owner = conn.execute("SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE oid = 'public.inventory_sync_to_legacy()'::regprocedure").fetchone()[0]
    assert owner == r["victim"], f"the victim's function now belongs to {owner}"


def test_owner_code_cannot_swap_the_callers_temporary_table_for_a_view(fresh_db, connect, pg_server, roles):
    """part._as_owner compares only the NUMBER of temporary relations, types, functions and
    operators. The owner's trigger runs DISCARD TEMP (which drops every temporary object of the
    session, the caller's too) and makes a view with the name of the caller's temporary table and
    padding to the same counts: the caller's next query of its own temporary table runs the owner's
    function as the superuser."""
    r = roles("owner")
    conn = connect(fresh_db, autocommit=True)
    _owned_table(conn, "rev", r["owner"])
    conn.execute("SELECT part.migrate_start('public.rev', 'created_at', 'range', '1 month')")
    schema = _schema_for(conn, r["owner"])
    s = _ident(schema)
    with as_role(pg_server, fresh_db, r["owner"]) as own:
        own.execute(sql.SQL(
            "CREATE FUNCTION {s}.grab() RETURNS int LANGUAGE plpgsql VOLATILE AS $$ BEGIN "
            "IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN "
            "EXECUTE format('ALTER ROLE %I SUPERUSER', {o}); END IF; RETURN 1; END $$").format(s=s, o=sql.Literal(r["owner"])))
        own.execute(sql.SQL(
            "CREATE FUNCTION {s}.swap() RETURNS trigger LANGUAGE plpgsql AS $f$ "
            "DECLARE np int; nc int; BEGIN "
            "IF to_regclass('pg_temp.staging') IS NULL "
            "   OR (SELECT relkind FROM pg_class WHERE oid = to_regclass('pg_temp.staging')) = 'v' THEN RETURN NULL; END IF; "
            "SELECT count(*) INTO np FROM pg_proc WHERE pronamespace = pg_my_temp_schema(); "
            "SELECT count(*) INTO nc FROM pg_class WHERE relnamespace = pg_my_temp_schema(); "
            "DISCARD TEMP; "
            "EXECUTE 'CREATE VIEW pg_temp.staging AS SELECT ' || {q} || '.grab() AS x'; "
            "FOR i IN 1..np LOOP EXECUTE format('CREATE FUNCTION pg_temp.f%s() RETURNS int LANGUAGE sql AS ''SELECT 1''', i); END LOOP; "
            "WHILE (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()) < nc LOOP "
            "  EXECUTE format('CREATE TEMP SEQUENCE s%s', (SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema())); "
            "END LOOP; RETURN NULL; END $f$").format(s=s, q=sql.Literal(sql.Identifier(schema).as_string(own))))
        own.execute(sql.SQL("CREATE TRIGGER t AFTER INSERT ON public.rev_partitioned FOR EACH STATEMENT "
                            "EXECUTE FUNCTION {}.swap()").format(s))
    conn.execute("CREATE TEMP TABLE staging (x int)")       # the DBA's own scratch table
    try:
        conn.execute("CALL part.backfill('public.rev', p_check => false)")
    except psycopg.Error:
        pass
    try:
        conn.execute("SELECT * FROM staging").fetchall()
    except psycopg.Error:
        pass
    assert not _is_super(conn, r["owner"]), "the caller's temporary table became the owner's view, run as superuser"
