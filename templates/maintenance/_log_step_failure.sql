CREATE FUNCTION part._log_step_failure(p_run bigint, p_parent text, p_step text, p_started timestamptz,
                                               p_state text, p_message text, p_detail text)
    RETURNS void
    LANGUAGE sql
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The maintenance_log row of a maintenance step that did not complete: a
     * lock not obtained within the retries (55P03) is 'skipped' (it will be
     * tried again next run), anything else 'failed'; the error in detail,
     * its SQLSTATE in error_code (part.verify reads that, not the text).
     */
    INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail, error_code)
    VALUES (p_run, p_parent, p_step, clock_timestamp() - p_started,
            CASE WHEN p_state = '55P03' THEN 'skipped' ELSE 'failed' END,
            p_state || ': ' || p_message || coalesce(' ' || p_detail, ''), p_state)
$$;
