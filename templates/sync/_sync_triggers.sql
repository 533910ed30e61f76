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
{% include 'sync/generated/triggers_dml.sql' %}
$tmpl$, v_values);
    IF p_after_truncate THEN
        EXECUTE part._render($tmpl$
{% include 'sync/generated/trigger_after_truncate.sql' %}
$tmpl$, v_values);
    END IF;
    IF p_before_truncate THEN
        EXECUTE part._render($tmpl$
{% include 'sync/generated/trigger_before_truncate.sql' %}
$tmpl$, v_values);
    END IF;
    IF p_guard THEN
        EXECUTE part._render($tmpl$
{% include 'sync/generated/trigger_guard.sql' %}
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
