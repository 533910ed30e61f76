CREATE FUNCTION part._sync_function_name(p_table_name text, p_direction text)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The qualified name of a sync trigger function, in the application
     * table's own schema: <table>_sync_to_partitioned (legacy -> partitioned)
     * or <table>_sync_to_legacy (partitioned -> legacy).
     */
    SELECT format('%I.%I', p[1], part._partition_name(p[2], 'sync_to_' || p_direction))
      FROM parse_ident(p_table_name) AS p
$$;
