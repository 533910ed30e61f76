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
