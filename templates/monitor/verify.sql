CREATE FUNCTION part.verify()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql
    SECURITY DEFINER STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The health of part in this database, one row per check (and per table
     * where a check is about tables); status 'ok', 'warn' or 'fail'. Each
     * check is a function of its own (part._verify_<check>, with its pgTAP
     * file tests/sql/verify_<check>.sql); this composes them, managed tables
     * first (each table's rows together), then migrations, then the database:
     *   partitions_ahead      partitions exist for now and premake intervals ahead
     *                         (hash: every remainder, and no split_hash left half done);
     *   default_empty         no row waits in a default partition;
     *   default_retention     no row older than the retention sits in a default;
     *   index_build           online index builds of part.create_index: the parent's
     *                         index is valid (unfinished: warn while building, else fail);
     *   attach_prepare, attach_history  migrations of the attach method (no sync, no
     *                         parity): preparation, then the history partition's split;
     *   sync_triggers         migrations: sync triggers present and enabled on both
     *                         tables and every partition;
     *   column_drift          migrations: both tables have the same columns and types,
     *                         and the sync was generated for them;
     *   parity_stale          migrations: the last parity check is clean and recent;
     *   maintenance_heartbeat a run that did its work within twice the scheduled period;
     *   maintenance_last_run  the last run that did its work succeeded for every table;
     *   retention_last_run    the last run of the separate retention job succeeded;
     *   yield                 backfills and drains pausing for production (replay lag,
     *                         lock queue): warn past yield_max_wait;
     *   standby               this server is not a standby.
     * Read-only: works on a standby. SECURITY DEFINER so that pg_monitor can
     * run it (it reads the managed tables' default partitions).
     */
    SELECT c.check_name, c.table_name, c.status, c.detail
      FROM (SELECT 1 AS section, 1 AS ord, * FROM part._verify_partitions_ahead()
            UNION ALL SELECT 1, 2, * FROM part._verify_default_empty()
            UNION ALL SELECT 1, 3, * FROM part._verify_default_retention()
            UNION ALL SELECT 2, 0, * FROM part._verify_attach_prepare()
            UNION ALL SELECT 2, 0, * FROM part._verify_attach_history()
            UNION ALL SELECT 2, 1, * FROM part._verify_sync_triggers()
            UNION ALL SELECT 2, 2, * FROM part._verify_column_drift()
            UNION ALL SELECT 2, 3, * FROM part._verify_parity_stale()
            UNION ALL SELECT 3, 1, * FROM part._verify_maintenance_heartbeat()
            UNION ALL SELECT 3, 2, * FROM part._verify_maintenance_last_run()
            UNION ALL SELECT 3, 3, * FROM part._verify_retention_last_run()
            UNION ALL SELECT 1, 4, * FROM part._verify_index_build()
            UNION ALL SELECT 3, 4, * FROM part._verify_yield()
            UNION ALL SELECT 3, 5, * FROM part._verify_standby()) c
     ORDER BY c.section, c.table_name, c.ord
$$;
COMMENT ON FUNCTION part.verify IS
    'part: the health of part in this database, one row per check (and table): check_name, table_name, status ok | warn | fail, and detail saying what to do. Each check is a function part._verify_<check_name>. pg_monitor may run it.';
