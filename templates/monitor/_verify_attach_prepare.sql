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
