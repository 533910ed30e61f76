CREATE FUNCTION part._sync_state(p_table_name text, p_lock boolean DEFAULT false)
    RETURNS TABLE(phase text, backfill_last_key text, backfill_high_key text, backfill_finished_at timestamptz)
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * What a sync trigger needs to know about its migration: the phase and the
 * backfill's position. SECURITY DEFINER: the application's roles need no
 * privilege on part's catalog. p_lock locks the row FOR SHARE, which in
 * a REPEATABLE READ or SERIALIZABLE transaction fails with 40001 when a
 * backfill batch committed after the transaction's snapshot.
 */
    IF p_lock THEN
        RETURN QUERY SELECT m.phase, m.backfill_last_key, m.backfill_high_key, m.backfill_finished_at
                       FROM part.migration m WHERE m.table_name = p_table_name FOR SHARE;
    ELSE
        RETURN QUERY SELECT m.phase, m.backfill_last_key, m.backfill_high_key, m.backfill_finished_at
                       FROM part.migration m WHERE m.table_name = p_table_name;
    END IF;
END
$$;
