CREATE FUNCTION part._maintenance_txn(p_run_id bigint)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * Settings of one transaction of part.run_maintenance (they end with it):
 * the run id that part.drop_old writes into its log rows, and a lock_timeout
 * of 2 s for any lock part._lock does not take itself, so that maintenance
 * never queues unbounded behind a long transaction.
 */
    PERFORM set_config('part.run_id', p_run_id::text, true);
    PERFORM set_config('lock_timeout', '2s', true);
END
$$;
