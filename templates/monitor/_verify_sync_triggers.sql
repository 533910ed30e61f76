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
