CREATE FUNCTION {{ schema }}._sync_triggers(p_rel regclass, p_function text, p_argument text,
                                            p_after_truncate boolean, p_before_truncate boolean,
                                            p_guard boolean DEFAULT false)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_sql  text := $tmpl$
{% include 'sync/sync_triggers.sql' %}
$tmpl$;
    v_dml  text;
BEGIN
/*
 * Create (or replace) the sync triggers of one table from
 * templates/sync/sync_triggers.sql: the INSERT, UPDATE and DELETE triggers
 * with transition tables, the AFTER / BEFORE TRUNCATE ones and the guard
 * as asked.
 */
    v_sql := pg_catalog.replace(v_sql, '@table@', p_rel::text);
    v_sql := pg_catalog.replace(v_sql, '@function@', p_function);
    v_sql := pg_catalog.replace(v_sql, '@argument@', p_argument);
    v_dml := pg_catalog.split_part(v_sql, '--after-truncate', 1);
    EXECUTE v_dml;
    IF p_after_truncate THEN
        EXECUTE pg_catalog.split_part(pg_catalog.split_part(v_sql, '--after-truncate', 2), '--before-truncate', 1);
    END IF;
    IF p_before_truncate THEN
        EXECUTE pg_catalog.split_part(pg_catalog.split_part(v_sql, '--before-truncate', 2), '--guard', 1);
    END IF;
    IF p_guard THEN
        EXECUTE pg_catalog.split_part(v_sql, '--guard', 2);
    END IF;
END
$$;
