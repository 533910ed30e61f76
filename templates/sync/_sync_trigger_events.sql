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
