-- part 0.2.0 (extension install), rendered from templates/: do not edit
\echo Use "CREATE EXTENSION part" to load this file. \quit
-- part trusts its schema: one that another role (not a superuser) owns is refused
DO $check$
BEGIN
    IF (SELECT NOT r.rolsuper AND r.rolname <> current_user
          FROM pg_catalog.pg_namespace n JOIN pg_catalog.pg_roles r ON r.oid = n.nspowner
         WHERE n.nspname = 'part') THEN
        RAISE EXCEPTION 'schema part exists and is owned by %, who could drop or change part''s objects',
                        (SELECT pg_catalog.pg_get_userbyid(n.nspowner) FROM pg_catalog.pg_namespace n WHERE n.nspname = 'part')
            USING ERRCODE = '42501', HINT = 'Drop that schema (or give it to a superuser) before installing part.';
    END IF;
END
$check$;
SET LOCAL check_function_bodies = off;

-- tables

-- core/config.sql
-- part.config: one row per managed partitioned table.
CREATE TABLE part.config (
    parent_table      text PRIMARY KEY,
    strategy          text NOT NULL CHECK (strategy IN ('range', 'hash')),
    key_column        text NOT NULL,
    key_type          text NOT NULL,
    "interval"        text,
    partitions        integer CHECK (partitions > 0),
    premake           integer NOT NULL DEFAULT 3 CHECK (premake >= 0),
    retention         text,
    retention_mode    text NOT NULL DEFAULT 'detach'
                      CHECK (retention_mode IN ('drop', 'detach', 'archive')),
    default_partition boolean,
    partition_prefix  text,
    batch_size        integer NOT NULL DEFAULT 10000 CHECK (batch_size > 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- the zone whose midnight starts a day, week or month partition (timestamptz keys; 'UTC' else)
    time_zone         text NOT NULL DEFAULT 'UTC',
    CHECK (strategy <> 'range' OR ("interval" IS NOT NULL AND partitions IS NULL)),
    CHECK (strategy <> 'hash' OR (partitions IS NOT NULL AND "interval" IS NULL
                                   AND retention IS NULL AND NOT coalesce(default_partition, false)))
);
COMMENT ON TABLE part.config IS
    'part: one row per managed partitioned table (part.create_partitioned adds it)';
SELECT pg_catalog.pg_extension_config_dump('part.config', '');

-- core/index_build.sql
-- part.index_build: one row per partition of an index part.create_index builds
-- online (CREATE INDEX ON ONLY the parent, CREATE INDEX CONCURRENTLY on each
-- partition, ALTER INDEX ... ATTACH PARTITION): what it planned, and how far it got.
CREATE TABLE part.index_build (
    parent_index   text NOT NULL,          -- the index on the parent (schema.name)
    parent_table   text NOT NULL,
    definition     text NOT NULL,          -- what follows ON <table>, as read back from the catalog
    partition_name text NOT NULL,
    index_name     text NOT NULL,          -- the partition's index (schema.name)
    state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'attached', 'gone')),
    reused         boolean NOT NULL DEFAULT false,   -- an index the partition had already, attached as it was
    planned_at     timestamptz NOT NULL DEFAULT now(),
    attached_at    timestamptz,
    PRIMARY KEY (parent_index, partition_name)
);
COMMENT ON TABLE part.index_build IS
    'part: the steps of the online index builds of part.create_index, one row per partition';
SELECT pg_catalog.pg_extension_config_dump('part.index_build', '');

-- maintenance/maintenance_log.sql
-- part.maintenance_log: one row per maintenance action, and a heartbeat row
-- (action = 'run') per maintenance run.
CREATE TABLE part.maintenance_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id         bigint,
    logged_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    parent_table   text,
    action         text NOT NULL,
    partition_name text,
    rows_moved     bigint,
    duration       interval,
    outcome        text NOT NULL CHECK (outcome IN ('ok', 'skipped', 'failed')),
    detail         text,
    error_code     text            -- the SQLSTATE of a step that did not complete (55P03: lock not obtained, given up for this run)
);
CREATE INDEX maintenance_log_run ON part.maintenance_log (run_id);
CREATE INDEX maintenance_log_heartbeat ON part.maintenance_log (logged_at) WHERE action = 'run';
-- run ids of part.run_maintenance (one per run; the actions of a run share it)
CREATE SEQUENCE part.maintenance_run_id_seq;
CREATE INDEX maintenance_log_logged_at ON part.maintenance_log (logged_at);
CREATE INDEX maintenance_log_parent ON part.maintenance_log (parent_table, logged_at);
COMMENT ON TABLE part.maintenance_log IS
    'part: one row per maintenance action; action = ''run'' rows are heartbeats';
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_log', '');
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_run_id_seq', '');

-- migration/migration.sql
-- part.migration: one row per table being moved into a partitioned table,
-- named by the application's table name, which stays the same across the switch.
CREATE TABLE part.migration (
    table_name            text PRIMARY KEY,
    legacy_table          text NOT NULL,
    partitioned_table     text NOT NULL,
    strategy              text NOT NULL CHECK (strategy IN ('range', 'hash')),
    key_column            text NOT NULL,
    phase                 text NOT NULL DEFAULT 'dual_write'
                          CHECK (phase IN ('dual_write', 'backfilled', 'partitioned', 'finalized', 'preparing', 'prepared')),
    backfill_last_key     text,
    backfill_rows         bigint NOT NULL DEFAULT 0,
    backfill_started_at   timestamptz,
    backfill_finished_at  timestamptz,
    parity_checked_at     timestamptz,
    parity_clean          boolean,
    started_at            timestamptz NOT NULL DEFAULT now(),
    dual_write_at         timestamptz NOT NULL DEFAULT now(),
    backfilled_at         timestamptz,
    partitioned_at        timestamptz,
    rolled_back_at        timestamptz,
    finalized_at          timestamptz,
    -- filled by part.migrate_start / part.backfill / part.check_parity:
    key_type              text,               -- type of key_column (regtype text)
    legacy_key            text[],             -- primary-key columns of the legacy table (backfill order)
    partitioned_key       text[],             -- primary-key columns of the partitioned copy (legacy_key + key_column)
    backfill_high_key     text,               -- largest legacy key when the backfill started: it copies up to there
    backfill_total        bigint,             -- rows to copy (estimate when the backfill started), for progress and ETA
    backfill_batches      bigint NOT NULL DEFAULT 0,
    parity_full_at        timestamptz,        -- time of the last full (all ranges) parity check
    parity_ranges         integer,            -- ranges checked
    parity_differ         integer,            -- ranges that differed at the last check
    sync_columns          text[],             -- columns both tables had when the sync was generated
    parity_spec           text,               -- interval / hash partition count the stored parity ranges were made with
    backfill_batch_at     timestamptz,        -- when the last backfill batch committed (a stale ETA is not shown)
    -- p_method => 'attach' (the legacy table becomes the history partition; see part.attach_prepare):
    method                text NOT NULL DEFAULT 'copy' CHECK (method IN ('copy', 'attach')),
    history_table         text,               -- the history partition (the legacy table) after the switch
    history_to            text,               -- its upper bound: the legacy table's CHECK says key < history_to
    history_from          text,               -- its lower bound now (NULL: MINVALUE); the split raises it
    history_rows          bigint,             -- rows in it at the switch (estimate), for progress
    split_intervals       integer NOT NULL DEFAULT 0,   -- intervals split out of it by maintenance
    split_rows            bigint NOT NULL DEFAULT 0,    -- rows moved out of it
    split_started_at      timestamptz,
    prepared_at           timestamptz,
    -- the online split of the history partition (part.split_history): the copy M, kept in step by
    -- triggers on the history partition, swapped in for it, then flattened into the table
    split_phase           text CHECK (split_phase IN ('copying', 'checking', 'flattening')),
    split_table           text,               -- M: the partitioned copy of the history, one partition per interval
    split_copy_key        text,               -- the copy's last primary key (part._sql_columns 'text'), NULL: from the start
    split_checked_to      text,               -- the parity check's progress: intervals below this bound match
    split_sync_xmin       text                -- xmin of the sync trigger's pg_trigger row when the checks began (changed: check again)
);
COMMENT ON TABLE part.migration IS
    'part: one row per table being moved online (part.migrate_start adds it)';
SELECT pg_catalog.pg_extension_config_dump('part.migration', '');

-- migration/parity_mark.sql
-- part.parity_mark: ranges a write touched since the last parity check, so
-- that part.check_parity re-hashes only those. Written by the sync triggers
-- and the backfill (part._parity_mark): an existing mark is locked FOR KEY
-- SHARE by the writing transaction (like a foreign-key check), a new one is
-- inserted only when none can be locked; part.check_parity deletes the marks
-- no writer holds (FOR UPDATE SKIP LOCKED) and re-hashes their ranges in a
-- later snapshot, so a write is either in that snapshot or still marked.
-- grp is the key's group as text (a UTC day/month/... start, an integer
-- range start, or a hash remainder), '*' after a TRUNCATE (check everything).
CREATE TABLE part.parity_mark (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text NOT NULL,
    grp        text NOT NULL,
    marked_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parity_mark_table_grp ON part.parity_mark (table_name, grp);
COMMENT ON TABLE part.parity_mark IS
    'part: key groups written since the last parity check of a migration (transient)';
SELECT pg_catalog.pg_extension_config_dump('part.parity_mark', '');
SELECT pg_catalog.pg_extension_config_dump('part.parity_mark_id_seq', '');

-- migration/parity_range.sql
-- part.parity_range: the result of the last parity check of each range of a
-- migration: rows and a content hash (sum of a 64-bit hash of every row) on
-- each side, computed for both sides in one snapshot. Ranges are the
-- partition intervals (range) or hash remainders (hash); part.check_parity
-- refreshes the ranges marked since, or all of them.
CREATE TABLE part.parity_range (
    table_name       text NOT NULL,
    range_from       text NOT NULL,
    range_to         text,
    range_order      numeric NOT NULL,
    partition_name   text,
    legacy_rows      bigint NOT NULL,
    partitioned_rows bigint NOT NULL,
    legacy_hash      numeric NOT NULL,
    partitioned_hash numeric NOT NULL,
    status           text NOT NULL CHECK (status IN ('ok', 'differs')),
    checked_at       timestamptz NOT NULL,
    PRIMARY KEY (table_name, range_from)
);
COMMENT ON TABLE part.parity_range IS
    'part: per-range result of the last parity check of each migration (see part.check_parity)';
SELECT pg_catalog.pg_extension_config_dump('part.parity_range', '');

-- maintenance/pause.sql
-- part.pause: work of part that is pausing for production right now (part._yield_wait writes a
-- row when a pause starts and deletes it when the work resumes); a row whose session has ended
-- (killed while paused) is ignored by its readers and replaced by the next pause.
CREATE TABLE part.pause (
    table_name    text NOT NULL,            -- the table the work is for (a migration's table_name, a managed parent)
    work          text NOT NULL,            -- 'backfill', 'drain', 'split', ...
    since         timestamptz NOT NULL,
    reason        text NOT NULL,            -- why: replay lag or a lock queue, with the numbers
    pid           integer NOT NULL,         -- the session that pauses
    backend_start timestamptz,
    checked_at    timestamptz NOT NULL,     -- last time the reason was read again
    PRIMARY KEY (table_name, work)
);
COMMENT ON TABLE part.pause IS
    'part: backfills and drains pausing for production now (replay lag, lock queue): see part.migrations and part.verify()';

-- settings/settings.sql
-- part.settings: key/value settings. `version` is the installed version;
-- the flags steer maintenance and logging (see part.set_setting).
CREATE TABLE part.settings (
    key         text PRIMARY KEY,
    value       text,
    description text
);
COMMENT ON TABLE part.settings IS
    'part settings: version and flags; change flags with part.set_setting(key, value)';
SELECT pg_catalog.pg_extension_config_dump('part.settings', $$WHERE key <> 'version'$$);

-- maintenance/split_log.sql
-- part.split_log: keys written into a hash partition while part.split_hash
-- copies it, so that the short locked step re-copies only those keys.
CREATE UNLOGGED TABLE part.split_log (
    partition_oid oid NOT NULL,
    key_value     text          -- NULL: the partition was truncated
);
CREATE INDEX split_log_partition ON part.split_log (partition_oid);
COMMENT ON TABLE part.split_log IS
    'part: keys changed in a hash partition during part.split_hash (transient)';

-- routines

-- lib/prepare_uninstall.sql
CREATE FUNCTION part.prepare_uninstall(p_force boolean DEFAULT false)
    RETURNS TABLE(table_name text, phase text, left_table text, left_what text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      record;
    v_active text;
BEGIN
/*
 * The step before DROP EXTENSION part (or DROP SCHEMA part in plain mode):
 * the generated sync triggers of unfinished migrations call part's
 * functions, so every write to those tables would fail once part is gone.
 * Refused (55006, nothing changed) while a migration is in dual_write,
 * backfilled or partitioned, unless p_force: then the sync of each is
 * removed and one row per migration says which of its two tables the
 * application no longer uses (left in place, with its rows and no sync).
 * pginstall uninstall calls it in its transaction.
 */
    SELECT string_agg(format('%s (%s)', m.table_name, m.phase), ', ' ORDER BY m.table_name)
      INTO v_active
      FROM part.migration m
     WHERE m.phase IN ('dual_write', 'backfilled', 'partitioned');
    IF v_active IS NOT NULL AND NOT coalesce(p_force, false) THEN
        RAISE EXCEPTION 'migrations in progress: %', v_active
            USING ERRCODE = '55006',
                  HINT = 'Finish them (pginstall migrate --to finalized) or cancel them (part.migrate_cancel) first, '
                         'or force the uninstall to remove their sync anyway.';
    END IF;
    FOR v_m IN
        SELECT m.table_name, m.phase, m.legacy_table, m.partitioned_table
          FROM part.migration m
         WHERE m.phase IN ('dual_write', 'backfilled', 'partitioned')
         ORDER BY m.table_name
    LOOP
        PERFORM part._sync_remove(v_m.table_name);
        table_name := v_m.table_name;
        phase := v_m.phase;
        IF v_m.phase = 'partitioned' THEN
            left_table := v_m.legacy_table;
            left_what := 'the legacy table';
        ELSE
            left_table := v_m.partitioned_table;
            left_what := 'the partitioned copy';
        END IF;
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION part.prepare_uninstall(boolean) IS
    'part: before removing part, refuses while migrations are unfinished, or (p_force) removes their sync and lists the tables left behind';

-- lib/qualified_name.sql
CREATE FUNCTION part.qualified_name(p_table text)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The table a name written as in SQL ('revenues', 'Public.Revenues',
     * 'public."Daily Balances"') resolves to, as schema.table quoted where
     * needed: the name part.config and part.migration record. The rules and
     * the errors are part._resolve_table's (22023 a bad or ambiguous name,
     * 42P01 no such table, 42809 not a table). pginstall resolves the tables
     * of its config file with it, in apply's transaction.
     */
    SELECT part._qualified(part._resolve_table(p_table))
$$;
COMMENT ON FUNCTION part.qualified_name(text) IS
    'part: schema.table (quoted where needed) of a table name written as in SQL; errors as part.create_partitioned''s for a bad name';

-- lib/_as_owner.sql
CREATE FUNCTION part._as_owner(p_rel regclass, p_sql text, p_arg1 text DEFAULT NULL, p_arg2 text DEFAULT NULL,
                                       p_returns boolean DEFAULT true)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_owner  oid;
    v_fn     text;
    v_src    constant text := $src$
DECLARE
    v_result text;
    v_rows   bigint;
BEGIN
    -- part's runner: runs one statement of part with the rights of the table's owner
    IF p_returns THEN
        EXECUTE p_sql INTO v_result USING p_arg1, p_arg2;
    ELSE
        EXECUTE p_sql USING p_arg1, p_arg2;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        v_result := v_rows::text;
    END IF;
    -- deferred triggers the statement queued fire now, as the owner, not at the caller's COMMIT
    SET CONSTRAINTS ALL IMMEDIATE;
    RETURN v_result;
END
$src$;
    v_before text;
    v_after  text;
    v_state  text;
    v_result text;
    v_rows   bigint;
BEGIN
/*
 * Run one statement that part composed (from quoted identifiers and
 * literals, values as $1 / $2) on a user's table with the rights of that
 * table's owner, the way PostgreSQL's own maintenance commands switch to the
 * table owner: the owner's triggers, defaults, CHECK and index expressions
 * and foreign-key actions that the statement fires never run with the
 * caller's rights (a superuser's, from pg_cron or a DBA). Returns the
 * statement's single value (as text).
 *
 * When the caller is the owner it runs directly. Otherwise it goes through a
 * SECURITY DEFINER function owned by the owner in this session's temporary
 * schema (which no other session's role can reach), not executable by
 * PUBLIC, checked (owner, body, settings, privileges) before every call:
 * inside it neither SET ROLE nor RESET ROLE is allowed, so the owner's code
 * cannot take the caller's rights back. Settings set for the session and
 * temporary objects are compared before and after: code of the owner that
 * leaves either behind (a search_path or a temporary view that would catch
 * the caller's next query) makes the statement fail, which undoes them;
 * so do cursors and prepared statements it leaves (a WITH HOLD cursor runs
 * its query at the caller's COMMIT), and a temporary function renamed,
 * granted or changed. Deferred triggers the owner's code queues fire
 * inside the runner (SET CONSTRAINTS ALL IMMEDIATE), as the owner, not at
 * the caller's COMMIT; so the rest of the caller's transaction checks its
 * deferrable constraints at once.
 * A caller who is neither a superuser nor a member of the owner's role is
 * refused.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * p_sql is the statement its callers composed with format() (%I / %L) or part._render;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT c.relowner INTO v_owner FROM pg_class c WHERE c.oid = p_rel;
    IF v_owner IS NULL THEN
        RAISE EXCEPTION 'relation with OID % does not exist', p_rel::oid
            USING ERRCODE = '42P01', HINT = 'The table was dropped meanwhile: run the step again.';
    END IF;
    IF v_owner = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
        IF p_returns THEN
            EXECUTE p_sql INTO v_result USING p_arg1, p_arg2;
            RETURN v_result;
        END IF;
        EXECUTE p_sql USING p_arg1, p_arg2;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        RETURN v_rows::text;
    END IF;
    IF NOT pg_has_role(current_user, v_owner, 'MEMBER') THEN
        RAISE EXCEPTION 'part acts on % with the rights of its owner %, and % is not a member of that role',
                        p_rel, pg_get_userbyid(v_owner), current_user
            USING ERRCODE = '42501',
                  HINT = format('Run it as %I (or a member of that role) or as a superuser.', pg_get_userbyid(v_owner));
    END IF;

    v_fn := 'part_as_owner_' || v_owner::text;
    IF NOT EXISTS (SELECT 1 FROM pg_proc p
                    WHERE p.pronamespace = pg_my_temp_schema() AND p.proname = v_fn
                      AND p.proargtypes = '25 16 25 25'::oidvector
                      AND p.proowner = v_owner AND p.prosecdef AND p.prolang = (SELECT l.oid FROM pg_language l WHERE l.lanname = 'plpgsql')
                      AND p.prosrc = v_src
                      AND p.proconfig = ARRAY['search_path=pg_catalog, pg_temp', 'row_security=off']
                      AND p.proacl IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee <> v_owner)) THEN
        -- not as expected (first use, or changed): made anew, so nothing of the old one (a grant) stays
        EXECUTE format('DROP FUNCTION IF EXISTS pg_temp.%I(text, boolean, text, text)', v_fn);
        EXECUTE format(
            'CREATE FUNCTION pg_temp.%I(p_sql text, p_returns boolean, p_arg1 text, p_arg2 text) RETURNS text LANGUAGE plpgsql '
            'SECURITY DEFINER SET search_path = pg_catalog, pg_temp SET row_security = off AS %L', v_fn, v_src);
        EXECUTE format('ALTER FUNCTION pg_temp.%I(text, boolean, text, text) OWNER TO %I', v_fn, pg_get_userbyid(v_owner));
        EXECUTE format('REVOKE ALL ON FUNCTION pg_temp.%I(text, boolean, text, text) FROM PUBLIC', v_fn);
    END IF;

    -- What the owner's code could leave behind in this session for whoever uses it next: settings
    -- set for the session (a plain SET outlives the SET clauses of the functions around it, so it
    -- is read here, not in a function with its own SET clause) and temporary objects (which name
    -- lookups search first).
    v_state := $state$
        SELECT pg_catalog.concat_ws(' | ',
            (SELECT pg_catalog.string_agg(s.name || '=' || coalesce(s.setting, ''), ',' ORDER BY s.name)
               FROM pg_catalog.pg_settings s WHERE s.source = 'session'),
            (SELECT pg_catalog.string_agg(k || '=' || coalesce(pg_catalog.current_setting(k, true), '<unset>'), ',')
               FROM pg_catalog.unnest(ARRAY['part.syncing', 'part.truncating', 'part.lock_wait', 'role',
                                            'session_authorization', 'search_path']) k),
            (SELECT pg_catalog.string_agg(pg_catalog.concat_ws('/', c.oid, c.relname, c.relkind, c.relowner, c.relacl), ',' ORDER BY c.oid)
               FROM pg_catalog.pg_class c WHERE c.relnamespace = pg_catalog.pg_my_temp_schema()),
            (SELECT pg_catalog.string_agg(pg_catalog.concat_ws('/', t.oid, t.typname, t.typowner), ',' ORDER BY t.oid)
               FROM pg_catalog.pg_type t WHERE t.typnamespace = pg_catalog.pg_my_temp_schema()),
            (SELECT pg_catalog.string_agg(pg_catalog.concat_ws('/', p.oid, p.proname, p.proowner, p.proacl, p.prosecdef,
                                                               pg_catalog.md5(p.prosrc), p.proconfig), ',' ORDER BY p.oid)
               FROM pg_catalog.pg_proc p WHERE p.pronamespace = pg_catalog.pg_my_temp_schema()),
            (SELECT pg_catalog.string_agg(pg_catalog.concat_ws('/', o.oid, o.oprname, o.oprowner), ',' ORDER BY o.oid)
               FROM pg_catalog.pg_operator o WHERE o.oprnamespace = pg_catalog.pg_my_temp_schema()),
            (SELECT pg_catalog.string_agg(c.name, ',' ORDER BY c.name) FROM pg_catalog.pg_cursors c),
            (SELECT pg_catalog.string_agg(ps.name, ',' ORDER BY ps.name) FROM pg_catalog.pg_prepared_statements ps))
    $state$;
    -- deferred triggers the caller queued before fire now, as the caller (the runner fires the
    -- ones the owner's code queues, as the owner)
    SET CONSTRAINTS ALL IMMEDIATE;
    EXECUTE v_state INTO v_before;
    EXECUTE format('SELECT pg_temp.%I($1, $2, $3, $4)', v_fn) INTO v_result USING p_sql, p_returns, p_arg1, p_arg2;
    EXECUTE v_state INTO v_after;
    IF v_after IS DISTINCT FROM v_before THEN
        RAISE EXCEPTION 'code of %''s owner % changed this session''s settings, temporary objects, cursors or prepared statements while part ran it as that owner',
                        p_rel, pg_get_userbyid(v_owner)
            USING ERRCODE = '42501',
                  HINT = 'A trigger, default or expression of that table sets a session setting (SET without LOCAL), creates a temporary object, a cursor or a prepared statement: change it to not do so; part refused the step (nothing of it was kept).';
    END IF;
    RETURN v_result;
END
$$;

-- lib/_check_trust.sql
CREATE FUNCTION part._check_trust()
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bad text;
BEGIN
/*
 * Refuse to act when a role with fewer rights than the caller could have
 * changed what part is about to trust (called first by run_maintenance,
 * drop_old and create_ahead, which superusers run from pg_cron): schema part
 * and every object in it must be owned by a superuser or by the caller, and
 * no other role may create in schema part or write into part's tables (the
 * rows of part.config say which partitions to create and which to drop).
 */
    SELECT string_agg(x.what, ', ') INTO v_bad FROM (
        SELECT format('schema part (owner %s)', pg_get_userbyid(n.nspowner)) AS what
          FROM pg_namespace n
         WHERE n.nspname = 'part'
           AND n.nspowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
           AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = n.nspowner)
        UNION ALL
        SELECT format('%s (owner %s)', c.oid::regclass, pg_get_userbyid(c.relowner))
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'part' AND c.relkind IN ('r', 'v', 'S', 'p')
           AND c.relowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
           AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = c.relowner)
        UNION ALL
        SELECT format('%s (owner %s)', p.oid::regprocedure, pg_get_userbyid(p.proowner))
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'part'
           AND p.proowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
           AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = p.proowner)
        UNION ALL
        SELECT DISTINCT format('%s (%s may %s)', c.oid::regclass,
                                          CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                                          a.privilege_type)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(c.relacl) a
         WHERE n.nspname = 'part' AND a.grantee <> c.relowner
           AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER')
           AND NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.oid = a.grantee), false)
        UNION ALL
        SELECT format('schema part (%s may CREATE)', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END)
          FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
         WHERE n.nspname = 'part' AND a.grantee <> n.nspowner AND a.privilege_type = 'CREATE'
           AND NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.oid = a.grantee), false)
    ) x;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'part refuses to run: objects it trusts could have been changed by a role other than % or a superuser: %',
                        current_user, v_bad
            USING ERRCODE = '42501',
                  HINT = 'Give them back to a superuser (ALTER ... OWNER TO, REVOKE), or reinstall part as a superuser; see the README''s security model.';
    END IF;
END
$$;

-- lib/_compatible_locks.sql
CREATE FUNCTION part._compatible_locks(p_mode text)
    RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* the pg_locks modes that do not conflict with a table lock in p_mode (to name real blockers) */
    SELECT CASE p_mode
        WHEN 'ACCESS SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
                                       'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock']
        WHEN 'ROW SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
                                    'ShareLock', 'ShareRowExclusiveLock']
        WHEN 'ROW EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock']
        WHEN 'SHARE UPDATE EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock']
        WHEN 'SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'ShareLock']
        WHEN 'SHARE ROW EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock']
        WHEN 'EXCLUSIVE' THEN ARRAY['AccessShareLock']
        ELSE ARRAY[]::text[]
    END
$$;

-- lib/_literal.sql
CREATE FUNCTION part._literal(p_utc timestamp, p_key_type regtype)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* a UTC wall-clock time written as a literal of the key type, independent of TimeZone */
    SELECT CASE p_key_type
        WHEN 'timestamp with time zone'::regtype THEN to_char(p_utc, 'YYYY-MM-DD HH24:MI:SS') || '+00'
        WHEN 'timestamp without time zone'::regtype THEN to_char(p_utc, 'YYYY-MM-DD HH24:MI:SS')
        WHEN 'date'::regtype THEN to_char(p_utc, 'YYYY-MM-DD')
    END
$$;

-- lib/_lock.sql
CREATE FUNCTION part._lock(p_rel regclass, p_mode text, p_wait interval DEFAULT NULL)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * LOCK TABLE ONLY p_rel IN p_mode MODE without queueing behind a long
     * transaction, within a waiting budget, then 55P03 naming the blocker:
     * see part._lock_all.
     */
    SELECT part._lock_all(ARRAY[p_rel], ARRAY[p_mode], p_wait)
$$;

-- lib/_lock_all.sql
CREATE FUNCTION part._lock_all(p_rels regclass[], p_modes text[], p_wait interval DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_setting  text := nullif(current_setting('part.lock_wait', true), '');
    v_wait     interval := p_wait;
    v_deadline timestamptz;
    v_saved    text := current_setting('lock_timeout');
    v_long     text;
    v_key      text[];           -- the transactions in the way, as pid/start
    v_prev     text[];           -- the ones in the way at the last look
    v_tried    text[];           -- the ones in the way when the last attempt failed
    v_oldest   interval;
    v_prepared boolean;
    v_tries    integer := 0;
    v_looked   integer := 0;
    v_said     boolean := false;
BEGIN
/*
 * Lock p_rels[i] IN p_modes[i] MODE, all or none, so that writers never
 * queue behind part for long:
 *   1. look first (pg_locks): while a conflicting lock is held by a
 *      transaction older than 50 ms (or a prepared one), which will not end
 *      within a short timeout, do not queue behind it (every writer arriving
 *      meanwhile would queue behind us): sleep 10 to 30 ms and look again.
 *      Except against a stream of ordinary transactions (each 50 to 300 ms
 *      old, and some of those in the way at the last look gone since):
 *      then there is hardly ever a moment with none of them in the way, so
 *      attempt anyway, once per set of transactions in the way (at most one
 *      short wait of the writers per such set), and a stream never starves
 *      the step; one transaction that stays in the way is waited for;
 *   2. when none is, take the locks in order with lock_timeout 50 ms inside
 *      a subtransaction; if one is not granted, the subtransaction releases
 *      the ones already held and we go back to 1. Writers arriving meanwhile
 *      wait at most those 50 ms; short transactions holding the table end
 *      within them, and the ones that arrive later queue behind our request,
 *      so a steady stream of short transactions cannot starve us.
 * The waiting budget is time: p_wait, else the setting part.lock_wait
 * (SET part.lock_wait = '30 s' for a session), else 10 s. When it runs out:
 * 55P03 naming the sessions in the way. The step then completes shortly
 * after the long transaction ends. The first time a long transaction is in
 * the way, a NOTICE names it (the caller sees what it waits for).
 *
 * Before all that, one attempt with NOWAIT (it never queues: no writer
 * waits behind it): when every lock is free at once, no look at all.
 *
 * LOCK TABLE ONLY: for a partitioned table, writers and readers take the
 * parent's lock first, and its partitions are left to autovacuum.
 */
    IF v_wait IS NULL AND v_setting IS NOT NULL THEN
        BEGIN
            v_wait := v_setting::interval;
        EXCEPTION WHEN data_exception THEN   -- not an interval (22007), too large (22015) ...
            v_wait := NULL;
        END;
        IF v_wait IS NULL OR v_wait < interval '0' OR v_wait > interval '1 day' THEN
            RAISE EXCEPTION 'invalid part.lock_wait "%"', v_setting
                USING ERRCODE = '22023',
                      HINT = 'part.lock_wait is how long part waits for a table''s locks: an interval from 0 to 1 day, e.g. SET part.lock_wait = ''30 s'' (RESET part.lock_wait: 10 s).';
        END IF;
    END IF;
    v_wait := coalesce(v_wait, interval '10 s');
    v_deadline := clock_timestamp() + v_wait;
    IF cardinality(p_rels) IS DISTINCT FROM cardinality(p_modes) OR EXISTS (
        SELECT 1 FROM unnest(p_modes) m
         WHERE m NOT IN ('ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE',
                         'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE')) THEN
        RAISE EXCEPTION 'invalid lock modes: %', p_modes USING ERRCODE = '22023',
            HINT = 'Give one PostgreSQL table lock mode (such as ACCESS EXCLUSIVE) per table.';
    END IF;
    IF v_wait IS NULL OR v_wait < interval '0' THEN
        RAISE EXCEPTION 'invalid lock wait %', v_wait USING ERRCODE = '22023',
            HINT = 'Set part.lock_wait to a positive interval, such as ''10 s''.';
    END IF;
    -- the usual case first: every lock free at once. NOWAIT never queues (no writer waits behind
    -- this attempt) and needs no look at pg_locks; when a lock is not free, the subtransaction
    -- releases what it took and the discipline below goes on
    BEGIN
        FOR i IN 1 .. cardinality(p_rels) LOOP
            EXECUTE format('LOCK TABLE ONLY %s IN %s MODE NOWAIT', p_rels[i], p_modes[i]);
        END LOOP;
        RETURN;
    EXCEPTION WHEN lock_not_available THEN
        NULL;
    END;
    LOOP
        -- 1. a long transaction in the way? (a session whose start we cannot see counts as short)
        -- pg_stat_activity is read once per transaction and kept: read it afresh at each look, or
        -- every session seen in the way at the first look would stay as old as it was then
        -- (pg_locks alone first: with no conflicting lock held there is no one to look at in
        -- pg_stat_activity, whose fresh read copies every session's status; the usual case)
        v_long := NULL; v_key := NULL; v_prepared := false; v_oldest := NULL;
        IF EXISTS (SELECT 1
                     FROM ROWS FROM (unnest(p_rels), unnest(p_modes)) AS t(rel, mode)
                     JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = t.rel AND l.granted
                    WHERE l.pid IS DISTINCT FROM pg_backend_pid()
                      AND NOT l.mode = ANY (part._compatible_locks(t.mode))) THEN
            PERFORM pg_stat_clear_snapshot();
            SELECT string_agg(DISTINCT format('%s on %s', x.who, x.rel), '; '),
                   array_agg(DISTINCT x.k ORDER BY x.k), coalesce(bool_or(x.prepared), false),
                   max(clock_timestamp() - x.xact_start)
              INTO v_long, v_key, v_prepared, v_oldest
              FROM (SELECT t.rel::text AS rel, l.pid IS NULL AS prepared, a.xact_start,
                           coalesce(l.pid::text, l.virtualtransaction) || '/' || coalesce(a.xact_start::text, '') AS k,
                           CASE WHEN l.pid IS NULL THEN format('prepared transaction %s', l.virtualtransaction)
                                ELSE format('pid %s (user %s, application %L, %s since %s: %s)',
                                         a.pid, a.usename, a.application_name, a.state,
                                         to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'), pg_catalog.left(a.query, 80)) END AS who
                      FROM ROWS FROM (unnest(p_rels), unnest(p_modes)) AS t(rel, mode)
                      JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = t.rel AND l.granted
                      LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                     WHERE l.pid IS DISTINCT FROM pg_backend_pid()
                       AND NOT l.mode = ANY (part._compatible_locks(t.mode))
                       AND (l.pid IS NULL OR a.xact_start < clock_timestamp() - interval '50 ms')) x;
        END IF;
        v_looked := v_looked + 1;
        IF v_long IS NOT NULL AND NOT v_said AND (v_prepared OR v_oldest >= interval '300 ms') THEN
            RAISE NOTICE 'part: waiting for a lock held by %; waiting up to %', v_long, v_wait;
            v_said := true;
        END IF;
        IF v_long IS NULL
           OR (NOT v_prepared AND v_oldest < interval '300 ms' AND NOT v_prev <@ v_key
               AND v_key IS DISTINCT FROM v_tried) THEN
            -- 2. all or none, each waiting at most 50 ms
            v_tried := v_key;
            v_tries := v_tries + 1;
            BEGIN
                PERFORM set_config('lock_timeout', '50ms', true);
                FOR i IN 1 .. cardinality(p_rels) LOOP
                    EXECUTE format('LOCK TABLE ONLY %s IN %s MODE', p_rels[i], p_modes[i]);
                END LOOP;
                PERFORM set_config('lock_timeout', v_saved, true);
                RETURN;
            EXCEPTION WHEN lock_not_available THEN
                NULL;
            END;
        END IF;
        v_prev := v_key;
        EXIT WHEN clock_timestamp() >= v_deadline;
        PERFORM pg_sleep(0.01 + 0.02 * random());
    END LOOP;

    IF v_long IS NULL THEN  -- the last attempt timed out behind sessions that looked short: name them
        SELECT string_agg(DISTINCT format('pid %s (user %s, application %L, %s since %s: %s) on %s',
                   a.pid, a.usename, a.application_name, a.state,
                   to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'), pg_catalog.left(a.query, 80), t.rel::text), '; ')
          INTO v_long
          FROM ROWS FROM (unnest(p_rels), unnest(p_modes)) AS t(rel, mode)
          JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = t.rel AND l.granted
          JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.pid <> pg_backend_pid()
           AND NOT l.mode = ANY (part._compatible_locks(t.mode));
    END IF;
    RAISE EXCEPTION 'could not lock % in % mode within % (% attempts)',
            array_to_string(p_rels::text[], ', '), array_to_string(p_modes, ', '), v_wait, v_tries
        USING ERRCODE = '55P03',
              DETAIL = 'Blocked by ' || coalesce(v_long, 'sessions that have since finished') || '.',
              HINT = 'End or wait for the blocking transaction (pg_terminate_backend(pid) if it is stuck), then retry; SET part.lock_wait = ''30 s'' waits longer.';
END
$$;

-- lib/_notice.sql
CREATE FUNCTION part._notice(p_message text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A NOTICE about a routing or maintenance decision, when the flag
 * log_partition_routing is on.
 */
    IF coalesce((SELECT s.value FROM part.settings s WHERE s.key = 'log_partition_routing'), 'false')::boolean THEN
        RAISE NOTICE 'part: %', p_message;
    END IF;
END
$$;

-- lib/_qualified.sql
CREATE FUNCTION part._qualified(p_rel regclass)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * schema.table of a relation, quoted where needed, whatever the search_path
 * (NULL for NULL or a relation that does not exist). PL/pgSQL, not SQL: a SQL
 * function with a SET clause is planned again at every call in a new
 * transaction, and maintenance calls this a few times per partition, each in
 * a transaction of its own; PL/pgSQL keeps the plan for the session.
 */
    RETURN (SELECT format('%I.%I', n.nspname, c.relname)
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid = p_rel);
END
$$;

-- lib/_render.sql
CREATE FUNCTION part._render(p_template text, p_values jsonb)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_parts text[] := string_to_array(p_template, '@');
    v_keys  text[];
    v_bad   text;
    v_out   text;
BEGIN
/*
 * The one renderer of the code part generates at run time (the sync
 * functions and triggers): fills each placeholder of p_template from
 * p_values, quoted by the placeholder's kind, in a single pass (a value is
 * never scanned for placeholders again):
 *   @ident:k@  an identifier, through quote_ident;
 *   @rel:k@    a relation given by its oid, as schema.name, both quoted;
 *   @lit:k@    a literal, through quote_nullable (a JSON null is NULL);
 *   @sql:k@    SQL that part composed itself from quoted identifiers and
 *              literals (column lists, key comparisons): never a user's text.
 * A template holds no other @: split at every @, the even pieces are the
 * placeholders. A placeholder without a value, of an unknown kind or
 * malformed, a value no placeholder uses, or a value of the wrong JSON type
 * is an error: nothing a caller forgot, misspelled or added can pass
 * silently. Set-based and without regular expressions over the whole
 * template: it runs under the switch's locks.
 */
    IF p_template IS NULL OR cardinality(v_parts) % 2 = 0 THEN
        RAISE EXCEPTION 'template has an unpaired @ (or is NULL)'
            USING ERRCODE = 'XX000', HINT = 'A template holds @ only around placeholders (@kind:name@): fix the template.';
    END IF;
    SELECT array_agg(DISTINCT split_part(u.seg, ':', 2)),
           string_agg(DISTINCT CASE
               WHEN u.seg !~ '^(ident|lit|rel|sql):[a-z][a-z0-9_]*$' THEN format('@%s@ is not a placeholder', u.seg)
               WHEN NOT p_values ? split_part(u.seg, ':', 2) THEN format('@%s@ has no value', u.seg)
               WHEN jsonb_typeof(p_values -> split_part(u.seg, ':', 2))
                    <> ALL (CASE split_part(u.seg, ':', 1) WHEN 'rel' THEN ARRAY['number', 'string']
                                                                      WHEN 'lit' THEN ARRAY['string', 'number', 'boolean', 'null']
                                                                      ELSE ARRAY['string'] END)
                   THEN format('@%s@ got a JSON %s', u.seg, jsonb_typeof(p_values -> split_part(u.seg, ':', 2)))
               WHEN split_part(u.seg, ':', 1) = 'rel'
                    AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = (p_values ->> split_part(u.seg, ':', 2))::oid)
                   THEN format('@%s@: relation %s does not exist', u.seg, p_values ->> split_part(u.seg, ':', 2))
           END, '; ')
      INTO v_keys, v_bad
      FROM unnest(v_parts) WITH ORDINALITY AS u(seg, i)
     WHERE u.i % 2 = 0;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'template placeholders: %', v_bad
            USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a wrong template or values (or a table was dropped meanwhile): report it as a bug, or run the step again.';
    END IF;
    SELECT string_agg(k, ', ') INTO v_bad
      FROM jsonb_object_keys(p_values) k WHERE NOT k = ANY (coalesce(v_keys, '{}'));
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'template values not used: %', v_bad
            USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a value its template has no placeholder for: report it as a bug.';
    END IF;

    SELECT string_agg(
               CASE WHEN u.i % 2 = 1 THEN u.seg
                    ELSE CASE split_part(u.seg, ':', 1)
                             WHEN 'ident' THEN quote_ident(p_values ->> split_part(u.seg, ':', 2))
                             WHEN 'lit'   THEN quote_nullable(p_values ->> split_part(u.seg, ':', 2))
                             WHEN 'rel'   THEN (SELECT format('%I.%I', n.nspname, c.relname)
                                                  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                                                 WHERE c.oid = (p_values ->> split_part(u.seg, ':', 2))::oid)
                             ELSE p_values ->> split_part(u.seg, ':', 2)
                         END
               END, '' ORDER BY u.i)
      INTO v_out
      FROM unnest(v_parts) WITH ORDINALITY AS u(seg, i);
    IF v_out IS NULL THEN
        RAISE EXCEPTION 'template rendered to NULL'
            USING ERRCODE = 'XX000', HINT = 'An internal caller of part._render passed a NULL SQL value: report it as a bug.';
    END IF;
    RETURN v_out;
END
$$;

-- lib/_resolve_table.sql
CREATE FUNCTION part._resolve_table(p_table text)
    RETURNS regclass
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_parts  text[];
    v_oid    oid;
    v_found  text[];
    v_other  text;
    v_kind   text;
BEGIN
/*
 * Resolve a table name written as in SQL ('public.revenues', 'revenues',
 * 'public."Daily Balances"') to its oid. An unqualified name must name
 * exactly one table among the user's schemas. Missing: 42P01 with a HINT.
 */
    IF p_table IS NULL OR btrim(p_table) = '' THEN
        RAISE EXCEPTION 'a table name is required'
            USING ERRCODE = '22023', HINT = 'Pass the table as schema.table, e.g. ''public.revenues''.';
    END IF;
    BEGIN
        v_parts := parse_ident(p_table);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid table name: %', p_table
            USING ERRCODE = '22023',
                  HINT = 'Write the name as in SQL: schema.table, with double quotes around names that need them.';
    END;
    IF cardinality(v_parts) = 2 THEN
        SELECT c.oid INTO v_oid
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = v_parts[1] AND c.relname = v_parts[2] AND c.relkind IN ('r', 'p');
    ELSIF cardinality(v_parts) = 1 THEN
        SELECT array_agg(format('%I.%I', n.nspname, c.relname) ORDER BY n.nspname),
               min(c.oid::bigint)::oid
          INTO v_found, v_oid
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relname = v_parts[1] AND c.relkind IN ('r', 'p')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'part', 'part_archive')
           AND n.nspname !~ '^pg_(toast|temp)';
        IF cardinality(v_found) > 1 THEN
            RAISE EXCEPTION 'table name "%" is ambiguous', p_table
                USING ERRCODE = '22023',
                      DETAIL = format('Tables with that name: %s.', array_to_string(v_found, ', ')),
                      HINT = 'Qualify the name with its schema.';
        END IF;
    ELSE
        RAISE EXCEPTION 'invalid table name: %', p_table
            USING ERRCODE = '22023', HINT = 'Write the name as schema.table (no database part).';
    END IF;
    IF v_oid IS NULL THEN
        -- a view, sequence, index... of that name: say so rather than "does not exist"
        SELECT format('%I.%I', n.nspname, c.relname),
               CASE c.relkind WHEN 'v' THEN 'a view' WHEN 'm' THEN 'a materialized view' WHEN 'S' THEN 'a sequence'
                              WHEN 'f' THEN 'a foreign table' WHEN 'i' THEN 'an index' WHEN 'I' THEN 'an index'
                              WHEN 'c' THEN 'a composite type' ELSE 'not a table' END
          INTO v_other, v_kind
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE CASE WHEN cardinality(v_parts) = 2 THEN n.nspname = v_parts[1] AND c.relname = v_parts[2]
                    ELSE c.relname = v_parts[1] AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'part', 'part_archive')
                         AND n.nspname !~ '^pg_(toast|temp)' END
         ORDER BY n.nspname LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION '% is %, not a table', v_other, v_kind
                USING ERRCODE = '42809',
                      HINT = 'Name a table (plain or partitioned): part manages and migrates tables, not views, sequences or indexes.';
        END IF;
        RAISE EXCEPTION 'table % does not exist', p_table
            USING ERRCODE = '42P01',
                  HINT = 'Check the spelling and the schema (names are case-sensitive when quoted), or create the table first.';
    END IF;
    RETURN v_oid::regclass;
END
$$;

-- lib/_sql_columns.sql
CREATE FUNCTION part._sql_columns(p_cols text[], p_alias text DEFAULT NULL, p_format text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cols text[];
BEGIN
/*
 * SQL text for a list of columns, for the generated statements:
 *   p_format NULL:    a.x, a.y                (p_alias NULL: x, y)
 *   'match:<other>':  a.x = <other>.x AND a.y = <other>.y
 *   'row':            a.x  or  ROW(a.x, a.y)  (a key, comparable with < and >)
 *   'text':           the key as text: to_jsonb(a.x) #>> '{}' (one column; ISO for times)
 *                     or jsonb_build_array(a.x, a.y)::text
 *   'desc':           a.x DESC, a.y DESC
 *   'set':            x = EXCLUDED.x, y = EXCLUDED.y
 */
    SELECT array_agg(coalesce(quote_ident(p_alias) || '.', '') || quote_ident(c) ORDER BY o)
      INTO v_cols
      FROM unnest(p_cols) WITH ORDINALITY AS u(c, o);
    IF p_format IS NULL THEN
        RETURN array_to_string(v_cols, ', ');
    ELSIF p_format LIKE 'match:%' THEN
        RETURN (SELECT string_agg(format('%s = %I.%I', v, substr(p_format, 7), c), ' AND ' ORDER BY o)
                  FROM ROWS FROM (unnest(v_cols), unnest(p_cols)) WITH ORDINALITY AS u(v, c, o));
    ELSIF p_format = 'row' THEN
        RETURN CASE WHEN cardinality(v_cols) = 1 THEN v_cols[1] ELSE 'ROW(' || array_to_string(v_cols, ', ') || ')' END;
    ELSIF p_format = 'text' THEN
        RETURN CASE WHEN cardinality(v_cols) = 1 THEN format('(pg_catalog.to_jsonb(%s) #>> ''{}'')', v_cols[1])
                    ELSE 'pg_catalog.jsonb_build_array(' || array_to_string(v_cols, ', ') || ')::text' END;
    ELSIF p_format = 'desc' THEN
        RETURN array_to_string(v_cols, ' DESC, ') || ' DESC';
    ELSIF p_format = 'set' THEN
        RETURN (SELECT string_agg(format('%I = EXCLUDED.%I', c, c), ', ' ORDER BY o)
                  FROM unnest(p_cols) WITH ORDINALITY AS u(c, o));
    END IF;
    RAISE EXCEPTION 'unknown column list format %', p_format
            USING ERRCODE = '22023', HINT = 'An internal caller of part._sql_columns passed a format it does not know: report it as a bug.';
END
$$;

-- settings/check_schedule.sql
CREATE FUNCTION part.check_schedule(p_key text, p_value text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the defaults of [schedule] live here and nowhere else (pginstall passes NULL for a key the file leaves out)
    v_value text := btrim(coalesce(p_value, CASE p_key WHEN 'maintenance' THEN '0 2 * * *'
                                                                   WHEN 'retention' THEN ''
                                                                   WHEN 'purge_history' THEN '30 3 * * *'
                                                                   WHEN 'history_days' THEN '7' END));
BEGIN
/*
 * Check one key of pginstall's [schedule] (public: pginstall's way in) before anything is changed or a
 * pg_cron job registered (pginstall apply and plan call it in their
 * transaction; part.set_setting checks the recorded schedules the same
 * way, through part._cron_period): maintenance, retention, purge_history
 * are pg_cron schedules of five fields or a macro such as @daily ('' = not
 * scheduled), which must run at some time (not '0 0 31 2 *'; not @reboot);
 * history_days is 1 to 3650. p_value NULL: the key's default (maintenance
 * '0 2 * * *', retention '' = none, purge_history '30 3 * * *',
 * history_days 7). Returns the value as it will be used; 22023 with a HINT
 * otherwise.
 */
    IF p_key IN ('maintenance', 'retention', 'purge_history') THEN
        IF v_value <> '' THEN
            PERFORM part._cron_period(v_value);
        END IF;
        RETURN v_value;
    ELSIF p_key = 'history_days' THEN
        IF v_value !~ '^[0-9]+$' OR v_value::numeric < 1 OR v_value::numeric > 3650 THEN
            RAISE EXCEPTION 'history_days must be a whole number from 1 to 3650, not %', coalesce(p_value, 'NULL')
                USING ERRCODE = '22023', HINT = 'How many days of pg_cron run history to keep, e.g. 7.';
        END IF;
        RETURN v_value::integer::text;
    END IF;
    RAISE EXCEPTION 'unknown schedule key "%"', p_key
        USING ERRCODE = '22023', HINT = 'The [schedule] keys are maintenance, retention, purge_history and history_days.';
END
$$;
COMMENT ON FUNCTION part.check_schedule IS
    'part: check one [schedule] entry of pginstall.toml (maintenance, retention, purge_history, history_days) and return it as it will be used; p_value NULL gives its default.';

-- settings/list_settings.sql
CREATE FUNCTION part.list_settings()
    RETURNS TABLE(key text, value text, kind text, read_only boolean, default_value text, description text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Every setting part knows with its current value (part.setting: the
     * default when never set, derived ones computed), its kind (boolean,
     * interval, cron: how part.set_setting checks a value; a cron setting
     * records what pginstall apply registered in pg_cron), whether it is
     * read-only, its default and what it does. What `pginstall flags` shows.
     */
    SELECT k.key, part.setting(k.key), k.kind, k.read_only, k.default_value, k.description
      FROM part._setting_keys() k
     ORDER BY k.key
$$;
COMMENT ON FUNCTION part.list_settings() IS
    'part: every setting of part with its value, kind, default and description (pginstall flags)';

-- settings/set_setting.sql
CREATE FUNCTION part.set_setting(p_key text, p_value text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key   record;
    v_value text := btrim(p_value);
BEGIN
/*
 * Set one flag in part.settings and return the value stored (booleans are
 * written 'true' / 'false'). Unknown keys, read-only keys and values of the
 * wrong kind are refused with 22023 and nothing changes.
 */
    SELECT * INTO v_key FROM part._setting_keys() k WHERE k.key = p_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown setting "%"', p_key
            USING ERRCODE = '22023',
                  HINT = 'Settable keys: ' || (SELECT string_agg(k.key, ', ' ORDER BY k.key)
                                                 FROM part._setting_keys() k WHERE NOT k.read_only) || '.';
    END IF;
    IF v_key.read_only THEN
        RAISE EXCEPTION 'setting "%" is read-only', p_key
            USING ERRCODE = '22023',
                  HINT = CASE p_key
                      WHEN 'use_partitioned_tables' THEN
                          'It is derived from the migrations: switch them with part.switch_reads(table) or pginstall migrate TABLE --to partitioned.'
                      ELSE 'The version changes with pginstall apply or ALTER EXTENSION part UPDATE.' END;
    END IF;
    IF v_value IS NULL THEN
        RAISE EXCEPTION 'setting "%" cannot be NULL', p_key
            USING ERRCODE = '22023', HINT = 'Pass a value; the default is ' || coalesce(quote_literal(v_key.default_value), 'none') || '.';
    END IF;

    IF v_key.kind = 'boolean' THEN
        IF lower(v_value) NOT IN ('true', 'false', 't', 'f', 'on', 'off', 'yes', 'no', '1', '0') THEN
            RAISE EXCEPTION 'invalid value "%" for setting "%"', p_value, p_key
                USING ERRCODE = '22023', HINT = 'Use true or false.';
        END IF;
        v_value := v_value::boolean::text;
    ELSIF v_key.kind = 'interval' THEN
        BEGIN
            IF v_value::interval <= interval '0' THEN
                RAISE invalid_parameter_value;
            END IF;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'invalid value "%" for setting "%"', p_value, p_key
                USING ERRCODE = '22023', HINT = 'Use a positive interval with its unit, e.g. ''1 day''.';
        END;
        IF p_key = 'yield_max_wait' AND NOT v_value::interval BETWEEN interval '1 second' AND interval '1 day' THEN
            RAISE EXCEPTION 'invalid value "%" for setting "%"', p_value, p_key
                USING ERRCODE = '22023', HINT = 'Use an interval from 1 second to 1 day, e.g. ''5 minutes''.';
        END IF;
    ELSIF v_key.kind = 'size' AND v_value <> '' THEN
        BEGIN
            IF NOT pg_size_bytes(v_value) BETWEEN 1024 AND 1099511627776 THEN
                RAISE invalid_parameter_value;
            END IF;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'invalid value "%" for setting "%"', p_value, p_key
                USING ERRCODE = '22023', HINT = 'Use a size from 1kB to 1TB with its unit, e.g. ''256MB'', or '''' to turn it off.';
        END;
    ELSIF v_key.kind = 'cron' AND v_value <> '' THEN
        PERFORM part._cron_period(v_value);   -- 22023 with a HINT when invalid
    END IF;

    INSERT INTO part.settings AS s (key, value, description)
    VALUES (p_key, v_value, v_key.description)
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
     WHERE s.value IS DISTINCT FROM EXCLUDED.value;
    RETURN v_value;
END
$$;
COMMENT ON FUNCTION part.set_setting IS
    'part: set a flag or setting of part.settings (enable_partition_maintenance, log_partition_routing, ...); refuses unknown and read-only keys and bad values. Returns the value set.';

-- settings/setting.sql
CREATE FUNCTION part.setting(p_key text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key record;
BEGIN
/*
 * The value of one setting (flag), or its default when it was never set.
 * use_partitioned_tables is derived from part.migration: true when every
 * migration of the database is in partitioned or finalized (also when
 * there is none: nothing reads a legacy table then).
 */
    SELECT * INTO v_key FROM part._setting_keys() k WHERE k.key = p_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown setting "%"', p_key
            USING ERRCODE = '22023',
                  HINT = 'Known settings: ' || (SELECT string_agg(k.key, ', ' ORDER BY k.key)
                                                  FROM part._setting_keys() k) || '.';
    END IF;
    IF p_key = 'use_partitioned_tables' THEN
        RETURN (NOT EXISTS (SELECT 1 FROM part.migration m
                             WHERE m.phase NOT IN ('partitioned', 'finalized')))::text;
    END IF;
    RETURN coalesce((SELECT s.value FROM part.settings s WHERE s.key = p_key), v_key.default_value);
END
$$;
COMMENT ON FUNCTION part.setting IS
    'part: the value of one key of part.settings (its default when unset).';

-- settings/_cron_period.sql
CREATE FUNCTION part._cron_period(p_schedule text)
    RETURNS interval
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_expr    text := lower(btrim(p_schedule));
    v_fields  text[];
    v_lo      integer[] := ARRAY[0, 0, 1, 1, 0];
    v_hi      integer[] := ARRAY[59, 23, 31, 12, 7];
    v_sets    integer[][];
    v_item    text;
    v_range   text;
    v_step    integer;
    v_a       integer;
    v_b       integer;
    v_times   integer[];
    v_max     integer;
BEGIN
/*
 * The longest time between two runs of a pg_cron (1.4) schedule: five
 * fields (minute hour day-of-month month day-of-week, with lists, ranges,
 * steps and month/day names) or @hourly, @daily, @weekly, @monthly,
 * @yearly. part.verify() calls maintenance stale after twice this period.
 * Day-of-month and day-of-week combine as in cron: when both are
 * restricted, a day matching either runs. 22023 when invalid or when the
 * schedule never runs.
 */
    v_expr := CASE v_expr
        WHEN '@hourly' THEN '0 * * * *'
        WHEN '@daily' THEN '0 0 * * *'
        WHEN '@midnight' THEN '0 0 * * *'
        WHEN '@weekly' THEN '0 0 * * 0'
        WHEN '@monthly' THEN '0 0 1 * *'
        WHEN '@yearly' THEN '0 0 1 1 *'
        WHEN '@annually' THEN '0 0 1 1 *'
        ELSE v_expr END;
    v_fields := regexp_split_to_array(v_expr, '\s+');
    IF v_expr IS NULL OR v_expr = '' OR cardinality(v_fields) <> 5 THEN
        RAISE EXCEPTION 'invalid cron schedule "%"', p_schedule
            USING ERRCODE = '22023',
                  HINT = 'Write five fields (minute hour day-of-month month day-of-week), e.g. ''0 2 * * *'' (02:00 UTC daily), or @daily.';
    END IF;
    -- names of months and week days
    FOR i IN 1 .. 12 LOOP
        v_fields[4] := replace(v_fields[4],
            (ARRAY['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'])[i], i::text);
    END LOOP;
    FOR i IN 0 .. 6 LOOP
        v_fields[5] := replace(v_fields[5], (ARRAY['sun','mon','tue','wed','thu','fri','sat'])[i + 1], i::text);
    END LOOP;

    v_sets := array_fill(0, ARRAY[5, 60]);
    FOR f IN 1 .. 5 LOOP
        FOREACH v_item IN ARRAY string_to_array(v_fields[f], ',') LOOP
            IF v_item !~ '^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?$' THEN
                RAISE EXCEPTION 'invalid cron schedule "%": cannot read "%"', p_schedule, v_item
                    USING ERRCODE = '22023',
                          HINT = 'Each field is *, a number, a range a-b, a list a,b or a step */n; e.g. ''0 2 * * *''.';
            END IF;
            v_range := split_part(v_item, '/', 1);
            v_step := coalesce(nullif(split_part(v_item, '/', 2), '')::integer, 1);
            IF v_range = '*' THEN
                v_a := v_lo[f];
                v_b := v_hi[f];
            ELSE
                v_a := split_part(v_range, '-', 1)::integer;
                v_b := coalesce(nullif(split_part(v_range, '-', 2), '')::integer,
                                CASE WHEN v_item LIKE '%/%' THEN v_hi[f] ELSE v_a END);
            END IF;
            IF v_a < v_lo[f] OR v_b > v_hi[f] OR v_a > v_b OR v_step < 1 THEN
                RAISE EXCEPTION 'invalid cron schedule "%": "%" is out of range %-%', p_schedule, v_item, v_lo[f], v_hi[f]
                    USING ERRCODE = '22023', HINT = 'Fields: minute 0-59, hour 0-23, day 1-31, month 1-12, week day 0-7 (0 and 7: Sunday).';
            END IF;
            FOR v IN v_a .. v_b BY v_step LOOP
                v_sets[f][CASE WHEN f = 5 THEN v % 7 ELSE v END + 1] := 1;
            END LOOP;
        END LOOP;
    END LOOP;

    SELECT array_agg(h * 60 + m ORDER BY h * 60 + m) INTO v_times
      FROM generate_series(0, 23) h, generate_series(0, 59) m
     WHERE v_sets[2][h + 1] = 1 AND v_sets[1][m + 1] = 1;

    -- Within a day: the gaps between its run times. Between two run days d1 < d2
    -- (over eight years, so leap days count): from the last run of d1 to the
    -- first of d2.
    SELECT max(g.gap) INTO v_max
      FROM (SELECT lead(t) OVER (ORDER BY t) - t AS gap FROM unnest(v_times) t) g;
    WITH days AS (
        SELECT (d::date - date '2024-01-01') AS n
          FROM generate_series(date '2024-01-01', date '2031-12-31', interval '1 day') d
         WHERE v_sets[4][date_part('month', d)::int + 1] = 1
           AND CASE WHEN pg_catalog.left(v_fields[3], 1) = '*' OR pg_catalog.left(v_fields[5], 1) = '*'
                    THEN v_sets[3][date_part('day', d)::int + 1] = 1
                         AND v_sets[5][date_part('dow', d)::int + 1] = 1
                    ELSE v_sets[3][date_part('day', d)::int + 1] = 1
                         OR v_sets[5][date_part('dow', d)::int + 1] = 1 END
    )
    SELECT greatest(v_max, max(g.gap)) INTO v_max
      FROM (SELECT (lead(days.n) OVER (ORDER BY days.n) - days.n) * 1440
                   - v_times[cardinality(v_times)] + v_times[1] AS gap
              FROM days) g
     WHERE v_times IS NOT NULL;
    IF v_max IS NULL THEN
        RAISE EXCEPTION 'cron schedule "%" never runs', p_schedule
            USING ERRCODE = '22023', HINT = 'Check the day and month fields (e.g. 30 2 never comes).';
    END IF;
    RETURN make_interval(mins => v_max);
END
$$;

-- settings/_setting_keys.sql
CREATE FUNCTION part._setting_keys()
    RETURNS TABLE(key text, kind text, read_only boolean, default_value text, description text)
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Every key part.settings knows, with its kind (how set_setting checks a
     * value), whether it is read-only, its default and what it does. The one
     * list that part.setting, part.set_setting and pginstall flags read.
     */
    VALUES
        ('version', 'text', true, NULL,
         'installed version of part (read-only: changed by pginstall apply or ALTER EXTENSION part UPDATE)'),
        ('use_partitioned_tables', 'boolean', true, NULL,
         'derived, read-only: true when every migration of this database is in partitioned or finalized'),
        ('enable_partition_maintenance', 'boolean', false, 'true',
         'false: maintenance runs are logged no-ops'),
        ('log_partition_routing', 'boolean', false, 'false',
         'true: NOTICEs for sync and maintenance decisions'),
        ('maintenance_schedule', 'cron', false, '',
         'pg_cron schedule of part.run_maintenance() for this database (written by pginstall apply; '''' = not scheduled)'),
        ('retention_schedule', 'cron', false, '',
         'separate pg_cron schedule of part.drop_old(); when set, run_maintenance leaves retention to it'),
        ('parity_max_age', 'interval', false, '1 day',
         'part.verify() calls parity stale when the last parity check of a migration is older than this'),
        ('yield_max_replay_lag', 'size', false, '',
         'the backfill and the default drain pause while a standby''s replay is more than this many bytes of WAL behind (e.g. ''256MB''; '''' = off)'),
        ('yield_on_lock_queue', 'boolean', false, 'true',
         'true: the backfill and the default drain pause while other sessions wait for a lock on the table'),
        ('yield_max_wait', 'interval', false, '5 minutes',
         'a pause longer than this: run_maintenance leaves that table''s drain to its next run, a backfill keeps waiting, part.verify() warns')
$$;

-- settings/_settings_restore.sql
CREATE FUNCTION part._settings_restore()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * BEFORE INSERT on part.settings: an insert of a key that exists updates its
 * value instead. pg_dump saves the flags a user changed (extension config
 * table); on restore CREATE EXTENSION has already inserted the defaults, and
 * the dumped rows must replace them rather than fail on the primary key.
 */
    UPDATE part.settings s SET value = NEW.value
     WHERE s.key = NEW.key AND s.value IS DISTINCT FROM NEW.value;
    IF FOUND OR EXISTS (SELECT 1 FROM part.settings s WHERE s.key = NEW.key) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;

-- core/attach_index.sql
CREATE FUNCTION part.attach_index(p_index text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_index  regclass;
    v_itext  text;
    v_rel    regclass;
    v_b      record;
    v_part   regclass;
    v_child  regclass;
    v_done   bigint;
    v_total  bigint;
    v_valid  boolean;
BEGIN
/*
 * A step of an online index build planned by part.create_index, run after
 * each CREATE INDEX CONCURRENTLY: attaches to the parent's index p_index
 * every partition index of the build that is built and valid (ALTER INDEX
 * ... ATTACH PARTITION, under part's lock discipline), and records it in
 * part.index_build. When the last partition is attached, PostgreSQL marks
 * p_index valid. Returns where the build stands, e.g.
 * 'public.events_org_id_idx: 5 of 12 partitions'.
 */
    v_index := to_regclass(p_index);
    IF v_index IS NULL THEN
        RAISE EXCEPTION 'index % does not exist', p_index
            USING ERRCODE = '42P01',
                  HINT = 'Name the parent''s index that part.create_index made (see part.index_build), or plan the build again with part.create_index.';
    END IF;
    v_itext := part._qualified(v_index);
    IF NOT EXISTS (SELECT 1 FROM part.index_build b WHERE b.parent_index = v_itext) THEN
        RAISE EXCEPTION '% is not an index part.create_index builds', v_itext
            USING ERRCODE = '22023',
                  HINT = 'Plan the build with SELECT * FROM part.create_index(''<schema.table>'', ''<definition>''), then run what it returns.';
    END IF;
    SELECT i.indrelid::regclass INTO v_rel FROM pg_index i WHERE i.indexrelid = v_index;
    PERFORM part._index_lock(v_rel);
    FOR v_b IN SELECT * FROM part.index_build b
                WHERE b.parent_index = v_itext AND b.state = 'pending' ORDER BY b.partition_name LOOP
        v_part := to_regclass(v_b.partition_name);
        IF v_part IS NULL OR NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = v_rel AND i.inhrelid = v_part) THEN
            UPDATE part.index_build b SET state = 'gone'
             WHERE b.parent_index = v_itext AND b.partition_name = v_b.partition_name;
            CONTINUE;
        END IF;
        SELECT h.inhrelid::regclass INTO v_child
          FROM pg_inherits h JOIN pg_index ci ON ci.indexrelid = h.inhrelid
         WHERE h.inhparent = v_index AND ci.indrelid = v_part;
        IF v_child IS NULL THEN
            SELECT ci.indexrelid::regclass INTO v_child
              FROM pg_index ci
             WHERE ci.indexrelid = to_regclass(v_b.index_name) AND ci.indrelid = v_part
               AND ci.indisvalid AND ci.indisready AND ci.indislive;
            CONTINUE WHEN v_child IS NULL;   -- not built yet
            PERFORM part._index_attach(v_index, v_child);
        END IF;
        UPDATE part.index_build b
           SET state = 'attached', index_name = part._qualified(v_child), attached_at = now()
         WHERE b.parent_index = v_itext AND b.partition_name = v_b.partition_name;
    END LOOP;
    SELECT count(*), count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM pg_inherits h JOIN pg_index ci ON ci.indexrelid = h.inhrelid
                WHERE h.inhparent = v_index AND ci.indrelid = i.inhrelid))
      INTO v_total, v_done
      FROM pg_inherits i WHERE i.inhparent = v_rel;
    SELECT i.indisvalid INTO v_valid FROM pg_index i WHERE i.indexrelid = v_index;
    RETURN format('%s: %s of %s partitions%s', v_itext, v_done, v_total,
                             CASE WHEN v_valid THEN ', valid' ELSE '' END);
END
$$;
COMMENT ON FUNCTION part.attach_index IS
    'part: attach the partition indexes of an online build (part.create_index) that are built and valid to their parent index; returns the build''s progress.';

-- core/create_ahead.sql
CREATE FUNCTION part.create_ahead(p_count integer DEFAULT NULL, p_parent text DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only regclass;
BEGIN
/*
 * For every managed range table (or only p_parent): make sure partitions
 * exist for the current interval and p_count more (default: the table's
 * premake), whether or not data arrived. Idempotent: returns the qualified
 * names it created, none on a second call. "Current" is now() in UTC for
 * time keys, and the interval holding the largest key (0 when empty) for
 * integer keys. Rows waiting in the default partition for a partition being
 * created move into it (see part._create_range_partition).
 *
 * On a table with a default partition, writers wait while a partition is
 * made (the rows of its range must not go to the default meanwhile), and
 * they keep waiting until this call's transaction ends: one call makes at
 * most 20 partitions of such a table (part._create_ahead's p_max_held), those nearest to now first, and a
 * WARNING says how many are left for CALL part.run_maintenance(), which
 * makes them one per transaction. Tables without a default partition get
 * all theirs: their writers never wait for a creation.
 *
 * An interval that a partition made by hand overlaps without covering it is
 * skipped, logged and reported by part.verify() (part._create_ahead).
 */
    PERFORM part._check_trust();
    IF p_count IS NOT NULL THEN
        PERFORM part._check_count('premake', p_count);   -- the bounds of premake
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        IF (part._config_row(v_only)).strategy <> 'range' THEN
            RAISE EXCEPTION 'table % is hash-partitioned: it has no partitions to create ahead', p_parent
                USING ERRCODE = '42809', HINT = 'Use part.split_hash to change the number of hash partitions.';
        END IF;
    END IF;
    RETURN QUERY SELECT * FROM part._create_ahead(p_count, v_only);
END
$$;
COMMENT ON FUNCTION part.create_ahead IS
    'part: make sure every managed range table (or p_parent) has partitions for the current interval and p_count more (default: its premake), moving rows waiting in the default partition into them; returns the partitions it created (none on a second call).';

-- core/create_index.sql
CREATE FUNCTION part.create_index(p_parent text, p_definition text)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel     regclass := part._resolve_table(p_parent);
    v_nspname text;
    v_tmp     regclass;
    v_parts   bigint;
    v_bad     text;
    v_check   text := 'part_index_check_' || pg_backend_pid();
    v_def     text;
    v_name    text;
    v_index   regclass;
    v_itext   text;
    v_p       record;
    v_child   regclass;
    v_left    regclass;
    v_pending integer := 0;
    v_ready   boolean := false;
    v_steps   text[] := '{}'::text[];
    v_state   text;
    v_msg     text;
    v_detail  text;
BEGIN
/*
 * Plan an index on every partition of p_parent, built online, and return
 * the statements that build it, in order, to run outside a transaction
 * block (psql: SELECT * FROM part.create_index(...) \gexec; pginstall
 * index; each one a job of its own for pg_cron). p_definition is what
 * follows ON <table> in CREATE INDEX: '(org_id, occurred_at)',
 * 'USING brin (occurred_at)', '(lower(email)) WHERE NOT deleted'.
 *
 *   1. here: the index on ONLY the parent (invalid until every partition has
 *      its own attached), created from p_definition in one statement (a ';'
 *      is refused, so the text cannot hold a second one) under a SHARE lock
 *      taken by part's lock discipline; its definition is then read back
 *      from the catalog, and every later statement is composed from that
 *      (quoted identifiers, deparsed expressions), never from the text;
 *   2. per partition, returned: DROP INDEX CONCURRENTLY of an invalid index
 *      a killed build left, CREATE INDEX CONCURRENTLY (writers go on), then
 *      SELECT part.attach_index(...) (ALTER INDEX ... ATTACH PARTITION, a
 *      short lock); once the last partition is attached, PostgreSQL marks
 *      the parent's index valid, and partitions created from then on get it
 *      natively (as do those created meanwhile).
 *
 * Resumable: calling it again with the same definition finds the parent's
 * index and returns only what is left (no row: the index is complete),
 * starting with part.attach_index when partitions have an index of that
 * shape built and valid (a build that stopped before attaching it, or the
 * partition's own): attached, not rebuilt. The steps are
 * recorded in part.index_build; part.verify() reports a build left
 * unfinished. The session keeps the table's build lock (part._index_lock)
 * until it ends: one session builds on a table at a time.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here: p_definition is
 * appended to one CREATE INDEX ... ON ONLY, after a ';' anywhere in it was refused (one
 * statement only), inside a subtransaction that is rolled back, and PostgreSQL evaluates index
 * expressions as the table's owner; every later statement is built from the catalog's reading
 * of that index (part._index_definition), never from p_definition. Its other EXECUTEs format()
 * %s with regclass names.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT n.nspname INTO v_nspname
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_rel;
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = v_rel) <> 'p' THEN
        RAISE EXCEPTION '% is not a partitioned table', v_rel
            USING ERRCODE = '42809',
                  HINT = format('On a plain table, run CREATE INDEX CONCURRENTLY ... ON %s %s yourself.', v_rel, coalesce(p_definition, ''));
    END IF;
    IF p_definition IS NULL OR btrim(p_definition) = '' THEN
        RAISE EXCEPTION 'an index definition is required'
            USING ERRCODE = '22023',
                  HINT = 'Pass what follows ON <table> in CREATE INDEX, e.g. ''(org_id, occurred_at)'' or ''USING brin (occurred_at)''.';
    END IF;
    IF strpos(p_definition, ';') > 0 THEN
        RAISE EXCEPTION 'an index definition holds no semicolon: %', p_definition
            USING ERRCODE = '22023',
                  HINT = 'Pass one index definition, what follows ON <table> in CREATE INDEX, without a semicolon (not even in a literal).';
    END IF;
    SELECT string_agg(format('%s (%s)', i.inhrelid::regclass,
                                 CASE c.relkind WHEN 'p' THEN 'partitioned itself' ELSE 'a foreign table' END), ', ')
               FILTER (WHERE c.relkind IN ('p', 'f')),
           count(*)
      INTO v_bad, v_parts
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = v_rel;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'part builds indexes on partitions that are plain tables, and % has %', v_rel, v_bad
            USING ERRCODE = '0A000',
                  HINT = 'Build the index on those partitions yourself (CREATE INDEX ON ONLY, CREATE INDEX CONCURRENTLY on the leaves, ALTER INDEX ... ATTACH PARTITION).';
    END IF;
    PERFORM part._index_lock(v_rel);
    PERFORM part._lock_all(ARRAY[v_rel], ARRAY['SHARE']);

    -- 1. the definition, checked by PostgreSQL itself: an index on ONLY the parent (nothing is built)
    --    in a subtransaction that is undone; what the catalog says of it is kept
    BEGIN
        BEGIN
            EXECUTE format('CREATE INDEX %I ON ONLY %s ', v_check, v_rel) || p_definition;
        EXCEPTION
            WHEN undefined_column THEN
                GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT;
                RAISE EXCEPTION 'invalid index definition for %: %', v_rel, v_msg
                    USING ERRCODE = '42703',
                          HINT = format('Use columns of %s: %s.', v_rel,
                                     (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                                        FROM pg_attribute a WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped));
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_detail = RETURNED_SQLSTATE;
                RAISE EXCEPTION 'invalid index definition for %: % (%)', v_rel, v_msg, p_definition
                    USING ERRCODE = '22023', DETAIL = format('PostgreSQL said %s: %s', v_detail, v_msg),
                          HINT = 'Pass what follows ON <table> in CREATE INDEX, e.g. ''(org_id, occurred_at)'', ''USING brin (occurred_at)'' or ''(lower(email)) WHERE NOT deleted''.';
        END;
        v_tmp := format('%I.%I', v_nspname, v_check)::regclass;
        v_def := part._index_definition(v_tmp);
        SELECT i.indexrelid::regclass INTO v_index
          FROM pg_index i
         WHERE i.indrelid = v_rel AND i.indexrelid <> v_tmp
           AND NOT i.indisunique AND NOT i.indisexclusion
           AND part._index_definition(i.indexrelid) = v_def
         ORDER BY i.indisvalid DESC, i.indexrelid LIMIT 1;
        IF v_index IS NULL THEN
            v_name := part._index_name(v_rel, v_tmp, v_def);
        END IF;
        RAISE EXCEPTION 'part: definition checked'
            USING HINT = 'Not an error: undoes the index made to check the definition (caught below).';
    EXCEPTION WHEN raise_exception THEN
        GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT;
        IF v_msg <> 'part: definition checked' THEN
            RAISE;
        END IF;
    END;

    IF v_index IS NULL THEN
        -- the parent's index, composed from the catalog's reading of the definition
        EXECUTE format(CASE WHEN v_parts = 0 THEN 'CREATE INDEX %I ON %s %s' ELSE 'CREATE INDEX %I ON ONLY %s %s' END,
                                  v_name, v_rel, v_def);
        v_index := format('%I.%I', v_nspname, v_name)::regclass;
    ELSIF (SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = v_index) THEN
        RAISE NOTICE 'part: % (%) is valid on every partition of %: nothing to build', v_index, v_def, v_rel;
        RETURN;
    END IF;
    v_itext := part._qualified(v_index);

    -- 2. each partition
    FOR v_p IN
        SELECT i.inhrelid::regclass AS rel, n.nspname, part._qualified(i.inhrelid) AS name
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.inhparent = v_rel ORDER BY c.relname
    LOOP
        v_state := 'pending';
        -- attached already (built here before, or the partition was created after the parent's index)
        SELECT h.inhrelid::regclass INTO v_child
          FROM pg_inherits h JOIN pg_index ci ON ci.indexrelid = h.inhrelid
         WHERE h.inhparent = v_index AND ci.indrelid = v_p.rel;
        IF v_child IS NOT NULL THEN
            v_state := 'attached';
        ELSE
            -- an index of that shape, built and valid (a build that stopped before attaching it, or the
            -- partition's own): attached as it is, not rebuilt
            SELECT ci.indexrelid::regclass INTO v_child
              FROM pg_index ci
             WHERE ci.indrelid = v_p.rel AND ci.indisvalid AND ci.indisready AND ci.indislive
               AND NOT ci.indisunique AND NOT ci.indisexclusion
               AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = ci.indexrelid)
               AND part._index_definition(ci.indexrelid) = v_def
             ORDER BY ci.indexrelid LIMIT 1;
            IF v_child IS NOT NULL THEN
                -- attached by the first step, part.attach_index (not here: this transaction holds the
                -- parent's SHARE lock, which writers must not wait behind)
                v_ready := true;
                v_name := part._index_name(v_p.rel, v_index, v_def);
                INSERT INTO part.index_build AS b (parent_index, parent_table, definition, partition_name,
                                                           index_name, reused)
                VALUES (v_itext, part._qualified(v_rel), v_def, v_p.name, part._qualified(v_child),
                        (SELECT c.relname <> v_name FROM pg_class c WHERE c.oid = v_child))
                ON CONFLICT (parent_index, partition_name) DO UPDATE
                   SET state = 'pending', index_name = EXCLUDED.index_name, reused = EXCLUDED.reused, attached_at = NULL;
                CONTINUE;
            END IF;
        END IF;
        IF v_state = 'attached' THEN
            INSERT INTO part.index_build AS b (parent_index, parent_table, definition, partition_name, index_name,
                                                       state, reused, attached_at)
            VALUES (v_itext, part._qualified(v_rel), v_def, v_p.name, part._qualified(v_child), 'attached',
                    false, now())
            ON CONFLICT (parent_index, partition_name) DO UPDATE
               SET state = 'attached', index_name = EXCLUDED.index_name,
                   attached_at = coalesce(b.attached_at, EXCLUDED.attached_at);
            CONTINUE;
        END IF;

        v_name := part._index_name(v_p.rel, v_index, v_def);
        -- an index of that name left invalid by a build that was killed or failed: dropped, then built again
        SELECT ci.indexrelid::regclass INTO v_left
          FROM pg_index ci JOIN pg_class c ON c.oid = ci.indexrelid
         WHERE ci.indrelid = v_p.rel AND c.relname = v_name;
        IF v_left IS NOT NULL THEN
            v_steps := v_steps || format('DROP INDEX CONCURRENTLY IF EXISTS %s', v_left);
        END IF;
        v_steps := v_steps || format('CREATE INDEX CONCURRENTLY %I ON %s %s', v_name, v_p.rel, v_def)
                           || format('SELECT %I.attach_index(%L)', 'part', v_itext);
        v_pending := v_pending + 1;
        INSERT INTO part.index_build AS b (parent_index, parent_table, definition, partition_name, index_name)
        VALUES (v_itext, part._qualified(v_rel), v_def, v_p.name,
                format('%I.%I', v_p.nspname, v_name))
        ON CONFLICT (parent_index, partition_name) DO UPDATE
           SET state = 'pending', index_name = EXCLUDED.index_name, reused = false, attached_at = NULL;
    END LOOP;
    -- partitions planned before that are no longer partitions of the table
    UPDATE part.index_build b SET state = 'gone'
     WHERE b.parent_index = v_itext AND b.state = 'pending'
       AND NOT EXISTS (SELECT 1 FROM pg_inherits i
                        WHERE i.inhparent = v_rel AND i.inhrelid = to_regclass(b.partition_name));
    -- partitions whose index is built and valid: attached first, by part.attach_index in a transaction of its own
    IF v_ready THEN
        RETURN NEXT format('SELECT %I.attach_index(%L)', 'part', v_itext);
    END IF;
    RETURN QUERY SELECT unnest(v_steps);
    IF v_pending = 0 AND NOT v_ready THEN
        RAISE NOTICE 'part: % (%): every partition of % has it%', v_index, v_def, v_rel,
            CASE WHEN (SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = v_index) THEN ', valid'
                 ELSE ' (the parent''s index is not valid yet: a partition was detached during the build; SELECT part.attach_index(' || quote_literal(v_itext) || '))' END;
    END IF;
END
$$;
COMMENT ON FUNCTION part.create_index IS
    'part: plan an index on every partition of p_parent (p_definition: what follows ON table in CREATE INDEX), built online and resumably: returns the statements to run outside a transaction (pginstall index, or psql''s \gexec); a second call resumes an interrupted build.';

-- core/create_partitioned.sql
CREATE FUNCTION part.create_partitioned(
    p_parent            text,
    p_key               text,
    p_strategy          text,
    p_interval          text DEFAULT NULL,
    p_partitions        integer DEFAULT NULL,
    p_premake           integer DEFAULT 3,
    p_retention         text DEFAULT NULL,
    p_retention_mode    text DEFAULT 'detach',
    p_default_partition boolean DEFAULT NULL,
    p_partition_prefix  text DEFAULT NULL,
    p_batch_size        integer DEFAULT 10000,
    p_time_zone         text DEFAULT 'UTC'
)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel       regclass := part._resolve_table(p_parent);
    v_name      text := part._qualified(v_rel);
    v_strategy  text := lower(p_strategy);
    v_type      regtype;
    v_pstrat    "char";
    v_pkey      text;
    v_old       part.config;
    v_default   boolean;
    v_prefix    text;
    v_schema    text;
    v_moduli    integer[];
    v_made      text;
    v_zone      text;
BEGIN
/*
 * Manage a table that already exists as PARTITION BY RANGE|HASH (p_key):
 * check everything first (a bad argument changes nothing), record it in
 * part.config (or update its settings when it is already managed), make the
 * default partition (range, unless p_default_partition is false) and the
 * first partitions: the current interval and p_premake more (range), or
 * p_partitions hash partitions <table>_0 .. <table>_N-1. Returns the
 * qualified names of the partitions it created; calling it again with the
 * same arguments changes nothing. p_time_zone (an IANA name, timestamptz keys,
 * intervals of a day or more): days, weeks and months begin at that zone's
 * midnight (part._check_time_zone, part._range_floor); it cannot change
 * while the table has partitions.
 */
    IF v_strategy IS NULL OR v_strategy NOT IN ('range', 'hash') THEN
        RAISE EXCEPTION 'invalid strategy "%"', p_strategy
            USING ERRCODE = '22023', HINT = 'Use ''range'' (time or integer intervals) or ''hash'' (e.g. by org_id).';
    END IF;
    v_type := part._key_type(v_rel, p_key);

    SELECT pt.partstrat,
           (SELECT a.attname FROM pg_attribute a
             WHERE a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0])
      INTO v_pstrat, v_pkey
      FROM pg_partitioned_table pt WHERE pt.partrelid = v_rel;
    IF v_pstrat IS NULL THEN
        RAISE EXCEPTION 'table % is not partitioned', v_name
            USING ERRCODE = '42809',
                  HINT = format('Create it with PARTITION BY %s (%I), or move a live table with part.migrate_start(%L, %L, %L).',
                                           upper(v_strategy), p_key, v_name, p_key, v_strategy);
    END IF;
    IF v_pstrat <> pg_catalog.left(v_strategy, 1) OR v_pkey IS DISTINCT FROM p_key THEN
        RAISE EXCEPTION 'table % is partitioned by % (%), not by % (%)', v_name,
                CASE v_pstrat WHEN 'r' THEN 'RANGE' WHEN 'h' THEN 'HASH' ELSE 'LIST' END,
                coalesce(quote_ident(v_pkey), 'an expression or several columns'),
                upper(v_strategy), quote_ident(p_key)
            USING ERRCODE = '42809',
                  HINT = 'Pass the table''s own partition strategy and key column (part manages single-column keys).';
    END IF;
    IF p_partition_prefix IS NOT NULL AND (p_partition_prefix = '' OR octet_length(p_partition_prefix) > 63) THEN
        RAISE EXCEPTION 'invalid partition name prefix "%"', p_partition_prefix
            USING ERRCODE = '22023', HINT = 'A prefix is a table name: 1 to 63 bytes.';
    END IF;
    PERFORM part._check_table_options(v_strategy, v_type, p_interval, p_partitions, p_premake, p_retention,
                                              p_retention_mode, p_default_partition, p_batch_size);
    v_zone := part._check_time_zone(p_time_zone, v_strategy, v_type, p_interval);
    IF v_strategy = 'range' THEN
        v_default := coalesce(p_default_partition, true);
    END IF;

    SELECT * INTO v_old FROM part.config c WHERE c.parent_table = v_name;
    SELECT n.nspname, coalesce(p_partition_prefix, c.relname) INTO v_schema, v_prefix
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = v_rel;

    IF v_strategy = 'hash' THEN
        SELECT array_agg(DISTINCT b.modulus) INTO v_moduli FROM part._partition_bounds(v_rel) b;
        IF v_moduli IS NOT NULL AND v_moduli <> ARRAY[p_partitions] THEN
            RAISE EXCEPTION 'table % already has hash partitions with modulus %, not %', v_name,
                    array_to_string(v_moduli, ', '), p_partitions
                USING ERRCODE = '42809',
                      HINT = CASE WHEN v_old.parent_table IS NULL
                                  THEN format('Register it with p_partitions => %s, then grow it online with CALL part.split_hash(%L, %s).',
                                                         v_moduli[1], v_name, p_partitions)
                                  ELSE format('Grow it online with CALL part.split_hash(%L, %s).', v_name, p_partitions) END;
        END IF;
    ELSIF v_old.parent_table IS NOT NULL AND v_old."interval"::text IS DISTINCT FROM p_interval
          AND EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE NOT b.is_default)
          AND (SELECT x::text FROM part._interval_spec(v_old."interval", v_type) x)
              IS DISTINCT FROM (SELECT x::text FROM part._interval_spec(p_interval, v_type) x) THEN
        RAISE EXCEPTION 'cannot change the interval of % from % to % while it has partitions', v_name, v_old."interval", p_interval
            USING ERRCODE = '0A000',
                  HINT = 'Changing the interval of existing partitions is not supported; keep the old interval, or migrate into a new table.';
    ELSIF v_old.parent_table IS NOT NULL AND v_old.time_zone IS DISTINCT FROM v_zone
          AND EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE NOT b.is_default) THEN
        RAISE EXCEPTION 'cannot change the time zone of % from % to % while it has partitions', v_name, v_old.time_zone, v_zone
            USING ERRCODE = '0A000',
                  HINT = format('Its partitions begin at midnight in %s: pass p_time_zone => %L (time_zone = %L in pginstall.toml), or migrate into a new table with the new zone.',
                                           v_old.time_zone, v_old.time_zone, v_old.time_zone);
    END IF;

    -- Everything is checked: record the table.
    IF v_old.parent_table IS NULL THEN
        INSERT INTO part.config (parent_table, strategy, key_column, key_type, "interval", partitions, premake,
                                         retention, retention_mode, default_partition, partition_prefix, batch_size,
                                         time_zone)
        VALUES (v_name, v_strategy, p_key, v_type::text, p_interval, p_partitions, p_premake,
                p_retention, p_retention_mode, v_default, p_partition_prefix, p_batch_size, v_zone);
    ELSIF (v_old."interval", v_old.partitions, v_old.premake, v_old.retention, v_old.retention_mode,
           v_old.default_partition, v_old.partition_prefix, v_old.batch_size, v_old.time_zone)
          IS DISTINCT FROM (p_interval, p_partitions, p_premake, p_retention, p_retention_mode, v_default,
                            p_partition_prefix, p_batch_size, v_zone) THEN
        UPDATE part.config c
           SET "interval" = p_interval, partitions = p_partitions, premake = p_premake, retention = p_retention,
               retention_mode = p_retention_mode, default_partition = v_default,
               partition_prefix = p_partition_prefix, batch_size = p_batch_size, time_zone = v_zone,
               updated_at = now()
         WHERE c.parent_table = v_name;
    END IF;

    IF v_strategy = 'hash' THEN
        IF EXISTS (SELECT 1 FROM part._partition_bounds(v_rel))
           AND (SELECT count(*) FROM part._partition_bounds(v_rel)) = p_partitions THEN
            RETURN;
        END IF;
        PERFORM part._lock(v_rel, 'ACCESS EXCLUSIVE');
        FOR i IN 0 .. p_partitions - 1 LOOP
            CONTINUE WHEN EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE b.remainder = i);
            v_made := part._partition_name(v_prefix, i::text);
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                                      v_schema, v_made, v_rel, p_partitions, i);
            PERFORM part._copy_owner_and_grants(v_rel, format('%I.%I', v_schema, v_made)::regclass);
            RETURN NEXT format('%I.%I', v_schema, v_made);
        END LOOP;
        RETURN;
    END IF;

    PERFORM part._check_trust();
    IF v_default AND NOT EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE b.is_default) THEN
        -- writers of the table wait for this transaction from here on: the first partitions
        -- are made in it without part._create_ahead's limit
        v_made := part._partition_name(v_prefix, 'default');
        PERFORM part._lock(v_rel, 'ACCESS EXCLUSIVE');
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', v_schema, v_made, v_rel);
        PERFORM part._copy_owner_and_grants(v_rel, format('%I.%I', v_schema, v_made)::regclass);
        RETURN NEXT format('%I.%I', v_schema, v_made);
        RETURN QUERY SELECT * FROM part._create_ahead(p_premake, v_rel, p_max_held => NULL);
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM part._create_ahead(p_premake, v_rel);
END
$$;
COMMENT ON FUNCTION part.create_partitioned IS
    'part: manage a table that exists as PARTITION BY RANGE or HASH on p_key (strategy range: p_interval, e.g. ''1 month'' or an integer width; hash: p_partitions), creating its first partitions (premake intervals ahead, a default partition for range unless p_default_partition => false) and registering it in part.config.';

-- core/_archive_schema.sql
CREATE FUNCTION part._archive_schema()
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_owner oid;
BEGIN
/*
 * Make sure schema part_archive exists and is trusted before part moves a
 * retired partition or a legacy table into it: part creates it (owned by
 * the role running part), and refuses one that a role other than a
 * superuser or the owner of schema part made first, whose owner could
 * otherwise drop what part archives there. It is not an extension member,
 * so uninstalling part keeps what was archived.
 */
    SELECT n.nspowner INTO v_owner FROM pg_namespace n WHERE n.nspname = 'part_archive';
    IF v_owner IS NULL THEN
        CREATE SCHEMA part_archive;
        REVOKE ALL ON SCHEMA part_archive FROM PUBLIC;
        COMMENT ON SCHEMA part_archive IS
            'part: partitions retired by part.drop_old in archive mode and legacy tables archived by part.finalize (not part of the extension: uninstall keeps them)';
        RETURN;
    END IF;
    IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = v_owner)
       AND v_owner <> (SELECT n.nspowner FROM pg_namespace n WHERE n.nspname = 'part') THEN
        RAISE EXCEPTION 'schema part_archive is owned by %, a role that is neither a superuser nor the owner of schema part',
                        pg_get_userbyid(v_owner)
            USING ERRCODE = '42501',
                  HINT = 'Its owner could drop what part archives there: move its tables elsewhere and drop it (part creates it again), or ALTER SCHEMA part_archive OWNER TO a superuser.';
    END IF;
END
$$;

-- core/_bound_ordinal.sql
CREATE FUNCTION part._bound_ordinal(p_value text, p_key_type regtype)
    RETURNS numeric
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A bound or key value as a number, to compare bounds of any key type:
 * epoch seconds (UTC) for time keys, the value itself for integers;
 * MINVALUE / MAXVALUE (and -infinity / infinity) far below / above any value.
 */
    IF p_value IS NULL THEN
        RETURN NULL;
    ELSIF upper(p_value) IN ('MINVALUE', '-INFINITY') THEN
        RETURN -1e30;
    ELSIF upper(p_value) IN ('MAXVALUE', 'INFINITY') THEN
        RETURN 1e30;
    ELSIF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        RETURN p_value::numeric;
    END IF;
    RETURN extract(epoch FROM part._to_utc(p_value, p_key_type));
END
$$;

-- core/_bounds_all.sql
CREATE FUNCTION part._bounds_all(p_parent regclass DEFAULT NULL)
    RETURNS TABLE(parent_table text, rel regclass, partition_oid oid, is_default boolean, lo float8, hi float8)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Every partition of every managed table (or of p_parent) with its range
     * bounds as epoch seconds (UTC; integer keys: the value), as
     * part._bound_ordinal computes them, read in ONE pass over the catalog:
     * the base of maintenance, verify and metrics, which must not query each
     * table. Hash partitions and the default have NULL bounds; MINVALUE and
     * MAXVALUE are -1e30 and 1e30. Managed tables that no longer exist have no row.
     */
    WITH parts AS MATERIALIZED (
        SELECT c.parent_table, i.inhparent AS rel, k.oid, c.key_type,
               c.key_type IN ('smallint', 'integer', 'bigint') AS int_key,
               k.relpartbound::text LIKE '%:is_default true%' AS is_default,
               CASE WHEN c.strategy = 'range' THEN pg_get_expr(k.relpartbound, k.oid) END AS expr
          FROM part.config c
          JOIN pg_inherits i ON i.inhparent = part._managed_rel(c.parent_table)
          JOIN pg_class k ON k.oid = i.inhrelid
         WHERE p_parent IS NULL OR i.inhparent = p_parent
    ), lits AS (
        -- "FOR VALUES FROM ('x') TO ('y')": the two literals, unquoted
        SELECT p.*,
               btrim(split_part(split_part(p.expr, 'FROM (', 2), ') TO (', 1), '''') AS lo_lit,
               btrim(rtrim(split_part(p.expr, ') TO (', 2), ')'), '''') AS hi_lit
          FROM parts p
    )
    SELECT l.parent_table, l.rel::regclass, l.oid, l.is_default,
           CASE WHEN l.lo_lit = '' THEN NULL
                WHEN l.lo_lit IN ('MINVALUE', '-infinity') THEN -1e30
                WHEN l.lo_lit IN ('MAXVALUE', 'infinity') THEN 1e30
                WHEN l.int_key THEN l.lo_lit::float8
                WHEN l.key_type = 'timestamp with time zone' THEN date_part('epoch', l.lo_lit::timestamptz)
                WHEN l.key_type = 'timestamp without time zone' THEN date_part('epoch', l.lo_lit::timestamp)
                ELSE date_part('epoch', l.lo_lit::date::timestamp) END,
           CASE WHEN l.hi_lit = '' THEN NULL
                WHEN l.hi_lit IN ('MINVALUE', '-infinity') THEN -1e30
                WHEN l.hi_lit IN ('MAXVALUE', 'infinity') THEN 1e30
                WHEN l.int_key THEN l.hi_lit::float8
                WHEN l.key_type = 'timestamp with time zone' THEN date_part('epoch', l.hi_lit::timestamptz)
                WHEN l.key_type = 'timestamp without time zone' THEN date_part('epoch', l.hi_lit::timestamp)
                ELSE date_part('epoch', l.hi_lit::date::timestamp) END
      FROM lits l
$$;

-- core/_check_count.sql
CREATE FUNCTION part._check_count(p_what text, p_value bigint)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the one home of these bounds: what a call can do under its locks in seconds, not minutes
    v_lo bigint := CASE p_what WHEN 'premake' THEN 0 WHEN 'partitions' THEN 1 WHEN 'batch_size' THEN 1 END;
    v_hi bigint := CASE p_what WHEN 'premake' THEN 1000 WHEN 'partitions' THEN 1024 WHEN 'batch_size' THEN 1000000 END;
BEGIN
/*
 * Check a count setting against its bounds (22023 outside them):
 *   premake (and create_ahead's p_count): 0 to 1000 intervals ahead;
 *   partitions (hash, and split_hash's new count): 1 to 1024;
 *   batch_size (backfill): 1 to 1,000,000 rows.
 * Each partition is created under a lock on the parent: ten thousand of
 * them would hold writers for minutes.
 */
    IF v_lo IS NULL THEN
        RAISE EXCEPTION 'part._check_count: unknown count "%"', p_what
            USING ERRCODE = '22023', HINT = 'Check premake, partitions or batch_size.';
    END IF;
    IF p_value IS NULL OR p_value < v_lo OR p_value > v_hi THEN
        RAISE EXCEPTION '% must be between % and %, not %', p_what, v_lo, v_hi, coalesce(p_value::text, 'NULL')
            USING ERRCODE = '22023',
                  HINT = CASE p_what
                      WHEN 'premake' THEN 'Pass how many intervals ahead to keep, e.g. 3; for more, use a longer interval.'
                      WHEN 'partitions' THEN 'Pass a hash partition count such as 16 or 64.'
                      ELSE 'Pass how many rows a backfill batch copies, e.g. 10000.' END;
    END IF;
END
$$;

-- core/_check_retention.sql
CREATE FUNCTION part._check_retention(p_retention text, p_key_type regtype)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_iv interval;
BEGIN
/*
 * A retention is an interval with a unit for time keys ('24 months', at
 * most 1000 years) and a positive integer for integer keys (at most
 * 10^18); anything else is 22023.
 */
    IF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        IF p_retention !~ '^\s*[0-9]+\s*$' OR btrim(p_retention)::numeric <= 0 OR btrim(p_retention)::numeric > 1e18 THEN
            RAISE EXCEPTION 'invalid retention "%" for an integer key', p_retention
                USING ERRCODE = '22023', HINT = 'Give how far below the largest key to keep, as a positive integer.';
        END IF;
        RETURN;
    END IF;
    BEGIN
        v_iv := p_retention::interval;
    EXCEPTION WHEN others THEN
        v_iv := NULL;
    END;
    IF v_iv IS NULL OR p_retention ~ '^\s*[0-9.]+\s*$' OR v_iv <= interval '0' OR v_iv > interval '1000 years' THEN
        RAISE EXCEPTION 'invalid retention "%"', p_retention
            USING ERRCODE = '22023', HINT = 'Write a positive interval with its unit, up to 1000 years, e.g. ''24 months'' or ''90 days''.';
    END IF;
END
$$;

-- core/_check_table_options.sql
CREATE FUNCTION part._check_table_options(
    p_strategy          text,
    p_key_type          regtype,
    p_interval          text,
    p_partitions        integer,
    p_premake           integer,
    p_retention         text,
    p_retention_mode    text,
    p_default_partition boolean,
    p_batch_size        integer
)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * Check the settings part.config records for a table (p_strategy already
 * checked to be 'range' or 'hash', p_key_type the key column's type), so
 * that part.create_partitioned and part.migrate_start refuse a bad one
 * before they change anything (migrate_start: before it locks the table,
 * creates the copy or warns). Bad values: 22023; a key type the strategy
 * cannot use: 42804 (part._interval_spec). The partition name prefix is
 * create_partitioned's own and checked there.
 */
    IF p_strategy = 'hash' THEN
        IF p_partitions IS NULL THEN
            RAISE EXCEPTION 'a hash-partitioned table needs a partition count'
                USING ERRCODE = '22023', HINT = 'Pass p_partitions => 16, for example.';
        END IF;
        PERFORM part._check_count('partitions', p_partitions);
        IF p_interval IS NOT NULL OR p_retention IS NOT NULL THEN
            RAISE EXCEPTION 'hash partitions have no interval and no retention'
                USING ERRCODE = '22023', HINT = 'Leave p_interval and p_retention NULL for a hash table.';
        END IF;
        IF p_default_partition THEN
            RAISE EXCEPTION 'a hash-partitioned table cannot have a default partition'
                USING ERRCODE = '22023', HINT = 'PostgreSQL does not allow it: leave p_default_partition unset for a hash table.';
        END IF;
    ELSE
        IF p_partitions IS NOT NULL THEN
            RAISE EXCEPTION 'a range-partitioned table has no partition count'
                USING ERRCODE = '22023', HINT = 'Leave p_partitions NULL and give p_interval, e.g. ''1 month''.';
        END IF;
        PERFORM part._interval_spec(p_interval, p_key_type);   -- raises 22023 / 42804
        IF p_retention IS NOT NULL THEN
            PERFORM part._check_retention(p_retention, p_key_type);
        END IF;
    END IF;
    PERFORM part._check_count('premake', p_premake);
    PERFORM part._check_count('batch_size', p_batch_size);
    IF p_retention_mode IS NULL OR p_retention_mode NOT IN ('drop', 'detach', 'archive') THEN
        RAISE EXCEPTION 'invalid retention mode "%"', p_retention_mode
            USING ERRCODE = '22023', HINT = 'Use ''drop'', ''detach'' or ''archive''.';
    END IF;
END
$$;

-- core/_check_time_zone.sql
CREATE FUNCTION part._check_time_zone(p_zone text, p_strategy text, p_key_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text;
    v_kind text;
BEGIN
/*
 * Check a table's time zone (p_time_zone of part.create_partitioned and
 * part.migrate_start) and return it as part.config records it: 'UTC' for
 * NULL, else the name's own spelling in pg_timezone_names. Accepted: 'UTC'
 * and IANA names of the form Area/Location ('Europe/Paris'), for a
 * timestamptz key range-partitioned by days, weeks or months. Refused
 * (22023, nothing changed): abbreviations ('CET', 'EST': fixed offsets or
 * legacy rules), POSIX strings ('UTC+2', whose sign is the reverse of ISO's)
 * and Etc/GMT+n; any zone other than UTC for a date, timestamp or integer
 * key, a hash table, or partitions shorter than a day (hours are the same
 * instants in every zone with whole-hour offsets, and local names would
 * repeat on the hour the clocks go back).
 */
    IF p_zone IS NULL OR p_zone = 'UTC' THEN
        RETURN 'UTC';
    END IF;
    SELECT z.name INTO v_name
      FROM pg_timezone_names z
     WHERE lower(z.name) = lower(p_zone)
     ORDER BY z.name = p_zone DESC LIMIT 1;
    IF v_name IS NULL OR (v_name <> 'UTC' AND v_name !~ '^[A-Za-z_]+/') OR v_name ~* '(^|/)Etc/GMT[+-]|^(posix|right)/' THEN
        RAISE EXCEPTION 'invalid time zone "%"', p_zone
            USING ERRCODE = '22023',
                  HINT = 'Use an IANA zone name of the form Area/Location, such as ''Europe/Paris'' or ''America/New_York'' (SELECT name FROM pg_timezone_names), or ''UTC''; abbreviations (CET, EST) and offsets (UTC+2) are not accepted: they do not follow a place''s changes of clocks.';
    END IF;
    IF v_name = 'UTC' THEN
        RETURN v_name;
    END IF;
    IF p_strategy <> 'range' THEN
        RAISE EXCEPTION 'a hash-partitioned table has no time zone (time zone "%")', p_zone
            USING ERRCODE = '22023', HINT = 'Leave p_time_zone unset (UTC) for a hash table.';
    END IF;
    IF p_key_type IN ('date'::regtype, 'timestamp without time zone'::regtype) THEN
        RAISE EXCEPTION 'a % key cannot have time zone "%"', p_key_type, p_zone
            USING ERRCODE = '22023',
                  HINT = CASE WHEN p_key_type = 'date'::regtype
                              THEN 'A date is already a local day: its partitions begin at each date. Leave p_time_zone unset (UTC).'
                              ELSE 'A timestamp without time zone holds no instant: its partitions begin at 00:00 of its own values. Leave p_time_zone unset (UTC) and store local times in it, or partition a timestamptz column by the local day.' END;
    END IF;
    IF p_key_type <> 'timestamp with time zone'::regtype THEN
        RAISE EXCEPTION 'a % key cannot have time zone "%"', p_key_type, p_zone
            USING ERRCODE = '22023', HINT = 'A time zone is for a timestamptz key; leave p_time_zone unset (UTC) for other keys.';
    END IF;
    v_kind := (part._interval_spec(p_interval, p_key_type)).kind;
    IF v_kind NOT IN ('months', 'weeks', 'days') THEN
        RAISE EXCEPTION 'interval "%" is shorter than a day, which time zone "%" cannot use', p_interval, p_zone
            USING ERRCODE = '22023',
                  HINT = 'A table zone sets where local days, weeks and months begin: use ''1 day'' or longer with it, or leave p_time_zone unset (UTC) for partitions of hours (the same instants in every zone whose offset is whole hours).';
    END IF;
    RETURN v_name;
END
$$;

-- core/_config_row.sql
CREATE FUNCTION part._config_row(p_parent regclass)
    RETURNS part.config
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row part.config;
BEGIN
/*
 * The part.config row of a table; 55000 with a HINT when part does not manage it.
 */
    SELECT * INTO v_row FROM part.config c WHERE c.parent_table = part._qualified(p_parent);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not managed by part', part._qualified(p_parent)
            USING ERRCODE = '55000',
                  HINT = 'Register it first with part.create_partitioned(table, key, strategy, ...) or in pginstall.toml.';
    END IF;
    RETURN v_row;
END
$$;

-- core/_copy_owner_and_grants.sql
CREATE FUNCTION part._copy_owner_and_grants(p_from regclass, p_to regclass, p_partition boolean DEFAULT true)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_owner oid;
    v_acl   record;
BEGIN
/*
 * Give p_to the owner and the table privileges of p_from (a new partition
 * gets those of its parent). A partition of a table with row-level security
 * gets the owner only: its grants would let a role read or write the
 * partition directly, where the parent's policies do not apply (PostgreSQL
 * checks only the parent's privileges for access through the parent).
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT c.relowner INTO v_owner FROM pg_class c WHERE c.oid = p_from;
    IF v_owner <> (SELECT c.relowner FROM pg_class c WHERE c.oid = p_to) THEN
        EXECUTE format('ALTER TABLE %s OWNER TO %I', p_to, pg_get_userbyid(v_owner));
    END IF;
    IF p_partition AND (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = p_from) THEN
        RETURN;
    END IF;
    FOR v_acl IN
        SELECT a.grantee, a.privilege_type, a.is_grantable
          FROM pg_class c, aclexplode(c.relacl) a
         WHERE c.oid = p_from AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('GRANT %s ON TABLE %s TO %s%s', v_acl.privilege_type, p_to,
            CASE WHEN v_acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(v_acl.grantee)) END,
            CASE WHEN v_acl.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;

-- core/_create_ahead.sql
CREATE FUNCTION part._create_ahead(p_count integer, p_only regclass,
                                           p_max_held integer DEFAULT 20, p_warn boolean DEFAULT true)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only    regclass := p_only;
    v_default boolean;
    v_held    integer;
    v_left    integer;
    v_t       record;
    v_type    regtype;
    v_current text;
    v_from    text;
    v_to      text;
    v_made    text;
    v_lo      numeric;
    v_hi      numeric;
    v_overlap text;
    v_lim     record;
    v_run     bigint := nullif(current_setting('part.run_id', true), '')::bigint;
BEGIN
/*
 * The work of part.create_ahead (see there) for every managed range table,
 * or only p_only: partitions for the current interval and p_count more
 * (NULL: each table's premake). Returns the qualified names it created.
 *
 * On a table with a default partition, each creation holds the table's
 * writers (EXCLUSIVE on the parent, part._create_range_partition) until the
 * transaction ends: p_max_held (NULL: no limit; the default, 20, is the one
 * home of create_ahead's limit) is the most partitions made for such a
 * table in this call, so writers wait for at most that many. The
 * intervals nearest to now come first; with p_warn, a WARNING says how many
 * were left for a later call (run_maintenance makes one per transaction).
 *
 * Existing bounds are read in one catalog pass per table, so a call that
 * creates nothing costs almost nothing.
 *
 * An interval that a partition made by hand overlaps without covering it
 * cannot be created: it is skipped, with a WARNING and a row in
 * part.maintenance_log (action 'create', outcome 'skipped') naming the
 * partition in the way; part.verify() says what to do about it.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    FOR v_t IN
        SELECT c.parent_table, c.key_column, c.key_type, c."interval", c.premake, c.time_zone,
               part._managed_rel(c.parent_table) AS rel,
               coalesce(array_agg(part._bound_ordinal(b.bound_from, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS froms,
               coalesce(array_agg(part._bound_ordinal(b.bound_to, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS tos,
               coalesce(array_agg(format('%s [%s, %s)', b.partition_name, b.bound_from, b.bound_to))
                            FILTER (WHERE NOT b.is_default), '{}') AS names
          FROM part.config c
          LEFT JOIN LATERAL part._partition_bounds(part._managed_rel(c.parent_table)) b ON true
         WHERE c.strategy = 'range'
           AND (v_only IS NULL OR c.parent_table = part._qualified(v_only))
           AND part._managed_rel(c.parent_table) IS NOT NULL
         GROUP BY c.parent_table, c.key_column, c.key_type, c."interval", c.premake, c.time_zone
         ORDER BY c.parent_table
    LOOP
        v_type := v_t.key_type::regtype;
        v_lim := part._key_limits(v_type, v_t."interval");
        IF v_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
            -- the largest key an aligned partition can hold (not a bigint extreme: part._key_limits)
            EXECUTE format('SELECT coalesce(pg_catalog.max(%1$I), 0)::text FROM %2$s WHERE %1$I >= $1::%3$s AND %1$I < $2::%3$s',
                                      v_t.key_column, v_t.rel, v_type)
               INTO v_current USING v_lim.lo, v_lim.hi;
        ELSE
            v_current := part._literal((now() AT TIME ZONE 'UTC')::timestamp, v_type);
        END IF;
        v_from := part._range_floor(v_current, v_type, v_t."interval", v_t.time_zone);
        v_default := EXISTS (SELECT 1 FROM pg_partitioned_table pt
                              WHERE pt.partrelid = v_t.rel AND pt.partdefid <> 0);
        v_held := 0;
        v_left := 0;
        FOR i IN 0 .. coalesce(p_count, v_t.premake) LOOP
            EXIT WHEN part._bound_ordinal(v_from, v_type) >= part._bound_ordinal(v_lim.hi, v_type);   -- the type ends
            v_to := part._range_next(v_from, v_type, v_t."interval", v_t.time_zone);
            v_lo := part._bound_ordinal(v_from, v_type);
            v_hi := part._bound_ordinal(v_to, v_type);
            IF NOT EXISTS (SELECT 1 FROM unnest(v_t.froms, v_t.tos) AS x(f, t)
                            WHERE x.f < v_hi AND x.t > v_lo)
               AND v_default AND v_held >= p_max_held THEN
                v_left := v_left + 1;   -- writers have waited for enough creations in this transaction
            ELSIF NOT EXISTS (SELECT 1 FROM unnest(v_t.froms, v_t.tos) AS x(f, t)
                            WHERE x.f < v_hi AND x.t > v_lo) THEN
                v_made := part._create_range_partition(v_t.rel, v_from, v_to, p_known_free => true);
                IF v_made IS NOT NULL THEN
                    v_held := v_held + 1;
                    RETURN NEXT v_made;
                END IF;
            ELSE
                -- partitions overlap it: fine when they cover it whole (they do not overlap each other)
                SELECT string_agg(x.n, ', ' ORDER BY x.f) INTO v_overlap
                  FROM unnest(v_t.froms, v_t.tos, v_t.names) AS x(f, t, n)
                 WHERE x.f < v_hi AND x.t > v_lo
                HAVING sum(least(x.t, v_hi) - greatest(x.f, v_lo)) < v_hi - v_lo;
                IF v_overlap IS NOT NULL THEN
                    IF v_run IS NULL THEN
                        v_run := nextval('part.maintenance_run_id_seq');
                    END IF;
                    INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail)
                    VALUES (v_run, v_t.parent_table, 'create', 'skipped',
                            format('cannot create the partition for [%s, %s): %s overlaps it without covering it', v_from, v_to, v_overlap));
                    RAISE WARNING 'part: cannot create the partition of % for [%, %): % overlaps it without covering it', v_t.parent_table, v_from, v_to, v_overlap
                        USING HINT = 'See the partitions_ahead check of part.verify() for what to do.';
                END IF;
            END IF;
            v_from := v_to;
        END LOOP;
        IF v_left > 0 AND p_warn THEN
            RAISE WARNING 'part: created % partitions of % in this transaction; % more are due and were left for later', v_held, v_t.parent_table, v_left
                USING DETAIL = format('%s has a default partition: each partition made holds its writers until the transaction ends, so one call makes at most %s.', v_t.parent_table, p_max_held),
                      HINT = format('CALL part.run_maintenance(%L) makes the rest, one per transaction (or call part.create_ahead again).', v_t.parent_table);
        END IF;
    END LOOP;
END
$$;

-- core/_create_range_partition.sql
CREATE FUNCTION part._create_range_partition(p_parent regclass, p_from text, p_to text,
                                                     p_known_free boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg      part.config := part._config_row(p_parent);
    v_type     regtype := v_cfg.key_type::regtype;
    v_schema   text;
    v_name     text;
    v_new      regclass;
    v_default  regclass;
    v_cols     text;
    v_moved    bigint := 0;
    v_empty    boolean;
    v_refs     text;
    v_cloned   text;
    v_waiting  boolean := false;
    v_check    boolean := false;
    v_moving   boolean;
    v_rows     boolean;
    v_trg      text[];
    v_trg_mode text[];
    v_lo       numeric := part._bound_ordinal(p_from, v_type);
    v_hi       numeric := part._bound_ordinal(p_to, v_type);
BEGIN
/*
 * Create the range partition [p_from, p_to) of p_parent, or return NULL when
 * a partition already covers (part of) that range (p_known_free: the caller
 * has just checked that none does).
 *
 * The partition is made as a standalone table (before any lock; with a
 * CHECK of its bounds when rows of the default will move into it, so that
 * ATTACH does not scan them) and attached: ATTACH takes
 * only SHARE UPDATE EXCLUSIVE on the parent, so without a default partition
 * writers go on. With a default partition, writers are held at the parent
 * (EXCLUSIVE: reads go on) for this one step, the rows the default holds for
 * the new range move into the new table, then ATTACH: creating a partition
 * never fails because of rows in the default, and no concurrent insert fails
 * either. Locks are taken with short timeouts and retries (part._lock). The new partition gets the parent's indexes (made with the
 * table, adopted by ATTACH), owner and privileges.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF v_lo >= v_hi THEN
        RAISE EXCEPTION 'empty range [%, %) for %', p_from, p_to, v_cfg.parent_table
            USING ERRCODE = '22023', HINT = 'The lower bound must be below the upper bound.';
    END IF;
    IF NOT p_known_free AND part._range_taken(p_parent, v_type, v_lo, v_hi) THEN
        RETURN NULL;
    END IF;

    SELECT n.nspname INTO v_schema
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_parent;
    v_name := part._partition_name(
        coalesce(v_cfg.partition_prefix, (SELECT c.relname FROM pg_class c WHERE c.oid = p_parent)),
        part._range_suffix(p_from, v_type, v_cfg."interval", v_cfg.time_zone));
    SELECT nullif(pt.partdefid, 0)::regclass INTO v_default
      FROM pg_partitioned_table pt WHERE pt.partrelid = p_parent;

    -- Prepared before the locks (no one sees this table until it is attached): the table with the
    -- parent's indexes (ATTACH adopts them instead of building them), the parent's owner and
    -- privileges (the rows move with the owner's rights), and a CHECK of its bounds, so that
    -- ATTACH need not scan the rows moved into it while writers wait. When rows of the default
    -- will move into it, no indexes yet: ATTACH builds them after the move, in bulk, which is
    -- faster than inserting every moved row into them (both happen under the lock).
    v_moving := v_default IS NOT NULL AND (pg_relation_size(v_default) > 0
                                           OR (SELECT c.relkind FROM pg_class c WHERE c.oid = v_default) <> 'r');
    BEGIN
        EXECUTE format(
            'CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED INCLUDING COMMENTS%s)',
            v_schema, v_name, p_parent, CASE WHEN v_moving THEN '' ELSE ' INCLUDING INDEXES' END);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        -- the name is taken: by this range's partition, made by a concurrent call since we looked
        -- (or one we waited for to commit), then nothing to do; else by something else
        IF part._range_taken(p_parent, v_type, v_lo, v_hi) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'cannot create partition %.%: a relation with that name exists', v_schema, v_name
            USING ERRCODE = '42P07',
                  HINT = 'Rename or drop that relation, or attach it yourself as the partition for this range.';
    END;
    v_new := format('%I.%I', v_schema, v_name)::regclass;
    PERFORM part._copy_owner_and_grants(p_parent, v_new);
    -- The CHECK spares ATTACH a scan of the rows the default's move puts into the table. A table
    -- that stays empty needs none (ATTACH finds no page to read), and adding and dropping it were
    -- two more catalog changes per partition (one of them while writers wait): only when the
    -- default has pages now. Should rows reach an empty default before our lock, it is added
    -- under the lock before they move (catalog only: the table is still empty).
    IF v_moving AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = v_new AND c.conname = 'part_partition_bound') THEN
        EXECUTE format('ALTER TABLE %1$s ADD CONSTRAINT part_partition_bound CHECK (%2$I IS NOT NULL AND %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s)',
                       v_new, v_cfg.key_column, p_from, p_to, v_type);
        v_check := true;
    END IF;

    IF v_default IS NULL THEN
        PERFORM part._lock(p_parent, 'SHARE UPDATE EXCLUSIVE');
    ELSE
        -- Writers must wait at the parent, not at the default: a writer that
        -- routed a row to the default before the ATTACH would fail on the
        -- default's new constraint instead of going to the new partition.
        -- EXCLUSIVE blocks writers (only for this short step) but not readers.
        PERFORM part._lock_all(ARRAY[p_parent, v_default], ARRAY['EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    END IF;
    -- checked again under the lock: a concurrent call (create_ahead during run_maintenance, or a
    -- partition attached by hand) may have made this range's partition while we waited; then there
    -- is nothing to do. Before rows of the default move: here. Else the ATTACH checks it (below),
    -- from the table's partition descriptor, at no cost while writers wait.
    v_rows := v_default IS NOT NULL AND (pg_relation_size(v_default) > 0
                                         OR (SELECT c.relkind FROM pg_class c WHERE c.oid = v_default) <> 'r');
    IF v_rows AND part._range_taken(p_parent, v_type, v_lo, v_hi) THEN
        EXECUTE format('DROP TABLE %s', v_new);
        RETURN NULL;
    END IF;

    -- (a plain default partition without a page holds no row, and we hold it exclusively: nothing
    -- to move, no trigger to set aside)
    IF v_rows THEN
        -- rows reached the default since we looked: the CHECK now (see above)
        IF NOT v_check AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = v_new AND c.conname = 'part_partition_bound') THEN
            EXECUTE format('ALTER TABLE %1$s ADD CONSTRAINT part_partition_bound CHECK (%2$I IS NOT NULL AND %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s)',
                           v_new, v_cfg.key_column, p_from, p_to, v_type);
            v_check := true;
        END IF;
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
          FROM pg_attribute a
         WHERE a.attrelid = p_parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
        -- The rows move between partitions of one table; they are not deleted. A foreign key pointing
        -- at the table would see deletes (ON DELETE CASCADE would delete the rows referencing them,
        -- NO ACTION would refuse); PostgreSQL 14 fires a partition's triggers cloned from the parent
        -- even when they are disabled on the partition. PostgreSQL offers no way to move rows past
        -- either without that: when rows of this range wait in the default, refuse.
        -- (found through pg_depend's index on the referenced table: pg_constraint has none on confrelid,
        -- and a scan of it per partition made cost grow with every table of the database)
        SELECT string_agg(DISTINCT format('%s (constraint %I)', c.conrelid::regclass, c.conname), ', ')
          INTO v_refs
          FROM pg_depend d
          JOIN pg_constraint c ON c.oid = d.objid
         WHERE d.classid = 'pg_constraint'::regclass AND d.refclassid = 'pg_class'::regclass
           AND d.refobjid IN (p_parent, v_default)
           AND c.contype = 'f' AND c.confrelid IN (p_parent, v_default);
        IF current_setting('server_version_num')::integer < 150000 THEN
            SELECT string_agg(quote_ident(t.tgname), ', ' ORDER BY t.tgname) INTO v_cloned
              FROM pg_trigger t
             WHERE t.tgrelid = v_default AND t.tgparentid <> 0 AND t.tgconstraint = 0 AND t.tgenabled <> 'D'
               AND (t.tgtype::integer & 1) = 1;   -- row-level, cloned (14 marks those internal), not a foreign key's
        END IF;
        IF v_refs IS NOT NULL OR v_cloned IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %1$s WHERE %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s)',
                                      v_default, v_cfg.key_column, p_from, p_to, v_type) INTO v_waiting;
        END IF;
        IF v_waiting AND v_refs IS NOT NULL THEN
            RAISE EXCEPTION 'rows of % [%, %) stay in %: % is referenced by foreign keys (%), and moving a row to another partition would fire their ON DELETE actions',
                            v_cfg.parent_table, p_from, p_to, v_default, v_cfg.parent_table, v_refs
                USING ERRCODE = '55000',
                      HINT = format('Move them yourself (create the partition for [%s, %s) after moving its rows out of %s with the referencing rows in mind), or drop those foreign keys; part.verify() reports the rows waiting.',
                                               p_from, p_to, v_default);
        ELSIF v_waiting THEN
            RAISE EXCEPTION 'rows of % [%, %) stay in %: PostgreSQL 14 would fire its row triggers % (from %) for the move, as a delete and an insert',
                            v_cfg.parent_table, p_from, p_to, v_default, v_cloned, v_cfg.parent_table
                USING ERRCODE = '55000',
                      HINT = 'Move them yourself with those triggers in mind, or drop the triggers for the move; PostgreSQL 15 and later move them without firing them.';
        END IF;
        -- No trigger of the default fires for the move (a user's audit trigger would log a delete of
        -- a row that still exists; a migration's sync would mirror it as a delete): its triggers are
        -- disabled while it moves (we hold it exclusively), then set back as they were.
        SELECT array_agg(t.tgname ORDER BY t.tgname), array_agg(t.tgenabled::text ORDER BY t.tgname)
          INTO v_trg, v_trg_mode
          FROM pg_trigger t WHERE t.tgrelid = v_default AND NOT t.tgisinternal AND t.tgenabled <> 'D';
        FOR i IN 1 .. coalesce(cardinality(v_trg), 0) LOOP
            EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_default, v_trg[i]);
        END LOOP;
        -- The move runs with the rights of the table's owner (part._as_owner), never the caller's.
        v_moved := part._as_owner(p_parent, format(
            'WITH moved AS (DELETE FROM %1$s WHERE %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s RETURNING %6$s), '
            'ins AS (INSERT INTO %7$s (%6$s) SELECT %6$s FROM moved RETURNING 1) '
            'SELECT pg_catalog.count(*)::text FROM ins',
            v_default, v_cfg.key_column, p_from, p_to, v_type, v_cols, v_new))::bigint;
        -- we hold the default exclusively: when that emptied it, give its space back now
        IF v_moved > 0 THEN
            EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s)', v_default) INTO v_empty;
            IF v_empty THEN
                PERFORM part._as_owner(p_parent, format('TRUNCATE %s', v_default), p_returns => false);
            END IF;
        END IF;
        FOR i IN 1 .. coalesce(cardinality(v_trg), 0) LOOP
            EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %I', v_default,
                                      CASE v_trg_mode[i] WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, v_trg[i]);
        END LOOP;
    END IF;

    BEGIN
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                       p_parent, v_new, p_from, p_to);
    EXCEPTION WHEN invalid_object_definition THEN   -- 42P17: "would overlap partition ..." among others
        IF NOT v_rows AND part._range_taken(p_parent, v_type, v_lo, v_hi) THEN
            EXECUTE format('DROP TABLE %s', v_new);
            RETURN NULL;
        END IF;
        RAISE;
    END;
    IF v_check THEN   -- the partition's bound says it now
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT part_partition_bound', v_new);
    END IF;
    PERFORM part._sync_partition(v_new);   -- a migration's sync triggers, if the parent has them
    PERFORM part._notice(format('created partition %s [%s, %s)%s', v_new, p_from, p_to,
        CASE WHEN v_moved > 0 THEN format(', moved %s rows from %s', v_moved, v_default) ELSE '' END));
    RETURN part._qualified(v_new);
END
$$;

-- core/_ensure_range_partitions.sql
CREATE FUNCTION part._ensure_range_partitions(p_parent regclass, p_low text, p_high text)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg    part.config := part._config_row(p_parent);
    v_type   regtype := v_cfg.key_type::regtype;
    v_schema text;
    v_prefix text;
    v_from   text;
    v_to     text;
    v_lo     numeric;
    v_hi     numeric;
    v_stop   numeric;
    v_froms  numeric[];
    v_tos    numeric[];
    v_name   text;
    v_new    regclass;
    v_count  integer := 0;
    v_made   integer := 0;
BEGIN
/*
 * Make sure aligned partitions exist for every interval from the one holding
 * p_low to the one holding p_high; returns the names of those it created.
 *
 * For part.migrate_start's copy only: p_parent is a table this transaction
 * created, which no other session can see, so no writer waits and no row
 * waits in its default partition: each partition is a plain CREATE TABLE ...
 * PARTITION OF, and the existing bounds are read once (not once per
 * interval: 1,000 daily intervals took minutes that way).
 */
    IF v_cfg.strategy <> 'range' THEN
        RAISE EXCEPTION 'table % is hash-partitioned', v_cfg.parent_table
            USING ERRCODE = '42809', HINT = 'Range partitions apply to range-partitioned tables only.';
    END IF;
    SELECT n.nspname, coalesce(v_cfg.partition_prefix, c.relname) INTO v_schema, v_prefix
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_parent;
    SELECT coalesce(array_agg(part._bound_ordinal(b.bound_from, v_type)), '{}'),
           coalesce(array_agg(part._bound_ordinal(b.bound_to, v_type)), '{}')
      INTO v_froms, v_tos
      FROM part._partition_bounds(p_parent) b WHERE NOT b.is_default;
    v_from := part._range_floor(p_low, v_type, v_cfg."interval", v_cfg.time_zone);
    v_stop := part._bound_ordinal(p_high, v_type);
    WHILE part._bound_ordinal(v_from, v_type) <= v_stop LOOP
        v_count := v_count + 1;
        IF v_count > 10000 THEN
            RAISE EXCEPTION 'refusing to create more than 10000 partitions of % in one call', v_cfg.parent_table
                USING ERRCODE = '22023',
                      DETAIL = format('Asked for %s to %s with interval %s.', p_low, p_high, v_cfg."interval"),
                      HINT = 'Use a larger interval, or check the key values (a stray far-future or far-past value?).';
        END IF;
        v_to := part._range_next(v_from, v_type, v_cfg."interval", v_cfg.time_zone);
        v_lo := part._bound_ordinal(v_from, v_type);
        v_hi := part._bound_ordinal(v_to, v_type);
        IF NOT EXISTS (SELECT 1 FROM unnest(v_froms, v_tos) AS x(f, t) WHERE x.f < v_hi AND x.t > v_lo) THEN
            v_name := part._partition_name(v_prefix, part._range_suffix(v_from, v_type, v_cfg."interval", v_cfg.time_zone));
            IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
                RAISE EXCEPTION 'cannot create partition %.%: a relation with that name exists', v_schema, v_name
                    USING ERRCODE = '42P07',
                          HINT = 'Rename or drop that relation (or give the migration another partition name prefix), then start again.';
            END IF;
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                                      v_schema, v_name, p_parent, v_from, v_to);
            v_new := format('%I.%I', v_schema, v_name)::regclass;
            PERFORM part._copy_owner_and_grants(p_parent, v_new);
            v_made := v_made + 1;
            RETURN NEXT part._qualified(v_new);
        END IF;
        v_from := v_to;
    END LOOP;
    IF v_made > 0 THEN
        PERFORM part._notice(format('created %s partitions of %s for the rows from %s to %s', v_made, p_parent, p_low, p_high));
    END IF;
END
$$;

-- core/_index_attach.sql
CREATE FUNCTION part._index_attach(p_parent_index regclass, p_index regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wait     interval := coalesce(nullif(current_setting('part.lock_wait', true), '')::interval, interval '10 s');
    v_deadline timestamptz := clock_timestamp() + v_wait;
    v_saved    text := current_setting('lock_timeout');
    v_long     text;
    v_tries    integer := 0;
    v_said     boolean := false;
BEGIN
/*
 * ALTER INDEX p_parent_index ATTACH PARTITION p_index, under part's lock
 * discipline (as part._lock_all, which cannot lock an index): the attach
 * takes ACCESS EXCLUSIVE on the partition's index, which every writer of
 * that partition opens. While a transaction older than 50 ms holds a lock on
 * that index, do not queue behind it (writers would queue behind us): sleep
 * 10 to 30 ms and look again; otherwise try with lock_timeout 50 ms. The
 * budget is part.lock_wait (10 s); then 55P03 naming the sessions in the way.
 */
    LOOP
        SELECT string_agg(DISTINCT format('pid %s (user %s, application %L, %s since %s: %s)',
                   a.pid, a.usename, a.application_name, a.state,
                   to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'), pg_catalog.left(a.query, 80)), '; ')
          INTO v_long
          FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'relation' AND l.relation = p_index AND l.granted AND l.pid <> pg_backend_pid()
           AND a.xact_start < clock_timestamp() - interval '50 ms';
        IF v_long IS NOT NULL AND NOT v_said THEN
            RAISE NOTICE 'part: waiting for a lock held by %; waiting up to %', v_long, v_wait;
            v_said := true;
        END IF;
        IF v_long IS NULL THEN
            v_tries := v_tries + 1;
            BEGIN
                PERFORM set_config('lock_timeout', '50ms', true);
                EXECUTE format('ALTER INDEX %s ATTACH PARTITION %s', p_parent_index, p_index);
                PERFORM set_config('lock_timeout', v_saved, true);
                RETURN;
            EXCEPTION WHEN lock_not_available THEN
                NULL;
            END;
        END IF;
        EXIT WHEN clock_timestamp() >= v_deadline;
        PERFORM pg_sleep(0.01 + 0.02 * random());
    END LOOP;
    RAISE EXCEPTION 'could not attach % to % within % (% attempts)', p_index, p_parent_index, v_wait, v_tries
        USING ERRCODE = '55P03',
              DETAIL = 'Blocked by ' || coalesce(v_long, 'sessions that have since finished') || '.',
              HINT = 'End or wait for the blocking transaction, then run the build again (it resumes); SET part.lock_wait = ''30 s'' waits longer.';
END
$$;

-- core/_index_lock.sql
CREATE FUNCTION part._index_lock(p_rel regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_owner oid;
    v_pid   integer;
BEGIN
/*
 * Before part.create_index or part.attach_index acts on p_rel's indexes:
 * the caller must be a superuser or a member of the table owner's role (the
 * steps it runs, CREATE INDEX CONCURRENTLY among them, run as the caller:
 * PostgreSQL evaluates index expressions as the table owner). Then the
 * build's session-level advisory lock (1885434486, the table's oid): one
 * session at a time builds indexes on a table, so that no runner drops an
 * invalid index another one is still building. It stays with the session
 * that runs the steps (psql's \gexec, pginstall index) until it ends.
 */
    SELECT c.relowner INTO v_owner FROM pg_class c WHERE c.oid = p_rel;
    IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
       AND NOT pg_has_role(current_user, v_owner, 'MEMBER') THEN
        RAISE EXCEPTION 'part builds indexes on % with the rights of its owner %, and % is not a member of that role',
                        p_rel, pg_get_userbyid(v_owner), current_user
            USING ERRCODE = '42501',
                  HINT = format('Run it as %I (or a member of that role) or as a superuser.', pg_get_userbyid(v_owner));
    END IF;
    IF NOT pg_try_advisory_lock(1885434486, (p_rel::oid::bigint - CASE WHEN p_rel::oid::bigint > 2147483647 THEN 4294967296 ELSE 0 END)::integer) THEN
        SELECT l.pid INTO v_pid FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1885434486 AND l.objid = p_rel::oid AND l.objsubid = 2
           AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
         LIMIT 1;
        RAISE EXCEPTION 'another session (pid %) is building an index on %', coalesce(v_pid::text, '?'), p_rel
            USING ERRCODE = '55P03',
                  HINT = format('Wait for it to finish (pg_stat_progress_create_index shows it), or end it (SELECT pg_terminate_backend(%s)) and run the build again: it resumes.', coalesce(v_pid::text, 'pid'));
    END IF;
END
$$;

-- core/_index_name.sql
CREATE FUNCTION part._index_name(p_table regclass, p_index regclass, p_definition text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_suffix text;
    v_name   text;
    v_nsp    oid;
    v_rel    text;
BEGIN
/*
 * The name part.create_index gives its index on p_table (the parent, or a
 * partition), for an index shaped like p_index: `<table>_<key columns>_idx`
 * (an expression counts as `expr`, as PostgreSQL names them), within 63
 * bytes (part._partition_name cuts the table part and adds a short hash).
 * Deterministic: the same table and definition give the same name. When a
 * relation of that name exists already and is not an index of p_table with
 * this definition, a short hash of the definition goes in the name.
 */
    SELECT string_agg(coalesce(a.attname::text, 'expr'), '_' ORDER BY k.n)
      INTO v_suffix
      FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum AND k.attnum > 0
     WHERE i.indexrelid = p_index AND k.n <= i.indnkeyatts;
    v_suffix := coalesce(v_suffix, 'expr');
    WHILE octet_length(v_suffix) > 40 LOOP
        v_suffix := pg_catalog.left(v_suffix, -1);
    END LOOP;
    v_suffix := v_suffix || '_idx';
    SELECT c.relnamespace, c.relname INTO v_nsp, v_rel FROM pg_class c WHERE c.oid = p_table;
    v_name := part._partition_name(v_rel, v_suffix);
    IF EXISTS (SELECT 1 FROM pg_class c
                WHERE c.relnamespace = v_nsp AND c.relname = v_name
                  AND NOT EXISTS (SELECT 1 FROM pg_index i
                                   WHERE i.indexrelid = c.oid AND i.indrelid = p_table
                                     AND part._index_definition(c.oid) = p_definition)) THEN
        v_name := part._partition_name(v_rel, pg_catalog.left(md5(p_definition), 6) || '_' || v_suffix);
    END IF;
    RETURN v_name;
END
$$;

-- core/_interval_spec.sql
CREATE FUNCTION part._interval_spec(p_interval text, p_key_type regtype,
                                            OUT kind text, OUT months integer, OUT days integer,
                                            OUT seconds numeric, OUT width bigint)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_iv interval;
BEGIN
/*
 * Parse and check a range interval for a key type. kind is one of
 * 'months' (months = n), 'weeks' (days = 7n), 'days' (days = n),
 * 'subdaily' (seconds = n), 'integer' (width = n). Bad values: 22023;
 * a key type that range partitioning by interval cannot use: 42804.
 * Bounds: a time interval lasts at least a minute (partition names go
 * down to the minute) and at most 100 years; an integer width is at most
 * 10^18 (the bigint keys hold about 18 of those).
 */
    IF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        IF p_interval IS NULL OR p_interval !~ '^\s*[0-9]+\s*$' THEN
            RAISE EXCEPTION 'invalid interval "%" for an integer key', p_interval
                USING ERRCODE = '22023', HINT = 'Give the width of each partition as a positive integer, e.g. ''100000''.';
        END IF;
        IF btrim(p_interval)::numeric > 1e18 THEN
            RAISE EXCEPTION 'invalid interval "%": the width is at most 1000000000000000000', p_interval
                USING ERRCODE = '22023', HINT = 'Give the width of each partition as a positive integer, e.g. ''100000''.';
        END IF;
        width := btrim(p_interval)::numeric;
        IF width <= 0 THEN
            RAISE EXCEPTION 'invalid interval "%": the width must be positive', p_interval
                USING ERRCODE = '22023', HINT = 'Give the width of each partition as a positive integer, e.g. ''100000''.';
        END IF;
        kind := 'integer';
        RETURN;
    END IF;
    IF p_key_type NOT IN ('timestamp without time zone'::regtype, 'timestamp with time zone'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'a column of type % cannot be range-partitioned by part', p_key_type
            USING ERRCODE = '42804',
                  HINT = 'Range partitions need a timestamp, timestamptz, date, smallint, integer or bigint key; use hash for other types.';
    END IF;
    IF p_interval IS NULL OR p_interval ~ '^\s*[0-9.]+\s*$' THEN
        RAISE EXCEPTION 'invalid interval "%" for a % key', p_interval, p_key_type
            USING ERRCODE = '22023', HINT = 'Write an interval with its unit: ''1 month'', ''3 months'', ''1 week'', ''1 day'', ''6 hours''.';
    END IF;
    IF p_interval ~* '^\s*[0-9]{1,6}\s*(years?|mons?|months?|weeks?|days?|hours?|mins?|minutes?|secs?|seconds?)\s*$' THEN
        v_iv := p_interval::interval;   -- the usual forms cannot fail: no subtransaction on the hot path
    ELSE
        BEGIN
            v_iv := p_interval::interval;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow OR syntax_error THEN
            RAISE EXCEPTION 'invalid interval "%"', p_interval
                USING ERRCODE = '22023', HINT = 'Write an interval with its unit: ''1 month'', ''3 months'', ''1 week'', ''1 day'', ''6 hours''.';
        END;
    END IF;
    months := date_part('year', v_iv) * 12 + date_part('month', v_iv);
    days := date_part('day', v_iv);
    seconds := extract(epoch FROM (v_iv - make_interval(months => months, days => days)));
    IF months < 0 OR days < 0 OR seconds < 0 OR (months = 0 AND days = 0 AND seconds = 0) THEN
        RAISE EXCEPTION 'invalid interval "%": it must be positive', p_interval
            USING ERRCODE = '22023', HINT = 'Use a positive interval such as ''1 month''.';
    END IF;
    IF months > 1200 OR days > 36525 OR seconds > 3155760000 THEN   -- 36525 days in seconds
        RAISE EXCEPTION 'invalid interval "%": it is longer than 100 years', p_interval
            USING ERRCODE = '22023', HINT = 'Use an interval from ''1 minute'' to ''100 years'', such as ''1 month''.';
    END IF;
    IF (months > 0)::int + (days > 0)::int + (seconds > 0)::int > 1 THEN
        RAISE EXCEPTION 'invalid interval "%": mixes months, days and hours', p_interval
            USING ERRCODE = '22023', HINT = 'Use a whole number of months, of days (or weeks), or of hours/minutes, e.g. ''3 months'' or ''14 days''.';
    END IF;
    IF months > 0 THEN
        kind := 'months';
    ELSIF days > 0 THEN
        kind := CASE WHEN days % 7 = 0 THEN 'weeks' ELSE 'days' END;
    ELSE
        IF p_key_type = 'date'::regtype THEN
            RAISE EXCEPTION 'interval "%" is shorter than a day, which a date key cannot use', p_interval
                USING ERRCODE = '22023', HINT = 'Use an interval of at least ''1 day'' for a date column.';
        END IF;
        IF seconds < 60 OR seconds % 60 <> 0 THEN
            RAISE EXCEPTION 'invalid interval "%": partitions are at least one minute wide, in whole minutes', p_interval
                USING ERRCODE = '22023', HINT = 'Use e.g. ''1 minute'', ''15 minutes'', ''1 hour'' (partition names go down to the minute).';
        END IF;
        IF 86400 % seconds <> 0 AND seconds % 86400 <> 0 THEN
            RAISE EXCEPTION 'invalid interval "%": a sub-daily interval must divide a day', p_interval
                USING ERRCODE = '22023', HINT = 'Use e.g. ''1 hour'', ''6 hours'', ''30 minutes''.';
        END IF;
        kind := 'subdaily';
    END IF;
END
$$;

-- core/_key_limits.sql
CREATE FUNCTION part._key_limits(p_key_type regtype, p_interval text, OUT lo text, OUT hi text)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := part._interval_spec(p_interval, p_key_type);
    v_min  numeric;
    v_max  numeric;
BEGIN
/*
 * The keys part can give an aligned partition of its own: lo <= key < hi
 * (literals of the key type). Outside: integer keys whose interval would
 * have a bound beyond the type (the bigint extremes, say), and time keys
 * that are infinite or beyond the aligned intervals holding the years 1000
 * and 9999 (whose partition names and bounds stay ordinary). Maintenance
 * leaves such rows in the default partition, without letting them hold up
 * the others, and part.verify() reports them: only the user can decide
 * where they go (a partition FROM (...) TO (MAXVALUE) made by hand, say).
 */
    IF v_spec.kind = 'integer' THEN
        v_min := CASE p_key_type WHEN 'smallint'::regtype THEN -32768 WHEN 'integer'::regtype THEN -2147483648
                                 ELSE -9223372036854775808 END;
        v_max := CASE p_key_type WHEN 'smallint'::regtype THEN 32767 WHEN 'integer'::regtype THEN 2147483647
                                 ELSE 9223372036854775807 END;
        -- the first aligned start at or above the minimum, and the end of the last interval whose
        -- end fits (div/mod: numeric division would round these 19-digit values)
        lo := (-(div(-v_min, v_spec.width) * v_spec.width))::text;
        hi := ((div(v_max - v_spec.width, v_spec.width)
                - CASE WHEN mod(v_max - v_spec.width, v_spec.width) < 0 THEN 1 ELSE 0 END) * v_spec.width
               + v_spec.width)::text;
        RETURN;
    END IF;
    lo := part._range_floor(part._literal(timestamp '1000-01-01 00:00:00', p_key_type), p_key_type, p_interval);
    hi := part._range_floor(part._literal(timestamp '9999-01-01 00:00:00', p_key_type), p_key_type, p_interval);
END
$$;

-- core/_key_type.sql
CREATE FUNCTION part._key_type(p_rel regclass, p_key text)
    RETURNS regtype
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_type regtype;
BEGIN
/*
 * The type of column p_key of p_rel; 42703 with a HINT when there is none
 * (22023 when p_key is NULL or empty).
 */
    IF p_key IS NULL OR p_key = '' THEN
        RAISE EXCEPTION 'a key column is required'
            USING ERRCODE = '22023',
                  HINT = format('Name the partition key, one of the columns of %s: %s.', part._qualified(p_rel),
                      (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                         FROM pg_attribute a
                        WHERE a.attrelid = p_rel AND a.attnum > 0 AND NOT a.attisdropped));
    END IF;
    SELECT a.atttypid::regtype INTO v_type
      FROM pg_attribute a
     WHERE a.attrelid = p_rel AND a.attname = p_key AND a.attnum > 0 AND NOT a.attisdropped;
    IF v_type IS NULL THEN
        RAISE EXCEPTION 'column "%" of table % does not exist', p_key, part._qualified(p_rel)
            USING ERRCODE = '42703',
                  HINT = format('Use one of its columns: %s.',
                      (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                         FROM pg_attribute a
                        WHERE a.attrelid = p_rel AND a.attnum > 0 AND NOT a.attisdropped));
    END IF;
    RETURN v_type;
END
$$;

-- core/_managed_rel.sql
CREATE FUNCTION part._managed_rel(p_name text)
    RETURNS regclass
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The partitioned table a name of part.config stands for, or NULL when
     * that name is now something else: part.config keeps names, and the
     * table's owner may have renamed the table and put a view (whose
     * functions would run with the reader's rights) or any other relation
     * under its name. Nothing of part reads a managed table through a name
     * without this check.
     */
    SELECT c.oid::regclass FROM pg_class c
     WHERE c.oid = to_regclass(p_name) AND c.relkind = 'p'
$$;

-- core/_normalize_bound.sql
CREATE FUNCTION part._normalize_bound(p_value text, p_key_type regtype)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A bound as read from the catalog (in the session's TimeZone for
 * timestamptz) rewritten in UTC, so that bounds read the same for everyone.
 */
    IF p_value IS NULL OR upper(p_value) IN ('MINVALUE', 'MAXVALUE')
       OR p_key_type NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype) THEN
        RETURN p_value;
    END IF;
    RETURN part._literal(part._to_utc(p_value, p_key_type), p_key_type);
END
$$;

-- core/_ordinal_literal.sql
CREATE FUNCTION part._ordinal_literal(p_ordinal float8, p_key_type regtype)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* the inverse of part._bound_ordinal: a bound as a literal of the key type, in UTC */
    SELECT CASE
        WHEN p_ordinal IS NULL THEN NULL
        WHEN p_ordinal <= -1e30 THEN 'MINVALUE'
        WHEN p_ordinal >= 1e30 THEN 'MAXVALUE'
        -- numeric, not bigint: a float8 near the bigint extremes is out of bigint's range (display only)
        WHEN p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN round(p_ordinal::numeric)::text
        ELSE part._literal(to_timestamp(p_ordinal) AT TIME ZONE 'UTC', p_key_type) END
$$;

-- core/_partition_bounds.sql
CREATE FUNCTION part._partition_bounds(p_parent regclass)
    RETURNS TABLE(partition_oid oid, partition_name text, is_default boolean,
                  bound_from text, bound_to text, modulus integer, remainder integer)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The direct partitions of p_parent with their bounds, read from the
     * catalog: range bounds as literals of the key type (quotes removed;
     * MINVALUE/MAXVALUE as such), hash modulus and remainder.
     */
    SELECT c.oid,
           format('%I.%I', n.nspname, c.relname),
           b.expr = 'DEFAULT',
           replace(regexp_replace(r.m[1], '^''(.*)''$', '\1'), '''''', ''''),
           replace(regexp_replace(r.m[2], '^''(.*)''$', '\1'), '''''', ''''),
           h.m[1]::int,
           h.m[2]::int
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL (SELECT pg_get_expr(c.relpartbound, c.oid) AS expr) b
      LEFT JOIN LATERAL (SELECT regexp_match(b.expr, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') AS m) r ON true
      LEFT JOIN LATERAL (SELECT regexp_match(b.expr, '^FOR VALUES WITH \(modulus (\d+), remainder (\d+)\)$') AS m) h ON true
     WHERE i.inhparent = p_parent
$$;

-- core/_partition_name.sql
CREATE FUNCTION part._partition_name(p_table_name text, p_suffix text)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name   text := p_table_name || '_' || p_suffix;
    v_hash   text;
    v_room   integer;
    v_prefix text := p_table_name;
BEGIN
/*
 * `<table>_<suffix>`; when that passes PostgreSQL's 63-byte limit, the table
 * part is cut (on a character boundary) and a short hash of the full name is
 * added, so that names stay unique and the suffix stays readable.
 */
    IF octet_length(v_name) <= 63 THEN
        RETURN v_name;
    END IF;
    v_hash := pg_catalog.left(md5(v_name), 6);
    v_room := 63 - octet_length('_' || v_hash || '_' || p_suffix);
    WHILE octet_length(v_prefix) > v_room LOOP
        v_prefix := pg_catalog.left(v_prefix, -1);
    END LOOP;
    RETURN v_prefix || '_' || v_hash || '_' || p_suffix;
END
$$;

-- core/_range_floor.sql
CREATE FUNCTION part._range_floor(p_value text, p_key_type regtype, p_interval text,
                                          p_time_zone text DEFAULT 'UTC')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec  record := part._interval_spec(p_interval, p_key_type);
    v_ts    timestamp;
    v_n     bigint;
    v_zoned boolean := p_time_zone <> 'UTC' AND p_key_type = 'timestamp with time zone'::regtype
                       AND v_spec.kind IN ('months', 'weeks', 'days');
BEGIN
/*
 * The aligned start of the interval holding p_value: days at 00:00 UTC,
 * weeks on ISO Mondays, months on January 1st (quarters on Jan/Apr/Jul/Oct),
 * sub-daily intervals on the Unix epoch, integers on multiples of the width.
 * p_time_zone (a timestamptz key's table zone, part.config.time_zone): days,
 * weeks and months begin at midnight on that zone's clocks (the first
 * instant of the local day: part._zone_start), whatever the session's TimeZone.
 */
    IF v_spec.kind = 'integer' THEN
        -- div/mod, exact: numeric division rounds 19-digit keys (9223372036854775795 / 10)
        RETURN ((div(p_value::numeric, v_spec.width)
                 - CASE WHEN mod(p_value::numeric, v_spec.width) < 0 THEN 1 ELSE 0 END) * v_spec.width)::bigint::text;
    END IF;
    v_ts := CASE WHEN v_zoned THEN p_value::timestamptz AT TIME ZONE p_time_zone
                 ELSE part._to_utc(p_value, p_key_type) END;
    IF v_spec.kind = 'months' THEN
        v_n := (date_part('year', v_ts) * 12 + date_part('month', v_ts) - 1)::bigint;
        v_n := floor(v_n::numeric / v_spec.months)::bigint * v_spec.months;
        v_ts := make_timestamp((floor(v_n / 12.0))::int, (v_n - floor(v_n / 12.0) * 12)::int + 1, 1, 0, 0, 0);
    ELSIF v_spec.kind IN ('weeks', 'days') THEN
        v_n := (date_trunc('day', v_ts)::date
                - CASE v_spec.kind WHEN 'weeks' THEN date '1970-01-05' ELSE date '1970-01-01' END);
        v_n := floor(v_n::numeric / v_spec.days)::bigint * v_spec.days;
        v_ts := (CASE v_spec.kind WHEN 'weeks' THEN date '1970-01-05' ELSE date '1970-01-01' END + v_n::int)::timestamp;
    ELSE
        v_ts := to_timestamp(floor(extract(epoch FROM v_ts) / v_spec.seconds) * v_spec.seconds)
                AT TIME ZONE 'UTC';
    END IF;
    IF v_zoned THEN
        v_ts := part._zone_start(v_ts, p_time_zone);
    END IF;
    RETURN part._literal(v_ts, p_key_type);
END
$$;

-- core/_range_next.sql
CREATE FUNCTION part._range_next(p_from text, p_key_type regtype, p_interval text,
                                         p_time_zone text DEFAULT 'UTC')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := part._interval_spec(p_interval, p_key_type);
    v_ts   timestamp;
    v_zoned boolean := p_time_zone <> 'UTC' AND p_key_type = 'timestamp with time zone'::regtype
                       AND v_spec.kind IN ('months', 'weeks', 'days');
BEGIN
/*
 * The start of the interval after the one starting at p_from (an aligned start).
 * With a table zone (p_time_zone, see part._range_floor) the interval is
 * added on that zone's calendar: a local day lasts 23 or 25 hours across a
 * change of clocks, and the next one begins where it ends.
 */
    IF v_spec.kind = 'integer' THEN
        RETURN (p_from::bigint + v_spec.width)::text;
    END IF;
    IF v_zoned THEN
        -- the local date of the start (a day whose midnight the clocks skip starts at 01:00)
        v_ts := date_trunc('day', p_from::timestamptz AT TIME ZONE p_time_zone);
        v_ts := v_ts + make_interval(months => v_spec.months, days => v_spec.days);
        RETURN part._literal(part._zone_start(v_ts, p_time_zone), p_key_type);
    END IF;
    v_ts := part._to_utc(p_from, p_key_type);
    v_ts := v_ts + make_interval(months => v_spec.months, days => v_spec.days, secs => v_spec.seconds::double precision);
    RETURN part._literal(v_ts, p_key_type);
END
$$;

-- core/_range_suffix.sql
CREATE FUNCTION part._range_suffix(p_from text, p_key_type regtype, p_interval text,
                                           p_time_zone text DEFAULT 'UTC')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := part._interval_spec(p_interval, p_key_type);
    v_ts   timestamp;
BEGIN
/*
 * The name suffix of the partition starting at p_from: YYYY_MM (months),
 * YYYY_qN (quarters), YYYY (years), IYYY_wIW (weeks), YYYY_MM_DD (days),
 * YYYY_MM_DD_HH24MI (sub-daily), the lower bound (integers; m for minus).
 * With a table zone (p_time_zone: days, weeks and months only), the local
 * date of the start: the partition of the Paris day 2025-03-30 is _2025_03_30
 * though it begins at 2025-03-29 23:00 UTC.
 */
    IF v_spec.kind = 'integer' THEN
        RETURN replace(p_from, '-', 'm');
    END IF;
    v_ts := CASE WHEN p_time_zone <> 'UTC' AND p_key_type = 'timestamp with time zone'::regtype
                      AND v_spec.kind IN ('months', 'weeks', 'days')
                 THEN date_trunc('day', p_from::timestamptz AT TIME ZONE p_time_zone)
                 ELSE part._to_utc(p_from, p_key_type) END;
    RETURN CASE
        WHEN v_spec.kind = 'months' AND v_spec.months = 12 THEN to_char(v_ts, 'YYYY')
        WHEN v_spec.kind = 'months' AND v_spec.months = 3 THEN to_char(v_ts, 'YYYY_"q"Q')
        WHEN v_spec.kind = 'months' THEN to_char(v_ts, 'YYYY_MM')
        WHEN v_spec.kind = 'weeks' THEN to_char(v_ts, 'IYYY_"w"IW')
        WHEN v_spec.kind = 'days' THEN to_char(v_ts, 'YYYY_MM_DD')
        ELSE to_char(v_ts, 'YYYY_MM_DD_HH24MI')
    END;
END
$$;

-- core/_range_taken.sql
CREATE FUNCTION part._range_taken(p_parent regclass, p_key_type regtype, p_lo numeric, p_hi numeric)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    /*
     * Whether a range partition of p_parent overlaps [p_lo, p_hi) (ordinals
     * as part._bound_ordinal computes them: epoch seconds for time keys, the
     * value for integer keys), in one query: the bounds read from the catalog
     * and turned into ordinals in SQL, where part._partition_bounds with
     * part._bound_ordinal per bound made four PL/pgSQL calls per partition
     * (what part._create_range_partition's checks, one of them under the
     * parent's lock, cost per partition made). PL/pgSQL, not SQL: it keeps
     * the query's plan for the session, where a SQL function with a SET clause
     * plans it again in every transaction (maintenance makes one partition
     * per transaction). pg_get_expr without the partition's oid: a bound
     * holds constants only, and with it pg_get_expr would open (and lock)
     * every partition to name its columns.
     */
    RETURN EXISTS (
        SELECT 1
          FROM pg_inherits i
          JOIN pg_class k ON k.oid = i.inhrelid
         CROSS JOIN LATERAL (SELECT pg_get_expr(k.relpartbound, 0) AS expr) e
         CROSS JOIN LATERAL (SELECT btrim(split_part(split_part(e.expr, 'FROM (', 2), ') TO (', 1), '''') AS lo,
                                    btrim(rtrim(split_part(e.expr, ') TO (', 2), ')'), '''') AS hi) l
         CROSS JOIN LATERAL (
             SELECT CASE WHEN upper(l.lo) IN ('MINVALUE', '-INFINITY') THEN -1e30
                         WHEN upper(l.lo) IN ('MAXVALUE', 'INFINITY') THEN 1e30
                         WHEN p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN l.lo::numeric
                         WHEN p_key_type = 'timestamp with time zone'::regtype THEN extract(epoch FROM l.lo::timestamptz)
                         WHEN p_key_type = 'timestamp without time zone'::regtype THEN extract(epoch FROM l.lo::timestamp)
                         ELSE extract(epoch FROM l.lo::date::timestamp) END AS lo,
                    CASE WHEN upper(l.hi) IN ('MINVALUE', '-INFINITY') THEN -1e30
                         WHEN upper(l.hi) IN ('MAXVALUE', 'INFINITY') THEN 1e30
                         WHEN p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN l.hi::numeric
                         WHEN p_key_type = 'timestamp with time zone'::regtype THEN extract(epoch FROM l.hi::timestamptz)
                         WHEN p_key_type = 'timestamp without time zone'::regtype THEN extract(epoch FROM l.hi::timestamp)
                         ELSE extract(epoch FROM l.hi::date::timestamp) END AS hi) o
         WHERE i.inhparent = p_parent
           AND e.expr LIKE 'FOR VALUES FROM (%'
           AND o.lo < p_hi AND o.hi > p_lo);
END
$$;

-- core/_to_utc.sql
CREATE FUNCTION part._to_utc(p_value text, p_key_type regtype)
    RETURNS timestamp
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A time key value (text in the key's type) as a UTC wall-clock timestamp.
 * timestamp and date keys are taken as UTC already; a timestamptz literal
 * carries its offset, so the session's TimeZone never shifts a bound.
 */
    RETURN CASE p_key_type
        WHEN 'timestamp with time zone'::regtype THEN p_value::timestamptz AT TIME ZONE 'UTC'
        WHEN 'timestamp without time zone'::regtype THEN p_value::timestamp
        WHEN 'date'::regtype THEN p_value::date::timestamp
    END;
END
$$;

-- core/_zone_minus.sql
CREATE FUNCTION part._zone_minus(p_interval text, p_zone text)
    RETURNS timestamp
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The instant p_interval (a retention) before now, counted on the calendar
     * of zone p_zone, as a UTC wall-clock time: '30 days' before 12:00 in
     * Paris is 12:00 there 30 days ago, whatever the changes of clocks in
     * between. 'UTC' gives (now() AT TIME ZONE 'UTC') - p_interval.
     */
    SELECT CASE WHEN p_zone = 'UTC' THEN (now() AT TIME ZONE 'UTC') - p_interval::interval
                ELSE part._zone_start((now() AT TIME ZONE p_zone) - p_interval::interval, p_zone) END
$$;

-- core/_zone_start.sql
CREATE FUNCTION part._zone_start(p_local timestamp, p_zone text)
    RETURNS timestamp
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at     timestamp := (p_local AT TIME ZONE p_zone) AT TIME ZONE 'UTC';   -- PostgreSQL's reading
    v_before interval;
    v_early  timestamp;
BEGIN
/*
 * The first instant (as a UTC wall-clock time) at which the clocks of zone
 * p_zone (an IANA name) show p_local or later: where a table's local day,
 * week or month begins. PostgreSQL reads a local time that a change of
 * clocks skips (00:00 in a zone moving to summer time at midnight) with the
 * offset before the change, which is that first instant; a local time the
 * clocks show twice (00:30 where they go back from 01:00 to 00:00) it
 * reads as the second one: the first is taken here, so a day starts when
 * its clocks first show midnight and every instant of it lies in its
 * partition.
 */
    v_before := ((v_at - interval '1 day') AT TIME ZONE 'UTC') AT TIME ZONE p_zone - (v_at - interval '1 day');
    v_early := p_local - v_before;
    IF v_early < v_at AND ((v_early AT TIME ZONE 'UTC') AT TIME ZONE p_zone) = p_local THEN
        RETURN v_early;
    END IF;
    RETURN v_at;
END
$$;

-- maintenance/drop_old.sql
CREATE FUNCTION part.drop_old(p_retention text DEFAULT NULL, p_parent text DEFAULT NULL,
                                     p_dry_run boolean DEFAULT false)
    RETURNS TABLE(partition_name text, parent_table text, action text, kept_as text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only    regclass;
    v_t       record;
    v_type    regtype;
    v_ret     text;
    v_cut     numeric;
    v_cutlit  text;
    v_parts   regclass[];
    v_names   text[];
    v_default regclass;
    v_schema  text;
    v_name    text;
    v_target  text;
    v_phase   text;
    v_newer   boolean;
    v_run     bigint := nullif(current_setting('part.run_id', true), '')::bigint;
    v_alone   boolean := v_run IS NULL;   -- not called by part.run_maintenance
    v_begun   timestamptz := clock_timestamp();
    v_count   integer := 0;
    v_hard    text[] := '{}'::text[];             -- failures other than a lock not obtained
    v_started timestamptz;
    v_failed  text[] := '{}'::text[];
    v_done    text[];
    v_act     text[];
    v_kept    text[];
BEGIN
/*
 * Retire the range partitions wholly older than the retention, for every
 * managed range table (each by its own retention; a table without one keeps
 * everything) or only p_parent. A p_retention given in the call applies to
 * the table named by p_parent only, and is refused (22023) without one, so
 * a call never retires partitions of a table that keeps more. By the
 * table's retention mode:
 *   drop:    detach, then drop the table;
 *   detach:  detach and leave the table where it is;
 *   archive: detach and move it into schema part_archive (created on
 *            demand; never an extension member, so uninstalling part never
 *            drops archived data).
 * A partition is retired only when its upper bound is at or below
 * now() - retention (time keys, UTC) or max(key) - retention (integer
 * keys), and it is checked to hold no newer row; the default partition never
 * is. Tables taking part in an unfinished migration are left alone (the
 * other copy still holds those rows). Inside a function PostgreSQL allows
 * only a plain DETACH, which needs ACCESS EXCLUSIVE on the parent: the locks
 * are taken with short timeouts and retries (part._lock), and held only until
 * the caller commits. Each action is logged in part.maintenance_log; a table
 * that fails is logged and the others still run (a warning names them).
 * Called on its own for every table (the retention job of pginstall), it
 * also writes a summary row (action 'retention') that part.verify() reads.
 * Returns one row per partition retired: its name, its table, what was done
 * (dropped, detached, archived) and the name it is kept under (NULL when
 * dropped). p_dry_run => true changes nothing, takes no lock and logs
 * nothing: it returns the same rows with action 'would drop', 'would
 * detach' or 'would archive' (kept_as: the name it would have).
 */
    PERFORM part._check_trust();   -- nothing a less privileged role changed steers what is dropped
    IF p_dry_run IS NULL THEN
        RAISE EXCEPTION 'p_dry_run must not be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true to list what would be retired, or false (the default) to retire it.';
    END IF;
    IF p_retention IS NOT NULL AND p_parent IS NULL THEN
        RAISE EXCEPTION 'a retention given to part.drop_old applies to one table: name it in p_parent'
            USING ERRCODE = '22023',
                  HINT = format('Call part.drop_old(%L, ''<schema.table>''), or part.drop_old() to retire by each table''s own retention (part.config).',
                                           p_retention);
    END IF;
    IF v_alone AND NOT p_dry_run THEN
        v_run := nextval('part.maintenance_run_id_seq');
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        IF (part._config_row(v_only)).strategy <> 'range' THEN
            RAISE EXCEPTION 'table % is hash-partitioned: it has no old partitions to retire', p_parent
                USING ERRCODE = '42809', HINT = 'Retention applies to range-partitioned tables only.';
        END IF;
    END IF;
    IF p_retention IS NOT NULL THEN   -- checked against the table it applies to, before touching it
        PERFORM part._check_retention(p_retention, (part._config_row(v_only)).key_type::regtype);
    END IF;

    FOR v_t IN
        SELECT c.parent_table AS parent, c.key_column, c.key_type, c.retention_mode, c.time_zone,
               coalesce(p_retention, c.retention) AS retention, part._managed_rel(c.parent_table) AS rel
          FROM part.config c
         WHERE c.strategy = 'range' AND coalesce(p_retention, c.retention) IS NOT NULL
           AND (v_only IS NULL OR c.parent_table = part._qualified(v_only))
         ORDER BY c.parent_table
    LOOP
        v_started := clock_timestamp();
        v_done := '{}';
        v_act := '{}';
        v_kept := '{}';
        BEGIN
            IF v_t.rel IS NULL THEN
                RAISE EXCEPTION 'table % does not exist', v_t.parent
                    USING ERRCODE = '42P01', HINT = 'Remove it from part.config (pginstall apply does) or recreate it.';
            END IF;
            SELECT m.phase INTO v_phase FROM part.migration m
             WHERE v_t.parent IN (m.table_name, m.partitioned_table, m.legacy_table)
               AND m.phase <> 'finalized' LIMIT 1;
            CONTINUE WHEN v_phase IS NOT NULL AND p_dry_run;
            IF v_phase IS NOT NULL THEN
                INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail)
                VALUES (v_run, v_t.parent, 'retire', 'skipped',
                        format('migration in phase %s: retention waits for part.finalize', v_phase));
                CONTINUE;
            END IF;

            v_type := v_t.key_type::regtype;
            v_ret := v_t.retention;
            IF v_t.key_type IN ('smallint', 'integer', 'bigint') THEN
                EXECUTE format('SELECT pg_catalog.max(%I) - %s FROM %s', v_t.key_column,
                                          btrim(v_ret)::bigint, v_t.rel) INTO v_cut;
                v_cutlit := v_cut::text;
            ELSE
                v_cutlit := part._literal(part._zone_minus(v_ret, v_t.time_zone), v_type);
                v_cut := part._bound_ordinal(v_cutlit, v_type);
            END IF;
            CONTINUE WHEN v_cut IS NULL;

            SELECT array_agg(b.partition_oid::regclass ORDER BY part._bound_ordinal(b.bound_from, v_type)),
                   array_agg(b.partition_name ORDER BY part._bound_ordinal(b.bound_from, v_type))
              INTO v_parts, v_names
              FROM part._partition_bounds(v_t.rel) b
             WHERE NOT b.is_default AND part._bound_ordinal(b.bound_to, v_type) <= v_cut;
            CONTINUE WHEN v_parts IS NULL;

            -- never a partition holding a row newer than the retention (the bounds say so; check anyway)
            FOR i IN 1 .. cardinality(v_parts) LOOP
                EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1::%s)',
                                          v_parts[i], v_t.key_column, v_type)
                   INTO v_newer USING v_cutlit;
                IF v_newer THEN
                    RAISE EXCEPTION 'partition % holds rows newer than the retention cutoff %', v_names[i], v_cutlit
                        USING ERRCODE = '55000', HINT = 'Its bounds and contents disagree: check the partition by hand.';
                END IF;
            END LOOP;

            IF p_dry_run THEN
                FOR i IN 1 .. cardinality(v_parts) LOOP
                    v_done := v_done || v_names[i];
                    v_act := v_act || ('would ' || v_t.retention_mode);
                    v_kept := v_kept || CASE v_t.retention_mode
                                        WHEN 'drop' THEN NULL
                                        WHEN 'detach' THEN v_names[i]
                                        ELSE format('part_archive.%I',
                                                 (SELECT c.relname FROM pg_class c WHERE c.oid = v_parts[i])) END;
                END LOOP;
                v_count := v_count + cardinality(v_done);
                RETURN QUERY SELECT d.n, v_t.parent, d.a, d.k FROM ROWS FROM (unnest(v_done), unnest(v_act), unnest(v_kept)) AS d(n, a, k);
                CONTINUE;
            END IF;

            -- lock order as PostgreSQL's own: parent, partitions, default; all or none per
            -- attempt, so writers never wait behind a parent lock held while we wait for another
            SELECT b.partition_oid::regclass INTO v_default
              FROM part._partition_bounds(v_t.rel) b WHERE b.is_default;
            PERFORM part._lock_all(
                ARRAY[v_t.rel] || v_parts || CASE WHEN v_default IS NULL THEN '{}'::regclass[] ELSE ARRAY[v_default] END,
                array_fill('ACCESS EXCLUSIVE'::text, ARRAY[cardinality(v_parts) + 1 + (v_default IS NOT NULL)::int]));

            FOR i IN 1 .. cardinality(v_parts) LOOP
                EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_t.rel, v_parts[i]);
                v_target := NULL;
                IF v_t.retention_mode = 'drop' THEN
                    EXECUTE format('DROP TABLE %s', v_parts[i]);
                ELSIF v_t.retention_mode = 'archive' THEN
                    PERFORM part._archive_schema();   -- created by part, or refused when someone else made it
                    SELECT n.nspname, c.relname INTO v_schema, v_name
                      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.oid = v_parts[i];
                    IF to_regclass(format('part_archive.%I', v_name)) IS NOT NULL THEN
                        v_name := part._partition_name(v_name, v_schema);
                        IF to_regclass(format('part_archive.%I', v_name)) IS NOT NULL THEN
                            RAISE EXCEPTION 'cannot archive %: part_archive already holds % and %', v_names[i],
                                    format('part_archive.%I', split_part(v_names[i], '.', 2)),
                                    format('part_archive.%I', v_name)
                                USING ERRCODE = '42P07', HINT = 'Rename or drop the archived copies first.';
                        END IF;
                        EXECUTE format('ALTER TABLE %s RENAME TO %I', v_parts[i], v_name);
                    END IF;
                    EXECUTE format('ALTER TABLE %s SET SCHEMA part_archive', v_parts[i]);
                    v_target := part._qualified(v_parts[i]);
                    EXECUTE format('COMMENT ON TABLE %s IS %L', v_parts[i],
                        format('part: partition %s of %s, archived by part.drop_old on %s (retention %s)',
                                          v_names[i], v_t.parent,
                                          to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), v_ret));
                END IF;
                INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, duration, outcome, detail)
                VALUES (v_run, v_t.parent, v_t.retention_mode, v_names[i],
                        clock_timestamp() - v_started, 'ok',
                        format('older than %s (retention %s)%s', v_cutlit, v_ret,
                                          CASE WHEN v_target IS NOT NULL THEN ', now ' || v_target ELSE '' END));
                PERFORM part._notice(format('retired %s of %s (%s, older than %s)',
                                                               v_names[i], v_t.parent, v_t.retention_mode, v_cutlit));
                v_done := v_done || v_names[i];
                v_act := v_act || CASE v_t.retention_mode WHEN 'drop' THEN 'dropped' WHEN 'detach' THEN 'detached' ELSE 'archived' END;
                v_kept := v_kept || CASE WHEN v_t.retention_mode = 'drop' THEN NULL ELSE coalesce(v_target, v_names[i]) END;
            END LOOP;
        EXCEPTION WHEN others THEN
            v_done := '{}';
            IF v_only IS NOT NULL OR p_dry_run THEN
                RAISE;
            END IF;
            v_failed := v_failed || v_t.parent;
            IF SQLSTATE <> '55P03' THEN
                v_hard := v_hard || v_t.parent;
            END IF;
            INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail, error_code)
            VALUES (v_run, v_t.parent, 'retire', clock_timestamp() - v_started,
                    CASE WHEN SQLSTATE = '55P03' THEN 'skipped' ELSE 'failed' END,
                    SQLSTATE || ': ' || SQLERRM, SQLSTATE);
        END;
        v_count := v_count + cardinality(v_done);
        RETURN QUERY SELECT d.n, v_t.parent, d.a, d.k FROM ROWS FROM (unnest(v_done), unnest(v_act), unnest(v_kept)) AS d(n, a, k);
    END LOOP;
    IF v_alone AND v_only IS NULL AND NOT p_dry_run THEN   -- the retention job's own heartbeat (part.verify: retention_last_run)
        INSERT INTO part.maintenance_log (run_id, action, duration, outcome, detail)
        VALUES (v_run, 'retention', clock_timestamp() - v_begun,
                CASE WHEN cardinality(v_hard) > 0 THEN 'failed' ELSE 'ok' END,
                format('%s partitions retired%s%s', v_count,
                    CASE WHEN cardinality(v_hard) > 0
                         THEN '; failed: ' || array_to_string(v_hard, ', ') ELSE '' END,
                    CASE WHEN cardinality(v_failed) > cardinality(v_hard)
                         THEN '; given up (lock not obtained): ' || array_to_string(
                              ARRAY(SELECT x FROM unnest(v_failed) x WHERE x <> ALL (v_hard)), ', ')
                         ELSE '' END));
    END IF;
    IF cardinality(v_failed) > 0 THEN
        RAISE WARNING 'part.drop_old could not retire old partitions of %', array_to_string(v_failed, ', ')
            USING HINT = 'See part.maintenance_log for the errors; the other tables were handled.';
    END IF;
END
$$;
COMMENT ON FUNCTION part.drop_old IS
    'part: retire range partitions wholly older than the retention (p_retention for the table p_parent, else each table''s own), by its retention mode (drop, detach, archive into part_archive); p_dry_run lists what it would do. One row per partition.';

-- maintenance/run_maintenance.sql
CREATE PROCEDURE part.run_maintenance(p_parent text DEFAULT NULL, p_commit boolean DEFAULT true)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_only     regclass;
    v_run      bigint;
    v_t        record;
    v_s        record;
    v_started  timestamptz := pg_catalog.clock_timestamp();
    v_t0       timestamptz;
    v_holder   text;
    v_broken   boolean;
    v_i        integer;
    v_more     boolean;
    v_last     boolean;
    v_sep_ret  boolean;
    v_tables   integer := 0;
    v_created  integer := 0;
    v_drained  integer := 0;
    v_moved    bigint := 0;
    v_retired  integer := 0;
    v_failed   text[] := '{}'::text[];
    v_skipped  text[] := '{}'::text[];
    v_paused   text[] := '{}'::text[];
    v_waited   interval;
    v_gave_up  text;
    v_state    text;
    v_msg      text;
    v_detail   text;
    v_step     text;
    v_new      text[];
    c_lock_a   CONSTANT integer := 1885434484;   -- 'part' as an integer: advisory lock (c_lock_a, 1)
    c_drain_max CONSTANT integer := 100;         -- intervals drained per table and run
    c_split_max CONSTANT integer := 1000;        -- steps of a history split per table and run (copy batches, checks, ...)
    v_saved    text[] := ARRAY[pg_catalog.current_setting('search_path'), pg_catalog.current_setting('lock_timeout'),
                               pg_catalog.current_setting('part.run_id', true)];
BEGIN
/*
 * Maintenance of every managed table (or only p_parent), for pg_cron
 * (`CALL part.run_maintenance()` as the whole job command):
 *   1. create ahead: partitions for the current interval and premake more;
 *   2. drain the default partition: rows sitting there get the partitions
 *      they belong to, one interval per transaction (rows older than the
 *      retention stay: part.verify() reports them); between intervals it
 *      pauses for production (part._yield_wait: replay lag, lock queue),
 *      and past the setting yield_max_wait leaves the rest to the next run
 *      (logged 'skipped', given up);
 *   2b. split the history partition of an attach migration online
 *      (part.split_history: copy batches, checks, the swap, then one
 *      partition per step into the table), one step per transaction, at
 *      most 1000 per run, pausing for production between steps as the
 *      drain does, until the migration is finalized;
 *   3. retire old partitions (part.drop_old), unless the setting
 *      retention_schedule says a separate job does it;
 *   4. ANALYZE the partitions it filled with rows (after the commit that
 *      released their creation's locks: writers never wait for statistics).
 * What needs doing is read for all tables in one catalog pass
 * (part._maintenance_plan), so a run with nothing to do costs one query.
 * Each step of each table runs in its own subtransaction and is committed
 * at once: a table that fails is logged (outcome 'failed', with the error)
 * and the others still run; a lock not obtained within part._lock's short
 * timeouts makes it give up on that table for this run (logged 'skipped')
 * instead of stalling the writers queued behind it. A session-level
 * advisory lock makes a concurrent second run skip (logged). Every run
 * writes a heartbeat row (action 'run') that part.verify() reads. With
 * enable_partition_maintenance = false a run is a logged no-op; on a
 * standby it does nothing and says why.
 *
 * It COMMITs, so call it outside a transaction block (PostgreSQL forbids a
 * SET clause on such a procedure: it sets search_path itself and qualifies
 * every name). p_commit => false runs it without committing (inside a
 * transaction, as tests do). If the run is cancelled mid-way, the advisory
 * lock stays with that session until it ends.
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF p_commit IS NULL THEN
        RAISE EXCEPTION 'p_commit cannot be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true (commit each step; the default) or false (inside a transaction), or leave it out.';
    END IF;
    PERFORM part._check_trust();   -- nothing a less privileged role changed steers this run
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'part.run_maintenance: this server is a standby (in recovery): nothing done'
            USING HINT = 'Maintenance runs on the primary; its changes reach the standby by replication.';
        PERFORM pg_catalog.set_config('search_path', v_saved[1], true);
        RETURN;
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        PERFORM part._config_row(v_only);
    END IF;
    v_run := pg_catalog.nextval('part.maintenance_run_id_seq');

    IF NOT part.setting('enable_partition_maintenance')::boolean THEN
        INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
        VALUES (v_run, part._qualified(v_only), 'run', pg_catalog.clock_timestamp() - v_started, 'skipped',
                'enable_partition_maintenance is false: nothing done');
        RAISE NOTICE 'part.run_maintenance: enable_partition_maintenance is false: nothing done'
            USING HINT = 'SELECT part.set_setting(''enable_partition_maintenance'', ''true'') turns it back on.';
        IF p_commit THEN
            COMMIT;
        ELSE   -- leave the caller's transaction as it was
            PERFORM pg_catalog.set_config('search_path', v_saved[1], true);
        END IF;
        RETURN;
    END IF;

    IF NOT pg_catalog.pg_try_advisory_lock(c_lock_a, 1) THEN
        SELECT pg_catalog.string_agg(l.pid::text, ', ') INTO v_holder
          FROM pg_catalog.pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = c_lock_a AND l.objid = 1 AND l.objsubid = 2
           AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database());
        INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
        VALUES (v_run, part._qualified(v_only), 'run', pg_catalog.clock_timestamp() - v_started, 'skipped',
                pg_catalog.format('another part.run_maintenance is running (pid %s): this run skipped', coalesce(v_holder, '?')));
        RAISE NOTICE 'part.run_maintenance: another run is in progress (pid %): skipped', coalesce(v_holder, '?');
        IF p_commit THEN
            COMMIT;
        ELSE   -- leave the caller's transaction as it was
            PERFORM pg_catalog.set_config('search_path', v_saved[1], true);
        END IF;
        RETURN;
    END IF;

    v_sep_ret := part.setting('retention_schedule') <> '';
    FOR v_t IN SELECT * FROM part._maintenance_plan(v_only) LOOP
        v_tables := v_tables + 1;
        v_broken := false;

        IF v_t.rel IS NULL THEN
            v_failed := v_failed || v_t.parent_table;
            INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail, error_code)
            VALUES (v_run, v_t.parent_table, 'check', 'failed',
                    '42P01: table does not exist (remove it from part.config, or recreate it)', '42P01');
            CONTINUE;
        END IF;

        -- the steps of each kind due on this table (part._maintenance_step does one), in order, each
        -- in its own subtransaction and committed at once, while the step says there is more:
        --   create ahead (one partition per transaction on a table with a default partition: its
        --   writers wait while one is made), drain the default partition and split the history of
        --   an attach migration (one interval per transaction, at most c_drain_max per run; drain
        --   pauses for production first), retire old partitions; the partitions made are analyzed
        --   after the commit that released their locks (create: once all are made)
        FOREACH v_step IN ARRAY ARRAY['create', 'drain', 'split', 'retire'] LOOP
            CONTINUE WHEN NOT CASE v_step
                WHEN 'create' THEN v_t.strategy = 'range' AND v_t.needs_ahead IS DISTINCT FROM false
                WHEN 'drain'  THEN v_t.default_nonempty
                WHEN 'split'  THEN EXISTS (SELECT 1 FROM part.migration m
                                            WHERE m.method = 'attach' AND m.phase = 'partitioned'
                                              AND m.partitioned_table = v_t.parent_table)
                ELSE v_t.retention IS NOT NULL AND v_t.retire_due IS DISTINCT FROM false AND NOT v_sep_ret
            END;
            v_new := '{}';
            v_i := 0;
            PERFORM part._maintenance_txn(v_run);
            LOOP
                v_i := v_i + 1;
                -- pause for production between intervals (part._yield_wait); past yield_max_wait, leave
                -- this table's drain to the next run
                IF v_step IN ('drain', 'split') AND p_commit THEN
                    CALL part._yield_wait(v_t.parent_table, v_step, ARRAY[v_t.rel], true, v_waited, v_gave_up);
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                    PERFORM part._maintenance_txn(v_run);
                    IF v_gave_up IS NOT NULL THEN
                        INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
                        VALUES (v_run, v_t.parent_table, v_step, v_waited, 'skipped',
                                pg_catalog.format('given up for this run: %s; the next run goes on', v_gave_up));
                        RAISE WARNING 'part.run_maintenance: % of % given up for this run: %', v_step, v_t.parent_table, v_gave_up
                            USING HINT = 'The next run goes on where this one stopped; see part.maintenance_log.';
                        v_paused := v_paused || v_t.parent_table;
                        COMMIT;
                        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                        PERFORM part._maintenance_txn(v_run);
                        EXIT;
                    END IF;
                END IF;
                v_t0 := pg_catalog.clock_timestamp();
                BEGIN
                    SELECT * INTO STRICT v_s
                      FROM part._maintenance_step(v_run, v_t.rel, v_t.parent_table, v_step, p_commit, v_t.missing, v_i);
                    v_new := v_new || v_s.made;   -- what this subtransaction made, once it succeeded
                    v_created := v_created + v_s.created;
                    v_drained := v_drained + v_s.drained;
                    v_moved := v_moved + v_s.moved;
                    v_retired := v_retired + v_s.retired;
                    v_more := v_s.more;
                EXCEPTION WHEN others THEN
                    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
                    v_broken := true;
                END;
                IF v_broken THEN
                    PERFORM part._log_step_failure(v_run, v_t.parent_table, v_step, v_t0, v_state, v_msg, v_detail);
                END IF;
                v_last := v_broken OR NOT v_more OR (v_step = 'drain' AND v_i >= c_drain_max) OR (v_step = 'split' AND v_i >= c_split_max);
                IF p_commit THEN
                    COMMIT;
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                    PERFORM part._maintenance_txn(v_run);
                END IF;
                IF pg_catalog.cardinality(v_new) > 0 AND (v_step <> 'create' OR v_last) THEN
                    IF part._analyze(v_new) > 0 AND p_commit THEN
                        COMMIT;
                        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                        PERFORM part._maintenance_txn(v_run);
                    END IF;
                    v_new := '{}';
                END IF;
                EXIT WHEN v_last;
            END LOOP;
            EXIT WHEN v_broken;   -- v_step names the step that broke (the WARNING below)
        END LOOP;

        IF v_broken THEN
            IF v_state = '55P03' THEN
                v_skipped := v_skipped || v_t.parent_table;
            ELSE
                v_failed := v_failed || v_t.parent_table;
            END IF;
            RAISE WARNING 'part.run_maintenance: % of % %: %', v_step, v_t.parent_table,
                CASE WHEN v_state = '55P03' THEN 'given up for this run' ELSE 'failed' END, v_msg
                USING DETAIL = coalesce(nullif(v_detail, ''), 'See part.maintenance_log.'), HINT = 'See part.maintenance_log; the other tables were maintained.';
        END IF;
    END LOOP;

    PERFORM pg_catalog.pg_advisory_unlock(c_lock_a, 1);
    INSERT INTO part.maintenance_log (run_id, parent_table, action, rows_moved, duration, outcome, detail)
    VALUES (v_run, part._qualified(v_only), 'run', v_moved, pg_catalog.clock_timestamp() - v_started,
            CASE WHEN pg_catalog.cardinality(v_failed) > 0 THEN 'failed' ELSE 'ok' END,
            pg_catalog.format('%s tables: %s partitions created (%s of them for rows from the default partition, %s rows moved), %s retired%s%s%s',
                v_tables, v_created, v_drained, v_moved, v_retired,
                CASE WHEN pg_catalog.cardinality(v_failed) > 0
                     THEN '; failed: ' || pg_catalog.array_to_string(v_failed, ', ') ELSE '' END,
                CASE WHEN pg_catalog.cardinality(v_skipped) > 0
                     THEN '; given up (lock not obtained): ' || pg_catalog.array_to_string(v_skipped, ', ') ELSE '' END,
                CASE WHEN pg_catalog.cardinality(v_paused) > 0
                     THEN '; drain given up (paused past yield_max_wait): ' || pg_catalog.array_to_string(v_paused, ', ') ELSE '' END));
    IF p_commit THEN
        COMMIT;
    ELSE   -- leave the caller's transaction as it was
        PERFORM pg_catalog.set_config('search_path', v_saved[1], true);
        PERFORM pg_catalog.set_config('lock_timeout', v_saved[2], true);
        PERFORM pg_catalog.set_config('part.run_id', coalesce(v_saved[3], ''), true);
    END IF;
END
$$;
COMMENT ON PROCEDURE part.run_maintenance IS
    'part: maintenance of every managed table (or p_parent): create ahead, move rows out of default partitions, retire old partitions, analyze new ones; one table''s failure is logged in part.maintenance_log and the others still run; a concurrent run skips. What pg_cron runs. CALL outside a transaction block (or p_commit => false).';

-- maintenance/split_hash.sql
CREATE PROCEDURE part.split_hash(p_parent text, p_new_count integer)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_rel      regclass;
    v_cfg      part.config;
    v_type     regtype;
    v_schema   text;
    v_prefix   text;
    v_old      integer;
    v_moduli   integer[];
    v_part     record;
    v_targets  integer[];
    v_rem      integer;
    v_tmp      text;
    v_keys     text[];
    v_full     boolean;
    v_cols     text;
    v_n_old    bigint;
    v_n_new    bigint;
    v_done     integer := 0;
    v_todo     integer;
    v_left     record;
    v_m        part.migration;
    v_dropped  integer := 0;
BEGIN
/*
 * Grow a hash-partitioned table from N to p_new_count partitions (a multiple
 * of N), one old partition at a time, committing between steps so that
 * writers are blocked only during a short step per partition:
 *   1. new tables for the successors of remainder r (r, r+N, r+2N, ... mod
 *      p_new_count) and a capture trigger on the old partition; commit;
 *   2. copy the old partition's rows into them, writers going on; commit;
 *   3. under an ACCESS EXCLUSIVE lock (short timeouts, retries): re-copy the
 *      keys written since step 2, check the row counts, detach and drop the
 *      old partition, attach the new ones; commit.
 * Interrupted, it can be called again and carries on; called with the count
 * the table has (before any old partition was split), it abandons the split
 * and drops what the interrupted run made (only part's own leftovers). At
 * the end, under a lock that waits for writers, part.config gets the new
 * count and the sync functions of a migration of this table are
 * regenerated, so that their parity marks group by the new count. A table
 * referenced by a foreign key is refused before anything is made (detaching
 * a referenced partition would fail after the copy). It commits, so CALL it
 * outside an explicit transaction block. (A procedure that commits cannot
 * have a SET clause: search_path is pinned with set_config after each commit.)
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    v_rel := part._resolve_table(p_parent);
    v_cfg := part._config_row(v_rel);
    IF v_cfg.strategy <> 'hash' THEN
        RAISE EXCEPTION 'table % is range-partitioned, not hash-partitioned', v_cfg.parent_table
            USING ERRCODE = '42809', HINT = 'part.split_hash grows hash-partitioned tables only.';
    END IF;
    v_type := v_cfg.key_type::regtype;
    SELECT pg_catalog.array_agg(DISTINCT b.modulus ORDER BY b.modulus) INTO v_moduli
      FROM part._partition_bounds(v_rel) b;
    v_old := v_moduli[1];
    PERFORM part._check_count('partitions', p_new_count);   -- 22023 outside 1 .. 1024
    IF NOT (cardinality(v_moduli) = 1 AND p_new_count = v_old) THEN
        IF cardinality(v_moduli) > 2 OR (cardinality(v_moduli) = 2 AND v_moduli[2] <> p_new_count)
           OR p_new_count <= v_old OR p_new_count % v_old <> 0 THEN
            RAISE EXCEPTION 'cannot split % from % to % partitions', v_cfg.parent_table,
                    pg_catalog.array_to_string(v_moduli, ' and '), p_new_count
                USING ERRCODE = '22023',
                      HINT = CASE WHEN cardinality(v_moduli) = 2
                                  THEN pg_catalog.format('A split to %s is under way: call part.split_hash(%L, %s) to finish it.', v_moduli[2], p_parent, v_moduli[2])
                                  ELSE pg_catalog.format('The new count must be a multiple of %s greater than it, e.g. %s.', v_old, v_old * 2) END;
        END IF;
        -- detaching a partition that a foreign key references fails (after the copy): refuse first
        SELECT pg_catalog.format('%s (constraint %I)', co.conrelid::regclass, co.conname) AS fk INTO v_left
          FROM pg_catalog.pg_constraint co
         WHERE co.contype = 'f' AND co.confrelid = v_rel AND co.conparentid = 0
         ORDER BY 1 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'cannot split %: the foreign key of % references it', v_cfg.parent_table, v_left.fk
                USING ERRCODE = '0A000',
                      HINT = 'PostgreSQL cannot detach a partition that a foreign key references: drop that foreign key, split, then add it again.';
        END IF;
    END IF;

    -- what an interrupted run left before it split an old partition: its split tables (part's own:
    -- its check constraint on this table, the table's owner, not attached) and capture triggers;
    -- a new run makes them again for the partition it splits, the count the table has drops them
    IF cardinality(v_moduli) = 1 THEN
        FOR v_left IN
            SELECT co.conrelid::regclass AS rel FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
             WHERE co.conname = 'part_split_check' AND co.contype = 'c' AND c.relkind = 'r'
               AND c.relowner = (SELECT p.relowner FROM pg_catalog.pg_class p WHERE p.oid = v_rel)
               AND (pg_catalog.regexp_match(pg_catalog.pg_get_constraintdef(co.oid), 'satisfies_hash_partition\(\(?''?(\d+)''?\)?::oid'))[1] = v_rel::oid::text
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = co.conrelid)
        LOOP
            EXECUTE pg_catalog.format('DROP TABLE %s', v_left.rel);
            v_dropped := v_dropped + 1;
        END LOOP;
        FOR v_left IN
            SELECT t.tgname, t.tgrelid::regclass AS rel FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_inherits i ON i.inhrelid = t.tgrelid
             WHERE i.inhparent = v_rel AND t.tgname IN ('part_split_capture', 'part_split_capture_truncate')
        LOOP
            PERFORM part._lock(v_left.rel, 'SHARE ROW EXCLUSIVE');
            EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', v_left.tgname, v_left.rel);
            v_dropped := v_dropped + 1;
        END LOOP;
        DELETE FROM part.split_log l
         WHERE l.partition_oid IN (SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = v_rel);
        IF p_new_count = v_old AND v_dropped > 0 THEN
            RAISE NOTICE 'part: % keeps its % hash partitions: dropped what an interrupted split left (% split tables and capture triggers)',
                v_cfg.parent_table, p_new_count, v_dropped;
        ELSIF p_new_count = v_old THEN
            RAISE NOTICE 'part: % has % hash partitions already: nothing to split', v_cfg.parent_table, p_new_count;
            IF v_cfg.partitions IS NOT DISTINCT FROM p_new_count THEN
                RETURN;   -- already there
            END IF;
        END IF;
    END IF;

    SELECT n.nspname, coalesce(v_cfg.partition_prefix, c.relname) INTO v_schema, v_prefix
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_rel;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';

    SELECT pg_catalog.count(*) INTO v_todo FROM part._partition_bounds(v_rel) b WHERE b.modulus = v_old AND v_old <> p_new_count;
    IF v_todo > 0 THEN
        RAISE NOTICE 'part: splitting % from % to % hash partitions: % old partition(s) to split, one at a time',
            v_cfg.parent_table, v_old, p_new_count, v_todo;
    END IF;
    FOR v_part IN
        SELECT b.partition_oid::regclass AS rel, b.partition_name, b.remainder
          FROM part._partition_bounds(v_rel) b WHERE b.modulus = v_old AND v_old <> p_new_count ORDER BY b.remainder
    LOOP
        v_targets := ARRAY(SELECT v_part.remainder + j * v_old FROM pg_catalog.generate_series(0, p_new_count / v_old - 1) j);

        -- 1. new tables and the capture trigger (dropping leftovers of an interrupted run)
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_schema, v_tmp)) IS NOT NULL THEN
                -- a leftover of an interrupted run is part's own (its check constraint, the table's
                -- owner); anything else under that name is someone else's: refused, never dropped
                IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid
                                WHERE c.oid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_schema, v_tmp))
                                  AND k.conname = 'part_split_check' AND c.relkind = 'r'
                                  AND c.relowner = (SELECT p.relowner FROM pg_catalog.pg_class p WHERE p.oid = v_rel)) THEN
                    RAISE EXCEPTION 'cannot split %: %.% exists and is not a leftover of part.split_hash', p_parent, v_schema, v_tmp
                        USING ERRCODE = '42P07', HINT = 'Rename or drop that relation (part.split_hash builds the new partitions under that name), then call it again.';
                END IF;
                EXECUTE pg_catalog.format('DROP TABLE %I.%I', v_schema, v_tmp);
            END IF;
            EXECUTE pg_catalog.format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED)',
                                      v_schema, v_tmp, v_rel);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I))',
                                      v_schema, v_tmp, 'part_split_check', v_rel::oid, p_new_count, v_rem, v_cfg.key_column);
            PERFORM part._copy_owner_and_grants(v_rel, pg_catalog.format('%I.%I', v_schema, v_tmp)::regclass);
        END LOOP;
        DELETE FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        PERFORM part._lock(v_part.rel, 'SHARE ROW EXCLUSIVE');
        FOR v_tmp IN SELECT t.tgname FROM pg_catalog.pg_trigger t
                      WHERE t.tgrelid = v_part.rel AND t.tgname IN ('part_split_capture', 'part_split_capture_truncate') LOOP
            EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', v_tmp, v_part.rel);
        END LOOP;
        EXECUTE pg_catalog.format('CREATE TRIGGER part_split_capture AFTER INSERT OR UPDATE OR DELETE ON %s '
                                  'FOR EACH ROW EXECUTE FUNCTION part._split_capture(%L)', v_part.rel, v_cfg.key_column);
        EXECUTE pg_catalog.format('CREATE TRIGGER part_split_capture_truncate AFTER TRUNCATE ON %s '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION part._split_capture(%L)', v_part.rel, v_cfg.key_column);
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

        -- 2. copy, writers going on
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            -- rows are written with the rights of the table's owner (part._as_owner)
            PERFORM part._as_owner(v_rel, pg_catalog.format(
                'INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_rel::oid, p_new_count, v_rem, v_cfg.key_column), p_returns => false);
        END LOOP;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

        -- 3. the short locked step
        -- the parent, and the old partition for writers that bypass the parent
        PERFORM part._lock_all(ARRAY[v_rel, v_part.rel], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
        SELECT pg_catalog.bool_or(l.key_value IS NULL), pg_catalog.array_agg(DISTINCT l.key_value) FILTER (WHERE l.key_value IS NOT NULL)
          INTO v_full, v_keys
          FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            IF v_full THEN
                PERFORM part._as_owner(v_rel, pg_catalog.format('TRUNCATE %I.%I', v_schema, v_tmp), p_returns => false);
                PERFORM part._as_owner(v_rel, pg_catalog.format(
                    'INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                    v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_rel::oid, p_new_count, v_rem, v_cfg.key_column), p_returns => false);
            ELSIF v_keys IS NOT NULL THEN
                PERFORM part._as_owner(v_rel, pg_catalog.format('DELETE FROM %I.%I WHERE %I = ANY (%L::%s[])',
                                                                        v_schema, v_tmp, v_cfg.key_column, v_keys, v_type), p_returns => false);
                PERFORM part._as_owner(v_rel, pg_catalog.format(
                    'INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE %I = ANY (%L::%s[]) AND pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                    v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_cfg.key_column, v_keys, v_type,
                    v_rel::oid, p_new_count, v_rem, v_cfg.key_column), p_returns => false);
            END IF;
        END LOOP;
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', v_part.rel) INTO v_n_old;
        EXECUTE pg_catalog.format('SELECT sum(n)::bigint FROM (%s) s',
                    (SELECT pg_catalog.string_agg(pg_catalog.format('SELECT pg_catalog.count(*) AS n FROM %I.%I', v_schema,
                                part._partition_name(v_prefix, 'split_' || r)), ' UNION ALL ')
                       FROM pg_catalog.unnest(v_targets) r))
            INTO v_n_new;
        IF v_n_old IS DISTINCT FROM v_n_new THEN
            RAISE EXCEPTION 'split of % stopped: % rows in the old partition, % in the new ones', v_part.partition_name, v_n_old, v_n_new
                USING ERRCODE = 'XX000', HINT = 'Nothing was changed in this step; call part.split_hash again.';
        END IF;
        EXECUTE pg_catalog.format('ALTER TABLE %s DETACH PARTITION %s', v_rel, v_part.rel);
        EXECUTE pg_catalog.format('DROP TABLE %s', v_part.rel);
        DELETE FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I RENAME TO %I', v_schema, v_tmp, part._partition_name(v_prefix, v_rem::text));
            EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                                      v_rel, v_schema, part._partition_name(v_prefix, v_rem::text), p_new_count, v_rem);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I DROP CONSTRAINT part_split_check', v_schema, part._partition_name(v_prefix, v_rem::text));
            PERFORM part._sync_partition(pg_catalog.format('%I.%I', v_schema, part._partition_name(v_prefix, v_rem::text))::regclass);
        END LOOP;
        v_done := v_done + 1;
        RAISE NOTICE 'part: split % into % partitions (% rows): % of % done',
            v_part.partition_name, cardinality(v_targets), v_n_old, v_done, v_todo;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END LOOP;
    -- the new count, and the sync of a migration of this table marking parity groups by it: under a
    -- lock that waits for the writers whose statements marked by the old count (writes through the
    -- parent, which the sync makes too), so that every mark by the old count is committed before
    -- the count changes (part.check_parity re-hashes everything once the count changed)
    IF v_cfg.partitions IS DISTINCT FROM p_new_count THEN
        PERFORM part._lock(v_rel, 'SHARE ROW EXCLUSIVE');
        UPDATE part.config c SET partitions = p_new_count, updated_at = pg_catalog.now()
         WHERE c.parent_table = v_cfg.parent_table;
        SELECT m.* INTO v_m FROM part.migration m
         WHERE m.partitioned_table = v_cfg.parent_table AND m.phase <> 'finalized';
        IF FOUND THEN
            PERFORM part._sync_function_create(v_m, 'partitioned');
            PERFORM part._sync_function_create(v_m, 'legacy');
        END IF;
    END IF;
    IF v_todo > 0 THEN
        RAISE NOTICE 'part: % has % hash partitions', v_cfg.parent_table, p_new_count;
    END IF;
    COMMIT;
END
$$;
COMMENT ON PROCEDURE part.split_hash IS
    'part: grow a hash-partitioned table to p_new_count partitions (a multiple of the current count), splitting one old partition at a time with writers blocked only briefly per step; resumable, and called with the current count it abandons an interrupted split.';

-- maintenance/_split_truncate_guard.sql
CREATE FUNCTION part._split_truncate_guard()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * part_split_truncate (BEFORE TRUNCATE, statement-level, ENABLE ALWAYS) on
 * the history partition of an attach migration while part.split_history
 * keeps its copy in step by row triggers, which a TRUNCATE does not fire:
 * the copy would keep the rows and bring them back at the swap. Refused,
 * with the way out. SECURITY INVOKER; no EXECUTE for anyone (firing a
 * trigger needs none).
 */
    RAISE EXCEPTION 'TRUNCATE of %.% is refused while maintenance splits it (its rows are being copied into partitions of their own)',
                    TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = '55000',
              HINT = 'Delete the rows instead (DELETE is kept in step), or wait until part.migrations shows the migration finalized.';
END
$$;

-- maintenance/_split_start.sql
CREATE FUNCTION part._split_start(p_m part.migration)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part    regclass := to_regclass(p_m.partitioned_table);
    v_hist    regclass := to_regclass(p_m.history_table);
    v_type    regtype := p_m.key_type::regtype;
    v_int     boolean := p_m.key_type IN ('smallint', 'integer', 'bigint');
    v_cfg     part.config;
    v_schema  text;
    v_app     text;
    v_prefix  text;
    v_split   text;
    v_m       regclass;
    v_min     text;
    v_from    text;
    v_to      text;
    v_lo      text;
    v_name    text;
    v_p       regclass;
    v_fn      text;
    v_cols    text[];
    v_set     text[];
    v_c       record;
    v_n       integer := 0;
BEGIN
/*
 * The start of the online split of an attach migration's history partition
 * H (part.split_history calls it, in its transaction): makes M, a
 * partitioned table of the same columns (LIKE the table: defaults, NOT
 * NULLs, CHECKs, generated columns, every index, as partitioned indexes)
 * PARTITION BY RANGE (key), in the table's schema and of its owner and
 * grants, with one partition per interval from the interval of H's
 * smallest key up to the cut (history_to); the lowest one starts at
 * MINVALUE (or history_from), so a row written later below H's smallest
 * key has a place (it stays in that lowest partition when it joins the
 * table). Each partition gets, while empty (so valid at once), a CHECK
 * part_split_bound of its bounds: ATTACH reads it instead of scanning
 * when M replaces H and when the partition moves to the table. The
 * table's outgoing foreign keys are added to M while empty (valid at once).
 * Then, with H locked SHARE ROW EXCLUSIVE for a moment (part._lock_all),
 * the row triggers part_split_sync (AFTER INSERT, UPDATE, DELETE, ENABLE
 * ALWAYS; a SECURITY DEFINER function of the owner, not executable by
 * PUBLIC, made from %I / %L only) apply every later write of H to M by
 * the primary key, and part_split_truncate refuses a TRUNCATE of H (or of
 * the table) while M is kept in step. Returns M's name; the copy goes on
 * from there (part._split_copy). Nothing here scans H but for its
 * smallest key.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    v_cfg := part._config_row(v_part);
    SELECT n.nspname, c.relname INTO v_schema, v_app
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_part;
    v_prefix := coalesce(v_cfg.partition_prefix, v_app);
    v_split := part._partition_name(v_app, 'history_split');

    EXECUTE format('SELECT pg_catalog.min(%I)::text FROM ONLY %s', p_m.key_column, v_hist) INTO v_min;
    IF v_min IS NULL THEN
        RETURN NULL;   -- nothing to split: the caller drops H
    END IF;
    IF NOT v_int THEN
        v_min := part._literal(part._to_utc(v_min, v_type), v_type);
    END IF;
    v_from := part._range_floor(v_min, v_type, v_cfg."interval", v_cfg.time_zone);

    -- the names: none may be taken (the partitions keep theirs when they join the table)
    v_lo := v_from;
    WHILE part._bound_ordinal(v_lo, v_type) < part._bound_ordinal(p_m.history_to, v_type) LOOP
        v_name := part._partition_name(v_prefix, part._range_suffix(v_lo, v_type, v_cfg."interval", v_cfg.time_zone));
        IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
            RAISE EXCEPTION 'cannot create partition %.%: a relation with that name exists', v_schema, v_name
                USING ERRCODE = '42P07', HINT = 'Rename or drop that relation; maintenance splits the history partition into partitions of that name.';
        END IF;
        v_lo := part._range_next(v_lo, v_type, v_cfg."interval", v_cfg.time_zone);
        v_n := v_n + 1;
        IF v_n > 10000 THEN
            RAISE EXCEPTION 'cannot split the history of %: it spans more than 10000 intervals of %', p_m.table_name, v_cfg."interval"
                USING ERRCODE = '54000', HINT = 'Delete the oldest rows of the history partition (or use a longer interval), then run maintenance again.';
        END IF;
    END LOOP;
    IF to_regclass(format('%I.%I', v_schema, v_split)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot create %.%: a relation with that name exists', v_schema, v_split
            USING ERRCODE = '42P07', HINT = 'Rename or drop that relation; maintenance copies the history partition into a table of that name.';
    END IF;

    EXECUTE format(
        'CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED '
        'INCLUDING INDEXES INCLUDING COMMENTS) PARTITION BY RANGE (%I)', v_schema, v_split, v_part, p_m.key_column);
    v_m := format('%I.%I', v_schema, v_split)::regclass;
    PERFORM part._copy_owner_and_grants(v_part, v_m);   -- a partition of the table from the swap on
    v_lo := v_from;
    WHILE part._bound_ordinal(v_lo, v_type) < part._bound_ordinal(p_m.history_to, v_type) LOOP
        v_to := part._range_next(v_lo, v_type, v_cfg."interval", v_cfg.time_zone);
        IF part._bound_ordinal(v_to, v_type) > part._bound_ordinal(p_m.history_to, v_type) THEN
            v_to := p_m.history_to;
        END IF;
        v_name := part._partition_name(v_prefix, part._range_suffix(v_lo, v_type, v_cfg."interval", v_cfg.time_zone));
        IF v_lo = v_from THEN   -- the lowest: also every smaller key
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%s) TO (%L)', v_schema, v_name, v_m,
                                      coalesce(quote_literal(p_m.history_from), 'MINVALUE'), v_to);
            v_p := format('%I.%I', v_schema, v_name)::regclass;
            EXECUTE format('ALTER TABLE %s ADD CONSTRAINT part_split_bound CHECK (%I IS NOT NULL%s AND %I < %L::%s)',
                                      v_p, p_m.key_column,
                                      CASE WHEN p_m.history_from IS NULL THEN ''
                                           ELSE format(' AND %I >= %L::%s', p_m.key_column, p_m.history_from, v_type) END,
                                      p_m.key_column, v_to, v_type);
        ELSE
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', v_schema, v_name, v_m, v_lo, v_to);
            v_p := format('%I.%I', v_schema, v_name)::regclass;
            EXECUTE format('ALTER TABLE %s ADD CONSTRAINT part_split_bound CHECK (%I IS NOT NULL AND %I >= %L::%s AND %I < %L::%s)',
                                      v_p, p_m.key_column, p_m.key_column, v_lo, v_type, p_m.key_column, v_to, v_type);
        END IF;
        PERFORM part._copy_owner_and_grants(v_part, v_p);
        v_lo := v_to;
    END LOOP;
    -- the table's outgoing foreign keys, on the empty M (valid at once; ATTACH finds them)
    FOR v_c IN SELECT c.conname, pg_get_constraintdef(c.oid) AS def
                 FROM pg_constraint c WHERE c.conrelid = v_part AND c.contype = 'f' AND c.conparentid = 0
                ORDER BY c.conname LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', v_m, v_c.conname, v_c.def);
    END LOOP;

    -- the sync: every later write of H applied to M by the primary key, in the writer's transaction
    v_fn := part._sync_function_name(p_m.table_name, 'history_split');
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    SELECT array_agg(c ORDER BY o) INTO v_set
      FROM unnest(v_cols) WITH ORDINALITY AS u(c, o) WHERE NOT c = ANY (p_m.partitioned_key);
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS %L',
        v_fn, format($body$
BEGIN
    -- part: applies a write of the history partition to its copy %1$s during the split (generated)
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (%2$s) IS DISTINCT FROM (%3$s)) THEN
        DELETE FROM %1$s t WHERE %4$s;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO %1$s AS t (%5$s) VALUES (%6$s) ON CONFLICT (%7$s) DO %8$s;
    END IF;
    RETURN NULL;
END
$body$,
            part._qualified(v_m),
            part._sql_columns(p_m.partitioned_key, 'old', 'row'), part._sql_columns(p_m.partitioned_key, 'new', 'row'),
            part._sql_columns(p_m.partitioned_key, 't', 'match:old'),
            part._sql_columns(v_cols), part._sql_columns(v_cols, 'new'), part._sql_columns(p_m.partitioned_key),
            CASE WHEN v_set IS NULL THEN 'NOTHING' ELSE 'UPDATE SET ' || part._sql_columns(v_set, NULL, 'set') END));
    EXECUTE format('ALTER FUNCTION %s() OWNER TO %I', v_fn, (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = v_part));
    EXECUTE format('REVOKE ALL ON FUNCTION %s() FROM PUBLIC', v_fn);
    EXECUTE format('COMMENT ON FUNCTION %s() IS %L', v_fn,
                              format('part: applies writes of %s to %s while maintenance splits it (generated; dropped with it)',
                                                p_m.history_table, part._qualified(v_m)));

    -- H held for a moment (no writer in flight: every write from now on fires the sync)
    PERFORM part._lock_all(ARRAY[v_hist], ARRAY['SHARE ROW EXCLUSIVE']);
    EXECUTE format('CREATE TRIGGER part_split_sync AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()',
                              v_hist, v_fn);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER part_split_sync', v_hist);
    EXECUTE format('CREATE TRIGGER part_split_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION part._split_truncate_guard()',
                              v_hist);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER part_split_truncate', v_hist);
    UPDATE part.migration m
       SET split_phase = 'copying', split_table = part._qualified(v_m), split_copy_key = NULL, split_checked_to = NULL,
           split_sync_xmin = (SELECT t.xmin::text FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync'),
           split_rows = 0, split_intervals = 0, split_started_at = now()
     WHERE m.table_name = p_m.table_name;
    PERFORM part._notice(format('split of %s started: %s made with %s partitions; copying', p_m.history_table, part._qualified(v_m), v_n));
    RETURN part._qualified(v_m);
END
$$;

-- maintenance/_split_copy.sql
CREATE FUNCTION part._split_copy(p_m part.migration, p_batch integer)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_hist   regclass := to_regclass(p_m.history_table);
    v_m      regclass := to_regclass(p_m.split_table);
    v_cols   text;
    v_after  text;
    v_hi     text;
    v_rows   bigint;
BEGIN
/*
 * One batch of the copy of the history partition H into M (part.split_history
 * calls it, in its transaction): the next p_batch rows of H in primary-key
 * order after the last batch's key, read FOR KEY SHARE and inserted into M
 * ON CONFLICT DO NOTHING, as the table's owner (part._as_owner). Race-free
 * against writers, whom the row triggers on H (part._split_start) keep in
 * step: a delete or a key change of a row of the batch waits for the batch
 * (or the batch, for it, then skips the row or reads its new version); a
 * change of other columns of a row goes on and its trigger's upsert waits
 * for the batch's insert, then overwrites it; a row a trigger put into M
 * first wins over the batch's (ON CONFLICT DO NOTHING); a row written after
 * the batch's snapshot is the trigger's alone. No writer waits for the
 * batch but for the rows it holds. Returns the rows the batch inserted; the
 * last batch (fewer rows than p_batch left) moves the split on to the
 * parity check ('checking').
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF v_m IS NULL OR v_hist IS NULL THEN
        RAISE EXCEPTION 'the split of % lost % or %', p_m.table_name, p_m.history_table, p_m.split_table
            USING ERRCODE = '42P01', HINT = 'They were renamed or dropped outside part; see part.migrations.';
    END IF;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    v_after := CASE WHEN p_m.split_copy_key IS NULL THEN 'true'
                    ELSE format('%s > %s', part._sql_columns(p_m.partitioned_key, 'h', 'row'),
                                           part._key_from_text_sql(v_hist, p_m.partitioned_key, '$1')) END;
    -- the batch's last key: the p_batch-th key after the last batch (on the primary key's index)
    EXECUTE format('SELECT %s FROM ONLY %s h WHERE %s ORDER BY %s OFFSET %s LIMIT 1',
                              part._sql_columns(p_m.partitioned_key, 'h', 'text'), v_hist, v_after,
                              part._sql_columns(p_m.partitioned_key, 'h'), p_batch - 1)
       INTO v_hi USING p_m.split_copy_key;
    v_rows := part._as_owner(v_part, format(
        'WITH c AS (INSERT INTO %1$s (%2$s) SELECT %6$s FROM ONLY %3$s h WHERE %4$s AND %5$s FOR KEY SHARE OF h '
        'ON CONFLICT DO NOTHING RETURNING 1) SELECT pg_catalog.count(*)::text FROM c',
        v_m, v_cols, v_hist, v_after,
        CASE WHEN v_hi IS NULL THEN 'true'
             ELSE format('%s <= %s', part._sql_columns(p_m.partitioned_key, 'h', 'row'),
                                    part._key_from_text_sql(v_hist, p_m.partitioned_key, '$2')) END,
        (SELECT string_agg('h.' || quote_ident(a.attname), ', ' ORDER BY a.attnum)
           FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '')),
        p_m.split_copy_key, v_hi)::bigint;
    UPDATE part.migration m
       SET split_copy_key = v_hi, split_rows = m.split_rows + v_rows,
           split_phase = CASE WHEN v_hi IS NULL THEN 'checking' ELSE 'copying' END
     WHERE m.table_name = p_m.table_name;
    RETURN v_rows;
END
$$;

-- maintenance/_split_check.sql
CREATE FUNCTION part._split_check(p_m part.migration, OUT partition_name text, OUT row_count bigint, OUT clean boolean)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_hist   regclass := to_regclass(p_m.history_table);
    v_m      regclass := to_regclass(p_m.split_table);
    v_type   regtype := p_m.key_type::regtype;
    v_cols   text[];
    v_b      record;
    v_range  text;
    v_h      text;
    v_c      text;
BEGIN
/*
 * The parity check of one interval of the split (part.split_history calls
 * it once the copy is done, in its transaction, taking no lock that blocks
 * a writer): the next partition P of M above split_checked_to, its row
 * count and content hash (part._row_hash_sql) against the history
 * partition H's rows of that interval, in one statement, so one snapshot
 * (the triggers write H and M in the writer's transaction: any snapshot
 * sees both alike). When they match, split_checked_to moves to P's upper
 * bound (clean). When they differ (a trigger disabled for a while, a
 * write part could not see), it says why (WARNING) and copies the
 * interval again, as the owner: H's rows of it read FOR SHARE (every
 * writer of those rows waits or is waited for) and upserted into M, then
 * M's rows that H no longer has deleted; the next step checks it again.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF v_m IS NULL OR v_hist IS NULL THEN
        RAISE EXCEPTION 'the split of % lost % or %', p_m.table_name, p_m.history_table, p_m.split_table
            USING ERRCODE = '42P01', HINT = 'They were renamed or dropped outside part; see part.migrations.';
    END IF;
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped;
    SELECT b.partition_oid, b.partition_name, b.bound_from, b.bound_to INTO v_b
      FROM part._partition_bounds(v_m) b
     WHERE p_m.split_checked_to IS NULL
        OR part._bound_ordinal(b.bound_to, v_type) > part._bound_ordinal(p_m.split_checked_to, v_type)
     ORDER BY part._bound_ordinal(b.bound_to, v_type)
     LIMIT 1;
    IF v_b.partition_oid IS NULL THEN
        clean := true;   -- every interval checked
        RETURN;
    END IF;
    partition_name := v_b.partition_name;
    v_range := format('%s h.%I < %L::%s',
                                 CASE WHEN v_b.bound_from ~* '^minvalue$' THEN ''
                                      ELSE format('h.%I >= %L::%s AND', p_m.key_column, v_b.bound_from, v_type) END,
                                 p_m.key_column, v_b.bound_to, v_type);
    EXECUTE format('SELECT (SELECT pg_catalog.count(*) || ''/'' || coalesce(pg_catalog.sum(%1$s::numeric), 0) FROM ONLY %2$s h WHERE %3$s), '
                              '(SELECT pg_catalog.count(*) || ''/'' || coalesce(pg_catalog.sum(%4$s::numeric), 0) FROM ONLY %5$s p)',
                              part._row_hash_sql(v_part, v_cols, 'h'), v_hist, v_range,
                              part._row_hash_sql(v_part, v_cols, 'p'), v_b.partition_oid::regclass)
       INTO v_h, v_c;
    row_count := split_part(v_h, '/', 1)::bigint;
    clean := v_h = v_c;
    IF clean THEN
        UPDATE part.migration m SET split_checked_to = v_b.bound_to WHERE m.table_name = p_m.table_name;
        RETURN;
    END IF;
    RAISE WARNING 'split of %: % differs from the history partition''s rows of [%, %) (rows/hash % there, % here): copying that interval again',
                  p_m.table_name, partition_name, v_b.bound_from, v_b.bound_to, v_h, v_c
        USING HINT = 'Was the trigger part_split_sync of the history partition disabled? The next maintenance step checks the interval again.';
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_h
      FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    PERFORM part._as_owner(v_part, format(
        'INSERT INTO %1$s AS t (%2$s) SELECT %2$s FROM ONLY %3$s h WHERE %4$s FOR SHARE OF h ON CONFLICT (%5$s) DO UPDATE SET %6$s',
        v_m, v_h, v_hist, v_range, part._sql_columns(p_m.partitioned_key),
        coalesce(part._sql_columns(ARRAY(SELECT a.attname::text FROM pg_attribute a
                                           WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                                             AND NOT a.attname = ANY (p_m.partitioned_key) ORDER BY a.attnum), NULL, 'set'),
                 format('%1$I = EXCLUDED.%1$I', p_m.key_column))), p_returns => false);
    PERFORM part._as_owner(v_part, format(
        'DELETE FROM ONLY %1$s p WHERE NOT EXISTS (SELECT 1 FROM ONLY %2$s h WHERE %3$s)',
        v_b.partition_oid::regclass, v_hist, part._sql_columns(p_m.partitioned_key, 'h', 'match:p')), p_returns => false);
END
$$;

-- maintenance/_split_swap.sql
CREATE FUNCTION part._split_swap(p_m part.migration)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_hist   regclass := to_regclass(p_m.history_table);
    v_m      regclass := to_regclass(p_m.split_table);
    v_fn     text := part._sync_function_name(p_m.table_name, 'history_split');
BEGIN
/*
 * The swap of the split (part.split_history calls it once every interval of
 * M matched the history partition H, in its transaction): with the table,
 * H and M locked ACCESS EXCLUSIVE (part._lock_all: short timeouts,
 * retries), only catalog changes: H is detached, M attached in its place
 * FOR VALUES FROM (MINVALUE or history_from) TO (the cut), which scans
 * none of M's rows (each partition's CHECK part_split_bound implies its
 * bound; the table's indexes, foreign keys and row triggers find or get
 * theirs on M), and H's sync triggers and their function are dropped (H
 * itself, detached, is dropped by the next step, which holds no lock of
 * the table: unlinking its files at COMMIT takes time). Refused (nothing changed) when the trigger part_split_sync of
 * H is missing or not ENABLE ALWAYS (M may miss writes), or was changed
 * since the checks began (split_sync_xmin: the caller has them done again
 * first). Returns M's name.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF v_m IS NULL OR v_hist IS NULL THEN
        RAISE EXCEPTION 'the split of % lost % or %', p_m.table_name, p_m.history_table, p_m.split_table
            USING ERRCODE = '42P01', HINT = 'They were renamed or dropped outside part; see part.migrations.';
    END IF;
    PERFORM part._lock_all(ARRAY[v_part, v_hist, v_m], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync' AND t.tgenabled = 'A') THEN
        RAISE EXCEPTION 'cannot swap the history partition of %: its trigger part_split_sync is missing or was disabled, so its copy % may have missed writes',
                        p_m.table_name, p_m.split_table
            USING ERRCODE = '55000',
                  HINT = format('ALTER TABLE %s ENABLE ALWAYS TRIGGER part_split_sync (or, when it is gone, drop %s and set part.migration''s split_phase to NULL to start the split again); the next steps check every interval again.',
                                           p_m.history_table, p_m.split_table);
    END IF;
    IF (SELECT t.xmin::text FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync') IS DISTINCT FROM p_m.split_sync_xmin THEN
        RAISE EXCEPTION 'cannot swap the history partition of %: its trigger part_split_sync was changed while the swap waited for its locks', p_m.table_name
            USING ERRCODE = '40001', HINT = 'Run maintenance again: it checks every interval again first.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist AND i.inhparent = v_part) THEN
        RAISE EXCEPTION '% is no longer a partition of %', p_m.history_table, p_m.partitioned_table
            USING ERRCODE = '55000', HINT = format('Attach it back as FOR VALUES FROM (%s) TO (%L), then run maintenance again.',
                                                              coalesce(quote_literal(p_m.history_from), 'MINVALUE'), p_m.history_to);
    END IF;
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_hist);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%L)', v_part, v_m,
                              coalesce(quote_literal(p_m.history_from), 'MINVALUE'), p_m.history_to);
    -- H is no partition now: its triggers go (catalog only); the table itself is dropped by the next
    -- step, outside any lock a writer waits for (unlinking its files at COMMIT takes time)
    EXECUTE format('DROP TRIGGER part_split_sync ON %s', v_hist);
    EXECUTE format('DROP TRIGGER IF EXISTS part_split_truncate ON %s', v_hist);
    EXECUTE format('DROP FUNCTION IF EXISTS %s()', v_fn);
    UPDATE part.migration m SET split_phase = 'flattening' WHERE m.table_name = p_m.table_name;
    RETURN part._qualified(v_m);
END
$$;

-- maintenance/_split_flatten.sql
CREATE FUNCTION part._split_flatten(p_m part.migration, OUT partition_name text, OUT done boolean)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_m      regclass := to_regclass(p_m.split_table);
    v_type   regtype := p_m.key_type::regtype;
    v_b      record;
    v_left   boolean;
BEGIN
/*
 * One step of the flattening of the split (part.split_history calls it
 * after the swap, in its transaction): M's lowest partition P moves to the
 * table. With the table and M locked ACCESS EXCLUSIVE (part._lock_all),
 * only catalog changes: M is detached, P detached from M and attached to
 * the table with its bounds (its CHECK part_split_bound implies them: no
 * scan; its indexes and foreign keys are the table's; the table's row
 * triggers are cloned onto it), its CHECK dropped, and M attached again
 * from P's upper bound to the cut (each partition left proves it by its
 * CHECK: no scan), or dropped when P was its last: then the migration is
 * 'finalized' and part.create_ahead makes the partitions ahead.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    done := false;
    IF v_m IS NULL THEN
        RAISE EXCEPTION 'the split of % lost %', p_m.table_name, p_m.split_table
            USING ERRCODE = '42P01', HINT = 'It was renamed or dropped outside part; see part.migrations.';
    END IF;
    PERFORM part._lock_all(ARRAY[v_part, v_m], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_m AND i.inhparent = v_part) THEN
        RAISE EXCEPTION '% is no longer a partition of %', p_m.split_table, p_m.partitioned_table
            USING ERRCODE = '55000', HINT = 'Attach it back with the bounds of its lowest and highest partitions, then run maintenance again.';
    END IF;
    SELECT b.partition_oid, b.partition_name, b.bound_from, b.bound_to INTO v_b
      FROM part._partition_bounds(v_m) b
     ORDER BY part._bound_ordinal(b.bound_from, v_type)
     LIMIT 1;
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_m);
    IF v_b.partition_oid IS NOT NULL THEN
        partition_name := v_b.partition_name;
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_m, v_b.partition_oid::regclass);
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%s)', v_part, v_b.partition_oid::regclass,
                                  CASE WHEN v_b.bound_from ~* '^minvalue$' THEN 'MINVALUE' ELSE quote_literal(v_b.bound_from) END,
                                  quote_literal(v_b.bound_to));
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS part_split_bound', v_b.partition_oid::regclass);
    END IF;
    v_left := EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = v_m);
    IF v_left THEN
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)', v_part, v_m, v_b.bound_to, p_m.history_to);
        UPDATE part.migration m SET split_intervals = m.split_intervals + 1, history_from = v_b.bound_to
         WHERE m.table_name = p_m.table_name;
    ELSE
        EXECUTE format('DROP TABLE %s', v_m);
        UPDATE part.migration m
           SET split_intervals = m.split_intervals + CASE WHEN v_b.partition_oid IS NULL THEN 0 ELSE 1 END,
               history_from = coalesce(v_b.bound_to, m.history_from), split_phase = NULL, split_table = NULL,
               split_copy_key = NULL, split_checked_to = NULL, split_sync_xmin = NULL, phase = 'finalized', finalized_at = now()
         WHERE m.table_name = p_m.table_name;
        PERFORM part.create_ahead(NULL, part._qualified(v_part));   -- the intervals ahead
        done := true;
    END IF;
END
$$;

-- maintenance/split_history.sql
CREATE FUNCTION part.split_history(p_table text, p_batch integer DEFAULT 50000)
    RETURNS TABLE(step text, partition_name text, rows_moved bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration := part._migration_row(p_table);
    v_part    regclass;
    v_hist    regclass;
    v_refs    text;
    v_name    text;
    v_clean   boolean;
    v_done    boolean;
BEGIN
/*
 * One step of the online split of an attach migration's history partition H
 * (the legacy table, attached as [MINVALUE or history_from, history_to)),
 * in the caller's transaction; part.run_maintenance calls it once per
 * transaction until the migration is 'finalized'. H is never bounded anew
 * (that would scan it under a lock): its rows are copied into M, a
 * partitioned table of one partition per interval, kept in step by row
 * triggers on H; M replaces H in one catalog-only step, and M's
 * partitions then join the table one per step, catalog-only. The steps
 * (part.migration's split_phase, returned as step):
 *   start:   M made, with a CHECK per partition, and the triggers on H
 *            (part._split_start; H locked for a moment); or, when H is
 *            empty, H detached and dropped and the migration finalized;
 *   copy:    p_batch rows of H into M (part._split_copy, no lock a writer
 *            waits for but the batch's rows');
 *   check:   one interval of M against H's rows, count and hash
 *            (part._split_check, no lock); recopy when they differ;
 *            recheck (all intervals again) when the sync trigger was
 *            changed since the checks began (its pg_trigger row's xmin);
 *   swap:    H out, M in (part._split_swap: catalog only);
 *   drop:    H dropped (no lock of the table);
 *   flatten: M's lowest partition into the table (part._split_flatten:
 *            catalog only); after the last, the migration is 'finalized'.
 * Returns the step done, the partition or table it made or moved and the
 * rows it copied (no row when there was nothing to do). Every step is one
 * transaction: killed, it is undone, and the next call does it again.
 * Refused while foreign keys reference the table (detaching H would check
 * them by a scan), and, before the swap, while the table's columns differ
 * from M's (changed since the start: M's triggers write the old ones).
 */
    -- one phase change of a table at a time (a rollback waits for this step, then sees it happened)
    PERFORM part._check_count('batch_size', p_batch);   -- 1 to 1,000,000 rows, before anything changes
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF v_m.method <> 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the copy method: it has no history partition', v_m.table_name
            USING ERRCODE = '55000', HINT = 'Only migrations started with p_method => ''attach'' have one.';
    END IF;
    IF NOT part._require_phase(v_m, 'split_history') THEN
        RETURN;   -- finalized: nothing left
    END IF;
    v_part := to_regclass(v_m.partitioned_table);
    v_hist := to_regclass(v_m.history_table);
    IF v_part IS NULL THEN
        RAISE EXCEPTION 'table % is missing', v_m.partitioned_table USING ERRCODE = '42P01',
            HINT = 'It was renamed or dropped outside part; see part.migrations.';
    END IF;
    -- detaching a partition of a referenced table checks the references by a scan
    SELECT string_agg(DISTINCT format('%s (constraint %I)', c.conrelid::regclass, c.conname), ', ')
      INTO v_refs
      FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid IN (v_part, v_hist);
    IF v_refs IS NOT NULL THEN
        RAISE EXCEPTION 'cannot split the history of %: % is referenced by foreign keys (%), and detaching its history partition would check them by a scan under a lock',
                        v_m.table_name, v_m.table_name, v_refs
            USING ERRCODE = '55000',
                  HINT = 'Drop those foreign keys while maintenance splits the history partition, and add them back after (part.migrations shows when it is finalized).';
    END IF;

    -- the copy has the columns the table had when the split started, and its triggers write those
    IF v_m.split_phase IN ('copying', 'checking')
       AND (SELECT string_agg(format('%s %s %s', a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated), ', ' ORDER BY a.attname)
              FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped)
           IS DISTINCT FROM
           (SELECT string_agg(format('%s %s %s', a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated), ', ' ORDER BY a.attname)
              FROM pg_attribute a WHERE a.attrelid = to_regclass(v_m.split_table) AND a.attnum > 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'cannot go on with the split of %: its columns changed since the split started, and its copy % has the old ones',
                        v_m.table_name, v_m.split_table
            USING ERRCODE = '55000',
                  HINT = 'Undo the column change until part.migrations shows the migration finalized, then make it again; the split goes on from where it stopped.';
    END IF;

    IF v_m.split_phase IS NULL THEN
        IF v_hist IS NULL OR NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist AND i.inhparent = v_part) THEN
            RAISE EXCEPTION '% is no longer a partition of %', v_m.history_table, v_m.partitioned_table
                USING ERRCODE = '55000', HINT = format('Attach it back as FOR VALUES FROM (%s) TO (%L), then run maintenance again.',
                                                                  coalesce(quote_literal(v_m.history_from), 'MINVALUE'), v_m.history_to);
        END IF;
        v_name := part._split_start(v_m);
        IF v_name IS NULL THEN
            -- nothing in it: it goes (catalog only), and the migration is over
            PERFORM part._lock_all(ARRAY[v_part, v_hist], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_hist);
            EXECUTE format('DROP TABLE %s', v_hist);
            UPDATE part.migration m SET phase = 'finalized', finalized_at = now(), history_table = NULL,
                                         split_started_at = coalesce(m.split_started_at, now())
             WHERE m.table_name = v_m.table_name;
            PERFORM part.create_ahead(NULL, part._qualified(v_part));   -- the intervals it covered up to now and ahead
            PERFORM part._notice(format('%s finalized (attach): its history partition was empty and is dropped', v_m.table_name));
            step := 'finalize'; partition_name := NULL; rows_moved := 0;
        ELSE
            step := 'start'; partition_name := v_name; rows_moved := 0;
        END IF;
    ELSIF v_m.split_phase = 'copying' THEN
        step := 'copy'; partition_name := v_m.split_table;
        rows_moved := part._split_copy(v_m, p_batch);
    ELSIF v_m.split_phase = 'checking'
          AND (SELECT t.xmin::text FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync')
              IS DISTINCT FROM v_m.split_sync_xmin THEN
        -- the sync trigger was changed (disabled?) since the checks began: M may have missed writes
        -- after they passed; they begin again (the trigger's row as it is now recorded)
        UPDATE part.migration m
           SET split_checked_to = NULL,
               split_sync_xmin = (SELECT t.xmin::text FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync')
         WHERE m.table_name = v_m.table_name;
        step := CASE WHEN v_m.split_checked_to IS NULL THEN 'check' ELSE 'recheck' END;
        partition_name := v_m.split_table; rows_moved := 0;
        IF v_m.split_checked_to IS NOT NULL THEN
            RAISE WARNING 'split of %: the trigger part_split_sync of % was changed since the checks began: every interval is checked again',
                          v_m.table_name, v_m.history_table
                USING HINT = 'Leave part''s triggers enabled while maintenance splits the history partition.';
        END IF;
    ELSIF v_m.split_phase = 'checking' THEN
        SELECT c.partition_name, c.row_count, c.clean INTO v_name, rows_moved, v_clean FROM part._split_check(v_m) c;
        IF v_name IS NOT NULL THEN
            step := CASE WHEN v_clean THEN 'check' ELSE 'recopy' END; partition_name := v_name; rows_moved := 0;
        ELSE
            step := 'swap'; partition_name := part._split_swap(v_m); rows_moved := 0;
        END IF;
    ELSIF v_hist IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist) THEN
        -- flattening, and the history partition the swap detached is still there: dropped first, holding
        -- no lock of the table (unlinking its files at COMMIT takes a while on a big table)
        PERFORM part._lock_all(ARRAY[v_hist], ARRAY['ACCESS EXCLUSIVE']);
        EXECUTE format('DROP TABLE %s', v_hist);
        UPDATE part.migration m SET history_table = NULL WHERE m.table_name = v_m.table_name;
        step := 'drop'; partition_name := v_m.history_table; rows_moved := 0;
    ELSE   -- flattening
        SELECT f.partition_name, f.done INTO v_name, v_done FROM part._split_flatten(v_m) f;
        step := 'flatten'; partition_name := v_name; rows_moved := 0;
        IF v_done THEN
            PERFORM part._notice(format('%s finalized (attach): its history is split into partitions', v_m.table_name));
        END IF;
    END IF;
    PERFORM part._notice(format('split of %s: %s %s%s', v_m.table_name, step, coalesce(partition_name, ''),
                                                   CASE WHEN rows_moved > 0 THEN format(' (%s rows)', rows_moved) ELSE '' END));
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION part.split_history IS
    'part: one step of the online split of an attach migration''s history partition (copy into per-interval partitions kept in step by triggers, check, swap, then one partition per step into the table; run_maintenance calls it once per transaction); returns the step, what it made or moved and the rows copied, none once finalized.';

-- maintenance/_analyze.sql
CREATE FUNCTION part._analyze(p_tables text[])
    RETURNS integer
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_done integer := 0;
BEGIN
/*
 * ANALYZE each of p_tables (qualified names, as part returns them), so the
 * planner knows partitions maintenance just filled. Run after the commit
 * that released the locks of their creation, so that writers never wait for
 * statistics. Empty tables (no page yet: partitions made ahead of the data)
 * are skipped, as autovacuum analyzes them once rows arrive. A table that
 * cannot be analyzed (dropped since, say) gets a WARNING and the others are
 * still analyzed. Returns how many were.
 */
    FOR i IN 1 .. coalesce(cardinality(p_tables), 0) LOOP
        CONTINUE WHEN coalesce(pg_relation_size(to_regclass(p_tables[i])), 0) = 0;
        BEGIN
            EXECUTE format('ANALYZE %s', to_regclass(p_tables[i]));
            v_done := v_done + 1;
        EXCEPTION WHEN others THEN
            RAISE WARNING 'part: could not analyze %: %', p_tables[i], SQLERRM;
        END;
    END LOOP;
    RETURN v_done;
END
$$;

-- maintenance/_drain_default.sql
CREATE FUNCTION part._drain_default(p_parent regclass, p_max_partitions integer DEFAULT NULL)
    RETURNS TABLE(partition_name text, rows_moved bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg     part.config := part._config_row(p_parent);
    v_type    regtype := v_cfg.key_type::regtype;
    v_int     boolean := v_cfg.key_type IN ('smallint', 'integer', 'bigint');
    v_default regclass;
    v_start   text;
    v_min     text;
    v_from    text;
    v_to      text;
    v_made    text;
    v_count   integer := 0;
    v_lim     record;
BEGIN
/*
 * Move the rows waiting in p_parent's default partition into partitions
 * made for them: for each interval that holds rows (smallest first), the
 * aligned partition is created by part._create_range_partition, which moves
 * that interval's rows out of the default before attaching it. At most
 * p_max_partitions intervals per call, so that a caller that commits
 * between calls (part.run_maintenance) holds the default's lock for one
 * interval's rows at a time.
 *
 * Rows older than the retention (whose partition part.drop_old would retire
 * at once) stay where they are, as do rows with a NULL key and rows of an
 * interval a differently-bounded partition already overlaps, and rows with
 * keys no aligned partition can hold (infinity, the bigint extremes:
 * part._key_limits), which never hold up the rows after them; part.verify()
 * reports them. Returns each partition made and the rows moved into it.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF v_cfg.strategy <> 'range' THEN
        RETURN;
    END IF;
    SELECT b.partition_oid::regclass INTO v_default
      FROM part._partition_bounds(p_parent) b WHERE b.is_default;
    IF v_default IS NULL THEN
        RETURN;
    END IF;

    IF v_cfg.retention IS NOT NULL THEN
        IF v_int THEN
            EXECUTE format('SELECT (pg_catalog.max(%I) - %s)::text FROM %s',
                                      v_cfg.key_column, v_cfg.retention::bigint, p_parent) INTO v_start;
        ELSE
            v_start := part._literal(part._zone_minus(v_cfg.retention, v_cfg.time_zone), v_type);
        END IF;
        IF v_start IS NOT NULL THEN
            v_start := part._range_floor(v_start, v_type, v_cfg."interval", v_cfg.time_zone);
        END IF;
    END IF;

    v_lim := part._key_limits(v_type, v_cfg."interval");
    LOOP
        EXIT WHEN p_max_partitions IS NOT NULL AND v_count >= p_max_partitions;
        EXECUTE format('SELECT pg_catalog.min(%1$I)::text FROM ONLY %2$s WHERE %1$I >= $1::%3$s AND %1$I >= $2::%3$s AND %1$I < $3::%3$s',
                                  v_cfg.key_column, v_default, v_type)
           INTO v_min USING coalesce(v_start, v_lim.lo), v_lim.lo, v_lim.hi;
        EXIT WHEN v_min IS NULL;
        IF NOT v_int THEN
            v_min := part._literal(part._to_utc(v_min, v_type), v_type);
        END IF;
        v_from := part._range_floor(v_min, v_type, v_cfg."interval", v_cfg.time_zone);
        v_to := part._range_next(v_from, v_type, v_cfg."interval", v_cfg.time_zone);
        v_made := part._create_range_partition(p_parent, v_from, v_to);
        IF v_made IS NOT NULL THEN
            partition_name := v_made;
            EXECUTE format('SELECT pg_catalog.count(*) FROM %s', v_made) INTO rows_moved;
            v_count := v_count + 1;
            RETURN NEXT;
        ELSE
            PERFORM part._notice(format(
                'rows of %s [%s, %s) stay in %s: a partition with other bounds overlaps that range',
                v_cfg.parent_table, v_from, v_to, v_default));
        END IF;
        v_start := v_to;
    END LOOP;
END
$$;

-- maintenance/_log_step_failure.sql
CREATE FUNCTION part._log_step_failure(p_run bigint, p_parent text, p_step text, p_started timestamptz,
                                               p_state text, p_message text, p_detail text)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The maintenance_log row of a maintenance step that did not complete: a
     * lock not obtained within the retries (55P03) is 'skipped' (it will be
     * tried again next run), anything else 'failed'; the error in detail,
     * its SQLSTATE in error_code (part.verify reads that, not the text).
     */
    INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail, error_code)
    VALUES (p_run, p_parent, p_step, clock_timestamp() - p_started,
            CASE WHEN p_state = '55P03' THEN 'skipped' ELSE 'failed' END,
            p_state || ': ' || p_message || coalesce(' ' || p_detail, ''), p_state)
$$;

-- maintenance/_maintenance_plan.sql
CREATE FUNCTION part._maintenance_plan(p_parent regclass DEFAULT NULL)
    RETURNS TABLE(parent_table text, rel regclass, strategy text, key_type text,
                  needs_ahead boolean, missing text[], default_partition regclass,
                  default_nonempty boolean, retention text, retire_due boolean,
                  migration_phase text, partition_count bigint, covered_until text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * What maintenance has to do, for every managed table (or p_parent), read
     * in ONE pass over the catalog (hash joins, no query per table), so that a
     * run with nothing to do costs one query whatever the number of tables
     * (bounds: part._bounds_all):
     *   needs_ahead: a partition is missing for now or one of the premake
     *     intervals ahead (time keys); NULL for integer keys, whose "now" is
     *     the largest key, which only a query on the table itself can tell;
     *   missing: the starts of the missing intervals;
     *   default_nonempty: the default partition has pages (it may hold rows);
     *   retire_due: a partition lies wholly before now - retention (time keys;
     *     NULL for integer keys);
     *   migration_phase: the phase of a migration this table takes part in;
     *   partition_count (without the default), covered_until (the highest bound).
     * rel is NULL when the table no longer exists.
     */
    WITH cfg AS MATERIALIZED (
        SELECT c.parent_table, c.strategy, c.key_type, c."interval", c.premake, c.retention, c.time_zone,
               part._managed_rel(c.parent_table) AS rel,
               c.key_type IN ('smallint', 'integer', 'bigint') AS int_key,
               (now() AT TIME ZONE 'UTC') AS now_utc
          FROM part.config c
         WHERE p_parent IS NULL OR c.parent_table = part._qualified(p_parent)
    ), ords AS MATERIALIZED (
        SELECT b.rel, b.partition_oid AS oid, b.is_default, b.lo, b.hi
          FROM part._bounds_all(p_parent) b
    ), points AS (
        -- now and the premake intervals ahead: one point in each (counted on the table zone's
        -- calendar: a UTC day from 23:30 in Paris can land two local days later across a change of clocks)
        SELECT c.rel, c.key_type, c."interval", c.time_zone, a.at, date_part('epoch', a.at) AS ep
          FROM cfg c
         CROSS JOIN LATERAL generate_series(0, c.premake) k
         CROSS JOIN LATERAL (SELECT CASE WHEN c.time_zone = 'UTC' THEN c.now_utc + k * c."interval"::interval
                                         ELSE ((now() AT TIME ZONE c.time_zone) + k * c."interval"::interval)
                                              AT TIME ZONE c.time_zone AT TIME ZONE 'UTC' END AS at) a
         WHERE c.strategy = 'range' AND NOT c.int_key AND c.rel IS NOT NULL
    ), uncovered AS (
        SELECT x.rel,
               array_agg(part._range_floor(part._literal(x.at, x.key_type::regtype),
                                                              x.key_type::regtype, x."interval", x.time_zone) ORDER BY x.at) AS missing
          FROM (SELECT pt.rel, pt.at, pt.key_type, pt."interval", pt.time_zone, count(o.oid) AS n
                  FROM points pt
                  LEFT JOIN ords o ON o.rel = pt.rel AND NOT o.is_default AND o.lo <= pt.ep AND pt.ep < o.hi
                 GROUP BY pt.rel, pt.at, pt.key_type, pt."interval", pt.time_zone) x
         WHERE x.n = 0
         GROUP BY x.rel
    ), per_table AS (
        SELECT o.rel,
               max(o.oid::bigint) FILTER (WHERE o.is_default)::oid AS default_oid,
               min(o.hi) FILTER (WHERE NOT o.is_default) AS min_hi,
               max(o.hi) FILTER (WHERE NOT o.is_default) AS max_hi,
               count(*) FILTER (WHERE NOT o.is_default) AS n
          FROM ords o GROUP BY o.rel
    ), phases AS (
        SELECT DISTINCT ON (t.name) t.name, m.phase
          FROM part.migration m
         CROSS JOIN LATERAL (VALUES (m.table_name), (m.partitioned_table), (m.legacy_table)) t(name)
         ORDER BY t.name, m.phase = 'finalized'
    )
    SELECT c.parent_table, c.rel, c.strategy, c.key_type,
           CASE WHEN c.rel IS NULL OR c.strategy <> 'range' THEN false
                WHEN c.int_key THEN NULL
                ELSE u.missing IS NOT NULL END,
           u.missing,
           t.default_oid::regclass,
           coalesce(pg_relation_size(t.default_oid) > 0, false),
           c.retention,
           CASE WHEN c.rel IS NULL OR c.retention IS NULL OR c.strategy <> 'range' THEN false
                WHEN c.int_key THEN NULL
                ELSE coalesce(t.min_hi <= date_part('epoch', part._zone_minus(c.retention, c.time_zone)), false) END,
           ph.phase,
           coalesce(t.n, 0),
           part._ordinal_literal(t.max_hi, c.key_type::regtype)
      FROM cfg c
      LEFT JOIN uncovered u ON u.rel = c.rel
      LEFT JOIN per_table t ON t.rel = c.rel
      LEFT JOIN phases ph ON ph.name = c.parent_table
     ORDER BY c.parent_table
$$;

-- maintenance/_maintenance_step.sql
CREATE FUNCTION part._maintenance_step(p_run bigint, p_table regclass, p_parent text, p_kind text,
                                               p_commit boolean DEFAULT true,
                                               p_missing text[] DEFAULT NULL, p_i integer DEFAULT 1,
                                               OUT created integer, OUT drained integer, OUT moved bigint,
                                               OUT retired integer, OUT made text[], OUT more boolean)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_t0    timestamptz := clock_timestamp();
    v_made  text;
    v_r     record;
    v_cfg   part.config;
    v_dflt  boolean;
BEGIN
/*
 * One step of one kind of part.run_maintenance for one table (p_table, named
 * p_parent in part.config), logging an 'ok' row in part.maintenance_log per
 * partition it makes or fills; errors propagate (run_maintenance catches,
 * logs, commits and re-pins around every step, and calls it again while
 * more is true):
 *   create: the next partition ahead (with p_commit on a table with a default
 *           partition: one per call, its writers wait while it is made),
 *           else all missing ones at once. p_missing, when given, is what
 *           part._maintenance_plan found missing (the starts of the
 *           intervals, nearest first) and p_i the call's number: the call
 *           makes p_missing[p_i] directly and says more while p_missing has
 *           more, instead of a pass of part._create_ahead over the table's
 *           partitions per call and one last call that finds nothing (what
 *           made run_maintenance 1.5x the bare DDL per partition); when that
 *           interval cannot be made as planned (made meanwhile, or a
 *           partition overlaps it), the call falls back to part._create_ahead,
 *           which knows what to do and log;
 *   drain:  one interval of rows out of the default partition;
 *   split:  one step of the split of an attach migration's history partition
 *           (part.split_history: a copy batch, a check, the swap, or one partition in);
 *   retire: part.drop_old (which logs each partition itself).
 * Returns the counts of this step, the partitions made or filled (made:
 * analyzed by the caller after the commit that released their locks), and
 * more: whether another step of this kind has work to do.
 */
    created := 0; drained := 0; moved := 0; retired := 0; made := '{}'; more := false;
    CASE p_kind
    WHEN 'create' THEN
        v_dflt := p_commit AND EXISTS (SELECT 1 FROM pg_partitioned_table pt WHERE pt.partrelid = p_table AND pt.partdefid <> 0);
        IF v_dflt AND p_missing[p_i] IS NOT NULL THEN
            v_cfg := part._config_row(p_table);
            v_made := part._create_range_partition(p_table, p_missing[p_i],
                          part._range_next(p_missing[p_i], v_cfg.key_type::regtype, v_cfg."interval", v_cfg.time_zone),
                          p_known_free => true);   -- checked again under its lock
            IF v_made IS NOT NULL THEN
                INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, duration, outcome)
                VALUES (p_run, p_parent, 'create', v_made, clock_timestamp() - v_t0, 'ok');
                made := ARRAY[v_made];
                created := 1;
                more := p_i < cardinality(p_missing);
                RETURN;
            END IF;
        END IF;
        FOR v_made IN SELECT x FROM part._create_ahead(NULL, p_table, CASE WHEN p_commit THEN 1 END, false) x LOOP
            INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, duration, outcome)
            VALUES (p_run, p_parent, 'create', v_made, clock_timestamp() - v_t0, 'ok');
            made := made || v_made;
            v_t0 := clock_timestamp();
        END LOOP;
        created := cardinality(made);
        -- a call that made nothing, or everything (no limit without a default partition)
        more := created > 0 AND v_dflt;
    WHEN 'drain' THEN
        FOR v_r IN SELECT * FROM part._drain_default(p_table, 1) LOOP
            made := made || v_r.partition_name;
            INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, rows_moved,
                                                      duration, outcome, detail)
            VALUES (p_run, p_parent, 'drain', v_r.partition_name, v_r.rows_moved,
                    clock_timestamp() - v_t0, 'ok', 'rows moved out of the default partition');
            drained := drained + 1;   -- a partition made to hold rows of the default:
            created := created + 1;   -- created too
            moved := moved + v_r.rows_moved;
        END LOOP;
        more := drained > 0;
    WHEN 'split' THEN
        FOR v_r IN SELECT * FROM part.split_history(p_parent) LOOP
            INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, rows_moved,
                                                      duration, outcome, detail)
            VALUES (p_run, p_parent, 'split', v_r.partition_name, v_r.rows_moved,
                    clock_timestamp() - v_t0, 'ok',
                    CASE v_r.step
                        WHEN 'start'    THEN 'split of the history partition (attach migration) started: its copy made, kept in step by triggers'
                        WHEN 'copy'     THEN 'rows of the history partition copied (attach migration)'
                        WHEN 'check'    THEN 'interval of the history partition''s copy checked: it matches'
                        WHEN 'recopy'   THEN 'interval of the history partition''s copy differed: copied again'
                        WHEN 'swap'     THEN 'the history partition''s copy replaced it (catalog only)'
                        WHEN 'drop'     THEN 'the history partition, replaced by its copy, dropped'
                        WHEN 'flatten'  THEN 'partition of the history''s copy moved into the table (catalog only)'
                        ELSE 'the history partition was empty: dropped' END);
            IF v_r.step = 'flatten' AND v_r.partition_name IS NOT NULL THEN
                made := made || v_r.partition_name;
                created := created + 1;
            END IF;
            moved := moved + v_r.rows_moved;
            more := true;
        END LOOP;
    WHEN 'retire' THEN
        SELECT count(*) INTO retired FROM part.drop_old(NULL, p_parent);
    ELSE
        RAISE EXCEPTION 'part._maintenance_step: unknown step kind %', quote_nullable(p_kind)
            USING ERRCODE = '22023', HINT = 'Pass one of create, drain, split, retire.';
    END CASE;
END
$$;

-- maintenance/_maintenance_txn.sql
CREATE FUNCTION part._maintenance_txn(p_run_id bigint)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * Settings of one transaction of part.run_maintenance (they end with it):
 * the run id that part.drop_old writes into its log rows, and a lock_timeout
 * of 2 s for any lock part._lock does not take itself, so that maintenance
 * never queues unbounded behind a long transaction.
 */
    PERFORM set_config('part.run_id', p_run_id::text, true);
    PERFORM set_config('lock_timeout', '2s', true);
END
$$;

-- maintenance/_split_capture.sql
CREATE FUNCTION part._split_capture()
    RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * Trigger on a hash partition being split: records the partition key of
 * every row written (TG_ARGV[0] names the key column), or NULL for a
 * TRUNCATE, so that part.split_hash re-copies those keys under its lock.
 */
    -- SECURITY DEFINER (writers need no privilege on part.split_log), not executable by PUBLIC, and
    -- only as part's own trigger on a partition of a table part manages
    IF TG_NAME NOT IN ('part_split_capture', 'part_split_capture_truncate')
       OR NOT EXISTS (SELECT 1 FROM pg_inherits i JOIN part.config c
                                 ON c.parent_table = part._qualified(i.inhparent)
                       WHERE i.inhrelid = TG_RELID AND c.strategy = 'hash') THEN
        RAISE EXCEPTION 'part._split_capture fired as trigger % on %.%, which part did not create', TG_NAME, TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = '42501', HINT = 'Drop that trigger: part._split_capture serves only part.split_hash.';
    END IF;
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO part.split_log VALUES (TG_RELID, NULL);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO part.split_log VALUES (TG_RELID, to_jsonb(OLD) ->> TG_ARGV[0]);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO part.split_log VALUES (TG_RELID, to_jsonb(NEW) ->> TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$$;

-- maintenance/_yield_reason.sql
CREATE FUNCTION part._yield_reason(p_rels regclass[])
    RETURNS text
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_lag   text;
    v_queue boolean;
    v_r     record;
BEGIN
/*
 * Why work on the tables p_rels (and their partitions) should pause now for
 * production, or NULL to go on. Read between batches by part._yield_wait:
 *   replay lag   (setting yield_max_replay_lag, a size; '' = off): a standby
 *                streaming from this server (pg_stat_replication) has not
 *                replayed that many bytes of the WAL written here. Bytes, not
 *                replay_lag: replay_lag is measured only when replay passes
 *                a sampled position, so it stays at its last value while a
 *                standby's replay is stuck (and goes NULL when idle); the
 *                distance in WAL grows with every batch the standby has not
 *                replayed, which is what the work adds.
 *   lock queue   (setting yield_on_lock_queue): another session waits for a
 *                lock on one of the tables (a DDL, a LOCK TABLE, writers queued
 *                behind them): the next batch would queue behind it and make
 *                everyone behind wait longer.
 * Reads only pg_stat_replication, pg_locks and pg_inherits: it takes no lock
 * on any table (so it never queues itself).
 */
    -- both settings in one read (as part.setting gives them: the stored value, else the default)
    SELECT max(coalesce(s.value, k.default_value)) FILTER (WHERE k.key = 'yield_max_replay_lag'),
           bool_or(coalesce(s.value, k.default_value)::boolean) FILTER (WHERE k.key = 'yield_on_lock_queue')
      INTO v_lag, v_queue
      FROM part._setting_keys() k LEFT JOIN part.settings s ON s.key = k.key
     WHERE k.key IN ('yield_max_replay_lag', 'yield_on_lock_queue');
    IF v_lag <> '' AND NOT pg_is_in_recovery() THEN
        SELECT coalesce(nullif(r.application_name, ''), 'pid ' || r.pid) AS name,
               pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn) AS behind
          INTO v_r
          FROM pg_stat_replication r
         WHERE r.state IN ('streaming', 'catchup') AND r.replay_lsn IS NOT NULL
         ORDER BY 2 DESC LIMIT 1;
        IF v_r.behind > pg_size_bytes(v_lag) THEN
            RETURN format('replay lag: standby %s has %s of WAL not replayed (yield_max_replay_lag %s)',
                                     v_r.name, pg_size_pretty(v_r.behind), v_lag);
        END IF;
    END IF;
    IF v_queue THEN
        -- waiting sessions first (usually none), then whether each waits on one of p_rels or a partition
        -- of one: up pg_inherits, which takes no lock (pg_partition_tree would lock every partition)
        WITH RECURSIVE w AS (
            SELECT l.pid, l.mode, l.relation, l.waitstart
              FROM pg_locks l
             WHERE NOT l.granted AND l.locktype = 'relation' AND l.pid <> pg_backend_pid()
               AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
        ), up(rel, waited) AS (
            SELECT DISTINCT w.relation, w.relation FROM w
            UNION
            SELECT i.inhparent, up.waited FROM up JOIN pg_inherits i ON i.inhrelid = up.rel
        )
        SELECT count(*) AS n, (array_agg(w.pid ORDER BY w.waitstart NULLS LAST, w.pid))[1] AS pid,
               (array_agg(w.mode ORDER BY w.waitstart NULLS LAST, w.pid))[1] AS mode,
               (array_agg(w.relation::regclass::text ORDER BY w.waitstart NULLS LAST, w.pid))[1] AS rel
          INTO v_r
          FROM w
         WHERE EXISTS (SELECT 1 FROM up WHERE up.waited = w.relation AND up.rel = ANY(p_rels::oid[]));
        IF v_r.n > 0 THEN
            RETURN format('lock queue: %s waiting for a lock on %s (pid %s waits for %s; yield_on_lock_queue)',
                                     CASE WHEN v_r.n = 1 THEN '1 session' ELSE v_r.n || ' sessions' END, v_r.rel, v_r.pid, v_r.mode);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

-- maintenance/_yield_wait.sql
CREATE PROCEDURE part._yield_wait(
    p_table          text,
    p_work           text,
    p_rels           regclass[],
    p_give_up        boolean,
    INOUT p_waited   interval DEFAULT NULL,
    INOUT p_gave_up  text DEFAULT NULL
)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_reason  text;
    v_since   timestamptz;
    v_max     interval;
    v_shown   timestamptz;
BEGIN
/*
 * The pause of a batch loop for production: called between two batches
 * (after the caller's COMMIT: it must hold no lock on the user's tables),
 * it returns at once (p_waited NULL) unless part._yield_reason(p_rels) gives
 * a reason to pause. Then it records the pause in part.pause (p_table,
 * p_work, since, reason: part.migrations and part.verify() show it), says
 * so (NOTICE), COMMITs, and reads the reason again every second, in
 * transactions that hold no lock and no snapshot between reads, until it
 * is gone; it then deletes the record and returns how long it waited
 * (p_waited). p_give_up: once the pause has lasted the setting
 * yield_max_wait, it stops waiting and returns the reason in p_gave_up
 * (run_maintenance then leaves the table to its next run); without it, it
 * waits on (a backfill: part.verify() warns past yield_max_wait).
 * It COMMITs: CALL it only from a procedure that commits between batches.
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    p_waited := NULL;
    p_gave_up := NULL;
    v_reason := part._yield_reason(p_rels);
    IF v_reason IS NULL THEN
        RETURN;
    END IF;
    v_since := pg_catalog.clock_timestamp();
    v_max := part.setting('yield_max_wait')::interval;
    INSERT INTO part.pause AS p (table_name, work, since, reason, pid, backend_start, checked_at)
    VALUES (p_table, p_work, v_since, v_reason, pg_catalog.pg_backend_pid(),
            (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()), v_since)
    ON CONFLICT (table_name, work) DO UPDATE
       SET since = EXCLUDED.since, reason = EXCLUDED.reason, pid = EXCLUDED.pid,
           backend_start = EXCLUDED.backend_start, checked_at = EXCLUDED.checked_at;
    RAISE NOTICE 'part: % of % paused: %', p_work, p_table, v_reason
        USING HINT = 'It resumes by itself when the reason is gone; see part.migrations and part.verify().';
    COMMIT;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    v_shown := v_since;
    LOOP
        PERFORM pg_catalog.pg_sleep(1);
        v_reason := part._yield_reason(p_rels);
        EXIT WHEN v_reason IS NULL;
        IF p_give_up AND pg_catalog.clock_timestamp() - v_since >= v_max THEN
            p_gave_up := pg_catalog.format('paused for %s (yield_max_wait %s): %s',
                                           pg_catalog.date_trunc('second', pg_catalog.clock_timestamp() - v_since), v_max, v_reason);
            EXIT;
        END IF;
        -- the current reason, at most every 10 s (a row written every second would add WAL itself)
        IF pg_catalog.clock_timestamp() - v_shown >= interval '10 seconds' THEN
            v_shown := pg_catalog.clock_timestamp();
            UPDATE part.pause p SET reason = v_reason, checked_at = v_shown
             WHERE p.table_name = p_table AND p.work = p_work;
        END IF;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END LOOP;
    p_waited := pg_catalog.clock_timestamp() - v_since;
    DELETE FROM part.pause p WHERE p.table_name = p_table AND p.work = p_work AND p.pid = pg_catalog.pg_backend_pid();
    IF p_gave_up IS NULL THEN
        RAISE NOTICE 'part: % of % resumed after a pause of %', p_work, p_table, pg_catalog.date_trunc('second', p_waited);
    END IF;
    COMMIT;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
END
$$;

-- migration/attach_prepare.sql
CREATE FUNCTION part.attach_prepare(p_table text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      part.migration := part._migration_row(p_table);
    v_legacy regclass;
    v_part   regclass;
    v_valid  boolean;
    v_sql    text;
BEGIN
/*
 * The preparation of an attach migration (phase 'preparing'), one step per
 * call, for the caller to repeat until it returns NULL:
 *   1. validate the legacy table's CHECK part_history_bound (SHARE UPDATE
 *      EXCLUSIVE: writers and readers go on while it scans; commit the
 *      part.migrate_start that added it first, or this waits behind its
 *      lock);
 *   2. return the next statement that cannot run inside a function: CREATE
 *      [UNIQUE] INDEX CONCURRENTLY on the legacy table of an index of the
 *      partitioned table it lacks (the primary key with the partition key
 *      first), or DROP INDEX CONCURRENTLY of an interrupted build; the
 *      caller runs it outside a transaction block and calls again
 *      (pginstall migrate does both);
 *   3. when nothing is missing: phase 'prepared', returns NULL.
 */
    -- one phase change of a table at a time: a switch or rollback meanwhile waits, or is seen
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF v_m.method <> 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the copy method', v_m.table_name
            USING ERRCODE = '55000', HINT = format('Copy the rows with CALL part.backfill(%L).', v_m.table_name);
    END IF;
    IF NOT part._require_phase(v_m, 'attach_prepare') THEN
        RETURN NULL;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    SELECT c.convalidated INTO v_valid FROM pg_constraint c
     WHERE c.conrelid = v_legacy AND c.conname = 'part_history_bound' AND c.contype = 'c';
    IF v_valid IS NULL THEN
        RAISE EXCEPTION 'the CHECK part_history_bound of % is missing', v_m.legacy_table
            USING ERRCODE = '55000',
                  HINT = format('It was dropped: cancel with SELECT part.migrate_cancel(%L) and start again.', v_m.table_name);
    END IF;
    IF NOT v_valid THEN
        PERFORM part._lock_all(ARRAY[v_legacy], ARRAY['SHARE UPDATE EXCLUSIVE']);
        BEGIN
            EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT part_history_bound', v_legacy);
        EXCEPTION WHEN check_violation THEN
            RAISE EXCEPTION 'cannot prepare %: a row of % has a key at or past %, or none (written while part.migrate_start ran)',
                            v_m.table_name, v_m.legacy_table, v_m.history_to
                USING ERRCODE = '55000',
                      HINT = format('Cancel with SELECT part.migrate_cancel(%L), then start again (with a larger p_premake if the application writes that far ahead).',
                                               v_m.table_name);
        END;
        PERFORM part._notice(format('%s: every row is below %s (CHECK part_history_bound validated)',
                                                       v_m.legacy_table, v_m.history_to));
    END IF;
    v_sql := part._attach_next_index(v_legacy, v_part);
    IF v_sql IS NOT NULL THEN
        UPDATE part.migration m SET phase = 'preparing', prepared_at = NULL
         WHERE m.table_name = v_m.table_name AND m.phase <> 'preparing';
        RETURN v_sql;
    END IF;
    UPDATE part.migration m SET phase = 'prepared', prepared_at = coalesce(m.prepared_at, now())
     WHERE m.table_name = v_m.table_name;
    IF v_m.phase <> 'prepared' THEN
        PERFORM part._notice(format('%s prepared: SELECT part.switch_reads(%L) attaches it as the history partition',
                                                       v_m.table_name, v_m.table_name));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION part.attach_prepare IS
    'part: the next step of preparing an attach migration (validate the CHECK, the indexes to build CONCURRENTLY): returns the statement to run outside a transaction, NULL once the table is prepared for part.switch_reads.';

-- migration/backfill.sql
CREATE PROCEDURE part.backfill(
    p_table       text,
    p_batch_size  integer DEFAULT 10000,
    p_sleep       interval DEFAULT '0',
    p_max_batches integer DEFAULT NULL,
    p_check       boolean DEFAULT true,
    p_commit      boolean DEFAULT true
)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_m       part.migration;
    v_rows    bigint;
    v_batches integer := 0;
    v_retries integer := 0;
    v_differ  integer;
    v_path    text := pg_catalog.current_setting('search_path');
    v_rels    regclass[];
    v_waited  interval;
    v_gave_up text;
    v_was_done boolean;
    v_async   boolean := false;
BEGIN
/*
 * Copy the rows the legacy table held when the migration started into the
 * partitioned copy (the sync mirrors everything written since), in batches
 * of p_batch_size rows in primary-key order, each committed on its own
 * (part._backfill_batch tells how it stays race-free against concurrent
 * deletes and key changes). Progress is in part.migration / part.migrations
 * after every batch, visible from other sessions. Interrupted (error,
 * cancel, pg_terminate_backend), it resumes from the last committed batch
 * when called again. p_sleep pauses between batches (throttle);
 * p_max_batches stops after that many (call again to go on). Before each
 * batch it pauses while production needs it (part._yield_wait: a standby's
 * replay lag over yield_max_replay_lag, sessions queued for a lock on either
 * table with yield_on_lock_queue), holding no lock, and resumes by itself;
 * the pause and its reason show in part.migrations (not with p_commit =>
 * false: inside the caller's transaction a pause would hold its locks).
 * When the last
 * batch is done, it ANALYZEs the copy (the partitioned table: its partitions
 * and the statistics of the whole, which autovacuum never gathers for a
 * partitioned table), so that the table reads switch to is planned from
 * statistics as the legacy table was; with the owner's rights
 * (part._as_owner), after the last batch's commit, holding no lock writers
 * wait for. Then, with p_check, it runs a full part.check_parity: clean
 * parity moves the migration to 'backfilled'.
 *
 * Called when the migration is already backfilled (or later), it does
 * nothing. It COMMITs, so CALL it outside a transaction block (PostgreSQL
 * forbids a SET clause on such a procedure: it sets search_path itself and
 * qualifies every name); p_commit => false runs it without committing, as
 * tests inside a transaction do.
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF p_batch_size IS NULL OR p_batch_size < 1 THEN
        RAISE EXCEPTION 'invalid batch size %', coalesce(p_batch_size::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass a positive number of rows per batch, e.g. 10000.';
    END IF;
    IF p_sleep IS NULL OR p_sleep < interval '0' THEN
        RAISE EXCEPTION 'invalid sleep %', coalesce(p_sleep::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass a pause between batches of zero or more, e.g. ''100 milliseconds''.';
    END IF;
    IF p_check IS NULL OR p_commit IS NULL THEN
        RAISE EXCEPTION 'p_check and p_commit cannot be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true or false, or leave them out (both default to true).';
    END IF;
    IF p_max_batches IS NOT NULL AND p_max_batches < 1 THEN
        RAISE EXCEPTION 'invalid batch count %', p_max_batches
            USING ERRCODE = '22023', HINT = 'Pass a positive number of batches, or NULL for all of them.';
    END IF;
    v_m := part._migration_row(p_table);
    IF v_m.method = 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the attach method: it copies no row', v_m.table_name
            USING ERRCODE = '55000',
                  HINT = pg_catalog.format('Prepare it with SELECT part.attach_prepare(%L) (repeat until it returns NULL), then SELECT part.switch_reads(%L).',
                                           v_m.table_name, v_m.table_name);
    END IF;
    IF NOT part._require_phase(v_m, 'backfill') THEN
        PERFORM pg_catalog.set_config('search_path', v_path, true);
        RETURN;
    END IF;

    v_rels := ARRAY[pg_catalog.to_regclass(v_m.legacy_table), pg_catalog.to_regclass(v_m.partitioned_table)];
    v_was_done := v_m.backfill_finished_at IS NOT NULL;
    WHILE v_m.backfill_finished_at IS NULL AND (p_max_batches IS NULL OR v_batches < p_max_batches) LOOP
        -- pause for production between batches (part._yield_wait: standby replay lag, lock queue)
        IF p_commit THEN   -- (it commits before it sleeps: nothing of this transaction is held meanwhile)
            CALL part._yield_wait(v_m.table_name, 'backfill', v_rels, false, v_waited, v_gave_up);
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            IF v_waited IS NOT NULL THEN   -- it committed meanwhile: read the state again
                SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name;
                EXIT WHEN NOT FOUND OR v_m.phase <> 'dual_write' OR v_m.backfill_finished_at IS NOT NULL;
            END IF;
        END IF;
        IF p_commit THEN
            -- A batch's commit does not wait for its WAL to reach the disk (a flush of some MB
            -- per batch, about a tenth of the backfill): a crash loses at most the last batches,
            -- their rows and their progress together, and the next call copies them again. Any
            -- transaction that saw a batch's rows (a writer that waited for its gate) flushes it
            -- with its own commit; the backfill's last transaction below flushes every batch.
            PERFORM pg_catalog.set_config('synchronous_commit', 'off', true);
            v_async := true;
        END IF;
        BEGIN
            v_rows := part._backfill_batch(v_m.table_name, p_batch_size);
            v_retries := 0;
        EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
            -- the batch waited for a writer's row while that writer waited for the batch's gate:
            -- the batch is undone (its gate released, the writer goes on) and done again
            v_retries := v_retries + 1;
            IF v_retries > 300 THEN
                RAISE EXCEPTION 'the backfill of % gave up: a transaction holds rows of the next batch for more than a minute', v_m.table_name
                    USING ERRCODE = '55P03',
                          HINT = pg_catalog.format('Find it in pg_stat_activity (idle in transaction?); CALL part.backfill(%L) again, it resumes from the last batch.', v_m.table_name);
            END IF;
            PERFORM pg_catalog.pg_sleep(0.02 + 0.03 * pg_catalog.random());
            CONTINUE;
        END;
        IF p_commit THEN
            COMMIT;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
        END IF;
        SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name;
        EXIT WHEN v_rows IS NULL OR v_m.phase <> 'dual_write';
        v_batches := v_batches + 1;
        IF p_sleep > interval '0' AND v_m.backfill_finished_at IS NULL THEN
            PERFORM pg_catalog.pg_sleep(extract(epoch FROM p_sleep)::double precision);
        END IF;
    END LOOP;

    IF v_async THEN
        -- a synchronous commit that writes: every batch is on disk when the call returns
        UPDATE part.migration m SET backfill_batch_at = m.backfill_batch_at WHERE m.table_name = v_m.table_name;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END IF;
    -- the copy is whole: its statistics (once, by the call that finished it)
    IF v_m.backfill_finished_at IS NOT NULL AND NOT v_was_done AND v_m.phase = 'dual_write' THEN
        PERFORM part._as_owner(v_rels[2], pg_catalog.format('ANALYZE %s', v_rels[2]), p_returns => false);
        IF p_commit THEN
            COMMIT;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
        END IF;
    END IF;
    IF v_m.backfill_finished_at IS NOT NULL AND v_m.phase = 'dual_write' AND p_check THEN
        SELECT pg_catalog.count(*) FILTER (WHERE c.status <> 'ok') INTO v_differ
          FROM part.check_parity(v_m.table_name, true) c;
        IF p_commit THEN
            COMMIT;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
        END IF;
        IF v_differ > 0 THEN
            RAISE WARNING 'part: backfill of % finished, but parity differs in % ranges', v_m.table_name, v_differ
                USING HINT = pg_catalog.format('See SELECT * FROM part.parity_diff(%L).', v_m.table_name);
        END IF;
    END IF;
    PERFORM pg_catalog.set_config('search_path', v_path, true);   -- the caller's, when called in its transaction
END
$$;
COMMENT ON PROCEDURE part.backfill IS
    'part: copy a migration''s existing rows into the partitioned copy in batches of p_batch_size, each committed (p_sleep between them, at most p_max_batches), resumable after a crash or cancel; at the end a full parity check (unless p_check => false) makes it backfilled. CALL outside a transaction block (or p_commit => false).';

-- migration/check_parity.sql
CREATE FUNCTION part.check_parity(p_table text, p_full boolean DEFAULT false)
    RETURNS TABLE(range_from text, range_to text, legacy_rows bigint, partitioned_rows bigint,
                  legacy_hash numeric, partitioned_hash numeric, status text,
                  rehashed boolean, partition_name text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration := part._migration_row(p_table);
    v_legacy  regclass;
    v_part    regclass;
    v_cols    text[];
    v_full    boolean;
    v_groups  text[];
    v_ranges  text[];
    v_filter  text := 'true';
    v_r       record;
    v_g       record;
    v_now     timestamptz := clock_timestamp();
    v_differ  integer;
    v_count   integer;
    v_lock    integer[];
    v_spec    text;
    v_sort    text;
    v_jit     text;
    v_rows    jsonb;
BEGIN
/*
 * Content parity of a migration, one row per range (the partition interval
 * for range tables, the hash remainder for hash tables): rows and a hash of
 * every row (sum of a 64-bit hash of the row's text) on each side, both
 * sides read by one statement, so in one snapshot. status 'ok' when rows
 * and hashes agree, else 'differs' (see part.parity_diff).
 *
 * Incremental: the sync triggers and the backfill mark the groups they
 * write (part.parity_mark); a check takes the marks no writer holds any
 * more (FOR UPDATE SKIP LOCKED: their writes have committed) and then, in a
 * later snapshot, re-hashes only the ranges of those marks (rehashed = true)
 * and keeps the stored result of the others. The first check, p_full, a
 * TRUNCATE since, or a change of the interval or hash partition count
 * re-hash every range. Updates part.migration
 * (parity_checked_at, parity_clean); a clean check after a finished
 * backfill moves the migration from dual_write to backfilled.
 */
    IF v_m.method = 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the attach method: its rows are not copied, so there is nothing to compare', v_m.table_name
            USING ERRCODE = '55000', HINT = 'The legacy table becomes the history partition itself; part.verify() reports the split''s progress.';
    END IF;
    PERFORM part._require_phase(v_m, 'check_parity');
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'part.check_parity must run at READ COMMITTED, not %', current_setting('transaction_isolation')
            USING ERRCODE = '55000', HINT = 'Run it in a READ COMMITTED transaction: it re-hashes in a snapshot taken after the marks it consumes.';
    END IF;
    v_lock := part._migration_lock(v_m.table_name, 'check');
    PERFORM pg_advisory_xact_lock(v_lock[1], v_lock[2]);
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    v_cols := part._sync_columns(v_legacy, v_part);
    SELECT coalesce(c."interval", c.partitions::text) INTO v_spec FROM part.config c WHERE c.parent_table = v_m.partitioned_table;
    v_full := coalesce(p_full, false) OR v_m.parity_full_at IS NULL OR v_m.parity_spec IS DISTINCT FROM v_spec;

    -- 1. take the marks no writer holds (their writes are committed)
    WITH taken AS (
        DELETE FROM part.parity_mark pm
         WHERE pm.id IN (SELECT x.id FROM part.parity_mark x
                          WHERE x.table_name = v_m.table_name FOR UPDATE SKIP LOCKED)
        RETURNING pm.grp)
    SELECT array_agg(DISTINCT t.grp) INTO v_groups FROM taken t;
    IF '*' = ANY (v_groups) THEN
        v_full := true;
    END IF;
    IF NOT v_full THEN
        SELECT array_agg(DISTINCT ((part._group_range(v_m, g)).range_from)) INTO v_ranges
          FROM unnest(v_groups) g;
        IF v_ranges IS NOT NULL THEN
            IF v_m.strategy = 'hash' THEN
                v_filter := format('%s = ANY (%L::bigint[])',
                                              part._group_sql(v_m, format('x.%I', v_m.key_column)), v_ranges);
            ELSE
                SELECT string_agg(format('(x.%1$I >= %2$L::%4$s AND x.%1$I < %3$L::%4$s)',
                                                               v_m.key_column, r.range_from, r.range_to, v_m.key_type), ' OR ')
                  INTO v_filter
                  FROM (SELECT (part._group_range(v_m, f)).* FROM unnest(v_ranges) f) r;
            END IF;
        END IF;
    END IF;

    -- 2. hash both sides in one statement (one snapshot, taken after step 1)
    IF v_full OR v_ranges IS NOT NULL THEN
        DELETE FROM part.parity_range pr
         WHERE pr.table_name = v_m.table_name AND (v_full OR pr.range_from = ANY (v_ranges));
        -- few groups, but the planner cannot know it: hash them instead of sorting every row, and
        -- skip JIT, which its row estimate would trigger and which costs more than it saves here
        v_sort := current_setting('enable_sort');
        v_jit := current_setting('jit');
        PERFORM set_config('enable_sort', 'off', true);
        PERFORM set_config('jit', 'off', true);
        -- one statement, executed whole (no cursor), so PostgreSQL may scan each side in parallel
        EXECUTE format(
            'WITH l AS (SELECT %1$s AS g, pg_catalog.count(*) AS n, pg_catalog.sum(%2$s) AS h FROM %3$s x WHERE %4$s GROUP BY 1), '
            '     p AS (SELECT %1$s AS g, pg_catalog.count(*) AS n, pg_catalog.sum(%2$s) AS h, pg_catalog.min(x.tableoid) AS t '
            '             FROM %5$s x WHERE %4$s GROUP BY 1) '
            'SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(''grp'', %6$s, ''ln'', coalesce(l.n, 0), ''lh'', coalesce(l.h, 0), '
            '       ''pn'', coalesce(p.n, 0), ''ph'', coalesce(p.h, 0), ''part'', p.t::regclass::text)) '
            '  FROM l FULL JOIN p ON p.g = l.g',
            part._group_sql(v_m, format('x.%I', v_m.key_column)),
            part._row_hash_sql(v_legacy, v_cols, 'x'), v_legacy, v_filter, v_part,
            part._group_text_sql(v_m, 'coalesce(l.g, p.g)'))
           INTO v_rows;
        FOR v_r IN SELECT * FROM jsonb_to_recordset(coalesce(v_rows, '[]'))
                                 AS r(grp text, ln bigint, lh numeric, pn bigint, ph numeric, part text)
        LOOP
            v_g := part._group_range(v_m, v_r.grp);
            INSERT INTO part.parity_range AS pr
                   (table_name, range_from, range_to, range_order, partition_name, legacy_rows, partitioned_rows,
                    legacy_hash, partitioned_hash, status, checked_at)
            VALUES (v_m.table_name, v_g.range_from, v_g.range_to, v_g.range_order, v_r.part, v_r.ln, v_r.pn,
                    v_r.lh, v_r.ph, 'ok', v_now)
            ON CONFLICT ON CONSTRAINT parity_range_pkey DO UPDATE
               SET legacy_rows = pr.legacy_rows + EXCLUDED.legacy_rows,
                   partitioned_rows = pr.partitioned_rows + EXCLUDED.partitioned_rows,
                   legacy_hash = pr.legacy_hash + EXCLUDED.legacy_hash,
                   partitioned_hash = pr.partitioned_hash + EXCLUDED.partitioned_hash,
                   partition_name = coalesce(pr.partition_name, EXCLUDED.partition_name);
        END LOOP;
        PERFORM set_config('enable_sort', v_sort, true);
        PERFORM set_config('jit', v_jit, true);
        UPDATE part.parity_range pr
           SET status = CASE WHEN pr.legacy_rows = pr.partitioned_rows AND pr.legacy_hash = pr.partitioned_hash
                             THEN 'ok' ELSE 'differs' END
         WHERE pr.table_name = v_m.table_name AND pr.checked_at = v_now;
    END IF;

    SELECT count(*) FILTER (WHERE pr.status <> 'ok'), count(*) INTO v_differ, v_count
      FROM part.parity_range pr WHERE pr.table_name = v_m.table_name;
    UPDATE part.migration m
       SET parity_checked_at = v_now,
           parity_full_at = CASE WHEN v_full THEN v_now ELSE m.parity_full_at END,
           parity_spec = v_spec,
           parity_clean = (v_differ = 0),
           parity_ranges = v_count,
           parity_differ = v_differ,
           phase = CASE WHEN m.phase = 'dual_write' AND m.backfill_finished_at IS NOT NULL AND v_differ = 0
                        THEN 'backfilled' ELSE m.phase END,
           backfilled_at = CASE WHEN m.phase = 'dual_write' AND m.backfill_finished_at IS NOT NULL AND v_differ = 0
                                THEN v_now ELSE m.backfilled_at END
     WHERE m.table_name = v_m.table_name;
    PERFORM part._notice(format('parity of %s: %s of %s ranges differ (%s)', v_m.table_name, v_differ, v_count,
                                                   CASE WHEN v_full THEN 'full check' ELSE format('%s ranges re-hashed', coalesce(cardinality(v_ranges), 0)) END));

    RETURN QUERY
        SELECT pr.range_from, pr.range_to, pr.legacy_rows, pr.partitioned_rows, pr.legacy_hash, pr.partitioned_hash,
               pr.status, pr.checked_at = v_now, pr.partition_name
          FROM part.parity_range pr
         WHERE pr.table_name = v_m.table_name
         ORDER BY pr.range_order;
END
$$;
COMMENT ON FUNCTION part.check_parity IS
    'part: compare a migration''s legacy table and partitioned copy by content, one row per partition range (rows and a hash of every row on each side, in one snapshot; status ok | differs). Re-hashes only the ranges the sync marked since the last check unless p_full. Clean parity after the backfill makes the migration backfilled.';

-- migration/finalize.sql
CREATE FUNCTION part.finalize(p_table text, p_keep_legacy text DEFAULT 'archive', p_force boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      part.migration := part._migration_row(p_table);
    v_legacy regclass;
    v_part   regclass;
    v_c      record;
    v_name   text;
    v_where  text;
BEGIN
/*
 * End a switched migration: remove the sync (triggers and generated
 * functions), then deal with the legacy table as p_keep_legacy asks:
 * 'archive' moves it into schema part_archive (not an extension member, so
 * uninstalling part never drops it), 'keep' leaves it as <table>_legacy,
 * 'drop' drops it. Column defaults of the legacy table that use a sequence
 * the partitioned table now owns are dropped first, so that the legacy table
 * no longer depends on it. Returns where the legacy table went; a finalized
 * table is left as it is.
 *
 * The legacy table is the proof that nothing was lost: finalize refuses
 * (55000) unless the last part.check_parity was clean, or p_force => true
 * says to go ahead anyway (logged as a WARNING).
 */
    -- one phase change of a table at a time: a concurrent call waits, then sees what the other did
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF p_force IS NULL THEN
        RAISE EXCEPTION 'p_force must not be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true to finalize whatever the last parity check found, or false (the default).';
    END IF;
    IF p_keep_legacy IS NULL OR p_keep_legacy NOT IN ('archive', 'keep', 'drop') THEN
        RAISE EXCEPTION 'invalid value "%" for p_keep_legacy', p_keep_legacy
            USING ERRCODE = '22023', HINT = 'Use ''archive'' (schema part_archive), ''keep'' (as <table>_legacy) or ''drop''.';
    END IF;
    IF NOT part._require_phase(v_m, 'finalize') THEN
        RETURN v_m.legacy_table;
    END IF;
    IF v_m.method = 'attach' THEN
        IF to_regclass(v_m.history_table) IS NULL AND v_m.split_phase IS NULL THEN
            UPDATE part.migration m SET phase = 'finalized', finalized_at = now(), history_table = NULL
             WHERE m.table_name = v_m.table_name;
            RETURN v_m.legacy_table || ' (split and dropped)';
        END IF;
        RAISE EXCEPTION 'cannot finalize %: it is an attach migration in %, and its history partition % is not split yet%',
                        v_m.table_name, v_m.phase, coalesce(v_m.history_table, v_m.split_table, v_m.legacy_table),
                        CASE WHEN v_m.split_phase IS NOT NULL THEN format(' (the split is %s)', v_m.split_phase) ELSE '' END
            USING ERRCODE = '55000',
                  HINT = format('Maintenance splits it online, one step per transaction, and finalizes the migration when it is gone (CALL part.run_maintenance(), or SELECT * FROM part.split_history(%L) per step).',
                                           v_m.table_name);
    END IF;
    PERFORM part._require_sync_intact(v_m.table_name, 'finalize');
    IF NOT coalesce(v_m.parity_clean, false) THEN
        IF NOT p_force THEN
            RAISE EXCEPTION 'cannot finalize %: %', v_m.table_name,
                            CASE WHEN v_m.parity_checked_at IS NULL OR v_m.parity_clean IS NULL
                                 THEN 'its parity has not been checked since the sync changed'
                                 ELSE format('its last parity check (%s) found %s of %s ranges differing',
                                                        v_m.parity_checked_at, v_m.parity_differ, v_m.parity_ranges) END
                USING ERRCODE = '55000',
                      HINT = format('See the rows with SELECT * FROM part.parity_diff(%L), fix them and run SELECT * FROM part.check_parity(%L) again; '
                                               'or finalize anyway with part.finalize(%L, p_force => true).',
                                               v_m.table_name, v_m.table_name, v_m.table_name);
        END IF;
        RAISE WARNING 'part: finalizing % although its last parity check was not clean (p_force)', v_m.table_name;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    PERFORM part._lock_all(ARRAY[v_part, v_legacy], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    PERFORM part._sync_remove(v_m.table_name);

    FOR v_c IN
        SELECT DISTINCT a.attname
          FROM pg_attrdef d
          JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
          JOIN pg_depend dep ON dep.classid = 'pg_catalog.pg_attrdef'::regclass AND dep.objid = d.oid
                                       AND dep.refclassid = 'pg_catalog.pg_class'::regclass
          JOIN pg_depend own ON own.classid = 'pg_catalog.pg_class'::regclass AND own.objid = dep.refobjid
                                       AND own.deptype = 'a' AND own.refobjid = v_part
         WHERE d.adrelid = v_legacy
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', v_legacy, v_c.attname);
    END LOOP;

    IF p_keep_legacy = 'archive' THEN
        PERFORM part._archive_schema();   -- created by part, or refused when someone else made it
        v_name := (SELECT c.relname FROM pg_class c WHERE c.oid = v_legacy);
        IF to_regclass(format('part_archive.%I', v_name)) IS NOT NULL THEN
            v_name := part._partition_name(v_name, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD_HH24MISS'));
            EXECUTE format('ALTER TABLE %s RENAME TO %I', v_legacy, v_name);
        END IF;
        EXECUTE format('ALTER TABLE %s SET SCHEMA part_archive', v_legacy);
        v_where := part._qualified(v_legacy);
    ELSIF p_keep_legacy = 'drop' THEN
        BEGIN
            EXECUTE format('DROP TABLE %s', v_legacy);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE EXCEPTION 'cannot drop %: other objects depend on it', v_m.legacy_table
                USING ERRCODE = '55000', HINT = 'Drop or change those objects (views, foreign keys) first, or finalize with ''archive'' or ''keep''.';
        END;
        v_where := v_m.legacy_table || ' (dropped)';
    ELSE
        v_where := v_m.legacy_table;
    END IF;

    DELETE FROM part.parity_mark pm WHERE pm.table_name = v_m.table_name;
    DELETE FROM part.parity_range pr WHERE pr.table_name = v_m.table_name;
    UPDATE part.migration m
       SET phase = 'finalized', finalized_at = now(),
           legacy_table = CASE WHEN p_keep_legacy = 'drop' THEN m.legacy_table ELSE v_where END
     WHERE m.table_name = v_m.table_name;
    PERFORM part._notice(format('%s finalized: legacy table %s', v_m.table_name, v_where));
    RETURN v_where;
END
$$;
COMMENT ON FUNCTION part.finalize IS
    'part: end a switched migration: remove the sync, then archive (default), keep (as <table>_legacy) or drop the legacy table as p_keep_legacy says. Refuses unless the last parity check was clean (p_force => true to go ahead anyway). Returns where the legacy table went.';

-- migration/migrate_cancel.sql
CREATE FUNCTION part.migrate_cancel(p_table text, p_copy text DEFAULT 'drop')
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel    regclass := part._resolve_table(p_table);
    v_name   text := part._qualified(v_rel);
    v_m      part.migration;
    v_legacy regclass;
    v_copy   regclass;
    v_where  text;
BEGIN
/*
 * Abandon a migration before the switch (phase dual_write or backfilled):
 * the sync goes (triggers and generated functions), the partitioned copy is
 * dropped (p_copy 'drop', the default) or kept as it is, unmanaged
 * ('keep'), and the part.migration row, its parity state and the copy's
 * part.config row are removed. The legacy table, its rows, triggers and
 * sequences are untouched: the application goes on writing it. A switched
 * table (partitioned) must be rolled back first (part.rollback); a
 * finalized one cannot be cancelled. A table without a migration is left as
 * it is (a NOTICE says so). Locks both tables as part.switch_reads does
 * (short timeouts, retries, 55P03). Returns what became of the copy.
 */
    IF p_copy IS NULL OR p_copy NOT IN ('drop', 'keep') THEN
        RAISE EXCEPTION 'invalid value "%" for p_copy', p_copy
            USING ERRCODE = '22023', HINT = 'Use ''drop'' (the default: the partitioned copy is dropped) or ''keep'' (left as it is, no longer managed).';
    END IF;
    SELECT * INTO v_m FROM part.migration m
     WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)
     ORDER BY (m.table_name = v_name) DESC, (m.phase = 'finalized')
     LIMIT 1;
    IF FOUND THEN   -- one phase change of a table at a time; read it again once it is ours
        PERFORM part._phase_lock(v_m.table_name);
        SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name;
    END IF;
    IF NOT FOUND THEN
        RAISE NOTICE 'part: % has no migration: nothing to cancel', v_name;
        RETURN NULL;
    END IF;
    PERFORM part._require_phase(v_m, 'migrate_cancel');

    -- writers go to the legacy table first, then (by the sync) to the copy: lock in that order
    v_legacy := to_regclass(v_m.legacy_table);
    v_copy := to_regclass(v_m.partitioned_table);
    PERFORM part._lock_all(ARRAY[v_legacy] || CASE WHEN v_copy IS NULL THEN '{}'::regclass[] ELSE ARRAY[v_copy] END,
                                   CASE WHEN v_copy IS NULL THEN ARRAY['ACCESS EXCLUSIVE'] ELSE ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE'] END);
    -- another call may have cancelled or switched it while we waited for the locks
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE NOTICE 'part: the migration of % was cancelled by another call meanwhile: nothing to do', v_name;
        RETURN NULL;
    ELSIF v_m.phase NOT IN ('dual_write', 'backfilled', 'preparing', 'prepared') THEN
        RAISE EXCEPTION 'cannot cancel the migration of %: another call moved it to % meanwhile', v_m.table_name, v_m.phase
            USING ERRCODE = '55000', HINT = 'See part.migrations, and roll it back first if it is partitioned.';
    END IF;

    IF v_m.method = 'attach' THEN
        -- no sync: the attach method's CHECK goes (the indexes part.attach_prepare had built stay)
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS part_history_bound', v_legacy);
    ELSE
        PERFORM part._sync_remove(v_m.table_name);
    END IF;
    DELETE FROM part.parity_mark pm WHERE pm.table_name = v_m.table_name;
    DELETE FROM part.parity_range pr WHERE pr.table_name = v_m.table_name;
    DELETE FROM part.migration m WHERE m.table_name = v_m.table_name;
    DELETE FROM part.config c WHERE c.parent_table = v_m.partitioned_table;
    IF v_copy IS NULL THEN
        v_where := v_m.partitioned_table || ' (already gone)';
    ELSIF p_copy = 'drop' THEN
        BEGIN
            EXECUTE format('DROP TABLE %s', v_copy);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE EXCEPTION 'cannot drop %: other objects depend on it', v_m.partitioned_table
                USING ERRCODE = '55000', HINT = 'Drop or change those objects (views, foreign keys) first, or cancel with p_copy => ''keep''.';
        END;
        v_where := v_m.partitioned_table || ' (dropped)';
    ELSE
        EXECUTE format('COMMENT ON TABLE %s IS %L', v_copy,
            format('part: partitioned copy of %s, kept when its migration was cancelled (not managed by part)', v_m.table_name));
        v_where := v_m.partitioned_table || ' (kept)';
    END IF;
    PERFORM part._notice(format('migration of %s cancelled: the sync is removed, the copy %s', v_m.table_name, v_where));
    RETURN v_where;
END
$$;
COMMENT ON FUNCTION part.migrate_cancel IS
    'part: abandon a migration before the switch: remove the sync and drop the partitioned copy (p_copy => ''keep'' leaves it, unmanaged); the legacy table is untouched. Returns the copy''s name and what became of it.';

-- migration/migrate_refresh.sql
CREATE FUNCTION part.migrate_refresh(p_table text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration := part._migration_row(p_table);
    v_legacy  regclass;
    v_part    regclass;
    v_source  regclass;    -- the table the application writes: its columns are the truth
    v_mirror  regclass;
    v_c       record;
    v_done    text[] := '{}'::text[];
    v_bad     text;
BEGIN
/*
 * After a schema change of a table under migration, bring the other table
 * in line and regenerate the sync. The table the application writes (the
 * legacy one until the switch, the partitioned one after) is the truth: a
 * column it gained is added to the other table (same type, default, NOT
 * NULL), a column it lost is dropped from the other table; a column whose
 * type differs is refused (55000), change it on both tables yourself.
 * Parity results are reset (the row hash covers the columns), so the next
 * part.check_parity is a full one. Returns what it changed.
 * Apply a DDL change and this call in one transaction: until then the sync
 * mirrors the old column list (or fails on a dropped column).
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    PERFORM part._require_phase(v_m, 'migrate_refresh');
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_m.phase = 'partitioned' THEN
        v_source := v_part;   v_mirror := v_legacy;
    ELSE
        v_source := v_legacy; v_mirror := v_part;
    END IF;
    SELECT string_agg(quote_ident(a.attname::text), ', ') INTO v_bad
      FROM pg_attribute a JOIN pg_attribute b ON b.attrelid = v_mirror AND b.attname = a.attname AND NOT b.attisdropped
     WHERE a.attrelid = v_source AND a.attnum > 0 AND NOT a.attisdropped
       AND (a.atttypid, a.atttypmod) IS DISTINCT FROM (b.atttypid, b.atttypmod);
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'columns % of % have another type in %', v_bad, v_source, v_mirror
            USING ERRCODE = '55000', HINT = 'Change the type on both tables (ALTER TABLE ... ALTER COLUMN ... TYPE), then call part.migrate_refresh again.';
    END IF;
    PERFORM part._lock_all(ARRAY[v_source, v_mirror], ARRAY['SHARE ROW EXCLUSIVE', 'ACCESS EXCLUSIVE']);

    FOR v_c IN
        SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS typ, a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid) AS def, a.attgenerated
          FROM pg_attribute a
          LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = v_source AND a.attnum > 0 AND NOT a.attisdropped
           AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = v_mirror AND b.attname = a.attname AND NOT b.attisdropped)
         ORDER BY a.attnum
    LOOP
        EXECUTE format('ALTER TABLE %s ADD COLUMN %I %s%s%s', v_mirror, v_c.attname, v_c.typ,
            CASE WHEN v_c.def IS NULL THEN ''
                 WHEN v_c.attgenerated = 's' THEN format(' GENERATED ALWAYS AS (%s) STORED', v_c.def)
                 ELSE ' DEFAULT ' || v_c.def END,
            CASE WHEN v_c.attnotnull THEN ' NOT NULL' ELSE '' END);
        v_done := v_done || format('added column %I to %s', v_c.attname, v_mirror);
    END LOOP;
    FOR v_c IN
        SELECT b.attname FROM pg_attribute b
         WHERE b.attrelid = v_mirror AND b.attnum > 0 AND NOT b.attisdropped
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = v_source AND a.attname = b.attname AND NOT a.attisdropped)
           AND NOT b.attname = ANY (v_m.partitioned_key || v_m.legacy_key)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP COLUMN %I', v_mirror, v_c.attname);
        v_done := v_done || format('dropped column %I from %s', v_c.attname, v_mirror);
    END LOOP;

    PERFORM part._sync_install(v_m.table_name);
    DELETE FROM part.parity_range pr WHERE pr.table_name = v_m.table_name;
    UPDATE part.migration m SET parity_full_at = NULL, parity_clean = NULL, parity_ranges = NULL, parity_differ = NULL
     WHERE m.table_name = v_m.table_name;
    v_done := v_done || 'regenerated the sync'::text;
    RETURN array_to_string(v_done, '; ');
END
$$;
COMMENT ON FUNCTION part.migrate_refresh IS
    'part: regenerate a migration''s sync functions and triggers from the live catalog, after a schema change to its tables (what part.verify() reports as column_drift or sync_triggers).';

-- migration/migrate_start.sql
CREATE FUNCTION part.migrate_start(
    p_table             text,
    p_key               text,
    p_strategy          text,
    p_interval          text DEFAULT NULL,
    p_partitions        integer DEFAULT NULL,
    p_premake           integer DEFAULT 3,
    p_retention         text DEFAULT NULL,
    p_retention_mode    text DEFAULT 'detach',
    p_default_partition boolean DEFAULT NULL,
    p_batch_size        integer DEFAULT 10000,
    p_time_zone         text DEFAULT 'UTC',
    p_method            text DEFAULT 'copy'
)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel        regclass := part._resolve_table(p_table);
    v_name       text := part._qualified(v_rel);
    v_strategy   text := lower(p_strategy);
    v_schema     text;
    v_relname    text;
    v_relkind    "char";
    v_type       regtype;
    v_old        part.migration;
    v_legacy_key text[];
    v_new_key    text[];
    v_refs       text;
    v_notnull    boolean;
    v_generated  "char";
    v_has_null   boolean;
    v_copy_name  text;
    v_copy       regclass;
    v_idx        record;
    v_prefix     text;
    v_low        text;
    v_high       text;
    v_method     text := lower(p_method);
    v_cut        text;
    v_floor      text;
BEGIN
/*
 * Start moving a live table into a partitioned one (phase dual_write):
 *   1. check everything first (a refusal changes nothing): a primary key,
 *      no foreign key pointing at the table, a key column that can
 *      partition (and holds no NULL);
 *   2. create the partitioned copy <table>_partitioned: same columns,
 *      defaults (a serial's default keeps using the same sequence),
 *      identity, CHECK constraints, outgoing foreign keys, indexes, owner
 *      and privileges, and the table's own triggers (disabled until the
 *      switch, so a mirrored write does not fire them twice); its primary key is the table's plus the partition key
 *      (a WARNING says so: ON CONFLICT (id) statements must then name it);
 *   3. register it in part.config (with these settings, p_batch_size the
 *      backfill batch the config records, p_time_zone the zone whose local
 *      days the partitions follow) with partitions named after the
 *      table (revenues_2025_01), covering the existing data plus premake;
 *   4. lock the table (SHARE ROW EXCLUSIVE, only for this step) and
 *      generate the sync (part._sync_install): from now on every write to
 *      the table is mirrored into the copy, in the writing transaction.
 * Returns the copy's name. Calling it again for a table already moving with
 * the same key and strategy does nothing.
 *
 * p_method => 'attach' (range only) copies no row: steps 1 to 3 build the
 * empty partitioned table, then, instead of the sync, the legacy table gets
 * a CHECK (key IS NOT NULL AND key < cut) NOT VALID, where cut is the end of
 * the premake horizon (phase 'preparing'); part.attach_prepare validates it
 * and says which indexes to build CONCURRENTLY ('prepared'), part.switch_reads
 * attaches the legacy table as the history partition [MINVALUE, cut), and
 * maintenance splits that into interval partitions (part.split_history).
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT n.nspname, c.relname, c.relkind INTO v_schema, v_relname, v_relkind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = v_rel;

    SELECT * INTO v_old FROM part.migration m
     WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)
     ORDER BY (m.table_name = v_name) DESC LIMIT 1;
    IF FOUND THEN
        IF v_old.key_column = p_key AND v_old.strategy = v_strategy THEN
            RAISE NOTICE 'part: % is already being migrated (phase %): nothing to do', v_old.table_name, v_old.phase;
            RETURN v_old.partitioned_table;
        END IF;
        RAISE EXCEPTION 'table % is already being migrated, by % (%), phase %',
                        v_old.table_name, v_old.strategy, v_old.key_column, v_old.phase
            USING ERRCODE = '55000',
                  HINT = 'Finish that migration (part.finalize) before starting another one on the same table.';
    END IF;
    IF v_relkind = 'p' THEN
        RAISE EXCEPTION 'table % is already partitioned', v_name
            USING ERRCODE = '42809',
                  HINT = format('Let part manage it as it is: part.create_partitioned(%L, %L, %L, ...).', v_name, p_key, v_strategy);
    END IF;
    IF v_strategy IS NULL OR v_strategy NOT IN ('range', 'hash') THEN
        RAISE EXCEPTION 'invalid strategy "%"', p_strategy
            USING ERRCODE = '22023', HINT = 'Use ''range'' (time or integer intervals) or ''hash'' (e.g. by org_id).';
    END IF;
    IF v_method IS NULL OR v_method NOT IN ('copy', 'attach') THEN
        RAISE EXCEPTION 'invalid method "%"', p_method
            USING ERRCODE = '22023',
                  HINT = 'Use ''copy'' (dual write, backfill, switch; the default) or ''attach'' (a range table becomes the history partition without a copy).';
    END IF;
    IF v_method = 'attach' AND v_strategy <> 'range' THEN
        RAISE EXCEPTION 'the attach method cannot convert % to % partitioning', v_name, v_strategy
            USING ERRCODE = '0A000',
                  HINT = format('Every hash partition holds rows of the whole key range, so the existing table cannot become one of them: use the copy method (part.migrate_start(%L, %L, %L, ..., p_method => ''copy'')).',
                                           v_name, p_key, v_strategy);
    END IF;
    v_type := part._key_type(v_rel, p_key);
    IF v_strategy = 'range' THEN
        PERFORM part._interval_spec(p_interval, v_type);       -- 42804 / 22023
    ELSIF NOT EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                       WHERE am.amname = 'hash' AND oc.opcdefault
                         AND (oc.opcintype = v_type
                              OR format_type(oc.opcintype, NULL) = 'text'
                                 AND (SELECT t.typcategory FROM pg_type t WHERE t.oid = v_type) = 'S')) THEN
        RAISE EXCEPTION 'column "%" of % has type %, which has no hash operator class to partition by', p_key, v_name, v_type
            USING ERRCODE = '42804', HINT = 'Hash-partition by an integer, text or uuid column (such as org_id).';
    END IF;
    -- the settings part.create_partitioned records: a bad one is refused before the lock, the copy and the warnings
    PERFORM part._check_table_options(v_strategy, v_type, p_interval, p_partitions, p_premake, p_retention,
                                              p_retention_mode, p_default_partition, p_batch_size);
    PERFORM part._check_time_zone(p_time_zone, v_strategy, v_type, p_interval);
    IF v_strategy = 'range' AND NOT coalesce(p_default_partition, true) THEN
        RAISE EXCEPTION 'the partitioned copy of % needs a default partition while the migration runs', v_name
            USING ERRCODE = '22023',
                  HINT = 'Leave p_default_partition unset (or true): without one, an application write of a row outside the copy''s partitions would fail in dual_write. Drop the default partition after part.finalize if you must.';
    END IF;

    SELECT a.attnotnull, a.attgenerated INTO v_notnull, v_generated
      FROM pg_attribute a WHERE a.attrelid = v_rel AND a.attname = p_key;
    IF v_generated <> '' THEN
        RAISE EXCEPTION 'column "%" of % is a generated column, which PostgreSQL cannot partition by', p_key, v_name
            USING ERRCODE = '0A000', HINT = 'Partition by a stored (non-generated) column.';
    END IF;

    SELECT array_agg(a.attname::text ORDER BY k.o) INTO v_legacy_key
      FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, o)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = v_rel AND i.indisprimary;
    IF v_legacy_key IS NULL THEN
        RAISE EXCEPTION 'table % has no primary key', v_name
            USING ERRCODE = '55000',
                  HINT = format('Add one first (ALTER TABLE %s ADD PRIMARY KEY (...)): the sync and the backfill find rows by it.', v_name);
    END IF;

    SELECT string_agg(format('%s (constraint %I)', c.conrelid::regclass, c.conname), ', ')
      INTO v_refs
      FROM pg_constraint c WHERE c.confrelid = v_rel AND c.contype = 'f';
    IF v_refs IS NOT NULL THEN
        RAISE EXCEPTION 'table % is referenced by foreign keys: %', v_name, v_refs
            USING ERRCODE = '55000',
                  HINT = 'A partitioned table can only be referenced through its whole primary key, which includes the partition key: drop those foreign keys (or make them include it) before migrating.';
    END IF;

    IF NOT v_notnull THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I IS NULL)', v_rel, p_key) INTO v_has_null;
        IF v_has_null THEN
            RAISE EXCEPTION 'column "%" of % holds NULLs, which cannot be in the partitioned table''s primary key', p_key, v_name
                USING ERRCODE = '55000',
                      HINT = format('Give those rows a value (UPDATE %s SET %I = ... WHERE %I IS NULL), then ALTER TABLE %s ALTER COLUMN %I SET NOT NULL.',
                                               v_name, p_key, p_key, v_name, p_key);
        END IF;
    END IF;

    v_copy_name := part._partition_name(v_relname, 'partitioned');
    IF to_regclass(format('%I.%I', v_schema, v_copy_name)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot create %.%: a relation with that name exists', v_schema, v_copy_name
            USING ERRCODE = '42P07', HINT = 'Rename or drop it: part.migrate_start creates the partitioned copy under that name.';
    END IF;
    IF to_regclass(format('%I.%I', v_schema, part._partition_name(v_relname, 'legacy'))) IS NOT NULL THEN
        RAISE EXCEPTION 'relation %.% exists', v_schema, part._partition_name(v_relname, 'legacy')
            USING ERRCODE = '42P07', HINT = 'Rename or drop it: part.switch_reads gives the legacy table that name.';
    END IF;

    IF v_method = 'attach' AND EXISTS (SELECT 1 FROM pg_attribute a
                                        WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity <> '') THEN
        RAISE EXCEPTION 'the attach method cannot convert %: it has an identity column', v_name
            USING ERRCODE = '0A000',
                  HINT = 'A partition cannot keep an identity column of its own when it is attached on every supported PostgreSQL major: use the copy method (p_method => ''copy''), or a serial default (a sequence) instead of the identity.';
    END IF;
    IF v_method = 'attach' AND to_regclass(format('%I.%I', v_schema, part._partition_name(v_relname, 'history'))) IS NOT NULL THEN
        RAISE EXCEPTION 'relation %.% exists', v_schema, part._partition_name(v_relname, 'history')
            USING ERRCODE = '42P07', HINT = 'Rename or drop it: part.switch_reads gives the legacy table that name when it becomes the history partition.';
    END IF;
    IF (SELECT c.relforcerowsecurity FROM pg_class c WHERE c.oid = v_rel) THEN
        RAISE EXCEPTION 'table % forces row-level security on its owner', v_name
            USING ERRCODE = '0A000',
                  HINT = format('The sync and the backfill run as the owner and would see only the rows its policies allow: ALTER TABLE %s NO FORCE ROW LEVEL SECURITY for the migration, then FORCE it again on the partitioned table.', v_name);
    END IF;

    -- the names of the sync functions it will create: a function there is someone else's
    FOR v_idx IN SELECT d AS direction FROM unnest(ARRAY['partitioned', 'legacy']) d LOOP
        IF to_regprocedure(part._sync_function_name(v_name, v_idx.direction) || '()') IS NOT NULL THEN
            RAISE EXCEPTION 'cannot create the sync function %(): a function with that name exists',
                            part._sync_function_name(v_name, v_idx.direction)
                USING ERRCODE = '42P07',
                      HINT = 'Rename or drop it: part.migrate_start creates the sync functions of the migration under that name.';
        END IF;
    END LOOP;

    -- Everything is checked: say what changes for the application, then go.
    FOR v_idx IN SELECT * FROM part._migrate_warnings(v_rel, p_key) LOOP
        RAISE WARNING '%', v_idx.message USING HINT = v_idx.hint;
    END LOOP;
    EXECUTE format(
        'CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY '
        'INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION INCLUDING STATISTICS) PARTITION BY %s (%I)',
        v_schema, v_copy_name, v_rel, upper(v_strategy), p_key);
    v_copy := format('%I.%I', v_schema, v_copy_name)::regclass;
    EXECUTE format('COMMENT ON TABLE %s IS %L', v_copy,
        format('part: partitioned copy of %s (migration; see part.migrations)', v_name));

    v_new_key := v_legacy_key;
    IF NOT p_key = ANY (v_legacy_key) THEN
        v_new_key := v_legacy_key || p_key;
    END IF;
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%s)', v_copy,
                              part._partition_name(v_copy_name, 'pkey'), part._sql_columns(v_new_key));

    -- the other indexes: a unique one must include the partition key
    FOR v_idx IN
        SELECT c.relname AS idxname, i.indexrelid, i.indisunique, i.indexprs IS NOT NULL AS has_expr,
               EXISTS (SELECT 1 FROM unnest(i.indkey[0:i.indnkeyatts - 1]) k(n)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                       WHERE a.attname = p_key) AS has_key,
               (SELECT x.contype FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.conrelid = v_rel) AS contype
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = v_rel AND NOT i.indisprimary
         ORDER BY c.relname
    LOOP
        IF v_idx.contype = 'x' THEN
            CONTINUE;           -- not copied (a warning said so)
        END IF;
        -- from the catalog, never by editing pg_get_indexdef's text; a unique index must include
        -- the partition key: added as its last column (an expression index becomes non-unique)
        IF v_idx.indisunique AND NOT v_idx.has_key AND v_idx.has_expr THEN
            EXECUTE format('CREATE INDEX ON %s %s', v_copy, part._index_definition(v_idx.indexrelid));
        ELSE
            EXECUTE format('CREATE %sINDEX ON %s %s', CASE WHEN v_idx.indisunique THEN 'UNIQUE ' ELSE '' END, v_copy,
                                      part._index_definition(v_idx.indexrelid,
                                                                    CASE WHEN v_idx.indisunique AND NOT v_idx.has_key THEN p_key END));
        END IF;
    END LOOP;

    -- outgoing foreign keys
    FOR v_idx IN
        SELECT c.conname, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c WHERE c.conrelid = v_rel AND c.contype = 'f' ORDER BY c.conname
    LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', v_copy, v_idx.conname, v_idx.def);
    END LOOP;

    -- the application's own triggers: copied, disabled until the switch (part._swap turns them over)
    FOR v_idx IN
        SELECT t.tgname, pg_get_triggerdef(t.oid) AS def
          FROM pg_trigger t
         WHERE t.tgrelid = v_rel AND NOT t.tgisinternal AND t.tgname NOT LIKE 'part\_sync\_%'
         ORDER BY t.tgname
    LOOP
        v_prefix := format(' ON %s ', v_rel);
        IF strpos(v_idx.def, v_prefix) = 0 THEN
            RAISE WARNING 'part: trigger % of % is not copied (unexpected definition: %)', v_idx.tgname, v_name, v_idx.def
                USING HINT = 'Create it on the partitioned table yourself before the switch.';
            CONTINUE;
        END IF;
        BEGIN
            EXECUTE pg_catalog.overlay(v_idx.def, format(' ON %s ', v_copy),
                                       strpos(v_idx.def, v_prefix), length(v_prefix));
            EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_copy, v_idx.tgname);
        EXCEPTION WHEN feature_not_supported OR invalid_object_definition OR wrong_object_type THEN
            RAISE WARNING 'part: trigger % of % cannot be copied to the partitioned table: %', v_idx.tgname, v_name, SQLERRM
                USING HINT = 'Re-create it in a form a partitioned table allows before the switch.';
        END;
    END LOOP;

    PERFORM part._copy_owner_and_grants(v_rel, v_copy, p_partition => false);
    -- row-level security and its policies: after the switch the application reads the copy
    IF (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = v_rel) THEN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', v_copy);
    END IF;
    FOR v_idx IN
        SELECT pol.polname, pol.polpermissive, pol.polcmd,
               pg_get_expr(pol.polqual, pol.polrelid) AS qual,
               pg_get_expr(pol.polwithcheck, pol.polrelid) AS withcheck,
               (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ')
                  FROM unnest(pol.polroles) r) AS roles
          FROM pg_policy pol WHERE pol.polrelid = v_rel ORDER BY pol.polname
    LOOP
        EXECUTE format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', v_idx.polname, v_copy,
            CASE WHEN v_idx.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
            CASE v_idx.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
            v_idx.roles,
            CASE WHEN v_idx.qual IS NOT NULL THEN format(' USING (%s)', v_idx.qual) ELSE '' END,
            CASE WHEN v_idx.withcheck IS NOT NULL THEN format(' WITH CHECK (%s)', v_idx.withcheck) ELSE '' END);
    END LOOP;

    -- partitions named after the application's table, for the existing data and ahead
    PERFORM part.create_partitioned(part._qualified(v_copy), p_key, v_strategy, p_interval, p_partitions,
                                            p_premake, p_retention, p_retention_mode, p_default_partition, v_relname,
                                            p_batch_size, p_time_zone);
    IF v_method = 'attach' THEN
        -- cut: the end of the premake horizon (or past the largest key): every row written before
        -- the switch is below it, so the legacy table's CHECK refuses none of them
        EXECUTE format('SELECT pg_catalog.max(%I)::text FROM %s', p_key, v_rel) INTO v_high;
        IF v_type::text IN ('smallint', 'integer', 'bigint') THEN
            v_cut := part._range_floor(coalesce(v_high, '0'), v_type, p_interval);
        ELSE
            v_cut := part._range_floor(part._literal((now() AT TIME ZONE 'UTC')::timestamp, v_type), v_type, p_interval, p_time_zone);
            IF v_high IS NOT NULL THEN
                v_floor := part._range_floor(part._literal(part._to_utc(v_high, v_type), v_type), v_type, p_interval, p_time_zone);
                IF part._bound_ordinal(v_floor, v_type) > part._bound_ordinal(v_cut, v_type) THEN
                    v_cut := v_floor;
                END IF;
            END IF;
        END IF;
        FOR i IN 0 .. coalesce(p_premake, 3) LOOP
            v_cut := part._range_next(v_cut, v_type, p_interval, p_time_zone);
        END LOOP;
        INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, key_type,
                                            legacy_key, partitioned_key, phase, method, history_to)
        VALUES (v_name, v_name, part._qualified(v_copy), v_strategy, p_key, v_type::text,
                v_legacy_key, v_new_key, 'preparing', 'attach', v_cut);
        -- the CHECK, NOT VALID: a catalog change only, under a short lock (part._lock_all)
        PERFORM part._lock_all(ARRAY[v_rel], ARRAY['ACCESS EXCLUSIVE']);
        PERFORM part._attach_check_add(v_rel, p_key, v_type, v_cut, v_new_key);
        PERFORM part._notice(format(
            'migration of %s started (attach): %s is not copied; next: SELECT part.attach_prepare(%L) until it returns NULL, running each statement it returns',
            v_name, v_name, v_name));
        RETURN part._qualified(v_copy);
    END IF;
    IF v_strategy = 'range' THEN
        EXECUTE format('SELECT pg_catalog.to_jsonb(pg_catalog.min(%1$I)) #>> ''{}'', pg_catalog.to_jsonb(pg_catalog.max(%1$I)) #>> ''{}'' FROM %2$s',
                                  p_key, v_rel) INTO v_low, v_high;
        IF v_low IS NOT NULL THEN
            PERFORM part._ensure_range_partitions(v_copy, v_low, v_high);
        END IF;
    END IF;

    INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, key_type,
                                        legacy_key, partitioned_key, phase)
    VALUES (v_name, v_name, part._qualified(v_copy), v_strategy, p_key, v_type::text,
            v_legacy_key, v_new_key, 'dual_write');
    -- the sync functions and the copy's triggers (one set per partition) before the lock: no one
    -- else sees the copy yet
    PERFORM part._sync_install(v_name, p_side => 'partitioned');
    -- Only now the live table is locked (SHARE ROW EXCLUSIVE: writers wait, readers go on), for
    -- the one step that must not miss a write: the legacy table's sync triggers. Everything above
    -- (the copy, its partitions, however many, and their triggers) was built without holding
    -- writers. A column changed meanwhile would not be mirrored: refuse, and everything made is
    -- rolled back.
    PERFORM part._lock(v_rel, 'SHARE ROW EXCLUSIVE');
    IF part._sync_columns(v_rel, v_copy) IS DISTINCT FROM part._sync_columns(v_rel, v_rel)
       OR EXISTS (SELECT 1 FROM pg_attribute a
                   WHERE a.attrelid = v_copy AND a.attnum > 0 AND NOT a.attisdropped
                     AND NOT EXISTS (SELECT 1 FROM pg_attribute b
                                      WHERE b.attrelid = v_rel AND b.attname = a.attname AND NOT b.attisdropped
                                        AND b.atttypid = a.atttypid AND b.atttypmod = a.atttypmod)) THEN
        RAISE EXCEPTION 'the columns of % changed while part.migrate_start built its copy', v_name
            USING ERRCODE = '55000', HINT = 'Nothing was kept: call part.migrate_start again.';
    END IF;
    PERFORM part._sync_install(v_name, p_side => 'legacy');
    PERFORM part._notice(format('migration of %s started: writes are mirrored into %s', v_name, v_copy));
    RETURN part._qualified(v_copy);
END
$$;
COMMENT ON FUNCTION part.migrate_start IS
    'part: start moving a live unpartitioned table into a partitioned copy (phase dual_write): create the copy partitioned by p_key (p_strategy range with p_interval, or hash with p_partitions) with columns, defaults, constraints and indexes, and install the sync triggers. Returns the copy''s name. Then CALL part.migrate_to(p_table, ''partitioned'').';

-- migration/migrate_to.sql
CREATE PROCEDURE part.migrate_to(
    p_table       text,
    p_phase       text,
    p_batch_size  integer DEFAULT NULL,
    p_sleep       interval DEFAULT '0',
    p_keep_legacy text DEFAULT 'archive',
    p_force       boolean DEFAULT false,
    p_copy        text DEFAULT 'drop',
    p_progress    interval DEFAULT '1 second',
    p_commit      boolean DEFAULT true
)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_order  CONSTANT text[] := ARRAY['dual_write', 'backfilled', 'partitioned', 'finalized'];
    v_m      part.migration;
    v_name   text;
    v_target text;
    v_batch  integer;
    v_t0     timestamptz;
    v_last   timestamptz;
    v_rows0  bigint;
    v_total  bigint;
    v_differ bigint;
    v_ranges bigint;
    v_shown  bigint;
    v_out    text;
    v_path   text := pg_catalog.current_setting('search_path');
BEGIN
/*
 * Walk the migration of p_table to the phase p_phase, through the phases in
 * between, as `pginstall migrate TABLE --to PHASE` does (it calls this):
 *   dual_write -> backfilled: CALL part.backfill batch by batch (p_batch_size
 *     rows each, default the table's batch_size in part.config; p_sleep
 *     between batches), each committed, with a progress NOTICE at most every
 *     p_progress (rows done, total, rows/s, ETA) and one at the end; then a
 *     full part.check_parity: differences stop the walk (55000, HINT
 *     part.parity_diff), clean parity makes it backfilled;
 *   backfilled -> partitioned: part.switch_reads;
 *   partitioned -> finalized: part.finalize(p_table, p_keep_legacy, p_force).
 * Going back: 'backfilled' from partitioned, or 'rollback' (one phase back
 * from partitioned), runs part.rollback; 'none' abandons the migration
 * (part.rollback when switched, then part.migrate_cancel(p_table, p_copy)).
 * Other ways back are refused (55000). Moving to the phase a table is in
 * succeeds and does nothing (a NOTICE says so); a walk stopped by an error or
 * a cancel keeps the steps and batches it committed, and running it again
 * goes on from there. A table without a migration is refused (55000): start
 * one with part.migrate_start. Each step NOTICEs what it did.
 *
 * It COMMITs after every batch and step, so CALL it outside a transaction
 * block (as pg_cron's whole command, say); p_commit => false runs it without
 * committing, inside the caller's transaction (as tests do).
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF p_phase IS NULL OR p_phase NOT IN ('dual_write', 'backfilled', 'partitioned', 'finalized', 'rollback', 'none') THEN
        RAISE EXCEPTION 'invalid phase "%"', coalesce(p_phase, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Use dual_write, backfilled, partitioned or finalized (the phases, in order), rollback (one phase back from partitioned) or none (abandon the migration).';
    END IF;
    IF p_batch_size IS NOT NULL AND p_batch_size < 1 THEN
        RAISE EXCEPTION 'invalid batch size %', p_batch_size
            USING ERRCODE = '22023', HINT = 'Pass a positive number of rows per batch, e.g. 10000, or leave it out (the table''s batch_size).';
    END IF;
    IF p_sleep IS NULL OR p_sleep < interval '0' THEN
        RAISE EXCEPTION 'invalid sleep %', coalesce(p_sleep::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass a pause between batches of zero or more, e.g. ''100 milliseconds''.';
    END IF;
    IF p_progress IS NULL OR p_progress < interval '0' THEN
        RAISE EXCEPTION 'invalid progress interval %', coalesce(p_progress::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass how often the backfill reports its progress, e.g. ''1 second'' (0: after every batch).';
    END IF;
    IF p_keep_legacy IS NULL OR p_keep_legacy NOT IN ('archive', 'keep', 'drop') THEN
        RAISE EXCEPTION 'invalid value "%" for p_keep_legacy', coalesce(p_keep_legacy, 'NULL')
            USING ERRCODE = '22023', HINT = 'Use ''archive'' (schema part_archive), ''keep'' (as <table>_legacy) or ''drop''.';
    END IF;
    IF p_copy IS NULL OR p_copy NOT IN ('drop', 'keep') THEN
        RAISE EXCEPTION 'invalid value "%" for p_copy', coalesce(p_copy, 'NULL')
            USING ERRCODE = '22023', HINT = 'Use ''drop'' (the default) or ''keep'' (the partitioned copy stays, unmanaged).';
    END IF;
    IF p_force IS NULL OR p_commit IS NULL THEN
        RAISE EXCEPTION 'p_force and p_commit cannot be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true or false, or leave them out (p_force defaults to false, p_commit to true).';
    END IF;

    IF p_phase = 'none' THEN
        v_name := part._qualified(part._resolve_table(p_table));   -- 42P01
        IF NOT EXISTS (SELECT 1 FROM part.migration m WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)) THEN
            RAISE NOTICE 'part: %: already none (no migration)', v_name;
            PERFORM pg_catalog.set_config('search_path', v_path, true);
            RETURN;
        END IF;
    END IF;
    v_m := part._migration_row(p_table);   -- 42P01; 55000 with a HINT when it has no migration
    v_name := v_m.table_name;

    IF p_phase = 'none' THEN
        IF v_m.phase = 'partitioned' THEN
            PERFORM part.rollback(v_name);
            RAISE NOTICE 'part: %: rolled back: reads and writes on the legacy table again (backfilled)', v_name;
            IF p_commit THEN
                COMMIT;
                PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            END IF;
        END IF;
        v_out := part.migrate_cancel(v_name, p_copy);
        RAISE NOTICE 'part: %: migration cancelled: sync removed, partitioned copy %; the legacy table is untouched', v_name, v_out;
        PERFORM pg_catalog.set_config('search_path', v_path, true);
        RETURN;
    END IF;

    v_target := p_phase;
    IF p_phase = 'rollback' THEN
        IF NOT part._require_phase(v_m, 'migrate_to rollback') THEN
            PERFORM pg_catalog.set_config('search_path', v_path, true);
            RETURN;
        END IF;
        v_target := 'backfilled';
    END IF;

    IF pg_catalog.array_position(v_order, v_target) < pg_catalog.array_position(v_order, v_m.phase) THEN
        IF v_m.phase = 'partitioned' AND v_target = 'backfilled' THEN
            PERFORM part.rollback(v_name);
            RAISE NOTICE 'part: %: rolled back: reads and writes on the legacy table again (backfilled)', v_name;
            PERFORM pg_catalog.set_config('search_path', v_path, true);
            RETURN;
        END IF;
        RAISE EXCEPTION '% is in %: going back to % is not supported (only partitioned -> backfilled, part.rollback)', v_name, v_m.phase, v_target
            USING ERRCODE = '55000',
                  HINT = CASE WHEN v_m.phase = 'finalized'
                              THEN 'A finalized migration is over: the partitioned table is the only one kept up to date.'
                              ELSE pg_catalog.format('To abandon the migration (the legacy table untouched): CALL part.migrate_to(%L, ''none'').', v_name) END;
    END IF;
    IF v_target = v_m.phase THEN
        RAISE NOTICE 'part: %: already %: nothing to do', v_name, v_target;
        PERFORM pg_catalog.set_config('search_path', v_path, true);
        RETURN;
    END IF;

    v_batch := coalesce(p_batch_size,
                        (SELECT c.batch_size FROM part.config c
                          WHERE c.parent_table IN (v_m.partitioned_table, v_m.table_name) LIMIT 1),
                        10000);
    WHILE v_m.phase <> v_target LOOP
        v_out := v_m.phase;
        IF v_m.phase = 'dual_write' THEN
            IF v_m.backfill_finished_at IS NULL THEN
                v_t0 := pg_catalog.clock_timestamp();
                v_last := v_t0;
                v_rows0 := v_m.backfill_rows;
                v_total := coalesce(v_m.backfill_total,
                                    (SELECT greatest(c.reltuples, 0)::bigint FROM pg_catalog.pg_class c
                                      WHERE c.oid = pg_catalog.to_regclass(v_m.legacy_table)), 0);
                PERFORM part._migrate_progress(v_name, v_m.backfill_rows, v_total, v_rows0, v_t0, false);
                v_shown := v_m.backfill_rows;
                LOOP
                    CALL part.backfill(v_name, v_batch, p_sleep, 1, false, p_commit);
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_name;
                    v_total := coalesce(v_m.backfill_total, v_total);
                    EXIT WHEN v_m.backfill_finished_at IS NOT NULL OR v_m.phase <> 'dual_write';
                    IF pg_catalog.clock_timestamp() - v_last >= p_progress THEN
                        PERFORM part._migrate_progress(v_name, v_m.backfill_rows, v_total, v_rows0, v_t0, false);
                        v_last := pg_catalog.clock_timestamp();
                        v_shown := v_m.backfill_rows;
                    END IF;
                END LOOP;
                -- the end: 100% (the estimate may have been off), then the summary
                IF v_shown <> v_m.backfill_rows OR v_total <> v_m.backfill_rows THEN
                    PERFORM part._migrate_progress(v_name, v_m.backfill_rows, v_m.backfill_rows, v_rows0, v_t0, false);
                END IF;
                PERFORM part._migrate_progress(v_name, v_m.backfill_rows, v_m.backfill_rows, v_rows0, v_t0, true);
            END IF;
            IF v_m.phase = 'dual_write' THEN
                RAISE NOTICE 'part: %: checking parity', v_name;
                SELECT pg_catalog.count(*) FILTER (WHERE c.status <> 'ok'), pg_catalog.count(*) INTO v_differ, v_ranges
                  FROM part.check_parity(v_name, true) c;
                IF p_commit THEN
                    COMMIT;
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                END IF;
                IF v_differ > 0 THEN
                    RAISE EXCEPTION 'parity of % differs in % of % ranges: not backfilled', v_name, v_differ, v_ranges
                        USING ERRCODE = '55000',
                              HINT = pg_catalog.format('See the rows with SELECT * FROM part.parity_diff(%L); once they are fixed, CALL part.migrate_to(%L, %L) again.',
                                                       v_name, v_name, p_phase);
                END IF;
                RAISE NOTICE 'part: %: parity clean over % ranges', v_name, v_ranges;
            END IF;
        ELSIF v_m.phase = 'backfilled' THEN
            PERFORM part.switch_reads(v_name);
            RAISE NOTICE 'part: %: partitioned: reads and writes go to the partitioned table', v_name;
        ELSIF v_m.phase = 'partitioned' THEN
            v_out := part.finalize(v_name, p_keep_legacy, p_force);
            RAISE NOTICE 'part: %: finalized: sync removed; legacy table %', v_name,
                         CASE WHEN p_keep_legacy = 'drop' THEN 'dropped' ELSE 'kept as ' || v_out END;
            v_out := 'partitioned';
        END IF;
        IF p_commit THEN
            COMMIT;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
        END IF;
        SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_name;
        IF v_m.phase = v_out THEN
            RAISE EXCEPTION 'the migration of % is still in % after the step', v_name, v_out
                USING ERRCODE = '55000', HINT = pg_catalog.format('See SELECT * FROM part.migrations WHERE table_name = %L.', v_name);
        END IF;
    END LOOP;
    PERFORM pg_catalog.set_config('search_path', v_path, true);   -- the caller's, when called in its transaction
END
$$;
COMMENT ON PROCEDURE part.migrate_to IS
    'part: walk the migration of p_table to p_phase (dual_write, backfilled, partitioned, finalized; rollback = one phase back from partitioned; none = abandon it) through the phases in between: backfill with commits and progress NOTICEs, full parity check, switch, finalize (p_keep_legacy, p_force). Moving to the phase it is in does nothing. CALL outside a transaction block (or p_commit => false).';

-- migration/parity_diff.sql
CREATE FUNCTION part.parity_diff(p_table text, p_limit integer DEFAULT 1000)
    RETURNS TABLE(key jsonb, problem text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
DECLARE
    v_m      part.migration := part._migration_row(p_table);
    v_legacy regclass;
    v_part   regclass;
    v_cols   text[];
    v_keys   text;
BEGIN
/*
 * The rows that differ between the legacy table and the partitioned copy,
 * by the copy's primary key (which includes the partition key): 'missing'
 * (in the legacy table only), 'extra' (in the copy only), 'different'
 * (both, with different content). Both sides in one snapshot; at most
 * p_limit rows.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its query's column lists come from part._sql_columns (%I);
 * test_template_rules.py checks how its EXECUTEs are composed.
 * (extra_warnings: RETURN QUERY EXECUTE sets the OUT columns, which plpgsql_check cannot see.)
 * @plpgsql_check_options: security_warnings = false, extra_warnings = false
 */
    PERFORM part._require_phase(v_m, 'parity_diff');
    IF p_limit IS NULL OR p_limit < 1 THEN
        RAISE EXCEPTION 'invalid limit %', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass a positive number of rows, e.g. 1000.';
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    v_cols := part._sync_columns(v_legacy, v_part);
    SELECT string_agg(format('%L, coalesce(l.%I, p.%I)', c, c, c), ', ' ORDER BY o) INTO v_keys
      FROM unnest(v_m.partitioned_key) WITH ORDINALITY AS u(c, o);
    RETURN QUERY EXECUTE format(
        'SELECT pg_catalog.jsonb_build_object(%1$s), '
        '       CASE WHEN p.h IS NULL THEN ''missing'' WHEN l.h IS NULL THEN ''extra'' ELSE ''different'' END '
        '  FROM (SELECT %2$s, %3$s AS h FROM %4$s x) l '
        '  FULL JOIN (SELECT %2$s, %3$s AS h FROM %5$s x) p ON %6$s '
        ' WHERE l.h IS DISTINCT FROM p.h '
        ' ORDER BY 2, %7$s LIMIT %8$s',
        v_keys, part._sql_columns(v_m.partitioned_key, 'x'), part._row_hash_sql(v_legacy, v_cols, 'x'),
        v_legacy, v_part, part._sql_columns(v_m.partitioned_key, 'l', 'match:p'),
        (SELECT string_agg(format('coalesce(l.%I, p.%I)', c, c), ', ')
           FROM unnest(v_m.partitioned_key) c),
        p_limit);
END
$$;
COMMENT ON FUNCTION part.parity_diff IS
    'part: the rows that differ between a migration''s two tables (key as JSON; problem missing | extra | different), at most p_limit.';

-- migration/phase.sql
CREATE FUNCTION part.phase(p_table text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text := part._qualified(part._resolve_table(p_table));
BEGIN
/*
 * The migration phase of a table (dual_write, backfilled, partitioned,
 * finalized), named by its application name or the current name of its
 * legacy table or copy; NULL when it has no migration. 42P01 when no such
 * table exists.
 */
    RETURN (SELECT m.phase FROM part.migration m
             WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)
             ORDER BY (m.table_name = v_name) DESC, (m.phase = 'finalized')
             LIMIT 1);
END
$$;
COMMENT ON FUNCTION part.phase IS
    'part: the phase of the migration of p_table (dual_write, backfilled, partitioned, finalized), or NULL when it has none.';

-- migration/rollback.sql
CREATE FUNCTION part.rollback(p_table text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_functions text[];
    v_m part.migration := part._migration_row(p_table);
BEGIN
/*
 * Undo part.switch_reads: the legacy table takes the application's name
 * again, the partitioned copy goes back to <table>_partitioned, the sync
 * mirrors the legacy table into the copy again, and the migration is back
 * in 'backfilled'. Nothing written while 'partitioned' is lost: the sync
 * mirrored every write into the legacy table; identity sequences of the
 * legacy table are advanced past the ids the partitioned table handed out.
 * Locks as part.switch_reads (short timeouts, retries, 55P03). A table
 * already backfilled is left as it is; returns the new phase.
 */
    -- one phase change of a table at a time: a concurrent call waits, then sees what the other did
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF NOT part._require_phase(v_m, 'rollback') THEN
        RETURN v_m.phase;
    END IF;
    IF v_m.method = 'attach' THEN
        RETURN part._attach_rollback(v_m);
    END IF;
    PERFORM part._require_sync_intact(v_m.table_name, 'rollback');
    -- the sync functions as they must read after the swap, rendered before the locks
    v_functions := part._sync_functions_after_swap(v_m, 'backfilled');
    -- writers go to the partitioned table first now
    PERFORM part._lock_all(ARRAY[to_regclass(v_m.partitioned_table), to_regclass(v_m.legacy_table)],
                                   ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    PERFORM part._swap(v_m, 'backfilled', v_functions);
    PERFORM part._notice(format('%s rolled back: the legacy table is read and written again', v_m.table_name));
    RETURN 'backfilled';
END
$$;
COMMENT ON FUNCTION part.rollback IS
    'part: undo part.switch_reads: the legacy table takes the application''s name again, the sync mirrors it into the copy, the migration is backfilled again; nothing written meanwhile is lost. Short lock timeouts with retries (55P03). Returns the new phase.';

-- migration/switch_reads.sql
CREATE FUNCTION part.switch_reads(p_table text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_functions text[];
    v_m      part.migration := part._migration_row(p_table);
    v_differ integer;
    v_started timestamptz;
    v_took   interval;
BEGIN
/*
 * Switch a backfilled migration to phase 'partitioned': the partitioned
 * copy takes the application's table name (the legacy table becomes
 * <table>_legacy) and the sync now mirrors the partitioned table back into
 * the legacy one. Requires clean parity: the last full check clean, then
 * the ranges marked since re-checked here, first without locks (until a
 * pass is quick). What was written after the last pass stays marked, and
 * the next part.check_parity verifies it (a NOTICE says so): hashing it
 * under the locks would hold the application's writers for as long.
 * The locks are ACCESS EXCLUSIVE on both tables, taken with short timeouts
 * and retries (part._lock_all): writers wait at most one timeout per
 * attempt, and after the last attempt 55P03 names the blocking session.
 * The sync functions as they must read after the swap are rendered before
 * the locks; under them only renames and catalog changes run (part._swap).
 * Everything happens in the caller's transaction. Returns the new phase;
 * a table already partitioned is left as it is.
 */
    -- one phase change of a table at a time: a concurrent call waits, then sees what the other did
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF NOT part._require_phase(v_m, 'switch_reads') THEN
        RETURN v_m.phase;
    END IF;
    IF v_m.method = 'attach' THEN
        RETURN part._attach_switch(v_m);   -- the attach method: no copy, no parity to check
    END IF;
    IF v_m.parity_full_at IS NULL OR NOT coalesce(v_m.parity_clean, false) THEN
        RAISE EXCEPTION 'cannot switch %: its parity is not clean', v_m.table_name
            USING ERRCODE = '55000',
                  HINT = format('Check it with SELECT * FROM part.check_parity(%L); see the rows with part.parity_diff(%L).',
                                           v_m.table_name, v_m.table_name);
    END IF;
    PERFORM part._require_sync_intact(v_m.table_name, 'switch_reads');

    -- the ranges marked since the last check, without locks: passes until one is quick (the
    -- bulk of the work, and then what was written during it), at most three
    FOR v_pass IN 1 .. 3 LOOP
        v_started := clock_timestamp();
        SELECT count(*) FILTER (WHERE c.status <> 'ok') INTO v_differ FROM part.check_parity(v_m.table_name) c;
        v_took := clock_timestamp() - v_started;
        IF v_differ > 0 THEN
            RAISE EXCEPTION 'cannot switch %: parity differs in % ranges', v_m.table_name, v_differ
                USING ERRCODE = '55000', HINT = format('See SELECT * FROM part.parity_diff(%L).', v_m.table_name);
        END IF;
        EXIT WHEN v_took < interval '200 milliseconds';
    END LOOP;

    -- the sync functions as they must read after the swap, rendered before the locks
    v_functions := part._sync_functions_after_swap(v_m, 'partitioned');
    -- writers go to the legacy table first, then (by the sync) to the copy: lock in that order
    PERFORM part._lock_all(ARRAY[to_regclass(v_m.legacy_table), to_regclass(v_m.partitioned_table)],
                                   ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    -- What was written since the last pass is not hashed here, under the locks (the writers would
    -- wait for it): those ranges stay marked, and the next part.check_parity verifies them.
    IF EXISTS (SELECT 1 FROM part.parity_mark pm WHERE pm.table_name = v_m.table_name) THEN
        RAISE NOTICE 'part: % switched; the ranges written since the last parity pass stay marked: the next part.check_parity verifies them',
                     v_m.table_name;
    END IF;
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name;
    PERFORM part._swap(v_m, 'partitioned', v_functions);
    PERFORM part._notice(format('%s switched: %s is the partitioned table, the legacy table is mirrored',
                                                   v_m.table_name, v_m.table_name));
    RETURN 'partitioned';
END
$$;
COMMENT ON FUNCTION part.switch_reads IS
    'part: switch a backfilled migration with clean parity to partitioned: the partitioned table takes the application''s name in one short transaction (short lock timeouts with retries, 55P03 naming the blocker), ids continue, the sync mirrors it back into the legacy table. Returns the new phase.';

-- migration/_attach_check_add.sql
CREATE FUNCTION part._attach_check_add(p_rel regclass, p_key text, p_type regtype, p_cut text, p_notnull text[])
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * The CHECK of the attach method on the legacy table p_rel, NOT VALID (a
 * catalog change: the caller holds the table, part._lock_all):
 * part_history_bound CHECK (key IS NOT NULL AND <each column of p_notnull,
 * the partitioned table's primary key> IS NOT NULL AND key < p_cut). Once
 * validated (part.attach_prepare), it lets ATTACH PARTITION ... FROM
 * (MINVALUE) TO (p_cut) skip its scan of the table, and SET NOT NULL of
 * those columns too.
 */
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT part_history_bound CHECK (%s%I < %L::%s) NOT VALID',
                              p_rel,
                              (SELECT string_agg(format('%I IS NOT NULL AND ', c), '' ORDER BY o)
                                 FROM unnest(ARRAY[p_key] || p_notnull) WITH ORDINALITY AS u(c, o) WHERE u.o = 1 OR u.c <> p_key),
                              p_key, p_cut, p_type);
END
$$;

-- migration/_attach_index_shape.sql
CREATE FUNCTION part._attach_index_shape(p_index oid)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * What ATTACH PARTITION compares to match an index of the partition to
     * one of the parent (access method, uniqueness, key columns by name,
     * operator classes, collations, options, expressions, predicate), as
     * one text: two indexes with the same shape on the parent and on the
     * legacy table match, and ATTACH builds nothing.
     */
    SELECT concat_ws('|', am.amname, i.indisunique, i.indnkeyatts,
               (SELECT string_agg(coalesce(quote_ident(a.attname), '#expr'), ',' ORDER BY k.o)
                  FROM unnest(i.indkey) WITH ORDINALITY AS k(n, o)
                  LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n AND k.n > 0),
               i.indclass::text, i.indcollation::text, i.indoption::text,
               pg_get_expr(i.indexprs, i.indrelid), pg_get_expr(i.indpred, i.indrelid))
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am am ON am.oid = c.relam
     WHERE i.indexrelid = p_index
$$;

-- migration/_attach_next_index.sql
CREATE FUNCTION part._attach_next_index(p_legacy regclass, p_part regclass)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_i      record;
    v_prefix text;
    v_name   text;
    v_pk     record;
BEGIN
/*
 * The next statement that must run (outside a transaction block, so part
 * cannot run it) before the legacy table p_legacy can be attached to
 * p_part without ATTACH building an index under its lock: for an index of
 * the parent with no valid index of the same shape on the legacy table,
 * DROP INDEX CONCURRENTLY of an invalid one of that shape (a build that was
 * interrupted) or CREATE [UNIQUE] INDEX CONCURRENTLY of it. Then, when the
 * legacy table's primary key is not the parent's, a stand-in for it: a
 * unique index of its shape backing no constraint (the switch gives the
 * legacy table's primary key to the prepared index, as PostgreSQL wants,
 * and the stand-in keeps its columns unique; a rollback makes the stand-in
 * the primary key again). NULL when nothing is missing.
 */
    FOR v_i IN
        SELECT i.indexrelid, i.indisunique, ic.relname,
               part._attach_index_shape(i.indexrelid) AS shape, pg_get_indexdef(i.indexrelid) AS def
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = p_part
         ORDER BY i.indisprimary DESC, ic.relname
    LOOP
        CONTINUE WHEN EXISTS (SELECT 1 FROM pg_index l
                               WHERE l.indrelid = p_legacy AND l.indisvalid AND l.indisready
                                 AND part._attach_index_shape(l.indexrelid) = v_i.shape);
        SELECT format('DROP INDEX CONCURRENTLY %s', l.indexrelid::regclass) INTO v_name
          FROM pg_index l
         WHERE l.indrelid = p_legacy AND NOT (l.indisvalid AND l.indisready)
           AND part._attach_index_shape(l.indexrelid) = v_i.shape
         LIMIT 1;
        IF v_name IS NOT NULL THEN
            RETURN v_name;
        END IF;
        v_prefix := format('CREATE %sINDEX %I ON ONLY %s ', CASE WHEN v_i.indisunique THEN 'UNIQUE ' ELSE '' END,
                                      v_i.relname, p_part);
        IF pg_catalog.left(v_i.def, length(v_prefix)) <> v_prefix THEN
            RAISE EXCEPTION 'cannot read the definition of index % of %: %', v_i.relname, p_part, v_i.def
                USING ERRCODE = 'XX000', HINT = 'Create an index of the same definition on the legacy table yourself (CONCURRENTLY), then run part.attach_prepare again.';
        END IF;
        v_name := part._partition_name((SELECT c.relname FROM pg_class c WHERE c.oid = p_legacy),
                                               'attach_' || pg_catalog.left(md5(v_i.shape), 8));
        RETURN format('CREATE %sINDEX CONCURRENTLY %I ON %s %s', CASE WHEN v_i.indisunique THEN 'UNIQUE ' ELSE '' END,
                                 v_name, p_legacy, substr(v_i.def, length(v_prefix) + 1));
    END LOOP;

    SELECT l.indexrelid, ic.relname, part._attach_index_shape(l.indexrelid) AS shape,
           pg_get_indexdef(l.indexrelid) AS def
      INTO v_pk
      FROM pg_index l JOIN pg_class ic ON ic.oid = l.indexrelid
     WHERE l.indrelid = p_legacy AND l.indisprimary
       AND NOT EXISTS (SELECT 1 FROM pg_index p
                        WHERE p.indrelid = p_part AND p.indisprimary
                          AND part._attach_index_shape(p.indexrelid) = part._attach_index_shape(l.indexrelid));
    IF v_pk.indexrelid IS NULL OR EXISTS (
            SELECT 1 FROM pg_index l
             WHERE l.indrelid = p_legacy AND l.indisvalid AND l.indisready AND l.indexrelid <> v_pk.indexrelid
               AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = l.indexrelid AND x.conrelid = p_legacy)
               AND part._attach_index_shape(l.indexrelid) = v_pk.shape) THEN
        RETURN NULL;
    END IF;
    SELECT format('DROP INDEX CONCURRENTLY %s', l.indexrelid::regclass) INTO v_name
      FROM pg_index l
     WHERE l.indrelid = p_legacy AND NOT (l.indisvalid AND l.indisready)
       AND part._attach_index_shape(l.indexrelid) = v_pk.shape
     LIMIT 1;
    IF v_name IS NOT NULL THEN
        RETURN v_name;
    END IF;
    v_prefix := format('CREATE UNIQUE INDEX %I ON %s ', v_pk.relname, p_legacy);
    IF pg_catalog.left(v_pk.def, length(v_prefix)) <> v_prefix THEN
        RAISE EXCEPTION 'cannot read the definition of the primary key % of %: %', v_pk.relname, p_legacy, v_pk.def
            USING ERRCODE = 'XX000', HINT = 'Create a unique index of the same definition on the legacy table yourself (CONCURRENTLY), then run part.attach_prepare again.';
    END IF;
    RETURN format('CREATE UNIQUE INDEX CONCURRENTLY %I ON %s %s',
                             part._partition_name((SELECT c.relname FROM pg_class c WHERE c.oid = p_legacy),
                                                          'attach_pk_' || pg_catalog.left(md5(v_pk.shape), 8)),
                             p_legacy, substr(v_pk.def, length(v_prefix) + 1));
END
$$;

-- migration/_attach_rollback.sql
CREATE FUNCTION part._attach_rollback(p_m part.migration)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part     regclass := to_regclass(p_m.partitioned_table);
    v_hist     regclass := to_regclass(p_m.history_table);
    v_type     regtype := p_m.key_type::regtype;
    v_schema   text := (parse_ident(p_m.table_name))[1];
    v_app      text := (parse_ident(p_m.table_name))[2];
    v_copy     text := part._partition_name((parse_ident(p_m.table_name))[2], 'partitioned');
    v_cfg      part.config;
    v_cols     text;
    v_high     text;
    v_cut      text := p_m.history_to;
    v_moved    bigint;
    v_c        record;
    v_phase    text := 'prepared';
    v_standin  text;
    v_recheck  boolean := false;
    v_saved_msg text;
BEGIN
/*
 * Undo the switch of an attach migration before its history partition was
 * split (part.rollback calls it with the phase lock held): with both
 * tables locked ACCESS EXCLUSIVE (part._lock_all), the legacy table is
 * detached, the rows written since the switch into the other partitions
 * are copied into it (as the owner; no trigger fires: its own are still
 * disabled, the cloned ones went with the DETACH), those partitions are
 * dropped, the application's triggers, the names and the serial sequences
 * go back. When the primary key was given to the prepared index at the
 * switch, its stand-in becomes the primary key again (the prepared index
 * goes: phase 'preparing', part.attach_prepare builds it again online);
 * when a row written since is at or past the cut, the CHECK is replaced by
 * a NOT VALID one with a cut past it (phase 'preparing' too); otherwise the
 * phase is 'prepared'.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF p_m.split_phase IS NOT NULL OR p_m.split_intervals > 0 THEN
        RAISE EXCEPTION 'cannot roll back %: maintenance is splitting its history partition (%, % rows copied, % intervals moved in)', p_m.table_name,
                        p_m.split_phase, p_m.split_rows, p_m.split_intervals
            USING ERRCODE = '55000',
                  HINT = 'The rollback of the attach method is possible only before the split begins: the table stays partitioned (its rows are all there).';
    END IF;
    IF v_part IS NULL OR v_hist IS NULL THEN
        RAISE EXCEPTION 'cannot roll back %: % or % is missing', p_m.table_name, p_m.partitioned_table, p_m.history_table
            USING ERRCODE = '42P01', HINT = 'Attach the history table back yourself, or leave the table partitioned.';
    END IF;
    v_cfg := part._config_row(v_part);
    PERFORM part._lock_all(ARRAY[v_part, v_hist], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_hist);
    -- the primary key the legacy table had: its stand-in (part.attach_prepare built it) takes it back
    IF p_m.legacy_key IS DISTINCT FROM p_m.partitioned_key THEN
        SELECT ic.relname INTO v_standin
          FROM pg_index l JOIN pg_class ic ON ic.oid = l.indexrelid
         WHERE l.indrelid = v_hist AND l.indisvalid AND l.indisunique AND NOT l.indisprimary
           AND l.indexprs IS NULL AND l.indpred IS NULL AND l.indnkeyatts = cardinality(p_m.legacy_key)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = l.indexrelid AND x.conrelid = v_hist)
           AND (SELECT array_agg(a.attname::text ORDER BY k.o)
                  FROM unnest(l.indkey) WITH ORDINALITY AS k(n, o)
                  JOIN pg_attribute a ON a.attrelid = l.indrelid AND a.attnum = k.n) = p_m.legacy_key
         ORDER BY ic.relname LIMIT 1;
        IF v_standin IS NULL THEN
            RAISE EXCEPTION 'cannot roll back %: % has no unique index on (%) to be its primary key again', p_m.table_name, v_hist,
                            array_to_string(p_m.legacy_key, ', ')
                USING ERRCODE = '55000',
                      HINT = format('Create one CONCURRENTLY (CREATE UNIQUE INDEX CONCURRENTLY ON %s (%s)), then roll back again.',
                                               v_hist, array_to_string(p_m.legacy_key, ', '));
        END IF;
        FOR v_c IN SELECT x.conname FROM pg_constraint x WHERE x.conrelid = v_part AND x.contype = 'p' LOOP
            CONTINUE WHEN v_c.conname = part._partition_name(v_copy, 'pkey');
            EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', v_part, v_c.conname, part._partition_name(v_copy, 'pkey'));
        END LOOP;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', v_hist,
                                  (SELECT x.conname FROM pg_constraint x WHERE x.conrelid = v_hist AND x.contype = 'p'));
        v_saved_msg := current_setting('client_min_messages');
        PERFORM set_config('client_min_messages', 'warning', true);   -- not its NOTICE that the index is renamed
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY USING INDEX %I', v_hist,
                                  part._partition_name(v_app, 'pkey'), v_standin);
        PERFORM set_config('client_min_messages', v_saved_msg, true);
        v_phase := 'preparing';   -- the prepared index went with the primary key: attach_prepare builds it again
    END IF;

    -- the rows written since the switch into the other partitions
    EXECUTE format('SELECT pg_catalog.max(%I)::text FROM %s WHERE %I >= %L::%s', p_m.key_column, v_part,
                              p_m.key_column, p_m.history_to, v_type) INTO v_high;
    IF v_high IS NOT NULL THEN
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT part_history_bound', v_hist);
        IF v_type::text IN ('smallint', 'integer', 'bigint') THEN
            v_cut := part._range_floor(v_high, v_type, v_cfg."interval", v_cfg.time_zone);
        ELSE
            v_cut := part._range_floor(part._literal(part._to_utc(v_high, v_type), v_type), v_type, v_cfg."interval", v_cfg.time_zone);
        END IF;
        FOR i IN 0 .. coalesce(v_cfg.premake, 3) LOOP
            v_cut := part._range_next(v_cut, v_type, v_cfg."interval", v_cfg.time_zone);
        END LOOP;
        v_phase := 'preparing';
        v_recheck := true;
    END IF;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a
     WHERE a.attrelid = v_hist AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    v_moved := part._as_owner(v_hist, format('INSERT INTO %s (%s) SELECT %s FROM %s', v_hist, v_cols, v_cols, v_part),
                                      p_returns => false)::bigint;
    IF v_recheck THEN
        PERFORM part._attach_check_add(v_hist, p_m.key_column, v_type, v_cut, p_m.partitioned_key);
    END IF;
    FOR v_c IN SELECT b.partition_oid::regclass AS rel FROM part._partition_bounds(v_part) b LOOP
        EXECUTE format('DROP TABLE %s', v_c.rel);
    END LOOP;

    -- the application's triggers go back to the legacy table, as they are on the partitioned table
    FOR v_c IN
        SELECT s.tgname, s.tgenabled, f.tgname AS hist_name
          FROM pg_trigger s
          JOIN pg_trigger f ON f.tgrelid = v_hist AND f.tgname = part._partition_name('part_history', s.tgname)
         WHERE s.tgrelid = v_part AND NOT s.tgisinternal
         ORDER BY s.tgname
    LOOP
        EXECUTE format('ALTER TRIGGER %I ON %s RENAME TO %I', v_c.hist_name, v_hist, v_c.tgname);
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', v_hist,
                                  CASE v_c.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'A' THEN 'ENABLE ALWAYS'
                                                     WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE' END, v_c.tgname);
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_part, v_c.tgname);
    END LOOP;

    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_part, v_copy);
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_hist, v_app);
    FOR v_c IN
        SELECT x.conrelid::regclass AS rel, x.conname,
               part._partition_name(CASE WHEN x.conrelid = v_hist THEN v_app ELSE v_copy END, 'pkey') AS new_name
          FROM pg_constraint x
         WHERE x.conrelid IN (v_hist, v_part) AND x.contype = 'p'
         ORDER BY x.conrelid = v_hist
    LOOP
        CONTINUE WHEN v_c.conname = v_c.new_name OR to_regclass(format('%I.%I', v_schema, v_c.new_name)) IS NOT NULL;
        EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', v_c.rel, v_c.conname, v_c.new_name);
    END LOOP;
    FOR v_c IN
        SELECT a.attname, pg_get_serial_sequence(v_part::text, a.attname) AS seq
          FROM pg_attribute a
         WHERE a.attrelid = v_hist AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        CONTINUE WHEN v_c.seq IS NULL;
        EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', v_c.seq, v_hist, v_c.attname);
    END LOOP;

    UPDATE part.config c SET parent_table = part._qualified(v_part), updated_at = now()
     WHERE c.parent_table = p_m.partitioned_table;
    PERFORM part.create_ahead(NULL, part._qualified(v_part));   -- empty until the next switch, as before it
    UPDATE part.migration m
       SET legacy_table = part._qualified(v_hist), partitioned_table = part._qualified(v_part),
           history_table = NULL, history_from = NULL, history_rows = NULL, history_to = v_cut,
           phase = v_phase, rolled_back_at = now(),
           prepared_at = CASE WHEN v_phase = 'prepared' THEN m.prepared_at END
     WHERE m.table_name = p_m.table_name;
    PERFORM part._notice(format('%s rolled back (attach): the legacy table is read and written again; %s rows written since the switch were moved into it%s',
                                                   p_m.table_name, v_moved,
                                                   CASE WHEN v_recheck
                                                        THEN format('; its CHECK now bounds the key below %s: run part.attach_prepare(%L) again', v_cut, p_m.table_name)
                                                        ELSE '' END));
    RETURN v_phase;
END
$$;

-- migration/_attach_switch.sql
CREATE FUNCTION part._attach_switch(p_m part.migration)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy   regclass := to_regclass(p_m.legacy_table);
    v_part     regclass := to_regclass(p_m.partitioned_table);
    v_type     regtype := p_m.key_type::regtype;
    v_schema   text := (parse_ident(p_m.table_name))[1];
    v_app      text := (parse_ident(p_m.table_name))[2];
    v_hist     text := part._partition_name((parse_ident(p_m.table_name))[2], 'history');
    v_b        record;
    v_c        record;
    v_default  regclass;
    v_name     text;
    v_any      boolean;
    v_saved_msg text;
BEGIN
/*
 * The switch of an attach migration (part.switch_reads calls it with the
 * phase lock held): from 'prepared' to 'partitioned', in the caller's
 * transaction. Before any lock on the legacy table: the partitioned table's
 * partitions below the cut (empty: nothing writes there yet) are dropped,
 * the first one from the cut is made, and a default partition. Then, with
 * the legacy table and the partitioned table locked ACCESS EXCLUSIVE
 * (part._lock_all: short timeouts, retries), only catalog changes: the
 * key column SET NOT NULL and the primary key's index made a UNIQUE
 * constraint (both proved by the validated CHECK and the prepared index,
 * no scan), the application's triggers carried to the partitioned table
 * (the legacy table's own renamed part_history_<name> and disabled: the
 * ones cloned from the parent fire for its rows), the names swapped (the
 * legacy table becomes <table>_history), ATTACH PARTITION ... FROM
 * (MINVALUE) TO (cut) (no scan: the CHECK implies the bound), serial
 * sequences owned by the partitioned table. Returns 'partitioned'.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF p_m.phase = 'preparing' THEN
        RAISE EXCEPTION 'cannot switch %: it is still preparing', p_m.table_name
            USING ERRCODE = '55000',
                  HINT = format('Run SELECT part.attach_prepare(%L) until it returns NULL, running each statement it returns (pginstall migrate does).', p_m.table_name);
    END IF;
    IF v_legacy IS NULL OR v_part IS NULL THEN
        RAISE EXCEPTION 'cannot switch %: % or % is missing', p_m.table_name, p_m.legacy_table, p_m.partitioned_table
            USING ERRCODE = '42P01', HINT = format('Cancel with SELECT part.migrate_cancel(%L) and start again.', p_m.table_name);
    END IF;
    -- still prepared? (a CHECK or an index dropped since would make ATTACH scan or build under the lock)
    IF NOT coalesce((SELECT c.convalidated FROM pg_constraint c
                      WHERE c.conrelid = v_legacy AND c.conname = 'part_history_bound' AND c.contype = 'c'), false)
       OR part._attach_next_index(v_legacy, v_part) IS NOT NULL THEN
        UPDATE part.migration m SET phase = 'preparing', prepared_at = NULL WHERE m.table_name = p_m.table_name;
        RAISE EXCEPTION 'cannot switch %: its CHECK part_history_bound or an index it needs changed since it was prepared', p_m.table_name
            USING ERRCODE = '55000',
                  HINT = format('Run SELECT part.attach_prepare(%L) until it returns NULL again.', p_m.table_name);
    END IF;
    IF part._sync_columns(v_legacy, v_part) IS DISTINCT FROM part._sync_columns(v_legacy, v_legacy)
       OR part._sync_columns(v_part, v_legacy) IS DISTINCT FROM part._sync_columns(v_part, v_part)
       OR EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_attribute b ON b.attrelid = v_legacy AND b.attname = a.attname
                   WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND NOT b.attisdropped
                     AND (a.atttypid, a.atttypmod, a.attcollation) IS DISTINCT FROM (b.atttypid, b.atttypmod, b.attcollation)) THEN
        RAISE EXCEPTION 'cannot switch %: the columns of % and % differ', p_m.table_name, v_legacy, v_part
            USING ERRCODE = '55000',
                  HINT = format('A column changed since part.migrate_start: cancel with SELECT part.migrate_cancel(%L) and start again.', p_m.table_name);
    END IF;
    IF to_regclass(format('%I.%I', v_schema, v_hist)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot rename % to %.%: a relation with that name exists', v_legacy, v_schema, v_hist
            USING ERRCODE = '42P07', HINT = 'Rename or drop that relation, then switch again.';
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', v_part) INTO v_any;
    IF v_any THEN
        RAISE EXCEPTION 'cannot switch %: % holds rows', p_m.table_name, v_part
            USING ERRCODE = '55000',
                  HINT = 'Nothing writes into the partitioned table of an attach migration before the switch: move those rows into the legacy table (or delete them), then switch again.';
    END IF;

    -- before the locks on the legacy table: the partitioned table's partitions below the cut go
    -- (the legacy table covers them), the first one from the cut and a default are made
    FOR v_b IN SELECT * FROM part._partition_bounds(v_part) b
                WHERE NOT b.is_default AND part._bound_ordinal(b.bound_from, v_type) < part._bound_ordinal(p_m.history_to, v_type) LOOP
        EXECUTE format('DROP TABLE %s', v_b.partition_oid::regclass);
    END LOOP;
    PERFORM part._create_range_partition(v_part, p_m.history_to, part._range_next(p_m.history_to, v_type,
                                                 (SELECT c."interval" FROM part.config c WHERE c.parent_table = p_m.partitioned_table),
                                                 (SELECT c.time_zone FROM part.config c WHERE c.parent_table = p_m.partitioned_table)));
    SELECT nullif(pt.partdefid, 0)::regclass INTO v_default FROM pg_partitioned_table pt WHERE pt.partrelid = v_part;
    IF v_default IS NULL THEN
        v_name := part._partition_name(v_app, 'default');
        IF to_regclass(format('%I.%I', v_schema, v_name)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', v_schema, v_name, v_part);
            PERFORM part._copy_owner_and_grants(v_part, format('%I.%I', v_schema, v_name)::regclass);
        END IF;
    END IF;
    PERFORM part._copy_owner_and_grants(v_legacy, v_part, p_partition => false);

    -- writers go to the legacy table, then (after the switch) to the partitioned one: lock in that order
    PERFORM part._lock_all(ARRAY[v_legacy, v_part], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    FOR v_c IN SELECT a.attname FROM pg_attribute a
                WHERE a.attrelid = v_legacy AND NOT a.attnotnull AND a.attname = ANY (ARRAY[p_m.key_column] || p_m.partitioned_key) LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', v_legacy, v_c.attname);   -- proved by the CHECK
    END LOOP;
    -- the index matching the partitioned table's primary key becomes the legacy table's primary key
    -- (ATTACH wants it so; the one it had goes, its stand-in keeps those columns unique)
    SELECT l.indexrelid::regclass AS idx, ic.relname, l.indisprimary INTO v_c
      FROM pg_index p
      JOIN pg_index l ON l.indrelid = v_legacy AND l.indisvalid
                                AND part._attach_index_shape(l.indexrelid) = part._attach_index_shape(p.indexrelid)
      JOIN pg_class ic ON ic.oid = l.indexrelid
     WHERE p.indrelid = v_part AND p.indisprimary
     ORDER BY l.indisprimary DESC,
              NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = l.indexrelid AND x.conrelid = v_legacy) DESC
     LIMIT 1;
    IF v_c.idx IS NOT NULL AND NOT v_c.indisprimary THEN
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', v_legacy,
                                  (SELECT x.conname FROM pg_constraint x WHERE x.conrelid = v_legacy AND x.contype = 'p'));
        v_saved_msg := current_setting('client_min_messages');
        PERFORM set_config('client_min_messages', 'warning', true);   -- not its NOTICE that the index is renamed
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY USING INDEX %I', v_legacy,
                                  part._partition_name(v_hist, 'pkey'), v_c.relname);
        PERFORM set_config('client_min_messages', v_saved_msg, true);
    END IF;

    -- the application's triggers: on the partitioned table as they were on the legacy table; the
    -- legacy table's own ones renamed and disabled (the parent's, cloned on ATTACH, fire for its rows)
    FOR v_c IN
        SELECT f.tgname, f.tgenabled
          FROM pg_trigger f
          JOIN pg_trigger s ON s.tgrelid = v_part AND s.tgname = f.tgname AND NOT s.tgisinternal
         WHERE f.tgrelid = v_legacy AND NOT f.tgisinternal AND f.tgname NOT LIKE 'part\_sync\_%'
         ORDER BY f.tgname
    LOOP
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', v_part,
                                  CASE v_c.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'A' THEN 'ENABLE ALWAYS'
                                                     WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE' END, v_c.tgname);
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_legacy, v_c.tgname);
        EXECUTE format('ALTER TRIGGER %I ON %s RENAME TO %I', v_c.tgname, v_legacy,
                                  part._partition_name('part_history', v_c.tgname));
    END LOOP;

    -- the names: the legacy table becomes <table>_history, the partitioned table takes <table>
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_legacy, v_hist);
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_part, v_app);
    FOR v_c IN
        SELECT x.conrelid::regclass AS rel, x.conname,
               part._partition_name(CASE WHEN x.conrelid = v_legacy THEN v_hist ELSE v_app END, 'pkey') AS new_name
          FROM pg_constraint x
         WHERE x.conrelid IN (v_legacy, v_part) AND x.contype = 'p'
         ORDER BY x.conrelid = v_part
    LOOP
        CONTINUE WHEN v_c.conname = v_c.new_name OR to_regclass(format('%I.%I', v_schema, v_c.new_name)) IS NOT NULL;
        EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', v_c.rel, v_c.conname, v_c.new_name);
    END LOOP;

    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (MINVALUE) TO (%L)', v_part, v_legacy, p_m.history_to);

    -- a serial's sequence belongs to the table with the name
    FOR v_c IN
        SELECT a.attname, pg_get_serial_sequence(v_legacy::text, a.attname) AS seq
          FROM pg_attribute a
         WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        CONTINUE WHEN v_c.seq IS NULL;
        EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', v_c.seq, v_part, v_c.attname);
    END LOOP;

    UPDATE part.config c SET parent_table = part._qualified(v_part), updated_at = now()
     WHERE c.parent_table = p_m.partitioned_table;
    UPDATE part.migration m
       SET legacy_table = part._qualified(v_legacy),
           partitioned_table = part._qualified(v_part),
           history_table = part._qualified(v_legacy),
           history_from = NULL,
           history_rows = greatest((SELECT c.reltuples FROM pg_class c WHERE c.oid = v_legacy), 0)::bigint,
           phase = 'partitioned', partitioned_at = now()
     WHERE m.table_name = p_m.table_name;
    PERFORM part._notice(format('%s switched (attach): %s is its history partition [MINVALUE, %s); maintenance splits it into interval partitions',
                                                   p_m.table_name, part._qualified(v_legacy), p_m.history_to));
    RETURN 'partitioned';
END
$$;

-- migration/_backfill_batch.sql
CREATE FUNCTION part._backfill_batch(p_table_name text, p_batch_size integer)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration;
    v_legacy  regclass;
    v_part    regclass;
    v_cols    text;
    v_key     text;
    v_after   text;
    v_after_c text;
    v_hi      text;
    v_rows    bigint;
    v_groups  text[];
    v_done    jsonb;
    v_tries   integer := 0;
    v_gate    integer[] := part._migration_lock(p_table_name, 'gate');
    v_lock_timeout text;
    v_total   bigint;
    v_sql     text;
    v_groups_sql text;
    v_spec    record;
    v_step    text;
    v_synced  boolean;
BEGIN
/*
 * Copy the next batch of the backfill (at most p_batch_size rows, in the
 * legacy table's primary-key order) into the partitioned copy; returns the
 * rows copied, or NULL when there is nothing left to copy (the backfill is
 * then marked finished). The caller commits (part.backfill).
 *
 * Race-free without locking the source rows: the batch holds the
 * migration's "gate" advisory lock exclusively, and takes its snapshot only
 * after it has it. A sync trigger that removes rows the backfill may still
 * copy (between the last batch and the last key) takes the gate shared
 * until its transaction ends. So either the batch waits for that
 * transaction and then no longer sees the removed rows, or the trigger
 * waits for the batch and then deletes what it copied. Rows already copied
 * or written by the sync are left alone (skipped, or ON CONFLICT DO
 * NOTHING): an older version never overwrites a newer one. Rows go in in key order, as the
 * sync's upserts do, so the two never deadlock. The gate is taken with try-locks
 * (no queue, so writers never wait behind a waiting batch), then, after
 * about 2 s of trying, by waiting.
 *
 * The copy waits for a row a writer holds at most 200 ms (lock_timeout, then
 * 55P03): the writer may wait for the gate (it takes it by try-locks, so
 * it is never the one a deadlock fails); part.backfill does the batch again.
 *
 * The backfill copies up to the largest key present when it started: every
 * row written since then goes through the sync.
 */
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'the backfill must run at READ COMMITTED, not %', current_setting('transaction_isolation')
            USING ERRCODE = '55000', HINT = 'Call it in a session with default_transaction_isolation = ''read committed''.';
    END IF;
    LOOP
        EXIT WHEN pg_try_advisory_xact_lock(
            v_gate[1], v_gate[2]);
        v_tries := v_tries + 1;
        IF v_tries >= 200 THEN
            PERFORM pg_advisory_xact_lock(
                v_gate[1], v_gate[2]);
            EXIT;
        END IF;
        PERFORM pg_sleep(0.01);
    END LOOP;

    -- read the position after the gate: another backfill may have moved it
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name FOR NO KEY UPDATE;
    IF v_m.phase <> 'dual_write' OR v_m.backfill_finished_at IS NOT NULL THEN
        RETURN NULL;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    v_key := part._sql_columns(v_m.legacy_key, 'l', 'row');

    IF v_m.backfill_started_at IS NULL THEN
        EXECUTE format('SELECT %s FROM %s l ORDER BY %s LIMIT 1',
                                  part._sql_columns(v_m.legacy_key, 'l', 'text'), v_legacy,
                                  part._sql_columns(v_m.legacy_key, 'l', 'desc'))
           INTO v_m.backfill_high_key;
        -- rows to copy, for progress and ETA: the planner's estimate, or a count if it has none
        SELECT CASE WHEN c.reltuples >= 0 THEN c.reltuples::bigint END INTO v_total
          FROM pg_class c WHERE c.oid = v_legacy;
        IF v_total IS NULL THEN
            EXECUTE format('SELECT pg_catalog.count(*) FROM %s', v_legacy) INTO v_total;
        END IF;
        UPDATE part.migration m
           SET backfill_started_at = clock_timestamp(), backfill_high_key = v_m.backfill_high_key,
               backfill_total = v_total
         WHERE m.table_name = p_table_name;
        IF v_m.backfill_high_key IS NULL THEN     -- an empty table
            UPDATE part.migration m SET backfill_finished_at = clock_timestamp(), backfill_total = 0
             WHERE m.table_name = p_table_name;
            RETURN NULL;
        END IF;
    END IF;

    v_after := CASE WHEN v_m.backfill_last_key IS NULL THEN 'true'
                    ELSE format('%s > %s', v_key, part._key_from_text_sql(v_legacy, v_m.legacy_key, '$1')) END;
    v_after_c := CASE WHEN v_m.backfill_last_key IS NULL THEN 'true'
                      ELSE format('%s > %s', part._sql_columns(v_m.legacy_key, 'c', 'row'),
                                             part._key_from_text_sql(v_legacy, v_m.legacy_key, '$1')) END;
    -- the batch's last key: the p_batch_size-th key after the last batch (OFFSET on the key's
    -- index: no sort, one key turned into text), or the last key there when fewer are left
    EXECUTE format(
        'SELECT %1$s FROM (SELECT %2$s FROM %3$s l WHERE %4$s AND %5$s <= %6$s ORDER BY %2$s OFFSET %7$s LIMIT 1) l',
        part._sql_columns(v_m.legacy_key, 'l', 'text'), part._sql_columns(v_m.legacy_key, 'l'), v_legacy,
        v_after, v_key, part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2'), p_batch_size - 1)
       INTO v_hi USING v_m.backfill_last_key, v_m.backfill_high_key;
    IF v_hi IS NULL THEN
        EXECUTE format(
            'SELECT %1$s FROM %2$s l WHERE %3$s AND %4$s <= %5$s ORDER BY %6$s LIMIT 1',
            part._sql_columns(v_m.legacy_key, 'l', 'text'), v_legacy, v_after, v_key,
            part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2'), part._sql_columns(v_m.legacy_key, 'l', 'desc'))
           INTO v_hi USING v_m.backfill_last_key, v_m.backfill_high_key;
    END IF;
    IF v_hi IS NULL THEN
        UPDATE part.migration m SET backfill_finished_at = clock_timestamp()
         WHERE m.table_name = p_table_name;
        RETURN NULL;
    END IF;

    -- copy; the copy's own sync must not mirror it back
    v_cols := part._sql_columns(part._sync_columns(v_legacy, v_part, true));
    PERFORM set_config('part.syncing', 'on', true);
    -- Rows the sync already wrote are skipped. Fast path: a plain INSERT of the rows the copy
    -- does not have yet (an anti-join over the batch's key range: about 30% cheaper than ON
    -- CONFLICT's speculative insertion); if a sync upsert slips in meanwhile (unique
    -- violation), the batch is done again with ON CONFLICT DO NOTHING.
    -- The parity groups the batch wrote, for part._parity_mark. A range table's batch usually
    -- spans a few groups (keys in the order rows were written): then the groups from its
    -- smallest to its largest key are marked (a group without a row of the batch is only
    -- re-hashed once more), which needs min and max instead of a group per row (a time zone
    -- conversion and a date_trunc per row: about half of what a batch adds to the INSERT);
    -- over 64 groups, or a hash table, it is a group per row.
    v_groups_sql := format('(SELECT pg_catalog.array_agg(%s) FROM (SELECT DISTINCT %s AS g FROM ins) d)',
                                      part._group_text_sql(v_m, 'd.g'), part._group_sql(v_m, 'ins.k'));
    IF v_m.strategy = 'range' THEN
        v_spec := part._interval_spec((SELECT c."interval" FROM part.config c WHERE c.parent_table = v_m.partitioned_table),
                                                 v_m.key_type::regtype);
        v_step := CASE WHEN v_spec.kind = 'integer' THEN v_spec.width::text
                       ELSE format('%L::interval', '1 ' || CASE WHEN v_spec.kind = 'months' THEN 'month'
                                                                        WHEN v_spec.kind IN ('weeks', 'days') THEN 'day'
                                                                        WHEN v_spec.seconds % 3600 = 0 THEN 'hour'
                                                                        WHEN v_spec.seconds % 60 = 0 THEN 'minute'
                                                                        ELSE 'second' END) END;
        v_groups_sql := format(
            'CASE WHEN %1$s THEN (SELECT pg_catalog.array_agg(%2$s) FROM pg_catalog.generate_series(%3$s, %4$s, %5$s) d(g)) ELSE %6$s END',
            CASE WHEN v_spec.kind = 'integer'
                 THEN format('(%s)::numeric - (%s)::numeric <= 63::numeric * %s',
                                        part._group_sql(v_m, 'b.hi'), part._group_sql(v_m, 'b.lo'), v_step)
                 ELSE format('pg_catalog.isfinite(b.lo) AND pg_catalog.isfinite(b.hi) AND %s <= %s + 63 * %s',
                                        part._group_sql(v_m, 'b.hi'), part._group_sql(v_m, 'b.lo'), v_step) END,
            part._group_text_sql(v_m, 'd.g'), part._group_sql(v_m, 'b.lo'), part._group_sql(v_m, 'b.hi'), v_step,
            v_groups_sql);
    END IF;
    v_sql := format(
        'WITH ins AS (INSERT INTO %1$s (%2$s) OVERRIDING SYSTEM VALUE SELECT %2$s FROM %3$s l WHERE %4$s AND %5$s <= %6$s '
        '%10$s ORDER BY %9$s %11$s RETURNING %7$I AS k), '
        'b AS (SELECT pg_catalog.count(*) AS n, pg_catalog.min(ins.k) AS lo, pg_catalog.max(ins.k) AS hi FROM ins) '
        'SELECT pg_catalog.jsonb_build_array(b.n, %8$s)::text FROM b',
        v_part, v_cols, v_legacy, v_after, v_key, part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2'),
        v_m.key_column, v_groups_sql,
        part._sql_columns(v_m.legacy_key, 'l'), '@anti_join@', '@on_conflict@');
    -- The copy is written with the rights of the tables' owner (part._as_owner): the owner's
    -- triggers, defaults and expressions on the copy never run with the caller's rights.
    -- It waits for a writer's row (a sync upsert not committed yet) at most briefly: that
    -- writer may be waiting for the gate this batch holds; part.backfill then does the batch again.
    v_lock_timeout := current_setting('lock_timeout');
    PERFORM set_config('lock_timeout', '200ms', true);
    -- The anti-join is needed only when the sync has written keys of this batch already (the
    -- application changed rows not copied yet): one look at the copy's key range (cheap to plan
    -- and run) tells, and saves planning the anti-join over every partition of the copy (about
    -- a tenth of a batch) when there are none. A sync write after the look ends in the unique
    -- violation below, as one after the anti-join's snapshot does.
    v_synced := part._as_owner(v_part, format('SELECT EXISTS (SELECT 1 FROM %s c WHERE %s AND %s <= %s)::text',
                                                         v_part, v_after_c, part._sql_columns(v_m.legacy_key, 'c', 'row'),
                                                         part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2')),
                               v_m.backfill_last_key, v_hi)::boolean;
    BEGIN
        v_done := part._as_owner(v_part, replace(replace(v_sql, '@on_conflict@', ''), '@anti_join@',
            CASE WHEN v_synced THEN
            format('AND NOT EXISTS (SELECT 1 FROM %s c WHERE %s AND %s AND %s <= %s)',
                              v_part, part._sql_columns(v_m.partitioned_key, 'c', 'match:l'),
                              v_after_c, part._sql_columns(v_m.legacy_key, 'c', 'row'),
                              part._key_from_text_sql(v_legacy, v_m.legacy_key, '$2')) ELSE '' END),
            v_m.backfill_last_key, v_hi)::jsonb;
    EXCEPTION WHEN unique_violation THEN
        v_done := part._as_owner(v_part, replace(replace(v_sql, '@anti_join@', ''), '@on_conflict@', 'ON CONFLICT DO NOTHING'),
                                         v_m.backfill_last_key, v_hi)::jsonb;
    END;
    PERFORM set_config('lock_timeout', v_lock_timeout, true);
    v_rows := (v_done ->> 0)::bigint;
    v_groups := CASE WHEN jsonb_typeof(v_done -> 1) = 'array'
                     THEN ARRAY(SELECT jsonb_array_elements_text(v_done -> 1)) END;
    -- off for the session too (not only this transaction): nothing the owner's code set survives the batch
    PERFORM set_config('part.syncing', 'off', false);
    PERFORM part._parity_mark(p_table_name, v_groups);

    UPDATE part.migration m
       SET backfill_last_key = v_hi, backfill_rows = m.backfill_rows + v_rows, backfill_batches = m.backfill_batches + 1,
           backfill_batch_at = clock_timestamp()
     WHERE m.table_name = p_table_name;
    RETURN v_rows;
END
$$;

-- migration/_group_range.sql
CREATE FUNCTION part._group_range(p_m part.migration, p_group text,
                                          OUT range_from text, OUT range_to text, OUT range_order numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg  part.config;
    v_type regtype := p_m.key_type::regtype;
BEGIN
/*
 * The parity range holding a parity group (text, see part._group_sql): for
 * a range table the aligned partition interval [range_from, range_to) as
 * literals of the key type; for a hash table the remainder (range_to NULL).
 * range_order sorts ranges.
 */
    IF p_m.strategy = 'hash' THEN
        range_from := p_group;
        range_order := p_group::numeric;
        RETURN;
    END IF;
    SELECT * INTO v_cfg FROM part.config c WHERE c.parent_table = p_m.partitioned_table;
    IF p_m.key_type IN ('smallint', 'integer', 'bigint') THEN
        range_from := p_group;
    ELSE
        -- a group is a wall-clock time of the table's zone (part._group_sql); part.check_parity also
        -- passes back range starts, literals with their offset ('2025-10-26 23:00:00+00'): an instant
        range_from := part._range_floor(
                          CASE WHEN v_cfg.time_zone = 'UTC' THEN part._literal(p_group::timestamp, v_type)
                               WHEN p_group ~ '[+-]\d\d(:?\d\d)?$' THEN p_group
                               ELSE part._literal(part._zone_start(p_group::timestamp, v_cfg.time_zone), v_type) END,
                          v_type, v_cfg."interval", v_cfg.time_zone);
    END IF;
    range_to := part._range_next(range_from, v_type, v_cfg."interval", v_cfg.time_zone);
    range_order := part._bound_ordinal(range_from, v_type);
END
$$;

-- migration/_group_sql.sql
CREATE FUNCTION part._group_sql(p_m part.migration, p_key_expr text, p_as_text boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg  part.config;
    v_type regtype := p_m.key_type::regtype;
    v_spec record;
    v_proc text;
    v_expr text;
BEGIN
/*
 * The SQL expression of the parity group of a key value (p_key_expr), as
 * the sync triggers mark it and part.check_parity hashes it. Each group lies
 * wholly inside one parity range, so a range is re-hashed when any of its
 * groups is marked:
 *   range, time key:    the UTC month / day / hour / minute holding the key
 *                       (the largest unit the interval is made of), a timestamp;
 *                       a table with a time zone (part.config.time_zone): its
 *                       local month / day, whose partitions are local ones;
 *   range, integer key: the start of its range (the range itself);
 *   hash:               its remainder modulo the partition count, the same
 *                       as PostgreSQL's (the key's extended hash function of
 *                       the partition operator class, seed
 *                       0x7A5B22367996DCFD, plus 0x49a0f4dd15e5a8e3, mod 2^64).
 * p_as_text: as text (to_char for times, so DateStyle does not matter).
 */
    SELECT * INTO v_cfg FROM part.config c WHERE c.parent_table = p_m.partitioned_table;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the partitioned table % of % is not managed by part', p_m.partitioned_table, p_m.table_name
            USING ERRCODE = '55000',
                  HINT = 'part.config lost its row; register it again with part.create_partitioned (same key and interval).';
    END IF;
    IF p_m.strategy = 'hash' THEN
        SELECT format('%I.%I', n.nspname, p.proname) INTO v_proc
          FROM pg_partitioned_table pt
          JOIN pg_opclass oc ON oc.oid = pt.partclass[0]
          JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily AND ap.amproclefttype = oc.opcintype
                                      AND ap.amprocrighttype = oc.opcintype AND ap.amprocnum = 2
          JOIN pg_proc p ON p.oid = ap.amproc
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE pt.partrelid = to_regclass(p_m.partitioned_table);
        v_expr := format(
            '((%s(%s, 8816678312871386365)::numeric + 23752253665144318179) %% 18446744073709551616 %% %s)::bigint',
            v_proc, p_key_expr, v_cfg.partitions);
        RETURN CASE WHEN p_as_text THEN v_expr || '::text' ELSE v_expr END;
    END IF;
    v_spec := part._interval_spec(v_cfg."interval", v_type);
    IF v_spec.kind = 'integer' THEN
        v_expr := format('(%1$s::bigint - ((%1$s::bigint %% %2$s) + %2$s) %% %2$s)', p_key_expr, v_spec.width);
        RETURN CASE WHEN p_as_text THEN v_expr || '::text' ELSE v_expr END;
    END IF;
    v_expr := format('pg_catalog.date_trunc(%L, %s)',
        CASE WHEN v_spec.kind = 'months' THEN 'month'
             WHEN v_spec.kind IN ('weeks', 'days') THEN 'day'
             WHEN v_spec.seconds % 3600 = 0 THEN 'hour'
             WHEN v_spec.seconds % 60 = 0 THEN 'minute'
             ELSE 'second' END,
        CASE v_type WHEN 'timestamp with time zone'::regtype THEN format('(%s) AT TIME ZONE %L', p_key_expr, v_cfg.time_zone)
                    WHEN 'date'::regtype THEN format('(%s)::timestamp', p_key_expr)
                    ELSE p_key_expr END);
    RETURN CASE WHEN p_as_text THEN part._group_text_sql(p_m, v_expr) ELSE v_expr END;
END
$$;

-- migration/_group_text_sql.sql
CREATE FUNCTION part._group_text_sql(p_m part.migration, p_group_expr text)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* SQL writing a parity group (see part._group_sql) as text: to_char for times, ::text for numbers. */
    SELECT CASE WHEN p_m.strategy = 'hash' OR p_m.key_type IN ('smallint', 'integer', 'bigint')
                THEN format('(%s)::text', p_group_expr)
                ELSE format('pg_catalog.to_char(%s, ''YYYY-MM-DD HH24:MI:SS'')', p_group_expr) END
$$;

-- migration/_index_definition.sql
CREATE FUNCTION part._index_definition(p_index regclass, p_extra_key text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_i     record;
    v_cols  text[] := '{}'::text[];
    v_incl  text[] := '{}'::text[];
    v_col   text;
    v_att   record;
    v_opt   integer;
BEGIN
/*
 * What follows "CREATE [UNIQUE] INDEX ON <table>" for an index like
 * p_index, built from the catalog (never by editing pg_get_indexdef's
 * text, which a column named "ref)x" would fool): USING <method>, the key
 * columns or expressions with their collation, operator class and order,
 * then p_extra_key (a column name, added as the last key column, quoted
 * here), INCLUDE, NULLS NOT DISTINCT, WITH (storage parameters) and WHERE.
 */
    SELECT i.indexrelid, i.indrelid, i.indnatts, i.indnkeyatts, i.indkey, i.indclass, i.indcollation, i.indoption,
           coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false) AS nulls_not_distinct,
           pg_get_expr(i.indpred, i.indrelid) AS pred, am.amname, c.reloptions
      INTO v_i
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_am am ON am.oid = c.relam
     WHERE i.indexrelid = p_index;
    FOR k IN 0 .. v_i.indnatts - 1 LOOP
        SELECT a.attname, a.attcollation INTO v_att
          FROM pg_attribute a WHERE a.attrelid = v_i.indrelid AND a.attnum = v_i.indkey[k];
        IF v_i.indkey[k] = 0 THEN
            v_col := '(' || pg_get_indexdef(v_i.indexrelid, k + 1, false) || ')';
        ELSE
            v_col := quote_ident(v_att.attname);
        END IF;
        IF k >= v_i.indnkeyatts THEN
            v_incl := v_incl || v_col;
            CONTINUE;
        END IF;
        IF v_i.indcollation[k] <> 0 AND (v_i.indkey[k] = 0 OR v_i.indcollation[k] <> v_att.attcollation) THEN
            v_col := v_col || (SELECT format(' COLLATE %I.%I', n.nspname, co.collname)
                                 FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
                                WHERE co.oid = v_i.indcollation[k]);
        END IF;
        v_col := v_col || (SELECT format(' %I.%I', n.nspname, oc.opcname)
                             FROM pg_opclass oc JOIN pg_namespace n ON n.oid = oc.opcnamespace
                            WHERE oc.oid = v_i.indclass[k]);
        v_opt := v_i.indoption[k];
        IF v_opt & 1 = 1 THEN
            v_col := v_col || ' DESC' || CASE WHEN v_opt & 2 = 0 THEN ' NULLS LAST' ELSE '' END;
        ELSIF v_opt & 2 = 2 THEN
            v_col := v_col || ' NULLS FIRST';
        END IF;
        v_cols := v_cols || v_col;
    END LOOP;
    IF p_extra_key IS NOT NULL THEN
        v_cols := v_cols || quote_ident(p_extra_key);
    END IF;
    RETURN format('USING %I (%s)', v_i.amname, array_to_string(v_cols, ', '))
        || CASE WHEN cardinality(v_incl) > 0 THEN format(' INCLUDE (%s)', array_to_string(v_incl, ', ')) ELSE '' END
        || CASE WHEN v_i.nulls_not_distinct THEN ' NULLS NOT DISTINCT' ELSE '' END
        || CASE WHEN v_i.reloptions IS NOT NULL
                THEN format(' WITH (%s)', (SELECT string_agg(format('%I = %L', split_part(o, '=', 1),
                                                                                                   substr(o, strpos(o, '=') + 1)), ', ')
                                                        FROM unnest(v_i.reloptions) o))
                ELSE '' END
        || CASE WHEN v_i.pred IS NOT NULL THEN format(' WHERE (%s)', v_i.pred) ELSE '' END;
END
$$;

-- migration/_key_from_text_sql.sql
CREATE FUNCTION part._key_from_text_sql(p_rel regclass, p_cols text[], p_text_expr text)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * SQL turning a key written by part._sql_columns(..., 'text') (the SQL
     * expression p_text_expr) back into a key of p_rel's columns p_cols:
     * (expr)::type, or ROW(((expr)::jsonb ->> 0)::type1, ...).
     */
    SELECT CASE WHEN cardinality(p_cols) = 1 THEN
                    format('(%s)::%s', p_text_expr, min(t.typ))
                ELSE
                    'ROW(' || string_agg(format('((%s)::jsonb ->> %s)::%s', p_text_expr, u.o - 1, t.typ), ', ' ORDER BY u.o) || ')'
           END
      FROM unnest(p_cols) WITH ORDINALITY AS u(c, o)
      JOIN LATERAL (SELECT format_type(a.atttypid, a.atttypmod) AS typ
                      FROM pg_attribute a
                     WHERE a.attrelid = p_rel AND a.attname = u.c AND NOT a.attisdropped) t ON true
$$;

-- migration/_migrate_progress.sql
CREATE FUNCTION part._migrate_progress(p_table_name text, p_done bigint, p_total bigint, p_start_rows bigint,
                                               p_started timestamptz, p_finished boolean)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_secs  numeric := greatest(extract(epoch FROM clock_timestamp() - p_started), 0.000001);
    v_rate  numeric := (p_done - p_start_rows) / v_secs;
    v_total bigint := greatest(p_total, p_done);
BEGIN
/*
 * The progress NOTICEs of part.migrate_to's backfill (pginstall migrate draws
 * its progress bar from them): while it runs
 *   part: <table>: backfill <done>/<total> rows (<percent>%), <rows/s> rows/s[, ETA <interval>]
 * (total: the rows to copy as estimated when the backfill began), and at the end
 *   part: <table>: backfill done, <done> rows in all; <copied> copied now in <s> s (<rows/s> rows/s)
 * p_start_rows and p_started: the rows done and the time when this call began.
 */
    IF p_finished THEN
        RAISE NOTICE 'part: %: backfill done, % rows in all; % copied now in % s (% rows/s)', p_table_name, p_done,
                     p_done - p_start_rows, round(v_secs, 3), round(v_rate);
        RETURN;
    END IF;
    RAISE NOTICE 'part: %: backfill %/% rows (%), % rows/s%', p_table_name, p_done, v_total,
                 CASE WHEN v_total > 0 THEN round(100.0 * p_done / v_total) ELSE 0 END::text || '%', round(v_rate),
                 CASE WHEN v_rate > 0 AND v_total > p_done
                      THEN ', ETA ' || make_interval(secs => round((v_total - p_done) / v_rate))::text
                      ELSE '' END;
END
$$;

-- migration/_migrate_warnings.sql
CREATE FUNCTION part._migrate_warnings(p_rel regclass, p_key text)
    RETURNS TABLE(message text, hint text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name  text := part._qualified(p_rel);
    v_pkey  text[];
BEGIN
/*
 * What moving p_rel into a table partitioned by p_key changes for the
 * application, as warnings (part.migrate_start raises them; pginstall plan
 * shows them before anything is done): the primary key and unique indexes
 * gain the partition key (so ON CONFLICT on the old columns fails after the
 * switch), a nullable key column, exclusion constraints that cannot follow.
 */
    SELECT array_agg(a.attname::text ORDER BY k.o) INTO v_pkey
      FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, o)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = p_rel AND i.indisprimary;
    IF v_pkey IS NOT NULL AND NOT p_key = ANY (v_pkey) THEN
        message := format('part: the primary key of %s becomes (%s) in the partitioned table: INSERT ... ON CONFLICT (%s) will fail after the switch',
                                     v_name, part._sql_columns(v_pkey || p_key), part._sql_columns(v_pkey));
        hint := format('Change such statements to ON CONFLICT (%s) before part.switch_reads.', part._sql_columns(v_pkey || p_key));
        RETURN NEXT;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = p_rel AND a.attname = p_key AND NOT a.attnotnull) THEN
        message := format('part: column "%s" of %s allows NULL, which the partitioned copy''s primary key does not: a row inserted with a NULL %s will fail',
                                     p_key, v_name, p_key);
        hint := format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL.', v_name, p_key);
        RETURN NEXT;
    END IF;
    RETURN QUERY
        SELECT CASE WHEN x.contype = 'x'
                    THEN format('part: exclusion constraint %I of %s is not copied: PostgreSQL enforces it only within one partition', c.relname, v_name)
                    WHEN i.indexprs IS NOT NULL
                    THEN format('part: unique index %I of %s is copied as a plain index: a unique index of a partitioned table must include the partition key', c.relname, v_name)
                    ELSE format('part: unique index %I of %s becomes unique with %I added in the partitioned table', c.relname, v_name, p_key) END,
               CASE WHEN x.contype = 'x' THEN 'Re-create it on the partitioned table if a per-partition constraint is enough.'
                    WHEN i.indexprs IS NOT NULL THEN 'Uniqueness of that expression is not enforced across partitions after the switch.'
                    ELSE 'Its columns alone are no longer unique across partitions; ON CONFLICT on them must name the partition key too.' END
          FROM pg_index i
          JOIN pg_class c ON c.oid = i.indexrelid
          LEFT JOIN pg_constraint x ON x.conindid = i.indexrelid AND x.conrelid = p_rel
         WHERE i.indrelid = p_rel AND NOT i.indisprimary
           AND (x.contype = 'x'
                OR (i.indisunique AND NOT EXISTS (SELECT 1 FROM unnest(i.indkey[0:i.indnkeyatts - 1]) k(n)
                                                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                                                   WHERE a.attname = p_key)))
         ORDER BY c.relname;
END
$$;

-- migration/_migration_lock.sql
CREATE FUNCTION part._migration_lock(p_table_name text, p_what text)
    RETURNS integer[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The two int4 keys {class, key} of an advisory lock of a migration (for
     * pg_advisory_xact_lock(k[1], k[2]) and the like; the generated sync
     * function gets them as two literals, see part._sync_function_sql): 'gate' is held exclusively by a backfill batch while it
     * copies and shared by a sync trigger that removes rows the backfill may
     * still copy; 'check' serialises parity checks; 'phase' serialises the
     * calls that change the phase (part._phase_lock).
     */
    SELECT ARRAY[CASE p_what WHEN 'gate' THEN 1885434486 WHEN 'check' THEN 1885434487 WHEN 'phase' THEN 1885434488 END,
                 hashtext(p_table_name)]
$$;

-- migration/_migration_row.sql
CREATE FUNCTION part._migration_row(p_table text)
    RETURNS part.migration
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text := part._qualified(part._resolve_table(p_table));
    v_m    part.migration;
BEGIN
/*
 * The part.migration row of a table named by its application name
 * ('public.revenues'), or by the current name of its legacy table or of its
 * partitioned copy. 42P01 when no such table exists; 55000 with a HINT when
 * it has no migration.
 */
    SELECT * INTO v_m FROM part.migration m
     WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)
     ORDER BY (m.table_name = v_name) DESC, (m.phase = 'finalized')
     LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % has no migration', v_name
            USING ERRCODE = '55000',
                  HINT = format('Start one with part.migrate_start(%L, <key column>, ''range'' | ''hash'', ...).', v_name);
    END IF;
    RETURN v_m;
END
$$;

-- migration/_parity_mark.sql
CREATE FUNCTION part._parity_mark(p_table_name text, p_groups text[])
    RETURNS void
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_held text[];
BEGIN
/*
 * Mark the parity groups a write touched (called by the sync triggers and
 * the backfill, in the writing transaction). An existing mark is locked FOR
 * KEY SHARE until this transaction ends, so part.check_parity (which takes
 * only marks no writer holds) cannot consume it before this write is
 * visible; where none can be locked a new one is inserted. Concurrent
 * writers share marks (like foreign-key checks share a parent row) instead
 * of adding a row each. SECURITY DEFINER: the application's roles need no
 * privilege on part's catalog.
 */
    IF p_groups IS NULL OR cardinality(p_groups) = 0 THEN
        RETURN;
    END IF;
    -- Lock the marks there are (every writer pays for this statement, so it builds no insert);
    -- insert the others, in a second statement only when some are missing.
    v_held := ARRAY(SELECT m.grp FROM part.parity_mark m
                     WHERE m.table_name = p_table_name AND m.grp = ANY (p_groups)
                       FOR KEY SHARE SKIP LOCKED);
    IF NOT p_groups <@ v_held THEN
        INSERT INTO part.parity_mark (table_name, grp)
        SELECT DISTINCT p_table_name, g FROM unnest(p_groups) g
         WHERE g IS NOT NULL AND NOT g = ANY (v_held);
    END IF;
END
$$;

-- migration/_phase_lock.sql
CREATE FUNCTION part._phase_lock(p_table_name text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key      integer[] := part._migration_lock(p_table_name, 'phase');
    v_attempts integer := coalesce(nullif(current_setting('part.lock_attempts', true), '')::integer, 10);
    v_wait_ms  integer := 100;
    v_holder   text;
BEGIN
/*
 * Serialise the calls that change the phase of one migration
 * (switch_reads, rollback, finalize, migrate_cancel): a transaction-level
 * advisory lock, waited for as part._lock_all waits (short sleeps, about
 * 10 s in all, part.lock_attempts), then 55P03 saying that another call is
 * doing it. The caller reads the migration row again once it holds the
 * lock, and decides on the phase another call may just have changed
 * (moving to the phase it is in then does nothing).
 */
    FOR v_attempt IN 1 .. greatest(v_attempts, 1) LOOP
        IF pg_try_advisory_xact_lock(v_key[1], v_key[2]) THEN
            RETURN;
        END IF;
        IF v_attempt < v_attempts THEN
            PERFORM pg_sleep(v_wait_ms / 1000.0 * (0.5 + random()));
            v_wait_ms := least(v_wait_ms * 2, 1000);
        END IF;
    END LOOP;
    SELECT string_agg(format('pid %s (%s since %s: %s)', a.pid, a.state,
                                                   to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'),
                                                   pg_catalog.left(a.query, 80)), '; ')
      INTO v_holder
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid::integer = v_key[1]
       AND l.objid::integer = v_key[2] AND l.objsubid = 2 AND l.pid <> pg_backend_pid();
    RAISE EXCEPTION 'another call is changing the phase of the migration of % (%)', p_table_name, coalesce(v_holder, 'it has just finished')
        USING ERRCODE = '55P03',
              HINT = 'Wait for it to finish (its transaction to end), then call again: asking for the phase it reached does nothing.';
END
$$;

-- migration/_require_phase.sql
CREATE FUNCTION part._require_phase(p_m part.migration, p_action text)
    RETURNS boolean
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_r record;
BEGIN
/*
 * The phase guard of the public migration routines, in one place: may
 * p_action (the routine's name: switch_reads, rollback, finalize,
 * migrate_cancel, migrate_refresh, backfill, check_parity, parity_diff,
 * attach_prepare, split_history, or 'migrate_to rollback') run on migration
 * p_m in its phase? Returns true when it may go on; false when the phase it
 * leads to is reached already (a NOTICE '... nothing to ...' was raised,
 * except for split_history, which maintenance calls: the caller returns);
 * otherwise 55000 with the message and the HINT of the rule below. The
 * rules are read in order: the first whose action, phase (NULL: any),
 * method (NULL: any) and backfill state (NULL: any) match decides; no rule
 * is a defect of part (XX000). The texts take the table name (%1$s; %1$L
 * in a HINT), the phase (%2$s) and the history partition (%3$s).
 * A migration row missing altogether: 55000, as part._migration_row.
 */
    IF p_m.table_name IS NULL THEN
        RAISE EXCEPTION 'the table has no migration'
            USING ERRCODE = '55000',
                  HINT = 'Start one with part.migrate_start(<table>, <key column>, ''range'' | ''hash'', ...); see part.migrations.';
    END IF;
    SELECT r.kind, r.msg, r.hint INTO v_r
      FROM (VALUES
        -- action, phase, method, backfill done, kind (go | done | quiet | error), message, HINT
        (1, 'switch_reads', 'backfilled', NULL, NULL, 'go', NULL, NULL),
        (2, 'switch_reads', 'preparing', 'attach', NULL, 'go', NULL, NULL),
        (3, 'switch_reads', 'prepared', 'attach', NULL, 'go', NULL, NULL),
        (4, 'switch_reads', 'partitioned', NULL, NULL, 'done', 'part: %1$s is already partitioned: nothing to do', NULL),
        (5, 'switch_reads', 'finalized', NULL, NULL, 'error', 'the migration of %1$s is finalized',
            'It reads and writes the partitioned table already; there is no legacy table to switch from.'),
        (6, 'switch_reads', 'dual_write', NULL, false, 'error', 'cannot switch %1$s: it is in dual_write, not backfilled',
            'Copy the existing rows first: CALL part.backfill(%1$L).'),
        (7, 'switch_reads', 'dual_write', NULL, true, 'error', 'cannot switch %1$s: it is in dual_write, not backfilled',
            'The backfill is done but parity is not clean: SELECT * FROM part.check_parity(%1$L), then part.parity_diff(%1$L).'),

        (10, 'rollback', 'partitioned', NULL, NULL, 'go', NULL, NULL),
        (11, 'rollback', 'preparing', NULL, NULL, 'done', 'part: %1$s is %2$s: the legacy table is read and written already, nothing to roll back', NULL),
        (12, 'rollback', 'prepared', NULL, NULL, 'done', 'part: %1$s is %2$s: the legacy table is read and written already, nothing to roll back', NULL),
        (13, 'rollback', 'backfilled', NULL, NULL, 'done', 'part: %1$s is already backfilled (reads on the legacy table): nothing to roll back', NULL),
        (14, 'rollback', 'dual_write', NULL, NULL, 'error', 'cannot roll back %1$s: it is in dual_write and was never switched',
            'Reads and writes already go to the legacy table; to abandon the migration: SELECT part.migrate_cancel(%1$L).'),
        (15, 'rollback', 'finalized', NULL, NULL, 'error', 'cannot roll back %1$s: its migration is finalized and the legacy table is no longer synced',
            'Roll back before part.finalize; after it, the partitioned table is the only one kept up to date.'),

        (20, 'migrate_to rollback', 'partitioned', NULL, NULL, 'go', NULL, NULL),
        (21, 'migrate_to rollback', 'backfilled', NULL, NULL, 'done', 'part: %1$s: already rolled back (backfilled): nothing to do', NULL),
        (22, 'migrate_to rollback', 'finalized', NULL, NULL, 'error', 'cannot roll back %1$s: it is in %2$s, and rollback goes one phase back from partitioned',
            'After part.finalize the partitioned table is the only one kept up to date: there is no way back.'),
        (23, 'migrate_to rollback', NULL, NULL, NULL, 'error', 'cannot roll back %1$s: it is in %2$s, and rollback goes one phase back from partitioned',
            'Reads and writes already go to the legacy table; to abandon the migration: CALL part.migrate_to(%1$L, ''none'').'),

        (30, 'finalize', 'partitioned', NULL, NULL, 'go', NULL, NULL),
        (31, 'finalize', 'finalized', NULL, NULL, 'done', 'part: %1$s is already finalized: nothing to do', NULL),
        (32, 'finalize', 'dual_write', NULL, false, 'error', 'cannot finalize %1$s: it is in %2$s, not partitioned',
            'Copy the rows (CALL part.backfill(%1$L)), then switch: SELECT part.switch_reads(%1$L).'),
        (33, 'finalize', NULL, NULL, NULL, 'error', 'cannot finalize %1$s: it is in %2$s, not partitioned',
            'Switch it first: SELECT part.switch_reads(%1$L).'),

        (40, 'migrate_cancel', 'partitioned', NULL, NULL, 'error', 'cannot cancel the migration of %1$s: it is switched (partitioned)',
            'Roll it back first (SELECT part.rollback(%1$L): nothing written since the switch is lost), then cancel it.'),
        (41, 'migrate_cancel', 'finalized', NULL, NULL, 'error', 'cannot cancel the migration of %1$s: it is finalized',
            'The partitioned table is the only one kept up to date: there is no migration left to cancel.'),
        (42, 'migrate_cancel', NULL, NULL, NULL, 'go', NULL, NULL),

        (50, 'migrate_refresh', 'finalized', NULL, NULL, 'error', 'the migration of %1$s is finalized: there is no sync to refresh',
            'Nothing to do: the partitioned table is the only table now.'),
        (51, 'migrate_refresh', NULL, NULL, NULL, 'go', NULL, NULL),

        (60, 'backfill', 'dual_write', NULL, NULL, 'go', NULL, NULL),
        (61, 'backfill', NULL, NULL, NULL, 'done', 'part: %1$s is already %2$s: nothing to backfill', NULL),

        (70, 'check_parity', 'finalized', NULL, NULL, 'error', 'the migration of %1$s is finalized: there is no legacy table to compare with',
            'Parity is checked between dual_write and finalize.'),
        (71, 'check_parity', NULL, NULL, NULL, 'go', NULL, NULL),
        (72, 'parity_diff', 'finalized', NULL, NULL, 'error', 'the migration of %1$s is finalized: there is no legacy table to compare with',
            'Parity is checked between dual_write and finalize.'),
        (73, 'parity_diff', NULL, NULL, NULL, 'go', NULL, NULL),

        (80, 'attach_prepare', 'partitioned', NULL, NULL, 'done', 'part: %1$s is already %2$s: nothing to prepare', NULL),
        (81, 'attach_prepare', 'finalized', NULL, NULL, 'done', 'part: %1$s is already %2$s: nothing to prepare', NULL),
        (82, 'attach_prepare', NULL, NULL, NULL, 'go', NULL, NULL),

        (90, 'split_history', 'partitioned', NULL, NULL, 'go', NULL, NULL),
        (91, 'split_history', 'finalized', NULL, NULL, 'quiet', NULL, NULL),
        (92, 'split_history', NULL, NULL, NULL, 'error', 'cannot split the history of %1$s: it is %2$s, not switched yet',
            'Switch it first: SELECT part.switch_reads(%1$L).')
      ) AS r(n, action, phase, method, backfilled, kind, msg, hint)
     WHERE r.action = p_action
       AND (r.phase IS NULL OR r.phase = p_m.phase)
       AND (r.method IS NULL OR r.method = p_m.method)
       AND (r.backfilled IS NULL OR r.backfilled = (p_m.backfill_finished_at IS NOT NULL))
     ORDER BY r.n
     LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'part._require_phase: no rule for % in phase %', coalesce(p_action, 'NULL'), p_m.phase
            USING ERRCODE = 'XX000', HINT = 'This is a defect of part: report it with the output of SELECT * FROM part.migrations.';
    END IF;
    IF v_r.kind = 'go' THEN
        RETURN true;
    ELSIF v_r.kind = 'quiet' THEN
        RETURN false;
    ELSIF v_r.kind = 'done' THEN
        RAISE NOTICE '%', format(v_r.msg, p_m.table_name, p_m.phase, p_m.history_table);
        RETURN false;
    END IF;
    RAISE EXCEPTION '%', format(v_r.msg, p_m.table_name, p_m.phase, p_m.history_table)
        USING ERRCODE = '55000', HINT = format(v_r.hint, p_m.table_name);
END
$$;
COMMENT ON FUNCTION part._require_phase IS
    'part (private): the phase guard of the migration routines: true to go on, false when there is nothing to do (a NOTICE said so), else 55000 with the message and HINT for the action in that phase.';

-- migration/_row_hash_sql.sql
CREATE FUNCTION part._row_hash_sql(p_rel regclass, p_cols text[], p_alias text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * SQL of a 64-bit hash of one row's content, made of p_cols (the columns
 * both tables have, in the legacy table's order, so that both hash alike
 * whatever their physical column order): hash_record_extended of those
 * columns when every one has a type with an extended hash function (3 times
 * faster than going through text), else a hash of the row's text.
 */
    IF NOT EXISTS (
        SELECT 1
          FROM unnest(p_cols) c
          JOIN pg_attribute a ON a.attrelid = p_rel AND a.attname = c AND NOT a.attisdropped
          JOIN pg_type t ON t.oid = a.atttypid
          LEFT JOIN pg_type b ON b.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
         WHERE b.typtype NOT IN ('b', 'e')      -- composites, ranges, ...: through text
            OR b.typcategory = 'A'             -- arrays: through text
            OR NOT EXISTS (SELECT 1
                             FROM pg_opclass oc
                             JOIN pg_am am ON am.oid = oc.opcmethod AND am.amname = 'hash'
                             JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily AND ap.amprocnum = 2
                                                         AND ap.amproclefttype = oc.opcintype
                            WHERE oc.opcdefault
                              AND (oc.opcintype = b.oid OR (b.typtype = 'e' AND oc.opcintype = 'anyenum'::regtype))))
    THEN
        RETURN format('pg_catalog.hash_record_extended(ROW(%s), 0)', part._sql_columns(p_cols, p_alias));
    END IF;
    RETURN format('pg_catalog.hashtextextended(ROW(%s)::text, 0)', part._sql_columns(p_cols, p_alias));
END
$$;

-- migration/_swap.sql
CREATE FUNCTION part._swap(p_m part.migration, p_to text, p_functions text[] DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy   regclass := to_regclass(p_m.legacy_table);
    v_part     regclass := to_regclass(p_m.partitioned_table);
    v_schema   text := (parse_ident(p_m.table_name))[1];
    v_app      text := (parse_ident(p_m.table_name))[2];
    v_first    regclass;    -- the table that gives up the application's name
    v_second   regclass;    -- the table that takes it
    v_first_to text;
    v_second_was text;      -- the name v_second had before the swap
    v_was      text;
    v_new      text;
    v_c        record;
    v_seq      text;
    v_value    numeric;
BEGIN
/*
 * The name swap of part.switch_reads (p_to = 'partitioned') and
 * part.rollback (p_to = 'backfilled'), for a caller that holds ACCESS
 * EXCLUSIVE locks on both tables: renames (the legacy table becomes
 * <table>_legacy and the copy takes <table>, or back), primary-key
 * constraints and the other indexes named after a table renamed after
 * their tables (<table>_partitioned_org_id_idx becomes <table>_org_id_idx,
 * the legacy one <table>_legacy_org_id_idx), serial sequences owned by the
 * table that now has the name, identity sequences of that table advanced
 * past every value the other one used, the application's own triggers
 * enabled on the table with the name only, part.config and part.migration
 * following the names, and the sync regenerated for the new names.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF p_to = 'partitioned' THEN
        v_first := v_legacy;   v_second := v_part;   v_first_to := part._partition_name(v_app, 'legacy');
    ELSE
        v_first := v_part;     v_second := v_legacy; v_first_to := part._partition_name(v_app, 'partitioned');
    END IF;
    IF to_regclass(format('%I.%I', v_schema, v_first_to)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot rename % to %.%: a relation with that name exists', v_first, v_schema, v_first_to
            USING ERRCODE = '55000', HINT = 'Rename or drop that relation, then try again.';
    END IF;

    SELECT c.relname INTO v_second_was FROM pg_class c WHERE c.oid = v_second;
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_first, v_first_to);
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_second, v_app);
    -- primary-key constraints follow the table names (the one giving up the name first)
    FOR v_c IN
        SELECT x.conrelid::regclass AS rel, x.conname,
               part._partition_name(CASE WHEN x.conrelid = v_first THEN v_first_to ELSE v_app END, 'pkey') AS new_name
          FROM pg_constraint x
         WHERE x.conrelid IN (v_first, v_second) AND x.contype = 'p'
         ORDER BY x.conrelid = v_second
    LOOP
        CONTINUE WHEN v_c.conname = v_c.new_name;
        IF to_regclass(format('%I.%I', v_schema, v_c.new_name)) IS NULL THEN
            EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', v_c.rel, v_c.conname, v_c.new_name);
        ELSE
            RAISE WARNING 'part: primary key % of % keeps its name: % is taken', v_c.conname, v_c.rel, v_c.new_name;
        END IF;
    END LOOP;

    -- the other indexes named after their table follow it too (the one giving up the name first);
    -- one whose new name is taken keeps its name
    FOR v_c IN
        SELECT i.indexrelid::regclass AS idx, ic.relname AS name, i.indrelid = v_first AS of_first
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid IN (v_first, v_second) AND NOT i.indisprimary
         ORDER BY i.indrelid = v_second, ic.relname
    LOOP
        v_was := CASE WHEN v_c.of_first THEN v_app ELSE v_second_was END;
        CONTINUE WHEN pg_catalog.left(v_c.name, length(v_was) + 1) <> v_was || '_';
        v_new := part._partition_name(CASE WHEN v_c.of_first THEN v_first_to ELSE v_app END,
                                              substr(v_c.name, length(v_was) + 2));
        CONTINUE WHEN v_new = v_c.name OR to_regclass(format('%I.%I', v_schema, v_new)) IS NOT NULL;
        EXECUTE format('ALTER INDEX %s RENAME TO %I', v_c.idx, v_new);
    END LOOP;

    -- sequences: a serial's sequence belongs to the table with the name; an
    -- identity sequence (PostgreSQL will not re-own it) is advanced instead
    FOR v_c IN
        SELECT a.attname, a.attidentity AS second_identity,
               pg_get_serial_sequence(v_first::text, a.attname) AS first_seq,
               pg_get_serial_sequence(v_second::text, a.attname) AS second_seq,
               (SELECT f.attidentity FROM pg_attribute f WHERE f.attrelid = v_first AND f.attname = a.attname) AS first_identity
          FROM pg_attribute a
         WHERE a.attrelid = v_second AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        IF v_c.first_seq IS NOT NULL AND v_c.first_identity = '' AND v_c.second_identity = '' THEN
            EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', v_c.first_seq, v_second, v_c.attname);
        END IF;
        IF v_c.second_identity <> '' THEN
            v_seq := v_c.second_seq;
            EXECUTE format(
                'SELECT pg_catalog.max(v) FROM (VALUES (pg_catalog.pg_sequence_last_value(%1$L::regclass)::numeric), '
                '(pg_catalog.pg_sequence_last_value(%2$L::regclass)::numeric), '
                '((SELECT pg_catalog.max(%3$I) FROM %4$s)::numeric), ((SELECT pg_catalog.max(%3$I) FROM %5$s)::numeric)) s(v)',
                v_seq, coalesce(v_c.first_seq, v_seq), v_c.attname, v_first, v_second)
               INTO v_value;
            IF v_value IS NOT NULL THEN
                PERFORM setval(v_seq::regclass, v_value::bigint, true);
            END IF;
        END IF;
    END LOOP;

    -- the application's own triggers follow the name: enabled on the table that has it, as they
    -- were on the other one, and disabled there (mirrored writes must not fire them a second time)
    FOR v_c IN
        SELECT f.tgname, f.tgenabled
          FROM pg_trigger f
          JOIN pg_trigger s ON s.tgrelid = v_second AND s.tgname = f.tgname AND NOT s.tgisinternal
         WHERE f.tgrelid = v_first AND NOT f.tgisinternal AND f.tgname NOT LIKE 'part\_sync\_%'
    LOOP
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', v_second,
                                  CASE v_c.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'A' THEN 'ENABLE ALWAYS'
                                                     WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE' END, v_c.tgname);
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_first, v_c.tgname);
    END LOOP;

    UPDATE part.config c SET parent_table = part._qualified(v_part), updated_at = now()
     WHERE c.parent_table = p_m.partitioned_table;
    UPDATE part.migration m
       SET legacy_table = part._qualified(v_legacy),
           partitioned_table = part._qualified(v_part),
           phase = p_to,
           partitioned_at = CASE WHEN p_to = 'partitioned' THEN now() ELSE m.partitioned_at END,
           rolled_back_at = CASE WHEN p_to = 'backfilled' THEN now() ELSE m.rolled_back_at END
     WHERE m.table_name = p_m.table_name;
    -- the triggers were checked in place; the functions prepared before the locks (or made now)
    PERFORM part._sync_install(p_m.table_name, p_triggers => false, p_functions => p_functions);
END
$$;

-- sync/_require_sync_intact.sql
CREATE FUNCTION part._require_sync_intact(p_table_name text, p_action text)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_problem text := part._sync_problems(p_table_name);
BEGIN
/*
 * Refuse p_action (switch_reads, rollback, finalize) while the sync of a
 * migration is not intact (part._sync_problems): writes that were not
 * mirrored would be lost by the switch, or brought back by it.
 */
    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'part.% of % refused: its sync is not intact (%)', p_action, p_table_name, v_problem
            USING ERRCODE = '55000',
                  HINT = format('Restore it with SELECT part.migrate_refresh(%L), compare the tables with SELECT * FROM part.check_parity(%L, p_full => true) (writes made meanwhile may be missing on one side), then try again.',
                                           p_table_name, p_table_name);
    END IF;
END
$$;

-- sync/_sync_active.sql
CREATE FUNCTION part._sync_active()
    RETURNS boolean
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The WHEN condition of every generated sync trigger (always true). It
     * makes the triggers depend on part: DROP EXTENSION part (or DROP SCHEMA
     * part) refuses while a migration syncs, and with CASCADE it drops the
     * triggers too, instead of leaving triggers that call functions which no
     * longer exist and so fail every write to the application's table.
     */
    SELECT true
$$;

-- sync/_sync_columns.sql
CREATE FUNCTION part._sync_columns(p_a regclass, p_b regclass, p_writable boolean DEFAULT false)
    RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The columns p_a and p_b both have, in p_a's order; p_writable: only
     * those an INSERT may set in both (no generated columns).
     */
    SELECT coalesce(array_agg(a.attname::text ORDER BY a.attnum), '{}')
      FROM pg_attribute a
      JOIN pg_attribute b ON b.attrelid = p_b AND b.attname = a.attname AND b.attnum > 0 AND NOT b.attisdropped
     WHERE a.attrelid = p_a AND a.attnum > 0 AND NOT a.attisdropped
       AND (NOT p_writable OR (a.attgenerated = '' AND b.attgenerated = ''))
$$;

-- sync/_sync_drift.sql
CREATE FUNCTION part._sync_drift(p_table_name text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      part.migration;
    v_legacy regclass;
    v_part   regclass;
    v_out    text[] := '{}'::text[];
    v_list   text;
BEGIN
/*
 * How the columns of a migration's two tables have drifted (for
 * part.verify): columns only one of them has, columns of different types,
 * columns added or dropped since the sync was generated (partitions
 * without their sync triggers: part._sync_problems). NULL when there is no
 * drift (or the migration is finalized).
 */
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name;
    IF NOT FOUND OR v_m.phase = 'finalized' THEN
        RETURN NULL;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_legacy IS NULL OR v_part IS NULL THEN
        RETURN format('a table is missing (legacy %s, partitioned %s)', v_m.legacy_table, v_m.partitioned_table);
    END IF;
    SELECT string_agg(format('%I only in %s', x.attname, x.tbl), ', ') INTO v_list
      FROM (SELECT a.attname, v_m.legacy_table AS tbl FROM pg_attribute a
             WHERE a.attrelid = v_legacy AND a.attnum > 0 AND NOT a.attisdropped
               AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = v_part AND b.attname = a.attname AND NOT b.attisdropped)
            UNION ALL
            SELECT a.attname, v_m.partitioned_table FROM pg_attribute a
             WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped
               AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = v_legacy AND b.attname = a.attname AND NOT b.attisdropped)) x;
    IF v_list IS NOT NULL THEN
        v_out := v_out || v_list;
    END IF;
    SELECT string_agg(format('%I is %s in %s but %s in %s', a.attname,
               format_type(a.atttypid, a.atttypmod), v_m.legacy_table,
               format_type(b.atttypid, b.atttypmod), v_m.partitioned_table), ', ') INTO v_list
      FROM pg_attribute a JOIN pg_attribute b ON b.attrelid = v_part AND b.attname = a.attname AND NOT b.attisdropped
     WHERE a.attrelid = v_legacy AND a.attnum > 0 AND NOT a.attisdropped
       AND (a.atttypid, a.atttypmod) IS DISTINCT FROM (b.atttypid, b.atttypmod);
    IF v_list IS NOT NULL THEN
        v_out := v_out || v_list;
    END IF;
    IF v_m.sync_columns IS DISTINCT FROM part._sync_columns(v_legacy, v_part) THEN
        v_out := v_out || 'the sync was generated for other columns'::text;
    END IF;
    IF cardinality(v_out) = 0 THEN
        RETURN NULL;
    END IF;
    RETURN array_to_string(v_out, '; ') || format('; run SELECT part.migrate_refresh(%L)', p_table_name);
END
$$;

-- sync/_sync_function_create.sql
CREATE FUNCTION part._sync_function_create(p_m part.migration, p_direction text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy   regclass := to_regclass(p_m.legacy_table);
    v_part     regclass := to_regclass(p_m.partitioned_table);
    v_function text := part._sync_function_name(p_m.table_name, p_direction);
    v_owner    text;
BEGIN
/*
 * Create (or replace) one sync trigger function of a migration (p_direction
 * 'partitioned': legacy -> partitioned, 'legacy': back) and give it to the
 * owner of the legacy table: it is SECURITY DEFINER so that every writer's
 * statement is mirrored with the rights of the tables' owner (who owns both
 * tables: part.migrate_start gives the copy the legacy table's owner), never
 * with the rights of whoever started the migration. PUBLIC may not execute
 * it, so no one else can attach it to a table of their own (firing a trigger
 * needs no EXECUTE; creating one does). The owner may use the two helpers
 * the sync calls in part's catalog, and nothing else of part.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * it runs the CREATE FUNCTION part._sync_function_sql composed, and names of regclass text;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT quote_ident(pg_get_userbyid(c.relowner)) INTO v_owner
      FROM pg_class c WHERE c.oid = v_legacy;
    IF p_direction = 'partitioned' THEN
        EXECUTE part._sync_function_sql(p_m, v_legacy, v_part, v_function);
    ELSE
        EXECUTE part._sync_function_sql(p_m, v_part, v_legacy, v_function);
    END IF;
    -- owner and privileges (skipped when already so: this runs under the switch's locks)
    IF NOT EXISTS (SELECT 1 FROM pg_proc p
                    WHERE p.oid = to_regprocedure(v_function || '()')
                      AND p.proowner = (SELECT c.relowner FROM pg_class c WHERE c.oid = v_legacy)
                      AND p.proacl IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee <> p.proowner)) THEN
        EXECUTE format('ALTER FUNCTION %s() OWNER TO %s', v_function, v_owner);
        EXECUTE format('REVOKE ALL ON FUNCTION %s() FROM PUBLIC', v_function);
    END IF;
    EXECUTE format('COMMENT ON FUNCTION %s() IS %L', v_function,
        format('part: mirrors writes of %s into %s (generated; part.migrate_refresh regenerates it)',
                          CASE WHEN p_direction = 'partitioned' THEN p_m.legacy_table ELSE p_m.partitioned_table END,
                          CASE WHEN p_direction = 'partitioned' THEN p_m.partitioned_table ELSE p_m.legacy_table END));
    IF NOT has_function_privilege((SELECT c.relowner FROM pg_class c WHERE c.oid = v_legacy),
                                             'part._parity_mark(text, text[])', 'EXECUTE')
       OR NOT has_function_privilege((SELECT c.relowner FROM pg_class c WHERE c.oid = v_legacy),
                                                'part._sync_state(text, boolean)', 'EXECUTE')
       OR NOT has_schema_privilege((SELECT c.relowner FROM pg_class c WHERE c.oid = v_legacy),
                                              'part', 'USAGE') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA part TO %s', v_owner);
        EXECUTE format('GRANT EXECUTE ON FUNCTION part._parity_mark(text, text[]), '
                                  'part._sync_state(text, boolean) TO %s', v_owner);
    END IF;
END
$$;

-- sync/_sync_function_name.sql
CREATE FUNCTION part._sync_function_name(p_table_name text, p_direction text)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The qualified name of a sync trigger function, in the application
     * table's own schema: <table>_sync_to_partitioned (legacy -> partitioned)
     * or <table>_sync_to_legacy (partitioned -> legacy).
     */
    SELECT format('%I.%I', p[1], part._partition_name(p[2], 'sync_to_' || p_direction))
      FROM parse_ident(p_table_name) AS p
$$;

-- sync/_sync_function_sql.sql
CREATE FUNCTION part._sync_function_sql(p_m part.migration, p_source regclass, p_target regclass, p_function text,
                                                p_source_name text DEFAULT NULL, p_target_name text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy     regclass := to_regclass(p_m.legacy_table);
    v_cols       text[] := part._sync_columns(p_source, p_target, true);
    v_fn         text[] := parse_ident(p_function);
    v_target_key text[];
    v_set        text[];
    v_refuse     text[] := ARRAY['', ''];
    v_keep       text[] := ARRAY['', ''];
    v_skipped    text := '';
    v_raise      text;
    v_body       text;
BEGIN
/*
 * The CREATE FUNCTION statement of the sync trigger function p_function that
 * mirrors writes of p_source into p_target: the body is
 * templates/sync/generated/sync_function.sql rendered by part._render from the live
 * catalog (every name quoted by its kind), and it goes into the statement as
 * one quoted literal, so no name can end the body or add a statement.
 * p_source_name / p_target_name (schema.table, quoted): the names the
 * tables will have, for a statement prepared before they are renamed (the
 * switch prepares it before taking its locks).
 */
    v_target_key := CASE WHEN p_target = v_legacy THEN p_m.legacy_key ELSE p_m.partitioned_key END;
    -- columns an upsert sets: not the key, not an identity column PostgreSQL generates ALWAYS
    SELECT array_agg(c ORDER BY o) INTO v_set
      FROM unnest(v_cols) WITH ORDINALITY AS u(c, o)
     WHERE NOT c = ANY (v_target_key)
       AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = p_target AND a.attname = u.c AND a.attidentity = 'a');

    -- Mirroring into the legacy table (phase partitioned): its primary key lacks the partition
    -- key, so two rows of the partitioned table (same id, other date) would be one row there:
    -- refuse the write rather than overwrite the other row (a rollback would have lost it).
    IF p_target = v_legacy AND NOT (p_m.key_column = ANY (p_m.legacy_key)) THEN
        v_raise := format(
            'RAISE EXCEPTION ''%%: a row with this %% exists in the legacy table with another %%, and the legacy table (kept for a rollback) can hold only one of them'', %L, %L, %L '
            'USING ERRCODE = ''23505'', HINT = %L;',
            p_m.table_name, array_to_string(v_target_key, ', '), p_m.key_column,
            format('Give the row a new %s (the sequence does), or finalize the migration (part.finalize) before writing such rows.',
                              array_to_string(v_target_key, ', ')));
        IF v_set IS NOT NULL THEN
            -- the upsert overwrites only the same row (same partition key), or the one an UPDATE
            -- moves, even against a concurrent writer; a short row count tells
            v_keep := ARRAY[
                format('WHERE t.%1$I IS NOT DISTINCT FROM EXCLUDED.%1$I', p_m.key_column),
                format('WHERE t.%1$I IS NOT DISTINCT FROM EXCLUDED.%1$I OR EXISTS (SELECT 1 FROM old_rows o WHERE %2$s)',
                                  p_m.key_column, part._sql_columns(v_target_key, 't', 'match:o'))];
            v_skipped := format(
                $r$GET DIAGNOSTICS v_done = ROW_COUNT;
        IF v_done < (SELECT pg_catalog.count(*) FROM new_rows) THEN
            %s
        END IF;$r$, v_raise);
        ELSE
            -- DO NOTHING cannot tell a skipped row: look before writing (an UPDATE may move a
            -- row to another partition key: the legacy row it replaces is among old_rows)
            FOR v_i IN 1..2 LOOP
                v_refuse[v_i] := format(
                    $r$IF EXISTS (SELECT 1 FROM new_rows n JOIN %1$s t ON %2$s
                        WHERE t.%3$I IS DISTINCT FROM n.%3$I %5$s) THEN
            %4$s
        END IF;$r$,
                    coalesce(p_target_name, part._qualified(p_target)), part._sql_columns(v_target_key, 't', 'match:n'), p_m.key_column, v_raise,
                    CASE WHEN v_i = 2 THEN format('AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE %s)',
                                                             part._sql_columns(v_target_key, 't', 'match:o')) ELSE '' END);
            END LOOP;
        END IF;
    END IF;

    v_body := part._render($tmpl$
DECLARE
    v_m      record;
    v_gate   boolean := false;
    v_done   bigint;
BEGIN
    -- Generated by part (do not edit: part.migrate_refresh regenerates it). It runs with the
    -- rights of the tables' owner; it fires only as one of part's own triggers on the tables of
    -- its migration (not as a trigger someone else attached to another table).
    -- (The usual case, part's trigger on the table itself, is one simple expression: no query.)
    IF TG_NAME NOT LIKE 'part\_sync\_%' OR TG_RELID <> @lit:source_name@::pg_catalog.regclass THEN
        IF TG_NAME NOT LIKE 'part\_sync\_%'
           OR NOT (TG_ARGV[0] = 'partition'
                   AND EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i
                                WHERE i.inhrelid = TG_RELID AND i.inhparent = @lit:source_name@::pg_catalog.regclass)) THEN
            RAISE EXCEPTION 'the sync function of the migration of % fired as trigger % on %.%, which part did not create',
                            @lit:table@, TG_NAME, TG_TABLE_SCHEMA, TG_TABLE_NAME
                USING ERRCODE = '42501',
                      HINT = 'Drop that trigger: a sync function serves only the triggers part created for it.';
        END IF;
    END IF;

    -- Every write to the table the application writes is mirrored, whoever makes it and in every
    -- session_replication_role (the triggers are ENABLE ALWAYS): nothing a session sets skips it.

    IF TG_OP = 'TRUNCATE' THEN
        IF TG_WHEN = 'BEFORE' THEN
            -- TRUNCATE of the partitioned table truncates its partitions too
            -- (their BEFORE TRUNCATE triggers fire after the parent's); one
            -- partition truncated alone cannot be mirrored as such: refused.
            IF TG_ARGV[0] = 'partition' AND pg_catalog.current_setting('part.truncating', true) IS DISTINCT FROM 'on' THEN
                RAISE EXCEPTION 'TRUNCATE of partition %.% alone is not mirrored into % during the migration of %',
                                TG_TABLE_SCHEMA, TG_TABLE_NAME, @lit:target_name@, @lit:table@
                    USING ERRCODE = '0A000',
                          HINT = pg_catalog.format('DELETE the rows from the partition (that is mirrored), or TRUNCATE %s itself.', @lit:source_name@);
            END IF;
            PERFORM pg_catalog.set_config('part.truncating', 'on', true);
            RETURN NULL;
        END IF;
        PERFORM pg_catalog.set_config('part.truncating', 'off', true);
        PERFORM pg_catalog.set_config('part.syncing', 'on', true);
        TRUNCATE @sql:target@;
        PERFORM part._parity_mark(@lit:table@, ARRAY['*']);
        PERFORM pg_catalog.set_config('part.syncing', 'off', true);
        RETURN NULL;
    END IF;

    PERFORM pg_catalog.set_config('part.syncing', 'on', true);
    IF TG_OP = 'INSERT' THEN
        @sql:refuse_insert@
        IF @lit:plain_insert@::boolean THEN
            -- Into the partitioned copy (dual write): a plain INSERT. The copy cannot have these
            -- keys: its key holds the legacy table's primary key, which the legacy table has just
            -- accepted them under (a concurrent writer of the same key waits there, before its
            -- sync runs); every write of the legacy table is mirrored in its own transaction, and
            -- the backfill copies no row whose delete is not mirrored after it (the gate). An
            -- upsert would pay, per statement, for the arbiter indexes of the partition and, per
            -- row, for a speculative insertion. The parity ranges it touched are marked in the
            -- same statement (for part.check_parity).
            WITH n AS (INSERT INTO @sql:target@ AS t (@sql:columns@) @sql:overriding@
                       SELECT @sql:columns@ FROM new_rows RETURNING t.*)
            SELECT pg_catalog.octet_length(part._parity_mark(@lit:table@, (
                       SELECT pg_catalog.array_agg(@sql:group_text@)
                         FROM (SELECT DISTINCT @sql:group_n@ AS g FROM n) d))::text)::bigint
              INTO v_done;
        ELSE
            -- Into the legacy table (after the switch), whose primary key may lack the partition
            -- key: a row it has already is overwritten, never an error. The insert skips such
            -- rows first (DO NOTHING: no UPDATE statement triggers fire, no per-partition DO
            -- UPDATE projection is built); only when it skipped some is the upsert run for them.
            INSERT INTO @sql:target@ AS t (@sql:columns@) @sql:overriding@
            SELECT @sql:columns@ FROM new_rows
                ON CONFLICT (@sql:target_key@) DO NOTHING;
            GET DIAGNOSTICS v_done = ROW_COUNT;
            IF v_done < (SELECT pg_catalog.count(*) FROM new_rows) THEN
                INSERT INTO @sql:target@ AS t (@sql:columns@) @sql:overriding@
                SELECT @sql:columns@ FROM new_rows
                    ON CONFLICT (@sql:target_key@) @sql:on_conflict@ @sql:keep_other_row_insert@;
                @sql:refuse_skipped@
            END IF;
            -- the parity ranges this statement touched, for part.check_parity (one statement:
            -- the groups are computed in the call)
            PERFORM part._parity_mark(@lit:table@, (
                SELECT pg_catalog.array_agg(@sql:group_text@)
                  FROM (SELECT DISTINCT @sql:group_n@ AS g FROM new_rows n) d));
        END IF;
    ELSE
        -- While the backfill may still copy rows this statement removes
        -- (their old key is between its last batch and its last key), wait
        -- for the batch it is copying now and keep it from starting another
        -- before this transaction ends: the backfill then never copies a row
        -- after its mirrored delete ran.
        SELECT * INTO v_m FROM part._sync_state(@lit:table@);
        IF v_m.phase = 'dual_write' AND v_m.backfill_finished_at IS NULL THEN
            IF v_m.backfill_high_key IS NULL THEN
                v_gate := true;     -- the backfill has not started: it may copy anything
            ELSIF TG_OP = 'DELETE' THEN
                v_gate := EXISTS (SELECT 1 FROM old_rows o
                                   WHERE (v_m.backfill_last_key IS NULL OR @sql:legacy_key_o@ > @sql:last_key@)
                                     AND @sql:legacy_key_o@ <= @sql:high_key@);
            ELSE                    -- an UPDATE removes (from the copy) only the rows whose key changed
                v_gate := EXISTS (SELECT 1 FROM old_rows o
                                   WHERE (v_m.backfill_last_key IS NULL OR @sql:legacy_key_o@ > @sql:last_key@)
                                     AND @sql:legacy_key_o@ <= @sql:high_key@
                                     AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE @sql:copy_match_n_o@));
            END IF;
            IF v_gate THEN
                -- by try-locks, not by waiting in the lock manager: a batch that waits for a
                -- row this transaction holds then gives way (its lock_timeout; part.backfill does
                -- the batch again) instead of a deadlock that could fail this application write
                WHILE NOT pg_catalog.pg_try_advisory_xact_lock_shared(@lit:gate_class@::integer, @lit:gate_key@::integer) LOOP
                    PERFORM pg_catalog.pg_sleep(0.002);
                END LOOP;
                IF pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
                    -- 40001 if a batch committed after this transaction's snapshot,
                    -- which would not see what that batch copied
                    PERFORM part._sync_state(@lit:table@, true);
                END IF;
            END IF;
        END IF;

        IF TG_OP = 'DELETE' THEN
            DELETE FROM @sql:target@ t USING old_rows o
             WHERE @sql:match_t_o@;
            PERFORM part._parity_mark(@lit:table@, (
                SELECT pg_catalog.array_agg(@sql:group_text@)
              FROM (SELECT DISTINCT @sql:group_o@ AS g FROM old_rows o) d));
        ELSE
            @sql:refuse_update@
            -- UPDATE: a row whose key changed (partition key or primary key)
            -- leaves its old version behind; then every new version is upserted.
            IF NOT EXISTS (SELECT 1 FROM old_rows o WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE @sql:match_n_o@)) THEN
                -- no key changed: every new version is upserted, in key order, as the backfill
                -- copies (concurrent upserts of the same keys never deadlock)
                INSERT INTO @sql:target@ AS t (@sql:columns@) @sql:overriding@
                SELECT @sql:columns@ FROM new_rows ORDER BY @sql:target_key@
                    ON CONFLICT (@sql:target_key@) @sql:on_conflict@ @sql:keep_other_row_update@;
            ELSE
                -- PostgreSQL 15's MERGE into a partitioned table whose matched row was deleted
                -- concurrently hands over wrong transition tables: new versions of rows it
                -- updated are missing from new_rows, and the row it inserted instead is there
                -- (even twice). So an old row whose key is not in new_rows is removed only when
                -- the source no longer has that key; when it still has it, the source's row
                -- (locked FOR SHARE: the version a concurrent writer commits, never an older
                -- one) is upserted with new_rows, each key once.
                DELETE FROM @sql:target@ t USING old_rows o
                 WHERE @sql:match_t_o@
                   AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE @sql:match_n_o@)
                   AND NOT EXISTS (SELECT 1 FROM @sql:source@ s WHERE @sql:match_s_o@);
                WITH kept AS (SELECT @sql:columns_s@ FROM old_rows o JOIN @sql:source@ s ON @sql:match_s_o@
                               WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE @sql:match_n_o@)
                                 FOR SHARE OF s)
                INSERT INTO @sql:target@ AS t (@sql:columns@) @sql:overriding@
                SELECT DISTINCT ON (@sql:target_key@) @sql:columns@
                  FROM (SELECT @sql:columns@ FROM new_rows UNION ALL SELECT @sql:columns@ FROM kept) r
                 ORDER BY @sql:target_key@
                    ON CONFLICT (@sql:target_key@) @sql:on_conflict@ @sql:keep_other_row_update@;
            END IF;
            @sql:refuse_skipped@
            PERFORM part._parity_mark(@lit:table@, (
                SELECT pg_catalog.array_agg(@sql:group_text@)
                  FROM (SELECT @sql:group_o@ AS g FROM old_rows o
                        UNION
                        SELECT @sql:group_n@ FROM new_rows n) d));
        END IF;
    END IF;
    PERFORM pg_catalog.set_config('part.syncing', 'off', true);
    RETURN NULL;
END
$tmpl$, jsonb_build_object(
        'target', coalesce(p_target_name, part._qualified(p_target)),
        'source', coalesce(p_source_name, part._qualified(p_source)),
        'columns_s', part._sql_columns(v_cols, 's'),
        'match_s_o', part._sql_columns(v_target_key, 's', 'match:o'),
        'table', p_m.table_name,
        'source_name', coalesce(p_source_name, part._qualified(p_source)),
        'target_name', coalesce(p_target_name, part._qualified(p_target)),
        'columns', part._sql_columns(v_cols),
        'overriding', CASE WHEN EXISTS (SELECT 1 FROM pg_attribute a
                                         WHERE a.attrelid = p_target AND a.attnum > 0 AND NOT a.attisdropped
                                           AND a.attidentity <> '' AND a.attname = ANY (v_cols))
                           THEN 'OVERRIDING SYSTEM VALUE' ELSE '' END,
        'target_key', part._sql_columns(v_target_key),
        'on_conflict', CASE WHEN v_set IS NULL THEN 'DO NOTHING' ELSE 'DO UPDATE SET ' || part._sql_columns(v_set, NULL, 'set') END,
        'match_t_o', part._sql_columns(v_target_key, 't', 'match:o'),
        'copy_match_n_o', part._sql_columns(p_m.partitioned_key, 'n', 'match:o'),
        'match_n_o', part._sql_columns(v_target_key, 'n', 'match:o'),
        'legacy_key_o', part._sql_columns(p_m.legacy_key, 'o', 'row'),
        'last_key', part._key_from_text_sql(v_legacy, p_m.legacy_key, 'v_m.backfill_last_key'),
        'high_key', part._key_from_text_sql(v_legacy, p_m.legacy_key, 'v_m.backfill_high_key'),
        'gate_class', (part._migration_lock(p_m.table_name, 'gate'))[1],
        'gate_key', (part._migration_lock(p_m.table_name, 'gate'))[2],
        'group_n', part._group_sql(p_m, format('n.%I', p_m.key_column)),
        'group_o', part._group_sql(p_m, format('o.%I', p_m.key_column)),
        'group_text', part._group_text_sql(p_m, 'd.g'),
        'keep_other_row_insert', v_keep[1],
        'keep_other_row_update', v_keep[2],
        'refuse_skipped', v_skipped,
        'refuse_insert', v_refuse[1],
        'plain_insert', p_target <> v_legacy,
        'refuse_update', v_refuse[2]));
    RETURN format(
        'CREATE OR REPLACE FUNCTION %I.%I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER '
        'SET search_path = pg_catalog, pg_temp AS %L', v_fn[1], v_fn[2], v_body);
END
$$;

-- sync/_sync_functions_after_swap.sql
CREATE FUNCTION part._sync_functions_after_swap(p_m part.migration, p_to text)
    RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy regclass := to_regclass(p_m.legacy_table);
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_schema text := (parse_ident(p_m.table_name))[1];
    v_app    text := (parse_ident(p_m.table_name))[2];
    v_l_name text;
    v_p_name text;
BEGIN
/*
 * The CREATE statements of both sync functions of a migration as they must
 * read once part._swap has renamed the tables for phase p_to ('partitioned':
 * the legacy table becomes <table>_legacy and the copy takes the
 * application's name; 'backfilled': the other way). Prepared by switch_reads
 * and rollback before they take their locks, so that under the locks only
 * the statements run (rendering them costs more than running them).
 */
    IF p_to = 'partitioned' THEN
        v_l_name := format('%I.%I', v_schema, part._partition_name(v_app, 'legacy'));
        v_p_name := format('%I.%I', v_schema, v_app);
    ELSE
        v_l_name := format('%I.%I', v_schema, v_app);
        v_p_name := format('%I.%I', v_schema, part._partition_name(v_app, 'partitioned'));
    END IF;
    RETURN ARRAY[
        part._sync_function_sql(p_m, v_legacy, v_part, part._sync_function_name(p_m.table_name, 'partitioned'),
                                        v_l_name, v_p_name),
        part._sync_function_sql(p_m, v_part, v_legacy, part._sync_function_name(p_m.table_name, 'legacy'),
                                        v_p_name, v_l_name)];
END
$$;

-- sync/_sync_guard.sql
CREATE FUNCTION part._sync_guard()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * The guard of a migration's mirror (part_sync_guard, BEFORE INSERT,
 * UPDATE, DELETE or TRUNCATE, statement-level), enabled on the table the
 * application does not write: the copy until the switch, the legacy table
 * after it. A write there would not be mirrored. SECURITY INVOKER, so it
 * sees who writes: only part's own writes pass, which run as the tables'
 * owner (the sync functions are the owner's SECURITY DEFINER, the backfill
 * runs through part._as_owner) with part.syncing on. A role that may write
 * the table (its grants were copied) cannot pass by setting part.syncing
 * itself. No EXECUTE for anyone: firing a trigger needs none.
 */
    -- Every write of part's sync comes here, so the usual case is one simple expression (no
    -- query): the trigger's argument is the oid of the table's owner when part made it
    -- (part._sync_triggers; part._sync_problems reports it when the owner changed since).
    IF TG_NARGS = 1 AND current_setting('part.syncing', true) = 'on'
       AND TG_ARGV[0]::oid = quote_ident(current_user)::regrole::oid THEN
        RETURN NULL;
    END IF;
    IF current_setting('part.syncing', true) = 'on'
       AND (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID)
           = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '%.% is kept in step by part''s sync during a migration: % here is refused',
                    TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = '55000',
              HINT = 'Write to the table the application writes (the other table of the migration, see part.migrations): the sync mirrors it here; or finish or roll back the migration first.';
END
$$;

-- sync/_sync_install.sql
CREATE FUNCTION part._sync_install(p_table_name text, p_triggers boolean DEFAULT true, p_functions text[] DEFAULT NULL,
                                           p_side text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m        part.migration;
    v_legacy   regclass;
    v_part     regclass;
    v_to_part  text := part._sync_function_name(p_table_name, 'partitioned');
    v_to_leg   text := part._sync_function_name(p_table_name, 'legacy');
    v_p        record;
BEGIN
/*
 * Generate (or regenerate) the sync of a migration from the live catalog:
 * the two trigger functions, in the application table's schema, and the
 * statement-level triggers with transition tables (templates/sync/) on the
 * legacy table, on the partitioned table and on each of its partitions (a
 * write straight into a partition does not fire the parent's statement
 * triggers). On the table the application writes (the legacy one until the
 * switch) they mirror; on the other one they are disabled and a guard
 * refuses direct writes. Records the columns the sync writes, for drift
 * checks. p_triggers => false (the switch and the rollback, under their
 * locks, after part._require_sync_intact found every trigger in place):
 * only the functions are regenerated (the tables' names changed) and the
 * direction turned over; the triggers stay (they name the functions by oid).
 * p_functions: the CREATE statements of both functions, prepared by
 * part._sync_functions_after_swap before the locks.
 * p_side: NULL does everything; 'partitioned' only the functions and the
 * partitioned table's side (migrate_start does that before it locks the
 * live table: the copy no one else sees may have a thousand partitions);
 * 'legacy' then only the legacy table's triggers and the recorded columns.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_legacy IS NULL OR v_part IS NULL THEN
        RAISE EXCEPTION 'the tables of the migration of % are missing (legacy %, partitioned %)',
                        p_table_name, v_m.legacy_table, v_m.partitioned_table
            USING ERRCODE = '42P01', HINT = 'Restore the missing table, or remove the migration row from part.migration.';
    END IF;
    IF p_side IS NOT NULL AND p_side NOT IN ('partitioned', 'legacy') THEN
        RAISE EXCEPTION 'unknown side %', p_side
            USING ERRCODE = '22023', HINT = 'An internal caller of part._sync_install passed a wrong argument: report it as a bug.';
    END IF;
    IF p_side = 'legacy' THEN
        NULL;   -- the functions were made with the partitioned side
    ELSIF p_functions IS NULL THEN
        PERFORM part._sync_function_create(v_m, 'partitioned');
        PERFORM part._sync_function_create(v_m, 'legacy');
    ELSE
        -- prepared by part._sync_functions_after_swap: CREATE OR REPLACE keeps owner and privileges
        EXECUTE p_functions[1];
        EXECUTE p_functions[2];
        EXECUTE format('COMMENT ON FUNCTION %s() IS %L', v_to_part,
            format('part: mirrors writes of %s into %s (generated; part.migrate_refresh regenerates it)', v_legacy, v_part));
        EXECUTE format('COMMENT ON FUNCTION %s() IS %L', v_to_leg,
            format('part: mirrors writes of %s into %s (generated; part.migrate_refresh regenerates it)', v_part, v_legacy));
    END IF;

    IF p_triggers AND p_side IS DISTINCT FROM 'partitioned' THEN
        PERFORM part._sync_triggers(v_legacy, v_to_part, 'table', true, false, true);
    END IF;
    IF p_triggers AND p_side IS DISTINCT FROM 'legacy' THEN
        PERFORM part._sync_triggers(v_part, v_to_leg, 'table', true, true, true);
    END IF;
    -- the table the application writes mirrors its writes; the other one refuses direct writes
    -- (its DML triggers disabled: with transition tables they would keep every row the sync or
    -- the backfill writes there, for nothing)
    FOR v_p IN
        SELECT CASE WHEN v_m.phase = 'partitioned' THEN v_part ELSE v_legacy END AS writer,
               CASE WHEN v_m.phase = 'partitioned' THEN v_legacy ELSE v_part END AS mirror
    LOOP
        IF p_side IS NULL OR (v_p.writer = v_part) = (p_side = 'partitioned') THEN
            EXECUTE format('ALTER TABLE %1$s DISABLE TRIGGER part_sync_guard, ENABLE ALWAYS TRIGGER part_sync_insert, '
                                      'ENABLE ALWAYS TRIGGER part_sync_update, ENABLE ALWAYS TRIGGER part_sync_delete, '
                                      'ENABLE ALWAYS TRIGGER part_sync_truncate', v_p.writer);
        END IF;
        IF p_side IS NULL OR (v_p.mirror = v_part) = (p_side = 'partitioned') THEN
            EXECUTE format('ALTER TABLE %1$s ENABLE ALWAYS TRIGGER part_sync_guard', v_p.mirror);
            -- the mirror: its guard refuses writes and TRUNCATE; its own sync does not fire (a TRUNCATE
            -- the sync makes there must not be mirrored back)
            EXECUTE format('ALTER TABLE %1$s DISABLE TRIGGER part_sync_insert, DISABLE TRIGGER part_sync_update, '
                                      'DISABLE TRIGGER part_sync_delete, DISABLE TRIGGER part_sync_truncate', v_p.mirror);
        END IF;
    END LOOP;
    FOR v_p IN SELECT i.inhrelid::regclass AS rel FROM pg_inherits i
                WHERE i.inhparent = v_part AND p_triggers AND p_side IS DISTINCT FROM 'legacy' LOOP
        PERFORM part._sync_triggers(v_p.rel, v_to_leg, 'partition', false, true);
    END LOOP;
    IF p_side = 'partitioned' THEN
        RETURN;   -- the columns are recorded with the legacy side, under the lock
    END IF;
    UPDATE part.migration m SET sync_columns = part._sync_columns(v_legacy, v_part)
     WHERE m.table_name = p_table_name;
END
$$;

-- sync/_sync_partition.sql
CREATE FUNCTION part._sync_partition(p_partition regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m part.migration;
BEGIN
/*
 * Give a new partition the sync triggers of its parent's migration, if the
 * parent is the partitioned table of a migration that still syncs (called
 * by part._create_range_partition and part.split_hash after they attach a
 * partition): a write straight into that partition is then mirrored too.
 * The sync functions are regenerated as well (same names, no table lock).
 */
    SELECT m.* INTO v_m
      FROM pg_inherits i
      JOIN part.migration m ON m.partitioned_table = part._qualified(i.inhparent)
     WHERE i.inhrelid = p_partition AND m.phase <> 'finalized' AND m.method = 'copy';
    IF FOUND THEN
        -- the functions too: a hash split changes the partition count they group by
        PERFORM part._sync_function_create(v_m, 'partitioned');
        PERFORM part._sync_function_create(v_m, 'legacy');
        PERFORM part._sync_triggers(p_partition, part._sync_function_name(v_m.table_name, 'legacy'),
                                            'partition', false, true);
    END IF;
END
$$;

-- sync/_sync_problems.sql
CREATE FUNCTION part._sync_problems(p_table_name text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration;
    v_legacy  regclass;
    v_part    regclass;
    v_writer  regclass;
    v_mirror  regclass;
    v_f_w     oid;
    v_f_m     oid;
    v_out     text[] := '{}'::text[];
    v_list    text;
BEGIN
/*
 * Whether the sync of a migration is intact, checked by identity (part's own
 * trigger names calling part's own generated functions), not by a name that
 * merely looks like it: NULL when it is, else what is wrong. Intact means:
 *   - on the table the application writes (the legacy one until the switch):
 *     part_sync_insert, _update, _delete and _truncate enabled ALWAYS (they
 *     fire in every session_replication_role), calling its sync function;
 *   - on the other table: part_sync_guard enabled ALWAYS (refusing writes
 *     and TRUNCATE), its DML and TRUNCATE sync disabled;
 *   - on every partition of the partitioned table: the partition triggers,
 *     enabled ALWAYS (a write straight into a partition is mirrored too).
 * part.verify reports it; switch_reads, rollback and finalize refuse while
 * it is not intact; part.migrate_refresh restores it.
 */
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name;
    IF NOT FOUND OR v_m.phase = 'finalized' THEN
        RETURN NULL;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_legacy IS NULL OR v_part IS NULL THEN
        RETURN format('a table is missing (legacy %s, partitioned %s)', v_m.legacy_table, v_m.partitioned_table);
    END IF;
    v_writer := CASE WHEN v_m.phase = 'partitioned' THEN v_part ELSE v_legacy END;
    v_mirror := CASE WHEN v_m.phase = 'partitioned' THEN v_legacy ELSE v_part END;
    v_f_w := to_regprocedure(part._sync_function_name(p_table_name,
                 CASE WHEN v_m.phase = 'partitioned' THEN 'legacy' ELSE 'partitioned' END) || '()');
    v_f_m := to_regprocedure(part._sync_function_name(p_table_name,
                 CASE WHEN v_m.phase = 'partitioned' THEN 'partitioned' ELSE 'legacy' END) || '()');
    IF v_f_w IS NULL OR v_f_m IS NULL THEN
        RETURN 'a sync function is missing';
    END IF;

    SELECT string_agg(e.tgname, ', ' ORDER BY e.tgname) INTO v_list
      FROM (VALUES ('part_sync_insert'), ('part_sync_update'), ('part_sync_delete'), ('part_sync_truncate')) e(tgname)
     WHERE NOT EXISTS (SELECT 1 FROM pg_trigger t
                        WHERE t.tgrelid = v_writer AND t.tgname = e.tgname AND t.tgfoid = v_f_w AND t.tgenabled = 'A');
    IF v_list IS NOT NULL THEN
        v_out := v_out || format('on %s (written by the application) %s missing or not enabled ALWAYS: those writes are not mirrored',
                                            v_writer, v_list);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_trigger t
                    WHERE t.tgrelid = v_mirror AND t.tgname = 'part_sync_guard'
                      AND t.tgfoid = 'part._sync_guard()'::regprocedure AND t.tgenabled = 'A') THEN
        v_out := v_out || format('the guard of %s is missing or not enabled ALWAYS: direct writes there are not refused', v_mirror);
    END IF;
    IF EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE t.tgrelid IN (v_writer, v_mirror) AND t.tgname = 'part_sync_guard' AND t.tgnargs = 1
                  AND t.tgargs <> convert_to(c.relowner::text, 'UTF8') || '\x00'::bytea) THEN
        v_out := v_out || format('the guard of %s or %s names another owner than the table''s (ALTER ... OWNER since the migration started): run part.migrate_refresh(%L)',
                                            v_writer, v_mirror, v_m.table_name);
    END IF;
    SELECT string_agg(t.tgname, ', ' ORDER BY t.tgname) INTO v_list
      FROM pg_trigger t
     WHERE t.tgrelid = v_mirror AND t.tgname IN ('part_sync_insert', 'part_sync_update', 'part_sync_delete', 'part_sync_truncate')
       AND t.tgenabled <> 'D';
    IF v_list IS NOT NULL THEN
        v_out := v_out || format('on %s (the mirror) %s enabled: what the sync writes there would be mirrored back', v_mirror, v_list);
    END IF;
    SELECT string_agg(part._qualified(i.inhrelid), ', ' ORDER BY i.inhrelid::regclass::text) INTO v_list
      FROM pg_inherits i
     WHERE i.inhparent = v_part
       AND (SELECT count(*) FROM pg_trigger t
             WHERE t.tgrelid = i.inhrelid AND t.tgenabled = 'A'
               AND t.tgfoid = CASE WHEN v_m.phase = 'partitioned' THEN v_f_w ELSE v_f_m END
               AND t.tgname IN ('part_sync_insert', 'part_sync_update', 'part_sync_delete', 'part_sync_truncate_guard')) < 4;
    IF v_list IS NOT NULL THEN
        v_out := v_out || format('partitions without their sync triggers (attached by hand?): %s', v_list);
    END IF;
    IF cardinality(v_out) = 0 THEN
        RETURN NULL;
    END IF;
    RETURN array_to_string(v_out, '; ');
END
$$;

-- sync/_sync_remove.sql
CREATE FUNCTION part._sync_remove(p_table_name text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_t record;
BEGIN
/*
 * Remove the sync of a migration: the part_sync_* triggers of its tables
 * and partitions, then the two generated functions.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    FOR v_t IN
        SELECT t.tgname, t.tgrelid::regclass AS rel
          FROM pg_trigger t
          JOIN pg_proc p ON p.oid = t.tgfoid
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE NOT t.tgisinternal AND t.tgname LIKE 'part\_sync\_%'
           AND (format('%I.%I', n.nspname, p.proname)
                    IN (part._sync_function_name(p_table_name, 'partitioned'),
                        part._sync_function_name(p_table_name, 'legacy'))
                OR t.tgname = 'part_sync_guard' AND p.oid = 'part._sync_guard()'::regprocedure
                   AND t.tgrelid IN (SELECT to_regclass(m.legacy_table) FROM part.migration m WHERE m.table_name = p_table_name
                                     UNION ALL
                                     SELECT to_regclass(m.partitioned_table) FROM part.migration m WHERE m.table_name = p_table_name))
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', v_t.tgname, v_t.rel);
    END LOOP;
    EXECUTE format('DROP FUNCTION IF EXISTS %s()', part._sync_function_name(p_table_name, 'partitioned'));
    EXECUTE format('DROP FUNCTION IF EXISTS %s()', part._sync_function_name(p_table_name, 'legacy'));
END
$$;

-- sync/_sync_state.sql
CREATE FUNCTION part._sync_state(p_table_name text, p_lock boolean DEFAULT false)
    RETURNS TABLE(phase text, backfill_last_key text, backfill_high_key text, backfill_finished_at timestamptz)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * What a sync trigger needs to know about its migration: the phase and the
 * backfill's position. SECURITY DEFINER: the application's roles need no
 * privilege on part's catalog. p_lock locks the row FOR SHARE, which in
 * a REPEATABLE READ or SERIALIZABLE transaction fails with 40001 when a
 * backfill batch committed after the transaction's snapshot.
 */
    IF p_lock THEN
        RETURN QUERY SELECT m.phase, m.backfill_last_key, m.backfill_high_key, m.backfill_finished_at
                       FROM part.migration m WHERE m.table_name = p_table_name FOR SHARE;
    ELSE
        RETURN QUERY SELECT m.phase, m.backfill_last_key, m.backfill_high_key, m.backfill_finished_at
                       FROM part.migration m WHERE m.table_name = p_table_name;
    END IF;
END
$$;

-- sync/_sync_trigger_events.sql
CREATE FUNCTION part._sync_trigger_events(p_rel regclass, p_enabled_only boolean DEFAULT true)
    RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The events (INSERT, UPDATE, DELETE, TRUNCATE) that part's own sync
     * triggers on p_rel fire on, in that order: triggers with part's names
     * (part_sync_insert, ...) calling one of the generated sync functions of
     * a migration of p_rel, checked by identity (a user's trigger whose name
     * merely contains "sync" does not count); only those enabled ALWAYS
     * (which fire in every session_replication_role) unless p_enabled_only
     * is false.
     */
    SELECT coalesce(array_agg(e.ev ORDER BY e.n), '{}')
      FROM (VALUES (1, 'INSERT', 'part_sync_insert'), (2, 'UPDATE', 'part_sync_update'),
                   (3, 'DELETE', 'part_sync_delete'), (4, 'TRUNCATE', 'part_sync_truncate')) AS e(n, ev, tgname)
     WHERE EXISTS (SELECT 1
                     FROM pg_trigger t
                     JOIN part.migration m
                       ON p_rel IN (to_regclass(m.legacy_table), to_regclass(m.partitioned_table))
                    WHERE t.tgrelid = p_rel AND t.tgname = e.tgname
                      AND t.tgfoid IN (to_regprocedure(part._sync_function_name(m.table_name, 'partitioned') || '()'),
                                       to_regprocedure(part._sync_function_name(m.table_name, 'legacy') || '()'))
                      AND (NOT p_enabled_only OR t.tgenabled = 'A'))
$$;

-- sync/_sync_triggers.sql
CREATE FUNCTION part._sync_triggers(p_rel regclass, p_function text, p_argument text,
                                            p_after_truncate boolean, p_before_truncate boolean,
                                            p_guard boolean DEFAULT false)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_fn     text[] := parse_ident(p_function);
    v_values jsonb;
BEGIN
/*
 * Create (or replace) the sync triggers of one table from templates/sync/:
 * the INSERT, UPDATE and DELETE triggers with transition tables, the AFTER /
 * BEFORE TRUNCATE ones and the guard as asked, each rendered by part._render.
 * p_argument is the trigger argument: 'table' or 'partition'. All are
 * ENABLE ALWAYS.
 */
    IF p_argument NOT IN ('table', 'partition') THEN
        RAISE EXCEPTION 'unknown sync trigger argument %', p_argument
            USING ERRCODE = '22023', HINT = 'An internal caller of part._sync_triggers passed a wrong argument: report it as a bug.';
    END IF;
    v_values := jsonb_build_object('table', p_rel::oid, 'function_schema', v_fn[1],
                                              'function_name', v_fn[2], 'argument', p_argument);
    EXECUTE part._render($tmpl$
CREATE OR REPLACE TRIGGER part_sync_insert AFTER INSERT ON @rel:table@
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
CREATE OR REPLACE TRIGGER part_sync_update AFTER UPDATE ON @rel:table@
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
CREATE OR REPLACE TRIGGER part_sync_delete AFTER DELETE ON @rel:table@
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
$tmpl$, v_values);
    IF p_after_truncate THEN
        EXECUTE part._render($tmpl$
CREATE OR REPLACE TRIGGER part_sync_truncate AFTER TRUNCATE ON @rel:table@
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
$tmpl$, v_values);
    END IF;
    IF p_before_truncate THEN
        EXECUTE part._render($tmpl$
CREATE OR REPLACE TRIGGER part_sync_truncate_guard BEFORE TRUNCATE ON @rel:table@
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
$tmpl$, v_values);
    END IF;
    IF p_guard THEN
        EXECUTE part._render($tmpl$
CREATE OR REPLACE TRIGGER part_sync_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @rel:table@
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION part._sync_guard(@lit:owner@);
$tmpl$, jsonb_build_object('table', p_rel::oid, 'owner', (SELECT c.relowner::text FROM pg_class c WHERE c.oid = p_rel)));
    END IF;
    -- ALWAYS: they fire in every session_replication_role (logical replication's apply workers
    -- write in 'replica'), so no write escapes the sync (part._sync_install disables what must not fire)
    EXECUTE format('ALTER TABLE %s %s', p_rel, (
        SELECT string_agg(format('ENABLE ALWAYS TRIGGER %I', t.tgname), ', ' ORDER BY t.tgname)
          FROM pg_trigger t
         WHERE t.tgrelid = p_rel AND t.tgname IN ('part_sync_insert', 'part_sync_update', 'part_sync_delete', 'part_sync_truncate',
                                                   'part_sync_truncate_guard', 'part_sync_guard')));
END
$$;

-- monitor/metrics.sql
CREATE FUNCTION part.metrics(p_exact boolean DEFAULT false)
    RETURNS jsonb
    LANGUAGE plpgsql
    SECURITY DEFINER STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tables   jsonb;
    v_hb       record;
BEGIN
/*
 * The origin's /monitoring/partitions/metrics document:
 *   {"partitionedTablesEnabled": bool, "tables": [...], "timestamp": "...Z"}
 * one entry per migration (name, schema, partitionCount, legacyCount,
 * partitionedCount, rowCountDelta, triggers, phase, parityCheckedAt,
 * parityClean, ...) and per managed table not under migration, with more
 * fields: strategy, defaultPartitionRows, nextBoundary (the end of the
 * partition holding now, or the largest integer key), coveredUntil,
 * lastMaintenance; plus "maintenance" (the last heartbeat and the
 * schedule). Row counts are estimates (pg_class.reltuples) unless p_exact,
 * which counts them (slow on big tables). Read from the catalog in one pass
 * (part._bounds_all), not a query per table (except integer keys'
 * nextBoundary, which needs the largest key, and p_exact counts).
 */
    WITH b AS MATERIALIZED (
        SELECT * FROM part._bounds_all()
    ), per AS (
        SELECT c.parent_table, c.strategy, c.key_type, c.key_column,
               part._managed_rel(c.parent_table) AS rel,
               count(b.partition_oid) FILTER (WHERE NOT b.is_default) AS partition_count,
               max(b.partition_oid::bigint) FILTER (WHERE b.is_default)::oid AS default_oid,
               max(b.hi) FILTER (WHERE NOT b.is_default) AS max_hi,
               array_agg(b.hi) FILTER (WHERE NOT b.is_default) AS his,
               coalesce(sum(greatest(k.reltuples, 0)), 0)::bigint AS rows_est
          FROM part.config c
          LEFT JOIN b ON b.parent_table = c.parent_table
          LEFT JOIN pg_class k ON k.oid = b.partition_oid
         GROUP BY c.parent_table, c.strategy, c.key_type, c.key_column
    ), entries AS (
        SELECT p.parent_table, p.rel, jsonb_build_object(
                   'name', (parse_ident(p.parent_table))[2],
                   'schema', (parse_ident(p.parent_table))[1],
                   'strategy', p.strategy,
                   'partitionCount', p.partition_count,
                   'partitionedCount', CASE WHEN p.rel IS NULL THEN NULL
                                            WHEN p_exact THEN part._row_count(p.rel, true)
                                            ELSE p.rows_est END,
                   'defaultPartitionRows', CASE
                        WHEN p.default_oid IS NULL THEN NULL
                        WHEN pg_relation_size(p.default_oid) = 0 THEN 0
                        WHEN p_exact OR d.reltuples < 0 THEN part._row_count(p.default_oid::regclass, true)
                        ELSE d.reltuples::bigint END,
                   'nextBoundary', part._ordinal_literal(
                        (SELECT min(h) FROM unnest(p.his) h
                          WHERE h > CASE WHEN p.key_type IN ('smallint', 'integer', 'bigint')
                                         THEN part._max_key(p.rel, p.key_column)
                                         ELSE date_part('epoch', now()) END),
                        p.key_type::regtype),
                   'coveredUntil', part._ordinal_literal(p.max_hi, p.key_type::regtype),
                   'lastMaintenance', (SELECT jsonb_build_object(
                                                'at', part._iso(l.logged_at), 'action', l.action,
                                                'partition', l.partition_name, 'outcome', l.outcome, 'detail', l.detail)
                                         FROM part.maintenance_log l
                                        WHERE l.parent_table = p.parent_table
                                        ORDER BY l.logged_at DESC, l.id DESC LIMIT 1))
                   || CASE WHEN p.rel IS NULL THEN '{"missing": true}'::jsonb ELSE '{}'::jsonb END AS e
          FROM per p
          LEFT JOIN pg_class d ON d.oid = p.default_oid
    ), migrations AS (
        SELECT to_jsonb(m) AS j FROM part.migration m
    ), migration_entries AS (
        SELECT mg.j ->> 'table_name' AS table_name, x.copy, jsonb_build_object(
                   'name', (parse_ident(mg.j ->> 'table_name'))[2],
                   'schema', (parse_ident(mg.j ->> 'table_name'))[1],
                   'legacyCount', part._row_count(x.legacy, p_exact),
                   'partitionedCount', part._row_count(x.part, p_exact),
                   'rowCountDelta', part._row_count(x.part, p_exact) - part._row_count(x.legacy, p_exact),
                   'triggers', CASE WHEN mg.j ->> 'phase' = 'finalized' THEN '[]'::jsonb
                                    ELSE to_jsonb(part._sync_trigger_events(
                                        CASE WHEN mg.j ->> 'phase' = 'partitioned' THEN x.part ELSE x.legacy END, true)) END,
                   'phase', mg.j ->> 'phase',
                   'legacyTable', mg.j ->> 'legacy_table',
                   'partitionedTable', mg.j ->> 'partitioned_table',
                   'parityCheckedAt', mg.j -> 'parity_checked_at',
                   'parityClean', mg.j -> 'parity_clean',
                   'backfillRows', mg.j -> 'backfill_rows',
                   'method', mg.j -> 'method',
                   'historyTable', mg.j -> 'history_table',
                   'splitIntervals', mg.j -> 'split_intervals',
                   'splitRows', mg.j -> 'split_rows',
                   'partitionCount', (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = x.part)) AS e
          FROM migrations mg
         CROSS JOIN LATERAL (SELECT to_regclass(mg.j ->> 'legacy_table') AS legacy,
                                    to_regclass(mg.j ->> 'partitioned_table') AS part,
                                    (SELECT c.parent_table FROM part.config c
                                      WHERE c.parent_table IN (mg.j ->> 'partitioned_table', mg.j ->> 'table_name')
                                      LIMIT 1) AS copy) x
    )
    SELECT coalesce(jsonb_agg(t.e ORDER BY t.first, t.name), '[]') INTO v_tables
      FROM (SELECT 0 AS first, me.table_name AS name,
                   -- a migration's entry carries its partitioned copy's figures too
                   me.e || coalesce((SELECT en.e - 'name' - 'schema' - 'partitionedCount'
                                       FROM entries en WHERE en.parent_table = me.copy), '{}') AS e
              FROM migration_entries me
            UNION ALL
            SELECT 1, en.parent_table,
                   jsonb_build_object('legacyCount', NULL, 'rowCountDelta', NULL, 'triggers', '[]'::jsonb,
                                                 'phase', NULL) || en.e
              FROM entries en
             WHERE en.parent_table NOT IN (SELECT me.copy FROM migration_entries me WHERE me.copy IS NOT NULL)) t;

    SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_hb
      FROM part.maintenance_log l WHERE l.action = 'run' ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    RETURN jsonb_build_object(
        'partitionedTablesEnabled', part.setting('use_partitioned_tables')::boolean,
        'tables', v_tables,
        'maintenance', jsonb_build_object(
            'enabled', part.setting('enable_partition_maintenance')::boolean,
            'schedule', nullif(part.setting('maintenance_schedule'), ''),
            'retentionSchedule', nullif(part.setting('retention_schedule'), ''),
            'lastRunAt', part._iso(v_hb.logged_at),
            'lastRunId', v_hb.run_id,
            'lastOutcome', v_hb.outcome,
            'lastDetail', v_hb.detail),
        'exact', p_exact,
        'timestamp', part._iso(now()));
END
$$;
COMMENT ON FUNCTION part.metrics IS
    'part: the health of every managed table and migration as JSON (partition counts, rows on each side, triggers, phase, default-partition rows, next boundary, last maintenance); row counts are estimates unless p_exact. pg_monitor may run it.';

-- monitor/verify.sql
CREATE FUNCTION part.verify()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql
    SECURITY DEFINER STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The health of part in this database, one row per check (and per table
     * where a check is about tables); status 'ok', 'warn' or 'fail'. Each
     * check is a function of its own (part._verify_<check>, with its pgTAP
     * file tests/sql/verify_<check>.sql); this composes them, managed tables
     * first (each table's rows together), then migrations, then the database:
     *   partitions_ahead      partitions exist for now and premake intervals ahead
     *                         (hash: every remainder, and no split_hash left half done);
     *   default_empty         no row waits in a default partition;
     *   default_retention     no row older than the retention sits in a default;
     *   index_build           online index builds of part.create_index: the parent's
     *                         index is valid (unfinished: warn while building, else fail);
     *   attach_prepare, attach_history  migrations of the attach method (no sync, no
     *                         parity): preparation, then the history partition's split;
     *   sync_triggers         migrations: sync triggers present and enabled on both
     *                         tables and every partition;
     *   column_drift          migrations: both tables have the same columns and types,
     *                         and the sync was generated for them;
     *   parity_stale          migrations: the last parity check is clean and recent;
     *   maintenance_heartbeat a run that did its work within twice the scheduled period;
     *   maintenance_last_run  the last run that did its work succeeded for every table;
     *   retention_last_run    the last run of the separate retention job succeeded;
     *   yield                 backfills and drains pausing for production (replay lag,
     *                         lock queue): warn past yield_max_wait;
     *   standby               this server is not a standby.
     * Read-only: works on a standby. SECURITY DEFINER so that pg_monitor can
     * run it (it reads the managed tables' default partitions).
     */
    SELECT c.check_name, c.table_name, c.status, c.detail
      FROM (SELECT 1 AS section, 1 AS ord, * FROM part._verify_partitions_ahead()
            UNION ALL SELECT 1, 2, * FROM part._verify_default_empty()
            UNION ALL SELECT 1, 3, * FROM part._verify_default_retention()
            UNION ALL SELECT 2, 0, * FROM part._verify_attach_prepare()
            UNION ALL SELECT 2, 0, * FROM part._verify_attach_history()
            UNION ALL SELECT 2, 1, * FROM part._verify_sync_triggers()
            UNION ALL SELECT 2, 2, * FROM part._verify_column_drift()
            UNION ALL SELECT 2, 3, * FROM part._verify_parity_stale()
            UNION ALL SELECT 3, 1, * FROM part._verify_maintenance_heartbeat()
            UNION ALL SELECT 3, 2, * FROM part._verify_maintenance_last_run()
            UNION ALL SELECT 3, 3, * FROM part._verify_retention_last_run()
            UNION ALL SELECT 1, 4, * FROM part._verify_index_build()
            UNION ALL SELECT 3, 4, * FROM part._verify_yield()
            UNION ALL SELECT 3, 5, * FROM part._verify_standby()) c
     ORDER BY c.section, c.table_name, c.ord
$$;
COMMENT ON FUNCTION part.verify IS
    'part: the health of part in this database, one row per check (and table): check_name, table_name, status ok | warn | fail, and detail saying what to do. Each check is a function part._verify_<check_name>. pg_monitor may run it.';

-- monitor/_attach_verify.sql
CREATE FUNCTION part._attach_verify(p_table_name text)
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      part.migration;
    v_legacy regclass;
    v_part   regclass;
    v_hist   regclass;
    v_valid  boolean;
    v_next   text;
    v_rows   bigint;
BEGIN
/*
 * part.verify()'s rows for an attach migration (no sync, no parity):
 * 'attach_prepare' before the switch (the CHECK validated and the indexes
 * built: ok when prepared, warn while preparing with the next statement,
 * fail when the CHECK is gone), 'attach_history' after it (the history
 * partition still attached, or its copy swapped in, with how far the
 * online split is: ok; fail when it is no longer a partition, or when the
 * copy misses writes: its sync trigger gone or disabled).
 */
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name;
    table_name := p_table_name;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_m.phase IN ('preparing', 'prepared') THEN
        check_name := 'attach_prepare';
        SELECT c.convalidated INTO v_valid FROM pg_constraint c
         WHERE c.conrelid = v_legacy AND c.conname = 'part_history_bound' AND c.contype = 'c';
        IF v_legacy IS NULL OR v_part IS NULL OR v_valid IS NULL THEN
            status := 'fail';
            detail := format('%s, %s or the CHECK part_history_bound is missing: cancel with part.migrate_cancel(%L) and start again',
                                        v_m.legacy_table, v_m.partitioned_table, p_table_name);
        ELSE
            v_next := part._attach_next_index(v_legacy, v_part);
            IF v_valid AND v_next IS NULL THEN
                status := CASE WHEN v_m.phase = 'prepared' THEN 'ok' ELSE 'warn' END;
                detail := format('every row of %s is below %s and its indexes match: SELECT part.switch_reads(%L) attaches it%s',
                                            v_m.legacy_table, v_m.history_to, p_table_name,
                                            CASE WHEN v_m.phase = 'preparing' THEN format(' (after part.attach_prepare(%L))', p_table_name) ELSE '' END);
            ELSE
                status := 'warn';
                detail := format('preparing: %s; run SELECT part.attach_prepare(%L) until it returns NULL',
                                            CASE WHEN NOT v_valid THEN 'the CHECK part_history_bound is not validated yet'
                                                 ELSE 'next: ' || v_next END, p_table_name);
            END IF;
        END IF;
        RETURN NEXT;
        RETURN;
    END IF;
    check_name := 'attach_history';
    v_hist := to_regclass(v_m.history_table);
    IF v_m.split_phase = 'flattening' THEN
        -- the swap happened: the copy stands in for the history partition, its partitions move in one per step
        IF to_regclass(v_m.split_table) IS NULL
           OR NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = to_regclass(v_m.split_table) AND i.inhparent = v_part) THEN
            status := 'fail';
            detail := format('%s (the history''s copy, swapped in) is no longer a partition of %s: its rows are not read; attach it back FOR VALUES FROM (%L) TO (%L)',
                                        v_m.split_table, v_m.partitioned_table, v_m.history_from, v_m.history_to);
        ELSE
            status := 'ok';
            detail := format('flattening: %s (the history''s copy, %s rows, swapped in for the history partition) [%s, %s); maintenance has moved %s intervals into the table, %s left',
                                        v_m.split_table, v_m.split_rows, coalesce(v_m.history_from, 'MINVALUE'), v_m.history_to, v_m.split_intervals,
                                        (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = to_regclass(v_m.split_table)));
        END IF;
    ELSIF v_hist IS NULL THEN
        status := 'warn';
        detail := format('the history partition is gone: SELECT part.finalize(%L)', p_table_name);
    ELSIF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist AND i.inhparent = v_part) THEN
        status := 'fail';
        detail := format('%s is no longer a partition of %s: its rows are not read; attach it back FOR VALUES FROM (%s) TO (%L)',
                                    v_m.history_table, v_m.partitioned_table,
                                    coalesce(quote_literal(v_m.history_from), 'MINVALUE'), v_m.history_to);
    ELSIF v_m.split_phase IS NOT NULL
          AND (to_regclass(v_m.split_table) IS NULL
               OR NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync' AND t.tgenabled = 'A')) THEN
        status := 'fail';
        detail := format('the split of %s is %s, but %s or the trigger part_split_sync of %s is missing or disabled: the copy misses writes; ALTER TABLE %s ENABLE ALWAYS TRIGGER part_split_sync (maintenance then checks every interval again)',
                                    v_m.history_table, v_m.split_phase, v_m.split_table, v_m.history_table, v_m.history_table);
    ELSE
        v_rows := greatest((SELECT c.reltuples FROM pg_class c WHERE c.oid = v_hist), 0)::bigint;
        status := 'ok';
        detail := format('history partition %s [%s, %s) holds about %s rows; %s',
                                    v_m.history_table, coalesce(v_m.history_from, 'MINVALUE'), v_m.history_to, v_rows,
                                    CASE v_m.split_phase
                                        WHEN 'copying' THEN format('maintenance is copying it into %s (%s rows so far), kept in step by triggers', v_m.split_table, v_m.split_rows)
                                        WHEN 'checking' THEN format('maintenance copied it into %s (%s rows) and checks it interval by interval%s', v_m.split_table, v_m.split_rows,
                                                                    coalesce(' (matching below ' || v_m.split_checked_to || ')', ''))
                                        ELSE 'maintenance splits it online (not started yet)' END);
    END IF;
    RETURN NEXT;
END
$$;

-- monitor/_iso.sql
CREATE FUNCTION part._iso(p_at timestamptz)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* a time as the origin's JSON wrote it: ISO 8601 in UTC with milliseconds, e.g. 2025-11-08T13:00:00.000Z */
    SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- monitor/_max_key.sql
CREATE FUNCTION part._max_key(p_rel regclass, p_key text)
    RETURNS float8
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_max float8;
BEGIN
/* the largest value of an integer key (0 when the table is empty): "now" for integer ranges */
    IF p_rel IS NULL OR (SELECT c.relkind FROM pg_class c WHERE c.oid = p_rel) IS DISTINCT FROM 'p' THEN
        RETURN NULL;   -- only a partitioned table is read (a view's functions would run with the caller's rights)
    END IF;
    EXECUTE format('SELECT coalesce(pg_catalog.max(%I), 0)::float8 FROM %s', p_key, p_rel) INTO v_max;
    RETURN v_max;
END
$$;

-- monitor/_row_count.sql
CREATE FUNCTION part._row_count(p_rel regclass, p_exact boolean)
    RETURNS bigint
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_n bigint;
BEGIN
/*
 * Rows of a table (a partitioned one: of all its partitions): counted when
 * p_exact, else the planner's estimate (pg_class.reltuples; a table never
 * analyzed counts as empty). NULL when p_rel is NULL.
 */
    IF p_rel IS NULL THEN
        RETURN NULL;
    END IF;
    IF p_exact THEN
        EXECUTE format('SELECT pg_catalog.count(*) FROM %s', p_rel) INTO v_n;
        RETURN v_n;
    END IF;
    SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint INTO v_n
      FROM pg_partition_tree(p_rel) t
      JOIN pg_class c ON c.oid = t.relid
     WHERE t.isleaf;
    RETURN v_n;
END
$$;

-- monitor/_verify_attach_history.sql
CREATE FUNCTION part._verify_attach_history()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * part.verify()'s check "attach_history" for the migrations of the attach
     * method, which have no sync and no parity (part._attach_verify says
     * how the split of their history partition stands after it).
     * The sync_triggers, column_drift and parity_stale checks leave them out.
     */
    SELECT v.check_name, v.table_name, v.status, v.detail
      FROM part.migration m
     CROSS JOIN LATERAL part._attach_verify(m.table_name) v
     WHERE m.phase <> 'finalized' AND m.method = 'attach' AND v.check_name = 'attach_history'
     ORDER BY m.table_name
$$;

-- monitor/_verify_attach_prepare.sql
CREATE FUNCTION part._verify_attach_prepare()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * part.verify()'s check "attach_prepare" for the migrations of the attach
     * method, which have no sync and no parity (part._attach_verify says
     * how their preparation stands before the switch).
     * The sync_triggers, column_drift and parity_stale checks leave them out.
     */
    SELECT v.check_name, v.table_name, v.status, v.detail
      FROM part.migration m
     CROSS JOIN LATERAL part._attach_verify(m.table_name) v
     WHERE m.phase <> 'finalized' AND m.method = 'attach' AND v.check_name = 'attach_prepare'
     ORDER BY m.table_name
$$;

-- monitor/_verify_column_drift.sql
CREATE FUNCTION part._verify_column_drift()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * part.verify()'s check column_drift, one row per migration not
     * finalized: the legacy table and the partitioned copy have the same
     * columns and types, and the sync was generated for them
     * (part._sync_drift; part.migrate_refresh after a schema change).
     */
    SELECT 'column_drift', m.table_name,
           CASE WHEN d.drift IS NULL THEN 'ok' ELSE 'fail' END,
           coalesce(d.drift, format('%s and %s have the same columns',
                                               to_regclass(m.legacy_table), to_regclass(m.partitioned_table)))
      FROM part.migration m
     CROSS JOIN LATERAL (SELECT part._sync_drift(m.table_name) AS drift) d
     WHERE m.phase <> 'finalized' AND m.method IS DISTINCT FROM 'attach'   -- attach: part._verify_attach_prepare / _history
     ORDER BY m.table_name
$$;

-- monitor/_verify_default_empty.sql
CREATE FUNCTION part._verify_default_empty()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_p      record;
    v_type   regtype;
    v_cut    text;
    v_lim    record;
    v_n      bigint;
    v_range  text;
    v_stuck  bigint;
    v_srange text;
BEGIN
/*
 * part.verify()'s check default_empty, one row per managed range table
 * with a default partition: no row waits there (maintenance moves them: a
 * row there means it has not run since). Rows no aligned partition can hold
 * (NULL keys, infinity, the type's extremes: part._key_limits) are reported
 * with what to do; rows older than the retention are default_retention's.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    FOR v_p IN SELECT pl.*, c."interval", c.key_column, c.time_zone
                 FROM part._maintenance_plan() pl
                 JOIN part.config c ON c.parent_table = pl.parent_table
                WHERE pl.rel IS NOT NULL AND pl.strategy = 'range' AND pl.default_partition IS NOT NULL LOOP
        v_type := v_p.key_type::regtype;
        v_lim := part._key_limits(v_type, v_p."interval");
        v_n := 0;
        v_range := NULL;
        v_stuck := 0;
        v_srange := NULL;
        IF v_p.default_nonempty THEN
            v_cut := part._verify_retention_cut(v_p.rel, v_p.key_column, v_type, v_p."interval", v_p.retention, v_p.time_zone);
            -- rows maintenance moves, and rows no aligned partition can hold (NULL, infinity, the type's extremes)
            EXECUTE format(
                'SELECT pg_catalog.count(*) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s), '
                '       pg_catalog.min(k) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s)::text || '' to '' '
                '       || pg_catalog.max(k) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s)::text, '
                '       pg_catalog.count(*) FILTER (WHERE k IS NULL OR k < $2::%3$s OR k >= $3::%3$s), '
                '       pg_catalog.concat_ws('', '', CASE WHEN pg_catalog.bool_or(k IS NULL) THEN ''NULL'' END, '
                '                            pg_catalog.min(k) FILTER (WHERE k < $2::%3$s OR k >= $3::%3$s)::text, '
                '                            pg_catalog.max(k) FILTER (WHERE k < $2::%3$s OR k >= $3::%3$s)::text) '
                'FROM (SELECT %1$I AS k FROM ONLY %2$s WHERE $1::%3$s IS NULL OR %1$I >= $1::%3$s OR %1$I IS NULL LIMIT 1000000) x',
                v_p.key_column, v_p.default_partition, v_type)
               INTO v_n, v_range, v_stuck, v_srange USING v_cut, v_lim.lo, v_lim.hi;
        END IF;
        RETURN QUERY SELECT 'default_empty', v_p.parent_table,
            CASE WHEN v_n = 0 AND v_stuck = 0 THEN 'ok' ELSE 'fail' END,
            CASE WHEN v_n = 0 AND v_stuck = 0 THEN format('%s holds no row to move', v_p.default_partition)
                 ELSE concat_ws('; ',
                     CASE WHEN v_n > 0 THEN format('%s rows wait in %s (keys %s): CALL part.run_maintenance() moves them into partitions',
                                                              v_n, v_p.default_partition, v_range) END,
                     CASE WHEN v_stuck > 0 THEN format(
                         '%s rows in %s have keys no partition of part can hold (%s; part makes partitions for keys from %s to before %s): '
                         'maintenance leaves them there; correct or delete them, or attach a partition for them yourself (FOR VALUES FROM (...) TO (MAXVALUE), say)',
                         v_stuck, v_p.default_partition, v_srange, v_lim.lo, v_lim.hi) END) END;
    END LOOP;
END
$$;

-- monitor/_verify_default_retention.sql
CREATE FUNCTION part._verify_default_retention()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_p     record;
    v_type  regtype;
    v_cut   text;
    v_n     bigint;
    v_range text;
BEGIN
/*
 * part.verify()'s check default_retention, one row per managed range table
 * with a default partition and a retention: no row older than the retention
 * sits in the default (maintenance never deletes those: someone must decide).
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    FOR v_p IN SELECT pl.*, c."interval", c.key_column, c.time_zone
                 FROM part._maintenance_plan() pl
                 JOIN part.config c ON c.parent_table = pl.parent_table
                WHERE pl.rel IS NOT NULL AND pl.strategy = 'range' AND pl.default_partition IS NOT NULL
                  AND pl.retention IS NOT NULL LOOP
        v_type := v_p.key_type::regtype;
        v_n := 0;
        v_range := NULL;
        IF v_p.default_nonempty THEN
            v_cut := part._verify_retention_cut(v_p.rel, v_p.key_column, v_type, v_p."interval", v_p.retention, v_p.time_zone);
            EXECUTE format(
                'SELECT pg_catalog.count(*), pg_catalog.min(k)::text || '' to '' || pg_catalog.max(k)::text '
                'FROM (SELECT %1$I AS k FROM ONLY %2$s WHERE %1$I < $1::%3$s LIMIT 1000000) x',
                v_p.key_column, v_p.default_partition, v_type)
               INTO v_n, v_range USING v_cut;
        END IF;
        RETURN QUERY SELECT 'default_retention', v_p.parent_table,
            CASE WHEN v_n = 0 THEN 'ok' ELSE 'fail' END,
            CASE WHEN v_n = 0 THEN format('no row older than the retention (%s) in %s', v_p.retention, v_p.default_partition)
                 ELSE format('%s rows older than the retention (%s; keys %s) sit in %s: maintenance never deletes them; move or delete them yourself',
                                        v_n, v_p.retention, v_range, v_p.default_partition) END;
    END LOOP;
END
$$;

-- monitor/_verify_index_build.sql
CREATE FUNCTION part._verify_index_build()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_b     record;
    v_index regclass;
    v_rel   regclass;
    v_valid boolean;
    v_done  bigint;
    v_total bigint;
    v_pid   integer;
BEGIN
/*
 * verify()'s index_build check: one row per index part.create_index built or
 * is building (part.index_build) whose index still exists: ok when the
 * parent's index is valid (every partition has it); otherwise warn while a
 * session holds the table's build lock (it is building: name it), fail when
 * none does (the build was interrupted: say how to resume it).
 */
    FOR v_b IN SELECT b.parent_index, b.parent_table, min(b.definition) AS definition
                 FROM part.index_build b GROUP BY 1, 2 ORDER BY 2, 1 LOOP
        v_index := to_regclass(v_b.parent_index);
        CONTINUE WHEN v_index IS NULL;   -- dropped since
        SELECT i.indrelid::regclass, i.indisvalid INTO v_rel, v_valid FROM pg_index i WHERE i.indexrelid = v_index;
        SELECT count(*), count(*) FILTER (WHERE EXISTS (
                   SELECT 1 FROM pg_inherits h JOIN pg_index ci ON ci.indexrelid = h.inhrelid
                    WHERE h.inhparent = v_index AND ci.indrelid = i.inhrelid))
          INTO v_total, v_done
          FROM pg_inherits i WHERE i.inhparent = v_rel;
        SELECT l.pid INTO v_pid FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1885434486 AND l.objid = v_rel::oid AND l.objsubid = 2
           AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
         LIMIT 1;
        check_name := 'index_build';
        table_name := v_b.parent_table;
        status := CASE WHEN v_valid THEN 'ok' WHEN v_pid IS NOT NULL THEN 'warn' ELSE 'fail' END;
        detail := CASE
            WHEN v_valid THEN format('%s (%s) is valid on all %s partitions', v_b.parent_index, v_b.definition, v_total)
            WHEN v_pid IS NOT NULL THEN format('%s (%s) is being built by pid %s: %s of %s partitions so far',
                                                         v_b.parent_index, v_b.definition, v_pid, v_done, v_total)
            ELSE format('the build of %s (%s) is unfinished: %s of %s partitions have it, and no session is building it; '
                                   'resume it: pginstall index %s %s --db %s, or in psql: SELECT * FROM part.create_index(%L, %L) \gexec',
                                   v_b.parent_index, v_b.definition, v_done, v_total,
                                   v_b.parent_table, '''' || replace(v_b.definition, '''', '''\''''') || '''',
                                   current_database(), v_b.parent_table, v_b.definition) END;
        RETURN NEXT;
    END LOOP;
END
$$;

-- monitor/_verify_largest_key.sql
CREATE FUNCTION part._verify_largest_key(p_rel regclass, p_key text, p_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_lim record := part._key_limits(p_type, p_interval);
    v_max text;
BEGIN
/*
 * For part.verify()'s checks of an integer-keyed range table: its "now",
 * the largest key an aligned partition can hold (not a bigint extreme:
 * part._key_limits), 0 when there is none.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    EXECUTE format('SELECT coalesce(pg_catalog.max(%1$I), 0)::text FROM %2$s WHERE %1$I >= $1::%3$s AND %1$I < $2::%3$s',
                              p_key, p_rel, p_type)
       INTO v_max USING v_lim.lo, v_lim.hi;
    RETURN v_max;
END
$$;

-- monitor/_verify_maintenance_heartbeat.sql
CREATE FUNCTION part._verify_maintenance_heartbeat()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_sched   text := part.setting('maintenance_schedule');
    v_enabled boolean := part.setting('enable_partition_maintenance')::boolean;
    v_period  interval;
    v_hb      record;
    v_skips   record;
    v_holder  record;
    v_since   timestamptz;
    v_note    text;
BEGIN
/*
 * part.verify()'s check maintenance_heartbeat, one row: a run that did its
 * work within twice the scheduled period (no run yet, not scheduled or
 * disabled: warn). Skipped runs are no heartbeat: runs skipped because a
 * session holds the maintenance lock (a run cancelled in a session that
 * stays open) warn, then fail, naming that session.
 */
    SELECT l.logged_at INTO v_hb
      FROM part.maintenance_log l
     WHERE l.action = 'run' AND l.outcome <> 'skipped'
     ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    SELECT count(*) AS n, min(l.logged_at) AS first, max(l.logged_at) AS last INTO v_skips
      FROM part.maintenance_log l
     WHERE l.action = 'run' AND l.outcome = 'skipped' AND l.logged_at > coalesce(v_hb.logged_at, '-infinity');
    -- the session holding the maintenance lock (part.run_maintenance's advisory lock 1885434484, 1)
    SELECT a.pid, a.state, a.state_change INTO v_holder
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1885434484 AND l.objid = 1 AND l.objsubid = 2
       AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
     LIMIT 1;
    IF v_sched <> '' THEN
        v_period := part._cron_period(v_sched);
    END IF;
    v_since := coalesce(v_hb.logged_at, CASE WHEN v_skips.n > 0 THEN v_skips.first END);
    v_note := CASE WHEN v_skips.n > 0 AND v_holder.pid IS NOT NULL
                   THEN format('; the %s runs since were skipped: pid %s holds the maintenance lock (%s since %s); a run cancelled in a session that stays open keeps it until that session ends: if that session is not running maintenance, SELECT pg_catalog.pg_terminate_backend(%s)',
                                          v_skips.n, v_holder.pid, v_holder.state, v_holder.state_change, v_holder.pid)
                   WHEN v_skips.n > 0
                   THEN format('; the %s runs since were skipped (the last at %s; see part.maintenance_log)', v_skips.n, v_skips.last)
                   ELSE '' END;
    RETURN QUERY SELECT 'maintenance_heartbeat', NULL::text,
        CASE WHEN NOT v_enabled THEN 'warn'
             WHEN v_since IS NULL THEN 'warn'
             WHEN v_period IS NULL THEN 'warn'
             WHEN v_since < now() - 2 * v_period THEN 'fail'
             WHEN v_skips.n > 0 AND v_holder.pid IS NOT NULL AND v_holder.state IS DISTINCT FROM 'active' THEN 'warn'
             WHEN v_hb.logged_at IS NULL THEN 'warn'
             ELSE 'ok' END,
        CASE WHEN NOT v_enabled THEN 'maintenance is disabled (enable_partition_maintenance = false)'
             WHEN v_since IS NULL AND v_period IS NULL
                 THEN 'no maintenance run yet, and none scheduled: run pginstall apply (with pg_cron) or CALL part.run_maintenance()'
             WHEN v_since IS NULL THEN format('no maintenance run yet (scheduled %L)', v_sched)
             WHEN v_period IS NULL
                 THEN format('last run %s; maintenance is not scheduled (no pg_cron job registered by pginstall apply)%s',
                                        coalesce(v_hb.logged_at::text, 'none that did its work'), v_note)
             WHEN v_since < now() - 2 * v_period
                 THEN format('last run that did its work: %s; none for more than twice the schedule''s period (%L, every %s)%s',
                                        coalesce(v_hb.logged_at::text, 'none'), v_sched, v_period,
                                        CASE WHEN v_note = '' THEN ': is the pg_cron job running?' ELSE v_note END)
             ELSE format('last run %s (scheduled %L)%s', coalesce(v_hb.logged_at::text, 'none that did its work'), v_sched, v_note) END;
END
$$;

-- monitor/_verify_maintenance_last_run.sql
CREATE FUNCTION part._verify_maintenance_last_run()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_sched   text := part.setting('maintenance_schedule');
    v_enabled boolean := part.setting('enable_partition_maintenance')::boolean;
    v_period  interval;
    v_last    record;
    v_why     text;
BEGIN
/*
 * part.verify()'s check maintenance_last_run, one row: the last run that
 * did its work (skipped runs are not) succeeded for every table, within
 * twice the scheduled period; a run that gave up on a step warns.
 */
    SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_last
      FROM part.maintenance_log l
     WHERE l.action = 'run' AND l.outcome <> 'skipped'
     ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    IF v_sched <> '' THEN
        v_period := part._cron_period(v_sched);
    END IF;
    IF v_last.outcome = 'failed' THEN
        SELECT string_agg(format('%s %s: %s', l.parent_table, l.action, l.detail), '; ' ORDER BY l.id)
          INTO v_why FROM part.maintenance_log l WHERE l.run_id = v_last.run_id AND l.outcome = 'failed' AND l.action <> 'run';
    END IF;
    RETURN QUERY SELECT 'maintenance_last_run', NULL::text,
        CASE WHEN v_last.logged_at IS NULL THEN 'warn'
             WHEN v_last.outcome = 'failed' THEN 'fail'
             WHEN v_enabled AND v_period IS NOT NULL AND v_last.logged_at < now() - 2 * v_period THEN 'fail'
             WHEN EXISTS (SELECT 1 FROM part.maintenance_log l   -- a step given up for this run: a lock not
                         WHERE l.run_id = v_last.run_id AND l.action <> 'run'   -- obtained, or a drain paused for production
                           AND (l.error_code = '55P03' OR (l.action = 'drain' AND l.outcome = 'skipped'))) THEN 'warn'
             ELSE 'ok' END,
        CASE WHEN v_last.logged_at IS NULL THEN 'no maintenance run yet'
             WHEN v_last.outcome = 'failed' THEN format('run %s at %s failed: %s', v_last.run_id, v_last.logged_at, coalesce(v_why, v_last.detail))
             WHEN v_enabled AND v_period IS NOT NULL AND v_last.logged_at < now() - 2 * v_period
                 THEN format('run %s at %s is older than twice the schedule''s period (%L, every %s): see maintenance_heartbeat; it said: %s',
                                        v_last.run_id, v_last.logged_at, v_sched, v_period, v_last.detail)
             ELSE format('run %s at %s: %s', v_last.run_id, v_last.logged_at, v_last.detail) END;
END
$$;

-- monitor/_verify_parity_stale.sql
CREATE FUNCTION part._verify_parity_stale()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * part.verify()'s check parity_stale, one row per migration not
     * finalized: the last parity check is clean and younger than the setting
     * parity_max_age (never checked, or too old: warn in dual_write, fail
     * after the backfill).
     */
    SELECT 'parity_stale', m.table_name,
           CASE WHEN m.parity_clean IS FALSE THEN 'fail'
                WHEN m.parity_checked_at IS NULL
                    THEN CASE WHEN m.phase = 'dual_write' THEN 'warn' ELSE 'fail' END
                WHEN m.parity_checked_at < now() - s.age
                    THEN CASE WHEN m.phase = 'dual_write' THEN 'warn' ELSE 'fail' END
                ELSE 'ok' END,
           CASE WHEN m.parity_clean IS FALSE
                    THEN format('the parity check of %s found differences: see part.parity_diff(%L)',
                                           m.parity_checked_at, m.table_name)
                WHEN m.parity_checked_at IS NULL
                    THEN format('parity never checked: SELECT * FROM part.check_parity(%L)', m.table_name)
                WHEN m.parity_checked_at < now() - s.age
                    THEN format('last checked %s, more than %s ago (parity_max_age): SELECT * FROM part.check_parity(%L)',
                                           m.parity_checked_at, s.age, m.table_name)
                ELSE format('clean, checked %s', m.parity_checked_at) END
      FROM part.migration m
     CROSS JOIN (SELECT part.setting('parity_max_age')::interval AS age) s
     WHERE m.phase <> 'finalized' AND m.method IS DISTINCT FROM 'attach'   -- attach: part._verify_attach_prepare / _history
     ORDER BY m.table_name
$$;

-- monitor/_verify_partitions_ahead.sql
CREATE FUNCTION part._verify_partitions_ahead()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_p        record;
    v_type     regtype;
    v_max      text;
    v_cur      text;
    v_to       text;
    v_missing  text[];
    v_overlap  text;
    v_lim      record;
    v_moduli   integer[];
    v_split    integer;
    v_n        bigint;
    v_cnt      bigint;
BEGIN
/*
 * part.verify()'s check partitions_ahead, one row per managed table:
 * partitions exist for now and premake intervals ahead (integer keys: from
 * the largest key an aligned partition can hold); hash tables: every
 * remainder, and no part.split_hash left half done. Fails for a table in
 * part.config that no longer exists.
 */
    FOR v_p IN SELECT pl.*, c.premake, c."interval", c.key_column, c.partitions, c.time_zone
                 FROM part._maintenance_plan() pl
                 JOIN part.config c ON c.parent_table = pl.parent_table LOOP
        check_name := 'partitions_ahead';
        table_name := v_p.parent_table;
        IF v_p.rel IS NULL THEN
            status := 'fail';
            detail := 'the table does not exist (remove it from part.config, or recreate it)';
            RETURN NEXT;
            CONTINUE;
        END IF;
        v_type := v_p.key_type::regtype;

        IF v_p.strategy = 'hash' THEN
            -- two moduli: a part.split_hash that was interrupted (its capture trigger still logs writes)
            SELECT array_agg(DISTINCT b.modulus ORDER BY b.modulus) INTO v_moduli
              FROM part._partition_bounds(v_p.rel) b;
            -- one modulus, but split tables or capture triggers of an interrupted split_hash (killed, or
            -- stopped by an error, before it split its first old partition): the trigger logs every write
            SELECT max((regexp_match(pg_get_constraintdef(co.oid),
                                                           'satisfies_hash_partition\(\(?''?(\d+)''?\)?::oid, (\d+),'))[2]::integer),
                   count(*)
              INTO v_split, v_n
              FROM pg_constraint co
             WHERE co.conname = 'part_split_check' AND co.contype = 'c'
               AND (regexp_match(pg_get_constraintdef(co.oid), 'satisfies_hash_partition\(\(?''?(\d+)''?\)?::oid'))[1] = v_p.rel::oid::text
               AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = co.conrelid);
            SELECT count(DISTINCT t.tgrelid) INTO v_cnt
              FROM pg_trigger t JOIN pg_inherits i ON i.inhrelid = t.tgrelid
             WHERE i.inhparent = v_p.rel AND t.tgname IN ('part_split_capture', 'part_split_capture_truncate');
            IF cardinality(v_moduli) = 1 AND (v_n > 0 OR v_cnt > 0) THEN
                status := 'fail';
                detail := format('a split of the hash partitions from %s%s was interrupted: %s split table(s) and the capture trigger on %s partition(s) (it logs every write) are left: '
                                            'CALL part.split_hash(%L, %s) to finish it, or CALL part.split_hash(%L, %s) to abandon it',
                                            v_moduli[1], coalesce(' to ' || v_split, ''), v_n, v_cnt,
                                            v_p.parent_table, coalesce(v_split, v_moduli[1] * 2), v_p.parent_table, v_moduli[1]);
                RETURN NEXT;
                CONTINUE;
            END IF;
            status := CASE WHEN v_p.partition_count = v_p.partitions AND cardinality(v_moduli) = 1 THEN 'ok' ELSE 'fail' END;
            detail := CASE WHEN cardinality(v_moduli) > 1
                           THEN format('a split of the hash partitions from %s to %s is unfinished (%s partitions now): CALL part.split_hash(%L, %s) to finish it',
                                                  v_moduli[1], v_moduli[cardinality(v_moduli)], v_p.partition_count,
                                                  v_p.parent_table, v_moduli[cardinality(v_moduli)])
                           ELSE format('%s of %s hash partitions', v_p.partition_count, v_p.partitions) END;
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- partitions for now and premake ahead (integer keys: from the largest key, read here)
        IF v_p.key_type IN ('smallint', 'integer', 'bigint') THEN
            v_lim := part._key_limits(v_type, v_p."interval");
            v_max := part._verify_largest_key(v_p.rel, v_p.key_column, v_type, v_p."interval");
            v_missing := '{}';
            v_cur := part._range_floor(v_max, v_type, v_p."interval");
            FOR i IN 0 .. v_p.premake LOOP
                EXIT WHEN v_cur::numeric >= v_lim.hi::numeric;   -- the type ends
                v_to := part._range_next(v_cur, v_type, v_p."interval");
                IF NOT EXISTS (SELECT 1 FROM part._bounds_all(v_p.rel) b
                                WHERE NOT b.is_default AND b.lo <= v_cur::float8 AND b.hi >= v_to::float8) THEN
                    v_missing := v_missing || v_cur;
                END IF;
                v_cur := v_to;
            END LOOP;
            IF v_missing = '{}' THEN
                v_missing := NULL;
            END IF;
        ELSE
            v_missing := v_p.missing;
        END IF;
        -- partitions made by hand that overlap a missing interval: maintenance cannot create it
        v_overlap := NULL;
        IF v_missing IS NOT NULL THEN
            SELECT string_agg(DISTINCT format('%s [%s, %s)', b.partition_name, b.bound_from, b.bound_to), ', ')
              INTO v_overlap
              FROM unnest(v_missing) s(f)
              JOIN part._partition_bounds(v_p.rel) b ON NOT b.is_default
             WHERE part._bound_ordinal(b.bound_from, v_type)
                       < part._bound_ordinal(part._range_next(s.f, v_type, v_p."interval", v_p.time_zone), v_type)
               AND part._bound_ordinal(b.bound_to, v_type) > part._bound_ordinal(s.f, v_type);
        END IF;
        status := CASE WHEN v_missing IS NULL THEN 'ok' ELSE 'fail' END;
        detail := CASE WHEN v_missing IS NULL
                       THEN format('partitions cover now and %s intervals ahead (up to %s%s)', v_p.premake, v_p.covered_until,
                                        CASE WHEN v_p.time_zone <> 'UTC' AND v_p.covered_until ~ '^\d{4}-'   -- and on the table zone's clocks
                                             THEN format(', %s %s', to_char(v_p.covered_until::timestamptz AT TIME ZONE v_p.time_zone,
                                                                                                 'YYYY-MM-DD HH24:MI'), v_p.time_zone) ELSE '' END)
                       WHEN v_overlap IS NOT NULL
                       THEN format('no partition for the interval(s) starting %s, and maintenance cannot create them: %s overlaps them without covering them '
                                              '(made by hand, not aligned to the %s interval): detach it (ALTER TABLE %s DETACH PARTITION ...), insert its rows back through %s '
                                              '(the default partition keeps them), drop it, then SELECT part.create_ahead(); or attach partitions covering the rest of those intervals yourself',
                                              array_to_string(v_missing, ', '), v_overlap, v_p."interval", v_p.parent_table, v_p.parent_table)
                       ELSE format('no partition for the interval(s) starting %s: run part.create_ahead() or CALL part.run_maintenance()',
                                              array_to_string(v_missing, ', ')) END;
        RETURN NEXT;
    END LOOP;
END
$$;

-- monitor/_verify_retention_cut.sql
CREATE FUNCTION part._verify_retention_cut(p_rel regclass, p_key text, p_type regtype, p_interval text, p_retention text,
                                                   p_time_zone text DEFAULT 'UTC')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cut text;
BEGIN
/*
 * For part.verify()'s checks of a default partition: the start of the
 * interval holding now - retention (integer keys: the largest key, see
 * part._verify_largest_key, minus the retention), as a literal of the key
 * type; rows below it are older than the retention (rows in the interval
 * holding the cutoff are drained too: that partition is not retired yet).
 * NULL when the table keeps everything.
 */
    IF p_retention IS NULL THEN
        RETURN NULL;
    END IF;
    IF p_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        v_cut := (part._verify_largest_key(p_rel, p_key, p_type, p_interval)::numeric
                  - btrim(p_retention)::numeric)::bigint::text;
    ELSE
        v_cut := part._literal(part._zone_minus(p_retention, p_time_zone), p_type);
    END IF;
    RETURN part._range_floor(v_cut, p_type, p_interval, p_time_zone);
END
$$;

-- monitor/_verify_retention_last_run.sql
CREATE FUNCTION part._verify_retention_last_run()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_last record;
    v_why  text;
BEGIN
/*
 * part.verify()'s check retention_last_run, one row when a separate
 * retention job is scheduled or has run: its last part.drop_old() succeeded
 * (a retirement given up on warns). No row otherwise.
 */
    IF part.setting('retention_schedule') = ''
       AND NOT EXISTS (SELECT 1 FROM part.maintenance_log l WHERE l.action = 'retention') THEN
        RETURN;
    END IF;
    SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_last
      FROM part.maintenance_log l WHERE l.action = 'retention'
     ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    IF v_last.outcome = 'failed' THEN
        SELECT string_agg(format('%s: %s', l.parent_table, l.detail), '; ' ORDER BY l.id)
          INTO v_why FROM part.maintenance_log l
         WHERE l.run_id = v_last.run_id AND l.outcome = 'failed' AND l.action <> 'retention';
    END IF;
    RETURN QUERY SELECT 'retention_last_run', NULL::text,
        CASE WHEN v_last.logged_at IS NULL THEN 'warn'
             WHEN v_last.outcome = 'failed' THEN 'fail'
             WHEN EXISTS (SELECT 1 FROM part.maintenance_log l   -- a step given up for this run (lock not obtained)
                         WHERE l.run_id = v_last.run_id AND l.action <> 'retention' AND l.error_code = '55P03') THEN 'warn'
             ELSE 'ok' END,
        CASE WHEN v_last.logged_at IS NULL
                 THEN format('no run of part.drop_old() yet (scheduled %L)', part.setting('retention_schedule'))
             WHEN v_last.outcome = 'failed'
                 THEN format('part.drop_old() at %s failed: %s', v_last.logged_at, coalesce(v_why, v_last.detail))
             ELSE format('part.drop_old() at %s: %s', v_last.logged_at, v_last.detail) END;
END
$$;

-- monitor/_verify_standby.sql
CREATE FUNCTION part._verify_standby()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* part.verify()'s check standby, one row: this server is not a standby (warn on one: maintenance runs on the primary) */
    SELECT 'standby', NULL::text,
           CASE WHEN pg_is_in_recovery() THEN 'warn' ELSE 'ok' END,
           CASE WHEN pg_is_in_recovery()
                THEN 'this server is a standby: maintenance does nothing here (it runs on the primary); these checks read replicated state'
                ELSE 'primary: maintenance runs here' END
$$;

-- monitor/_verify_sync_triggers.sql
CREATE FUNCTION part._verify_sync_triggers()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * part.verify()'s check sync_triggers, one row per migration not
     * finalized: part's own triggers, by identity, on both tables and every
     * partition (part._sync_problems: a partition attached without its sync
     * triggers fails too), enabled for INSERT, UPDATE, DELETE and TRUNCATE.
     */
    SELECT 'sync_triggers', m.table_name,
           CASE WHEN p.problems IS NULL THEN 'ok' ELSE 'fail' END,
           CASE WHEN p.problems IS NULL
                THEN format('writes to %s are mirrored (INSERT, UPDATE, DELETE, TRUNCATE, in every replication role); direct writes to the other table are refused',
                                       to_regclass(CASE WHEN m.phase = 'partitioned' THEN m.partitioned_table ELSE m.legacy_table END))
                ELSE p.problems || format('; run SELECT part.migrate_refresh(%L)', m.table_name) END
      FROM part.migration m
     CROSS JOIN LATERAL (SELECT part._sync_problems(m.table_name) AS problems) p
     WHERE m.phase <> 'finalized' AND m.method IS DISTINCT FROM 'attach'   -- attach: part._verify_attach_prepare / _history
     ORDER BY m.table_name
$$;

-- monitor/_verify_yield.sql
CREATE FUNCTION part._verify_yield()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * part.verify()'s check "yield": backfills and drains pausing for
     * production now (part.pause, written by part._yield_wait), one row each:
     * 'ok' while the pause is shorter than the setting yield_max_wait, 'warn'
     * past it, with the reason; one 'ok' row when nothing pauses. Pauses of
     * sessions that have ended are not counted.
     */
    WITH p AS (
        SELECT p.*, now() - p.since AS paused_for,
               part.setting('yield_max_wait')::interval AS max_wait
          FROM part.pause p
         WHERE EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = p.pid AND (a.backend_start = p.backend_start OR a.backend_start IS NULL OR p.backend_start IS NULL))
    )
    SELECT 'yield', p.table_name,
           CASE WHEN p.paused_for > p.max_wait THEN 'warn' ELSE 'ok' END,
           format('%s paused since %s (%s; pid %s): %s%s', p.work, p.since,
                             date_trunc('second', p.paused_for), p.pid, p.reason,
                             CASE WHEN p.paused_for > p.max_wait
                                  THEN format('; longer than yield_max_wait (%s): it resumes by itself when the reason is gone, or CANCEL it (pg_cancel_backend(%s)) and run it later',
                                                         p.max_wait, p.pid)
                                  ELSE '' END)
      FROM p
    UNION ALL
    SELECT 'yield', NULL, 'ok',
           format('nothing paused for production (yield_on_lock_queue %s, yield_max_replay_lag %s)',
                             part.setting('yield_on_lock_queue'),
                             coalesce(nullif(part.setting('yield_max_replay_lag'), ''), 'off'))
     WHERE NOT EXISTS (SELECT 1 FROM p)
    ORDER BY 2 NULLS FIRST
$$;

-- views

-- monitor/migrations.sql
-- part.migrations: every migration with its backfill progress (rows/s, ETA, pause) and parity.
CREATE VIEW part.migrations AS
SELECT m.table_name,
       m.phase,
       m.strategy,
       m.key_column,
       m.legacy_table,
       m.partitioned_table,
       m.backfill_rows,
       m.backfill_total,
       CASE WHEN m.backfill_finished_at IS NOT NULL THEN 100.0
            WHEN m.backfill_total > 0 THEN pg_catalog.round(least(100.0, 100.0 * m.backfill_rows / m.backfill_total), 1)
       END AS backfill_percent,
       s.rows_per_second AS backfill_rows_per_second,
       -- only while the backfill runs: its last batch is recent (within a minute, or three times
       -- the mean batch time); an interrupted one shows no ETA until it is resumed
       CASE WHEN m.backfill_finished_at IS NULL AND s.rows_per_second > 0 AND m.backfill_total IS NOT NULL
             AND m.backfill_batch_at >= pg_catalog.now() - greatest(interval '1 minute',
                     3 * (m.backfill_batch_at - m.backfill_started_at) / greatest(m.backfill_batches, 1))
            THEN pg_catalog.make_interval(secs => greatest(m.backfill_total - m.backfill_rows, 0) / s.rows_per_second)
       END AS backfill_eta,
       m.backfill_batches,
       m.backfill_last_key,
       m.backfill_started_at,
       m.backfill_finished_at,
       m.parity_clean,
       m.parity_ranges,
       m.parity_differ,
       m.parity_checked_at,
       m.parity_full_at,
       m.started_at,
       m.backfilled_at,
       m.partitioned_at,
       m.rolled_back_at,
       m.finalized_at,
       m.backfill_batch_at,
       y.since AS paused_since,     -- the backfill (or other work on the table) pauses for production
       y.reason AS pause_reason,    -- (part._yield_wait: replay lag, lock queue); NULL while it runs
       -- the attach method: the history partition and its split by maintenance
       m.method,
       m.history_table,
       m.history_from,
       m.history_to,
       m.history_rows,
       m.split_intervals,
       m.split_rows,
       CASE WHEN m.method = 'attach' AND m.phase = 'finalized' THEN 100.0
            WHEN m.method = 'attach' AND m.history_rows > 0
            THEN pg_catalog.round(least(100.0, 100.0 * m.split_rows / m.history_rows), 1) END AS split_percent,
       m.split_started_at,
       m.prepared_at,
       m.split_phase,               -- the online split: copying, checking (per interval), flattening (after the swap)
       m.split_table                -- its copy of the history, one partition per interval
  FROM part.migration m
 CROSS JOIN LATERAL (
       SELECT pg_catalog.round(m.backfill_rows / nullif(extract(epoch FROM
                  coalesce(m.backfill_finished_at, pg_catalog.now()) - m.backfill_started_at), 0))::bigint AS rows_per_second) s
  LEFT JOIN LATERAL (
       -- a pause of a session that still runs (a killed one leaves its row behind)
       SELECT p.since, p.work || ' paused: ' || p.reason AS reason
         FROM part.pause p
        WHERE p.table_name = m.table_name
          AND EXISTS (SELECT 1 FROM pg_catalog.pg_stat_activity a
                       WHERE a.pid = p.pid AND (a.backend_start = p.backend_start OR a.backend_start IS NULL OR p.backend_start IS NULL))
        ORDER BY p.since LIMIT 1) y ON true
 ORDER BY m.table_name;
COMMENT ON VIEW part.migrations IS
    'part: migrations with backfill progress (percent, rows/s, ETA) and parity state';

-- monitor/parity.sql
-- part.parity: one row per migration: the last parity check, summed over its ranges.
CREATE VIEW part.parity AS
SELECT m.table_name,
       m.phase,
       coalesce(r.legacy_rows, 0) AS legacy_rows,
       coalesce(r.partitioned_rows, 0) AS partitioned_rows,
       coalesce(r.ranges, 0) AS ranges,
       coalesce(r.ranges_differ, 0) AS ranges_differ,
       coalesce(k.groups_marked, 0) AS groups_marked,
       m.parity_clean AS clean,
       m.parity_checked_at AS checked_at,
       m.parity_full_at AS full_check_at
  FROM part.migration m
  LEFT JOIN LATERAL (
       SELECT pg_catalog.sum(pr.legacy_rows)::bigint AS legacy_rows, pg_catalog.sum(pr.partitioned_rows)::bigint AS partitioned_rows,
              pg_catalog.count(*)::integer AS ranges, (pg_catalog.count(*) FILTER (WHERE pr.status <> 'ok'))::integer AS ranges_differ
         FROM part.parity_range pr WHERE pr.table_name = m.table_name) r ON true
  LEFT JOIN LATERAL (
       SELECT pg_catalog.count(DISTINCT pm.grp)::integer AS groups_marked
         FROM part.parity_mark pm WHERE pm.table_name = m.table_name) k ON true
 WHERE m.phase <> 'finalized'
 ORDER BY m.table_name;
COMMENT ON VIEW part.parity IS
    'part: parity of each migration as of its last check (groups_marked: written since, not yet re-checked)';

-- monitor/partitions.sql
-- part.partitions: every partition of every managed table, with its bounds and size.
CREATE VIEW part.partitions AS
SELECT c.parent_table,
       b.partition_name,
       c.strategy,
       v.bound_from,
       v.bound_to,
       b.is_default,
       -- NULL: not known yet (never analyzed; autovacuum or ANALYZE fills it in), not 0;
       -- an empty heap file holds no row at all
       CASE WHEN r.reltuples >= 0 THEN r.reltuples::bigint
            WHEN pg_catalog.pg_relation_size(b.partition_oid) = 0 THEN 0 END AS estimated_rows,
       pg_catalog.pg_total_relation_size(b.partition_oid) AS total_bytes,
       -- the bounds typed, to compare and sort (WHERE to_time <= now()): time keys (in UTC for
       -- timestamp and date keys), integer keys, hash modulus and remainder
       CASE WHEN t.is_time AND v.bound_from !~* '^(min|max)value$'
            THEN part._to_utc(v.bound_from, c.key_type::regtype) AT TIME ZONE 'UTC' END AS from_time,
       CASE WHEN t.is_time AND v.bound_to !~* '^(min|max)value$'
            THEN part._to_utc(v.bound_to, c.key_type::regtype) AT TIME ZONE 'UTC' END AS to_time,
       CASE WHEN t.is_int AND v.bound_from ~ '^-?\d+$' THEN v.bound_from::bigint END AS from_int,
       CASE WHEN t.is_int AND v.bound_to ~ '^-?\d+$' THEN v.bound_to::bigint END AS to_int,
       b.modulus,
       b.remainder,
       -- the table's zone (timestamptz keys; 'UTC' else) and the bounds on its clocks: a Paris
       -- day partition runs from local_from 2025-03-30 00:00 to local_to 2025-03-31 00:00
       c.time_zone,
       CASE WHEN c.key_type::regtype = 'timestamp with time zone'::regtype AND v.bound_from !~* '^(min|max)value$'
            THEN v.bound_from::timestamptz AT TIME ZONE c.time_zone END AS local_from,
       CASE WHEN c.key_type::regtype = 'timestamp with time zone'::regtype AND v.bound_to !~* '^(min|max)value$'
            THEN v.bound_to::timestamptz AT TIME ZONE c.time_zone END AS local_to
  FROM part.config c
 CROSS JOIN LATERAL part._partition_bounds(part._managed_rel(c.parent_table)) b
  JOIN pg_catalog.pg_class r ON r.oid = b.partition_oid
 CROSS JOIN LATERAL (SELECT part._normalize_bound(b.bound_from, c.key_type::regtype) AS bound_from,
                            part._normalize_bound(b.bound_to, c.key_type::regtype) AS bound_to) v
 CROSS JOIN LATERAL (SELECT c.key_type::regtype IN ('timestamp with time zone'::regtype,
                                'timestamp without time zone'::regtype, 'date'::regtype) AS is_time,
                            c.key_type::regtype IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) AS is_int) t
 ORDER BY c.parent_table, b.is_default, part._bound_ordinal(b.bound_from, c.key_type::regtype), b.remainder;
COMMENT ON VIEW part.partitions IS
    'part: partitions of the managed tables: bounds as text literals of the key type (range), and typed: from_time/to_time (time keys, timestamptz), from_int/to_int (integer keys), modulus/remainder (hash); time_zone and local_from/local_to (timestamptz keys: the bounds on the clocks of the table zone); estimated_rows NULL when not known yet';

-- data

-- settings/default_settings.sql
-- Default settings. `version` is the installed version.
INSERT INTO part.settings (key, value, description) VALUES
    ('version', '0.2.0', 'installed version of part'),
    ('enable_partition_maintenance', 'true', 'false: maintenance runs are logged no-ops'),
    ('log_partition_routing', 'false', 'true: NOTICEs for sync and maintenance decisions')
ON CONFLICT (key) DO NOTHING;

-- settings/settings_restore_trigger.sql
-- Restoring a dump replaces default settings instead of failing (see part._settings_restore).
CREATE TRIGGER settings_restore BEFORE INSERT ON part.settings
    FOR EACH ROW EXECUTE FUNCTION part._settings_restore();

-- privileges
REVOKE ALL ON SCHEMA part FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA part FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA part FROM PUBLIC;
REVOKE ALL ON ALL ROUTINES IN SCHEMA part FROM PUBLIC;
GRANT EXECUTE ON FUNCTION part._sync_active() TO PUBLIC;

GRANT USAGE ON SCHEMA part TO pg_monitor;
GRANT EXECUTE ON FUNCTION part.verify(), part.metrics(boolean) TO pg_monitor;
-- the view part.partitions calls these (a view's functions run with the reader's rights); all read only
GRANT EXECUTE ON FUNCTION part._partition_bounds(regclass), part._normalize_bound(text, regtype),
                          part._bound_ordinal(text, regtype), part._to_utc(text, regtype),
                          part._literal(timestamp, regtype), part._managed_rel(text) TO pg_monitor;
GRANT SELECT ON part.partitions, part.migrations, part.parity TO pg_monitor;
