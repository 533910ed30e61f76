CREATE FUNCTION part._verify_yield()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * part.verify()'s check "yield": backfills and drains pausing for
     * production now (part.pause, written by part._yield_wait), one row each:
     * 'ok' while the pause is shorter than the setting yield_max_wait, 'warn'
     * past it, with the reason; one 'ok' row when nothing pauses. Pauses of
     * sessions that have ended are not counted.
     */
    WITH p AS (
        SELECT p.*, now() - p.since AS paused_for,
               part.setting('yield_max_wait')::interval AS max_wait
          FROM part.pause p
         WHERE EXISTS (SELECT 1 FROM pg_stat_activity a
                        WHERE a.pid = p.pid AND (a.backend_start = p.backend_start OR a.backend_start IS NULL OR p.backend_start IS NULL))
    )
    SELECT 'yield', p.table_name,
           CASE WHEN p.paused_for > p.max_wait THEN 'warn' ELSE 'ok' END,
           format('%s paused since %s (%s; pid %s): %s%s', p.work, p.since,
                             date_trunc('second', p.paused_for), p.pid, p.reason,
                             CASE WHEN p.paused_for > p.max_wait
                                  THEN format('; longer than yield_max_wait (%s): it resumes by itself when the reason is gone, or CANCEL it (pg_cancel_backend(%s)) and run it later',
                                                         p.max_wait, p.pid)
                                  ELSE '' END)
      FROM p
    UNION ALL
    SELECT 'yield', NULL, 'ok',
           format('nothing paused for production (yield_on_lock_queue %s, yield_max_replay_lag %s)',
                             part.setting('yield_on_lock_queue'),
                             coalesce(nullif(part.setting('yield_max_replay_lag'), ''), 'off'))
     WHERE NOT EXISTS (SELECT 1 FROM p)
    ORDER BY 2 NULLS FIRST
$$;
