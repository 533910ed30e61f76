CREATE FUNCTION part._verify_maintenance_last_run()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_sched   text := part.setting('maintenance_schedule');
    v_enabled boolean := part.setting('enable_partition_maintenance')::boolean;
    v_period  interval;
    v_last    record;
    v_why     text;
BEGIN
/*
 * part.verify()'s check maintenance_last_run, one row: the last run that
 * did its work (skipped runs are not) succeeded for every table, within
 * twice the scheduled period; a run that gave up on a step warns.
 */
    SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_last
      FROM part.maintenance_log l
     WHERE l.action = 'run' AND l.outcome <> 'skipped'
     ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    IF v_sched <> '' THEN
        v_period := part._cron_period(v_sched);
    END IF;
    IF v_last.outcome = 'failed' THEN
        SELECT string_agg(format('%s %s: %s', l.parent_table, l.action, l.detail), '; ' ORDER BY l.id)
          INTO v_why FROM part.maintenance_log l WHERE l.run_id = v_last.run_id AND l.outcome = 'failed' AND l.action <> 'run';
    END IF;
    RETURN QUERY SELECT 'maintenance_last_run', NULL::text,
        CASE WHEN v_last.logged_at IS NULL THEN 'warn'
             WHEN v_last.outcome = 'failed' THEN 'fail'
             WHEN v_enabled AND v_period IS NOT NULL AND v_last.logged_at < now() - 2 * v_period THEN 'fail'
             WHEN EXISTS (SELECT 1 FROM part.maintenance_log l   -- a step given up for this run: a lock not
                         WHERE l.run_id = v_last.run_id AND l.action <> 'run'   -- obtained, or a drain paused for production
                           AND (l.error_code = '55P03' OR (l.action = 'drain' AND l.outcome = 'skipped'))) THEN 'warn'
             ELSE 'ok' END,
        CASE WHEN v_last.logged_at IS NULL THEN 'no maintenance run yet'
             WHEN v_last.outcome = 'failed' THEN format('run %s at %s failed: %s', v_last.run_id, v_last.logged_at, coalesce(v_why, v_last.detail))
             WHEN v_enabled AND v_period IS NOT NULL AND v_last.logged_at < now() - 2 * v_period
                 THEN format('run %s at %s is older than twice the schedule''s period (%L, every %s): see maintenance_heartbeat; it said: %s',
                                        v_last.run_id, v_last.logged_at, v_sched, v_period, v_last.detail)
             ELSE format('run %s at %s: %s', v_last.run_id, v_last.logged_at, v_last.detail) END;
END
$$;
