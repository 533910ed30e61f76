CREATE FUNCTION part._phase_lock(p_table_name text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key      integer[] := part._migration_lock(p_table_name, 'phase');
    v_attempts integer := coalesce(nullif(current_setting('part.lock_attempts', true), '')::integer, 10);
    v_wait_ms  integer := 100;
    v_holder   text;
BEGIN
/*
 * Serialise the calls that change the phase of one migration
 * (switch_reads, rollback, finalize, migrate_cancel): a transaction-level
 * advisory lock, waited for as part._lock_all waits (short sleeps, about
 * 10 s in all, part.lock_attempts), then 55P03 saying that another call is
 * doing it. The caller reads the migration row again once it holds the
 * lock, and decides on the phase another call may just have changed
 * (moving to the phase it is in then does nothing).
 */
    FOR v_attempt IN 1 .. greatest(v_attempts, 1) LOOP
        IF pg_try_advisory_xact_lock(v_key[1], v_key[2]) THEN
            RETURN;
        END IF;
        IF v_attempt < v_attempts THEN
            PERFORM pg_sleep(v_wait_ms / 1000.0 * (0.5 + random()));
            v_wait_ms := least(v_wait_ms * 2, 1000);
        END IF;
    END LOOP;
    SELECT string_agg(format('pid %s (%s since %s: %s)', a.pid, a.state,
                                                   to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'),
                                                   pg_catalog.left(a.query, 80)), '; ')
      INTO v_holder
      FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.classid::integer = v_key[1]
       AND l.objid::integer = v_key[2] AND l.objsubid = 2 AND l.pid <> pg_backend_pid();
    RAISE EXCEPTION 'another call is changing the phase of the migration of % (%)', p_table_name, coalesce(v_holder, 'it has just finished')
        USING ERRCODE = '55P03',
              HINT = 'Wait for it to finish (its transaction to end), then call again: asking for the phase it reached does nothing.';
END
$$;
