CREATE FUNCTION {{ schema }}._lock(p_rel regclass, p_mode text, p_attempts integer DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_timeout_ms integer := 100;
    v_saved      text := pg_catalog.current_setting('lock_timeout');
    v_blockers   text;
    v_attempts   integer := coalesce(p_attempts, nullif(pg_catalog.current_setting('part.lock_attempts', true), '')::integer, 10);
BEGIN
/*
 * LOCK TABLE p_rel IN p_mode MODE without queueing behind a long
 * transaction: each attempt waits at most a short lock_timeout (100 ms,
 * doubling up to 1 s), so writers queued behind us wait at most that long;
 * between attempts we sleep a little (jittered). After p_attempts (default:
 * the setting part.lock_attempts, else 10, about 10 s in all): 55P03 naming
 * the sessions that hold the table.
 *
 * Only p_rel itself is locked (LOCK TABLE ONLY): for a partitioned table,
 * writers and readers take the parent's lock first, and its partitions are
 * left to autovacuum.
 */
    IF p_mode NOT IN ('ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE',
                      'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE') THEN
        RAISE EXCEPTION 'invalid lock mode: %', p_mode USING ERRCODE = '22023',
            HINT = 'Use a PostgreSQL table lock mode such as ACCESS EXCLUSIVE.';
    END IF;
    FOR v_attempt IN 1 .. greatest(v_attempts, 1) LOOP
        BEGIN
            PERFORM pg_catalog.set_config('lock_timeout', v_timeout_ms || 'ms', true);
            EXECUTE pg_catalog.format('LOCK TABLE ONLY %s IN %s MODE', p_rel, p_mode);
            PERFORM pg_catalog.set_config('lock_timeout', v_saved, true);
            RETURN;
        EXCEPTION WHEN lock_not_available THEN
            PERFORM pg_catalog.set_config('lock_timeout', v_saved, true);
            IF v_attempt < v_attempts THEN
                PERFORM pg_catalog.pg_sleep(v_timeout_ms / 1000.0 * (0.5 + pg_catalog.random()));
            END IF;
            v_timeout_ms := least(v_timeout_ms * 2, 1000);
        END;
    END LOOP;
    SELECT pg_catalog.string_agg(DISTINCT pg_catalog.format('pid %s (user %s, application %L, %s since %s: %s)',
               a.pid, a.usename, a.application_name, a.state,
               pg_catalog.to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'),
               pg_catalog.left(a.query, 80)), '; ')
      INTO v_blockers
      FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'relation' AND l.relation = p_rel AND l.granted AND l.pid <> pg_catalog.pg_backend_pid()
       AND NOT l.mode = ANY ({{ schema }}._compatible_locks(p_mode))
    ;
    RAISE EXCEPTION 'could not lock table % in % mode after % attempts', {{ schema }}._qualified(p_rel), p_mode, v_attempts
        USING ERRCODE = '55P03',
              DETAIL = 'Blocked by ' || coalesce(v_blockers, 'a session that has since finished') || '.',
              HINT = 'End or wait for the blocking transaction (pg_terminate_backend(pid) if it is stuck), then retry.';
END
$$;
