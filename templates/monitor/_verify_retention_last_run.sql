CREATE FUNCTION part._verify_retention_last_run()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_last record;
    v_why  text;
BEGIN
/*
 * part.verify()'s check retention_last_run, one row when a separate
 * retention job is scheduled or has run: its last part.drop_old() succeeded
 * (a retirement given up on warns). No row otherwise.
 */
    IF part.setting('retention_schedule') = ''
       AND NOT EXISTS (SELECT 1 FROM part.maintenance_log l WHERE l.action = 'retention') THEN
        RETURN;
    END IF;
    SELECT l.logged_at, l.outcome, l.detail, l.run_id INTO v_last
      FROM part.maintenance_log l WHERE l.action = 'retention'
     ORDER BY l.logged_at DESC, l.id DESC LIMIT 1;
    IF v_last.outcome = 'failed' THEN
        SELECT string_agg(format('%s: %s', l.parent_table, l.detail), '; ' ORDER BY l.id)
          INTO v_why FROM part.maintenance_log l
         WHERE l.run_id = v_last.run_id AND l.outcome = 'failed' AND l.action <> 'retention';
    END IF;
    RETURN QUERY SELECT 'retention_last_run', NULL::text,
        CASE WHEN v_last.logged_at IS NULL THEN 'warn'
             WHEN v_last.outcome = 'failed' THEN 'fail'
             WHEN EXISTS (SELECT 1 FROM part.maintenance_log l   -- a step given up for this run (lock not obtained)
                         WHERE l.run_id = v_last.run_id AND l.action <> 'retention' AND l.error_code = '55P03') THEN 'warn'
             ELSE 'ok' END,
        CASE WHEN v_last.logged_at IS NULL
                 THEN format('no run of part.drop_old() yet (scheduled %L)', part.setting('retention_schedule'))
             WHEN v_last.outcome = 'failed'
                 THEN format('part.drop_old() at %s failed: %s', v_last.logged_at, coalesce(v_why, v_last.detail))
             ELSE format('part.drop_old() at %s: %s', v_last.logged_at, v_last.detail) END;
END
$$;
