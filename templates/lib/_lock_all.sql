CREATE FUNCTION part._lock_all(p_rels regclass[], p_modes text[], p_wait interval DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_setting  text := nullif(current_setting('part.lock_wait', true), '');
    v_wait     interval := p_wait;
    v_deadline timestamptz;
    v_saved    text := current_setting('lock_timeout');
    v_long     text;
    v_key      text[];           -- the transactions in the way, as pid/start
    v_prev     text[];           -- the ones in the way at the last look
    v_tried    text[];           -- the ones in the way when the last attempt failed
    v_oldest   interval;
    v_prepared boolean;
    v_tries    integer := 0;
    v_looked   integer := 0;
    v_said     boolean := false;
BEGIN
/*
 * Lock p_rels[i] IN p_modes[i] MODE, all or none, so that writers never
 * queue behind part for long:
 *   1. look first (pg_locks): while a conflicting lock is held by a
 *      transaction older than 50 ms (or a prepared one), which will not end
 *      within a short timeout, do not queue behind it (every writer arriving
 *      meanwhile would queue behind us): sleep 10 to 30 ms and look again.
 *      Except against a stream of ordinary transactions (each 50 to 300 ms
 *      old, and some of those in the way at the last look gone since):
 *      then there is hardly ever a moment with none of them in the way, so
 *      attempt anyway, once per set of transactions in the way (at most one
 *      short wait of the writers per such set), and a stream never starves
 *      the step; one transaction that stays in the way is waited for;
 *   2. when none is, take the locks in order with lock_timeout 50 ms inside
 *      a subtransaction; if one is not granted, the subtransaction releases
 *      the ones already held and we go back to 1. Writers arriving meanwhile
 *      wait at most those 50 ms; short transactions holding the table end
 *      within them, and the ones that arrive later queue behind our request,
 *      so a steady stream of short transactions cannot starve us.
 * The waiting budget is time: p_wait, else the setting part.lock_wait
 * (SET part.lock_wait = '30 s' for a session), else 10 s. When it runs out:
 * 55P03 naming the sessions in the way. The step then completes shortly
 * after the long transaction ends. The first time a long transaction is in
 * the way, a NOTICE names it (the caller sees what it waits for).
 *
 * Before all that, one attempt with NOWAIT (it never queues: no writer
 * waits behind it): when every lock is free at once, no look at all.
 *
 * LOCK TABLE ONLY: for a partitioned table, writers and readers take the
 * parent's lock first, and its partitions are left to autovacuum.
 */
    IF v_wait IS NULL AND v_setting IS NOT NULL THEN
        BEGIN
            v_wait := v_setting::interval;
        EXCEPTION WHEN data_exception THEN   -- not an interval (22007), too large (22015) ...
            v_wait := NULL;
        END;
        IF v_wait IS NULL OR v_wait < interval '0' OR v_wait > interval '1 day' THEN
            RAISE EXCEPTION 'invalid part.lock_wait "%"', v_setting
                USING ERRCODE = '22023',
                      HINT = 'part.lock_wait is how long part waits for a table''s locks: an interval from 0 to 1 day, e.g. SET part.lock_wait = ''30 s'' (RESET part.lock_wait: 10 s).';
        END IF;
    END IF;
    v_wait := coalesce(v_wait, interval '10 s');
    v_deadline := clock_timestamp() + v_wait;
    IF cardinality(p_rels) IS DISTINCT FROM cardinality(p_modes) OR EXISTS (
        SELECT 1 FROM unnest(p_modes) m
         WHERE m NOT IN ('ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE',
                         'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE')) THEN
        RAISE EXCEPTION 'invalid lock modes: %', p_modes USING ERRCODE = '22023',
            HINT = 'Give one PostgreSQL table lock mode (such as ACCESS EXCLUSIVE) per table.';
    END IF;
    IF v_wait IS NULL OR v_wait < interval '0' THEN
        RAISE EXCEPTION 'invalid lock wait %', v_wait USING ERRCODE = '22023',
            HINT = 'Set part.lock_wait to a positive interval, such as ''10 s''.';
    END IF;
    -- the usual case first: every lock free at once. NOWAIT never queues (no writer waits behind
    -- this attempt) and needs no look at pg_locks; when a lock is not free, the subtransaction
    -- releases what it took and the discipline below goes on
    BEGIN
        FOR i IN 1 .. cardinality(p_rels) LOOP
            EXECUTE format('LOCK TABLE ONLY %s IN %s MODE NOWAIT', p_rels[i], p_modes[i]);
        END LOOP;
        RETURN;
    EXCEPTION WHEN lock_not_available THEN
        NULL;
    END;
    LOOP
        -- 1. a long transaction in the way? (a session whose start we cannot see counts as short)
        -- pg_stat_activity is read once per transaction and kept: read it afresh at each look, or
        -- every session seen in the way at the first look would stay as old as it was then
        -- (pg_locks alone first: with no conflicting lock held there is no one to look at in
        -- pg_stat_activity, whose fresh read copies every session's status; the usual case)
        v_long := NULL; v_key := NULL; v_prepared := false; v_oldest := NULL;
        IF EXISTS (SELECT 1
                     FROM ROWS FROM (unnest(p_rels), unnest(p_modes)) AS t(rel, mode)
                     JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = t.rel AND l.granted
                    WHERE l.pid IS DISTINCT FROM pg_backend_pid()
                      AND NOT l.mode = ANY (part._compatible_locks(t.mode))) THEN
            PERFORM pg_stat_clear_snapshot();
            SELECT string_agg(DISTINCT format('%s on %s', x.who, x.rel), '; '),
                   array_agg(DISTINCT x.k ORDER BY x.k), coalesce(bool_or(x.prepared), false),
                   max(clock_timestamp() - x.xact_start)
              INTO v_long, v_key, v_prepared, v_oldest
              FROM (SELECT t.rel::text AS rel, l.pid IS NULL AS prepared, a.xact_start,
                           coalesce(l.pid::text, l.virtualtransaction) || '/' || coalesce(a.xact_start::text, '') AS k,
                           CASE WHEN l.pid IS NULL THEN format('prepared transaction %s', l.virtualtransaction)
                                ELSE format('pid %s (user %s, application %L, %s since %s: %s)',
                                         a.pid, a.usename, a.application_name, a.state,
                                         to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'), pg_catalog.left(a.query, 80)) END AS who
                      FROM ROWS FROM (unnest(p_rels), unnest(p_modes)) AS t(rel, mode)
                      JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = t.rel AND l.granted
                      LEFT JOIN pg_stat_activity a ON a.pid = l.pid
                     WHERE l.pid IS DISTINCT FROM pg_backend_pid()
                       AND NOT l.mode = ANY (part._compatible_locks(t.mode))
                       AND (l.pid IS NULL OR a.xact_start < clock_timestamp() - interval '50 ms')) x;
        END IF;
        v_looked := v_looked + 1;
        IF v_long IS NOT NULL AND NOT v_said AND (v_prepared OR v_oldest >= interval '300 ms') THEN
            RAISE NOTICE 'part: waiting for a lock held by %; waiting up to %', v_long, v_wait;
            v_said := true;
        END IF;
        IF v_long IS NULL
           OR (NOT v_prepared AND v_oldest < interval '300 ms' AND NOT v_prev <@ v_key
               AND v_key IS DISTINCT FROM v_tried) THEN
            -- 2. all or none, each waiting at most 50 ms
            v_tried := v_key;
            v_tries := v_tries + 1;
            BEGIN
                PERFORM set_config('lock_timeout', '50ms', true);
                FOR i IN 1 .. cardinality(p_rels) LOOP
                    EXECUTE format('LOCK TABLE ONLY %s IN %s MODE', p_rels[i], p_modes[i]);
                END LOOP;
                PERFORM set_config('lock_timeout', v_saved, true);
                RETURN;
            EXCEPTION WHEN lock_not_available THEN
                NULL;
            END;
        END IF;
        v_prev := v_key;
        EXIT WHEN clock_timestamp() >= v_deadline;
        PERFORM pg_sleep(0.01 + 0.02 * random());
    END LOOP;

    IF v_long IS NULL THEN  -- the last attempt timed out behind sessions that looked short: name them
        SELECT string_agg(DISTINCT format('pid %s (user %s, application %L, %s since %s: %s) on %s',
                   a.pid, a.usename, a.application_name, a.state,
                   to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'), pg_catalog.left(a.query, 80), t.rel::text), '; ')
          INTO v_long
          FROM ROWS FROM (unnest(p_rels), unnest(p_modes)) AS t(rel, mode)
          JOIN pg_locks l ON l.locktype = 'relation' AND l.relation = t.rel AND l.granted
          JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.pid <> pg_backend_pid()
           AND NOT l.mode = ANY (part._compatible_locks(t.mode));
    END IF;
    RAISE EXCEPTION 'could not lock % in % mode within % (% attempts)',
            array_to_string(p_rels::text[], ', '), array_to_string(p_modes, ', '), v_wait, v_tries
        USING ERRCODE = '55P03',
              DETAIL = 'Blocked by ' || coalesce(v_long, 'sessions that have since finished') || '.',
              HINT = 'End or wait for the blocking transaction (pg_terminate_backend(pid) if it is stuck), then retry; SET part.lock_wait = ''30 s'' waits longer.';
END
$$;
