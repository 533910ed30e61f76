CREATE FUNCTION {{ schema }}._sync_function_sql(p_m {{ schema }}.migration, p_source regclass, p_target regclass, p_function text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy     regclass := pg_catalog.to_regclass(p_m.legacy_table);
    v_cols       text[] := {{ schema }}._sync_columns(p_source, p_target, true);
    v_target_key text[];
    v_set        text[];
    v_sql        text;
BEGIN
/*
 * The CREATE FUNCTION statement of the sync trigger function p_function that
 * mirrors writes of p_source into p_target: templates/sync/sync_function.sql
 * with its @names@ filled in from the live catalog.
 */
    v_target_key := CASE WHEN p_target = v_legacy THEN p_m.legacy_key ELSE p_m.partitioned_key END;
    -- columns an upsert sets: not the key, not an identity column PostgreSQL generates ALWAYS
    SELECT pg_catalog.array_agg(c ORDER BY o) INTO v_set
      FROM pg_catalog.unnest(v_cols) WITH ORDINALITY AS u(c, o)
     WHERE NOT c = ANY (v_target_key)
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = p_target AND a.attname = u.c AND a.attidentity = 'a');

    v_sql := $tmpl$
{% include 'sync/sync_function.sql' %}
$tmpl$;
    v_sql := pg_catalog.replace(v_sql, '@function@', p_function);
    v_sql := pg_catalog.replace(v_sql, '@source@', {{ schema }}._qualified(p_source));
    v_sql := pg_catalog.replace(v_sql, '@target@', {{ schema }}._qualified(p_target));
    v_sql := pg_catalog.replace(v_sql, '@table_literal@', pg_catalog.quote_literal(p_m.table_name));
    v_sql := pg_catalog.replace(v_sql, '@table@', p_m.table_name);
    v_sql := pg_catalog.replace(v_sql, '@columns@', {{ schema }}._sql_columns(v_cols));
    v_sql := pg_catalog.replace(v_sql, '@overriding@',
        CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                           WHERE a.attrelid = p_target AND a.attnum > 0 AND NOT a.attisdropped
                             AND a.attidentity <> '' AND a.attname = ANY (v_cols))
             THEN 'OVERRIDING SYSTEM VALUE' ELSE '' END);
    v_sql := pg_catalog.replace(v_sql, '@target_key@', {{ schema }}._sql_columns(v_target_key));
    v_sql := pg_catalog.replace(v_sql, '@on_conflict@',
        CASE WHEN v_set IS NULL THEN 'DO NOTHING' ELSE 'DO UPDATE SET ' || {{ schema }}._sql_columns(v_set, NULL, 'set') END);
    v_sql := pg_catalog.replace(v_sql, '@match_t_o@', {{ schema }}._sql_columns(v_target_key, 't', 'match:o'));
    v_sql := pg_catalog.replace(v_sql, '@copy_match_n_o@', {{ schema }}._sql_columns(p_m.partitioned_key, 'n', 'match:o'));
    v_sql := pg_catalog.replace(v_sql, '@match_n_o@', {{ schema }}._sql_columns(v_target_key, 'n', 'match:o'));
    v_sql := pg_catalog.replace(v_sql, '@legacy_key_o@', {{ schema }}._sql_columns(p_m.legacy_key, 'o', 'row'));
    v_sql := pg_catalog.replace(v_sql, '@last_key@', {{ schema }}._key_from_text_sql(v_legacy, p_m.legacy_key, 'v_m.backfill_last_key'));
    v_sql := pg_catalog.replace(v_sql, '@high_key@', {{ schema }}._key_from_text_sql(v_legacy, p_m.legacy_key, 'v_m.backfill_high_key'));
    v_sql := pg_catalog.replace(v_sql, '@gate@', {{ schema }}._migration_lock(p_m.table_name, 'gate'));
    v_sql := pg_catalog.replace(v_sql, '@group_n@', {{ schema }}._group_sql(p_m, pg_catalog.format('n.%I', p_m.key_column)));
    v_sql := pg_catalog.replace(v_sql, '@group_o@', {{ schema }}._group_sql(p_m, pg_catalog.format('o.%I', p_m.key_column)));
    v_sql := pg_catalog.replace(v_sql, '@group_text@', {{ schema }}._group_text_sql(p_m, 'd.g'));
    RETURN v_sql;
END
$$;
