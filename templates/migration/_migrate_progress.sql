CREATE FUNCTION part._migrate_progress(p_table_name text, p_done bigint, p_total bigint, p_start_rows bigint,
                                               p_started timestamptz, p_finished boolean)
    RETURNS void
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_secs  numeric := greatest(extract(epoch FROM clock_timestamp() - p_started), 0.000001);
    v_rate  numeric := (p_done - p_start_rows) / v_secs;
    v_total bigint := greatest(p_total, p_done);
BEGIN
/*
 * The progress NOTICEs of part.migrate_to's backfill (pginstall migrate draws
 * its progress bar from them): while it runs
 *   part: <table>: backfill <done>/<total> rows (<percent>%), <rows/s> rows/s[, ETA <interval>]
 * (total: the rows to copy as estimated when the backfill began), and at the end
 *   part: <table>: backfill done, <done> rows in all; <copied> copied now in <s> s (<rows/s> rows/s)
 * p_start_rows and p_started: the rows done and the time when this call began.
 */
    IF p_finished THEN
        RAISE NOTICE 'part: %: backfill done, % rows in all; % copied now in % s (% rows/s)', p_table_name, p_done,
                     p_done - p_start_rows, round(v_secs, 3), round(v_rate);
        RETURN;
    END IF;
    RAISE NOTICE 'part: %: backfill %/% rows (%), % rows/s%', p_table_name, p_done, v_total,
                 CASE WHEN v_total > 0 THEN round(100.0 * p_done / v_total) ELSE 0 END::text || '%', round(v_rate),
                 CASE WHEN v_rate > 0 AND v_total > p_done
                      THEN ', ETA ' || make_interval(secs => round((v_total - p_done) / v_rate))::text
                      ELSE '' END;
END
$$;
