CREATE FUNCTION part._setting_keys()
    RETURNS TABLE(key text, kind text, read_only boolean, default_value text, description text)
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Every key part.settings knows, with its kind (how set_setting checks a
     * value), whether it is read-only, its default and what it does. The one
     * list that part.setting, part.set_setting and pginstall flags read.
     */
    VALUES
        ('version', 'text', true, NULL,
         'installed version of part (read-only: changed by pginstall apply or ALTER EXTENSION part UPDATE)'),
        ('use_partitioned_tables', 'boolean', true, NULL,
         'derived, read-only: true when every migration of this database is in partitioned or finalized'),
        ('enable_partition_maintenance', 'boolean', false, 'true',
         'false: maintenance runs are logged no-ops'),
        ('log_partition_routing', 'boolean', false, 'false',
         'true: NOTICEs for sync and maintenance decisions'),
        ('maintenance_schedule', 'cron', false, '',
         'pg_cron schedule of part.run_maintenance() for this database (written by pginstall apply; '''' = not scheduled)'),
        ('retention_schedule', 'cron', false, '',
         'separate pg_cron schedule of part.drop_old(); when set, run_maintenance leaves retention to it'),
        ('parity_max_age', 'interval', false, '1 day',
         'part.verify() calls parity stale when the last parity check of a migration is older than this'),
        ('yield_max_replay_lag', 'size', false, '',
         'the backfill and the default drain pause while a standby''s replay is more than this many bytes of WAL behind (e.g. ''256MB''; '''' = off)'),
        ('yield_on_lock_queue', 'boolean', false, 'true',
         'true: the backfill and the default drain pause while other sessions wait for a lock on the table'),
        ('yield_max_wait', 'interval', false, '5 minutes',
         'a pause longer than this: run_maintenance leaves that table''s drain to its next run, a backfill keeps waiting, part.verify() warns')
$$;
