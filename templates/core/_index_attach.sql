CREATE FUNCTION part._index_attach(p_parent_index regclass, p_index regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_wait     interval := coalesce(nullif(current_setting('part.lock_wait', true), '')::interval, interval '10 s');
    v_deadline timestamptz := clock_timestamp() + v_wait;
    v_saved    text := current_setting('lock_timeout');
    v_long     text;
    v_tries    integer := 0;
    v_said     boolean := false;
BEGIN
/*
 * ALTER INDEX p_parent_index ATTACH PARTITION p_index, under part's lock
 * discipline (as part._lock_all, which cannot lock an index): the attach
 * takes ACCESS EXCLUSIVE on the partition's index, which every writer of
 * that partition opens. While a transaction older than 50 ms holds a lock on
 * that index, do not queue behind it (writers would queue behind us): sleep
 * 10 to 30 ms and look again; otherwise try with lock_timeout 50 ms. The
 * budget is part.lock_wait (10 s); then 55P03 naming the sessions in the way.
 */
    LOOP
        SELECT string_agg(DISTINCT format('pid %s (user %s, application %L, %s since %s: %s)',
                   a.pid, a.usename, a.application_name, a.state,
                   to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'), pg_catalog.left(a.query, 80)), '; ')
          INTO v_long
          FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'relation' AND l.relation = p_index AND l.granted AND l.pid <> pg_backend_pid()
           AND a.xact_start < clock_timestamp() - interval '50 ms';
        IF v_long IS NOT NULL AND NOT v_said THEN
            RAISE NOTICE 'part: waiting for a lock held by %; waiting up to %', v_long, v_wait;
            v_said := true;
        END IF;
        IF v_long IS NULL THEN
            v_tries := v_tries + 1;
            BEGIN
                PERFORM set_config('lock_timeout', '50ms', true);
                EXECUTE format('ALTER INDEX %s ATTACH PARTITION %s', p_parent_index, p_index);
                PERFORM set_config('lock_timeout', v_saved, true);
                RETURN;
            EXCEPTION WHEN lock_not_available THEN
                NULL;
            END;
        END IF;
        EXIT WHEN clock_timestamp() >= v_deadline;
        PERFORM pg_sleep(0.01 + 0.02 * random());
    END LOOP;
    RAISE EXCEPTION 'could not attach % to % within % (% attempts)', p_index, p_parent_index, v_wait, v_tries
        USING ERRCODE = '55P03',
              DETAIL = 'Blocked by ' || coalesce(v_long, 'sessions that have since finished') || '.',
              HINT = 'End or wait for the blocking transaction, then run the build again (it resumes); SET part.lock_wait = ''30 s'' waits longer.';
END
$$;
