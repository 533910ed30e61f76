CREATE PROCEDURE part._yield_wait(
    p_table          text,
    p_work           text,
    p_rels           regclass[],
    p_give_up        boolean,
    INOUT p_waited   interval DEFAULT NULL,
    INOUT p_gave_up  text DEFAULT NULL
)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_reason  text;
    v_since   timestamptz;
    v_max     interval;
    v_shown   timestamptz;
BEGIN
/*
 * The pause of a batch loop for production: called between two batches
 * (after the caller's COMMIT: it must hold no lock on the user's tables),
 * it returns at once (p_waited NULL) unless part._yield_reason(p_rels) gives
 * a reason to pause. Then it records the pause in part.pause (p_table,
 * p_work, since, reason: part.migrations and part.verify() show it), says
 * so (NOTICE), COMMITs, and reads the reason again every second, in
 * transactions that hold no lock and no snapshot between reads, until it
 * is gone; it then deletes the record and returns how long it waited
 * (p_waited). p_give_up: once the pause has lasted the setting
 * yield_max_wait, it stops waiting and returns the reason in p_gave_up
 * (run_maintenance then leaves the table to its next run); without it, it
 * waits on (a backfill: part.verify() warns past yield_max_wait).
 * It COMMITs: CALL it only from a procedure that commits between batches.
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    p_waited := NULL;
    p_gave_up := NULL;
    v_reason := part._yield_reason(p_rels);
    IF v_reason IS NULL THEN
        RETURN;
    END IF;
    v_since := pg_catalog.clock_timestamp();
    v_max := part.setting('yield_max_wait')::interval;
    INSERT INTO part.pause AS p (table_name, work, since, reason, pid, backend_start, checked_at)
    VALUES (p_table, p_work, v_since, v_reason, pg_catalog.pg_backend_pid(),
            (SELECT a.backend_start FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()), v_since)
    ON CONFLICT (table_name, work) DO UPDATE
       SET since = EXCLUDED.since, reason = EXCLUDED.reason, pid = EXCLUDED.pid,
           backend_start = EXCLUDED.backend_start, checked_at = EXCLUDED.checked_at;
    RAISE NOTICE 'part: % of % paused: %', p_work, p_table, v_reason
        USING HINT = 'It resumes by itself when the reason is gone; see part.migrations and part.verify().';
    COMMIT;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    v_shown := v_since;
    LOOP
        PERFORM pg_catalog.pg_sleep(1);
        v_reason := part._yield_reason(p_rels);
        EXIT WHEN v_reason IS NULL;
        IF p_give_up AND pg_catalog.clock_timestamp() - v_since >= v_max THEN
            p_gave_up := pg_catalog.format('paused for %s (yield_max_wait %s): %s',
                                           pg_catalog.date_trunc('second', pg_catalog.clock_timestamp() - v_since), v_max, v_reason);
            EXIT;
        END IF;
        -- the current reason, at most every 10 s (a row written every second would add WAL itself)
        IF pg_catalog.clock_timestamp() - v_shown >= interval '10 seconds' THEN
            v_shown := pg_catalog.clock_timestamp();
            UPDATE part.pause p SET reason = v_reason, checked_at = v_shown
             WHERE p.table_name = p_table AND p.work = p_work;
        END IF;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END LOOP;
    p_waited := pg_catalog.clock_timestamp() - v_since;
    DELETE FROM part.pause p WHERE p.table_name = p_table AND p.work = p_work AND p.pid = pg_catalog.pg_backend_pid();
    IF p_gave_up IS NULL THEN
        RAISE NOTICE 'part: % of % resumed after a pause of %', p_work, p_table, pg_catalog.date_trunc('second', p_waited);
    END IF;
    COMMIT;
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
END
$$;
