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
