CREATE FUNCTION {{ schema }}._session_state()
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * What code run by part.run_as_owner could leave behind in this session
     * for whoever uses it next: settings set for the session (search_path,
     * part.*, ...) and objects in this session's temporary schema (which
     * name lookups search first). Compared before and after that code runs.
     */
    SELECT coalesce((SELECT pg_catalog.string_agg(s.name || '=' || coalesce(s.setting, ''), ',' ORDER BY s.name)
                       FROM pg_catalog.pg_settings s WHERE s.source = 'session'), '')
        || '|' || (SELECT pg_catalog.count(*) FROM pg_catalog.pg_class c WHERE c.relnamespace = pg_catalog.pg_my_temp_schema())
        || '|' || (SELECT pg_catalog.count(*) FROM pg_catalog.pg_type t WHERE t.typnamespace = pg_catalog.pg_my_temp_schema())
        || '|' || (SELECT pg_catalog.count(*) FROM pg_catalog.pg_proc p WHERE p.pronamespace = pg_catalog.pg_my_temp_schema())
        || '|' || (SELECT pg_catalog.count(*) FROM pg_catalog.pg_operator o WHERE o.oprnamespace = pg_catalog.pg_my_temp_schema())
$$;
