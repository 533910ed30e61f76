CREATE FUNCTION part._verify_maintenance_heartbeat()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_sched   text := part.setting('maintenance_schedule');
    v_enabled boolean := part.setting('enable_partition_maintenance')::boolean;
    v_period  interval;
    v_hb      record;
    v_skips   record;
    v_holder  record;
    v_since   timestamptz;
    v_note    text;
BEGIN
/*
 * part.verify()'s check maintenance_heartbeat, one row: a run that did its
 * work within twice the scheduled period (no run yet, not scheduled or
 * disabled: warn). Skipped runs are no heartbeat: runs skipped because a
 * session holds the maintenance lock (a run cancelled in a session that
 * stays open) warn, then fail, naming that session.
 */
    SELECT l.logged_at INTO v_hb
      FROM part.maintenance_log l
     WHERE l.action = 'run' AND l.outcome <> 'skipped'
     ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    SELECT count(*) AS n, min(l.logged_at) AS first, max(l.logged_at) AS last INTO v_skips
      FROM part.maintenance_log l
     WHERE l.action = 'run' AND l.outcome = 'skipped' AND l.logged_at > coalesce(v_hb.logged_at, '-infinity');
    -- the session holding the maintenance lock (part.run_maintenance's advisory lock 1885434484, 1)
    SELECT a.pid, a.state, a.state_change INTO v_holder
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1885434484 AND l.objid = 1 AND l.objsubid = 2
       AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
     LIMIT 1;
    IF v_sched <> '' THEN
        v_period := part._cron_period(v_sched);
    END IF;
    v_since := coalesce(v_hb.logged_at, CASE WHEN v_skips.n > 0 THEN v_skips.first END);
    v_note := CASE WHEN v_skips.n > 0 AND v_holder.pid IS NOT NULL
                   THEN format('; the %s runs since were skipped: pid %s holds the maintenance lock (%s since %s); a run cancelled in a session that stays open keeps it until that session ends: if that session is not running maintenance, SELECT pg_catalog.pg_terminate_backend(%s)',
                                          v_skips.n, v_holder.pid, v_holder.state, v_holder.state_change, v_holder.pid)
                   WHEN v_skips.n > 0
                   THEN format('; the %s runs since were skipped (the last at %s; see part.maintenance_log)', v_skips.n, v_skips.last)
                   ELSE '' END;
    RETURN QUERY SELECT 'maintenance_heartbeat', NULL::text,
        CASE WHEN NOT v_enabled THEN 'warn'
             WHEN v_since IS NULL THEN 'warn'
             WHEN v_period IS NULL THEN 'warn'
             WHEN v_since < now() - 2 * v_period THEN 'fail'
             WHEN v_skips.n > 0 AND v_holder.pid IS NOT NULL AND v_holder.state IS DISTINCT FROM 'active' THEN 'warn'
             WHEN v_hb.logged_at IS NULL THEN 'warn'
             ELSE 'ok' END,
        CASE WHEN NOT v_enabled THEN 'maintenance is disabled (enable_partition_maintenance = false)'
             WHEN v_since IS NULL AND v_period IS NULL
                 THEN 'no maintenance run yet, and none scheduled: run pginstall apply (with pg_cron) or CALL part.run_maintenance()'
             WHEN v_since IS NULL THEN format('no maintenance run yet (scheduled %L)', v_sched)
             WHEN v_period IS NULL
                 THEN format('last run %s; maintenance is not scheduled (no pg_cron job registered by pginstall apply)%s',
                                        coalesce(v_hb.logged_at::text, 'none that did its work'), v_note)
             WHEN v_since < now() - 2 * v_period
                 THEN format('last run that did its work: %s; none for more than twice the schedule''s period (%L, every %s)%s',
                                        coalesce(v_hb.logged_at::text, 'none'), v_sched, v_period,
                                        CASE WHEN v_note = '' THEN ': is the pg_cron job running?' ELSE v_note END)
             ELSE format('last run %s (scheduled %L)%s', coalesce(v_hb.logged_at::text, 'none that did its work'), v_sched, v_note) END;
END
$$;
