CREATE FUNCTION {{ schema }}._sync_trigger_events(p_rel regclass, p_enabled_only boolean DEFAULT true)
    RETURNS text[]
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The events (INSERT, UPDATE, DELETE, TRUNCATE) that part's sync triggers
     * on p_rel fire on, in that order: the user triggers of p_rel whose name or
     * function name contains "sync" (the names part.migrate_start gives them),
     * only the enabled ones unless p_enabled_only is false.
     */
    SELECT coalesce(pg_catalog.array_agg(e.ev ORDER BY e.n), '{}')
      FROM (VALUES (1, 'INSERT', 4), (2, 'UPDATE', 16), (3, 'DELETE', 8), (4, 'TRUNCATE', 32)) AS e(n, ev, bit)
     WHERE EXISTS (SELECT 1
                     FROM pg_catalog.pg_trigger t
                     JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
                    WHERE t.tgrelid = p_rel AND NOT t.tgisinternal
                      AND (t.tgname ILIKE '%sync%' OR p.proname ILIKE '%sync%')
                      AND (NOT p_enabled_only OR t.tgenabled <> 'D')
                      AND (t.tgtype::integer & e.bit) <> 0)
$$;
