CREATE FUNCTION {{ schema }}._lock_all(p_rels regclass[], p_modes text[], p_attempts integer DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_timeout_ms integer := 100;
    v_saved      text := pg_catalog.current_setting('lock_timeout');
    v_blockers   text;
    v_failed     integer;
    v_attempts   integer := coalesce(p_attempts, nullif(pg_catalog.current_setting('part.lock_attempts', true), '')::integer, 10);
BEGIN
/*
 * Lock p_rels[i] IN p_modes[i] MODE, all or none, without queueing behind a
 * long transaction. Each attempt takes the locks in order inside a
 * subtransaction, each waiting at most a short lock_timeout (100 ms,
 * doubling up to 1 s); if one is not granted, the subtransaction rolls back
 * and releases the ones already held, so writers queued behind us wait at
 * most one timeout, never for the whole series of attempts. Between attempts
 * we sleep a little (jittered). After p_attempts (default: the setting
 * part.lock_attempts, else 10, about 10 s in all): 55P03 naming the sessions
 * that hold the table that could not be locked. After the first attempt
 * that fails, a NOTICE says which lock it waits for and who holds it.
 *
 * LOCK TABLE ONLY: for a partitioned table, writers and readers take the
 * parent's lock first, and its partitions are left to autovacuum.
 */
    IF cardinality(p_rels) IS DISTINCT FROM cardinality(p_modes) OR EXISTS (
        SELECT 1 FROM pg_catalog.unnest(p_modes) m
         WHERE m NOT IN ('ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE',
                         'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE')) THEN
        RAISE EXCEPTION 'invalid lock modes: %', p_modes USING ERRCODE = '22023',
            HINT = 'Give one PostgreSQL table lock mode (such as ACCESS EXCLUSIVE) per table.';
    END IF;
    FOR v_attempt IN 1 .. greatest(v_attempts, 1) LOOP
        v_failed := NULL;
        BEGIN
            PERFORM pg_catalog.set_config('lock_timeout', v_timeout_ms || 'ms', true);
            FOR i IN 1 .. cardinality(p_rels) LOOP
                v_failed := i;
                EXECUTE pg_catalog.format('LOCK TABLE ONLY %s IN %s MODE', p_rels[i], p_modes[i]);
            END LOOP;
            PERFORM pg_catalog.set_config('lock_timeout', v_saved, true);
            RETURN;
        EXCEPTION WHEN lock_not_available THEN
            IF v_attempt = 1 AND v_attempts > 1 THEN  -- say once what we wait for, before the retries
                RAISE NOTICE 'part: waiting to lock % in % mode, held by %; retrying, % attempts in all',
                    {{ schema }}._qualified(p_rels[v_failed]), p_modes[v_failed],
                    coalesce({{ schema }}._lock_blockers(p_rels[v_failed], p_modes[v_failed]), 'a session that has since finished'),
                    v_attempts;
            END IF;
            IF v_attempt < v_attempts THEN
                PERFORM pg_catalog.pg_sleep(v_timeout_ms / 1000.0 * (0.5 + pg_catalog.random()));
            END IF;
            v_timeout_ms := least(v_timeout_ms * 2, 1000);
        END;
    END LOOP;
    v_blockers := {{ schema }}._lock_blockers(p_rels[v_failed], p_modes[v_failed]);
    RAISE EXCEPTION 'could not lock table % in % mode after % attempts',
            {{ schema }}._qualified(p_rels[v_failed]), p_modes[v_failed], v_attempts
        USING ERRCODE = '55P03',
              DETAIL = 'Blocked by ' || coalesce(v_blockers, 'a session that has since finished') || '.',
              HINT = 'End or wait for the blocking transaction (pg_terminate_backend(pid) if it is stuck), then retry.';
END
$$;
