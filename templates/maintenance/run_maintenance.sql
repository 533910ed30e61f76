CREATE PROCEDURE part.run_maintenance(p_parent text DEFAULT NULL, p_commit boolean DEFAULT true)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_only     regclass;
    v_run      bigint;
    v_t        record;
    v_s        record;
    v_started  timestamptz := pg_catalog.clock_timestamp();
    v_t0       timestamptz;
    v_holder   text;
    v_broken   boolean;
    v_i        integer;
    v_more     boolean;
    v_last     boolean;
    v_sep_ret  boolean;
    v_tables   integer := 0;
    v_created  integer := 0;
    v_drained  integer := 0;
    v_moved    bigint := 0;
    v_retired  integer := 0;
    v_failed   text[] := '{}'::text[];
    v_skipped  text[] := '{}'::text[];
    v_paused   text[] := '{}'::text[];
    v_waited   interval;
    v_gave_up  text;
    v_state    text;
    v_msg      text;
    v_detail   text;
    v_step     text;
    v_new      text[];
    c_lock_a   CONSTANT integer := 1885434484;   -- 'part' as an integer: advisory lock (c_lock_a, 1)
    c_drain_max CONSTANT integer := 100;         -- intervals drained per table and run
    c_split_max CONSTANT integer := 1000;        -- steps of a history split per table and run (copy batches, checks, ...)
    v_saved    text[] := ARRAY[pg_catalog.current_setting('search_path'), pg_catalog.current_setting('lock_timeout'),
                               pg_catalog.current_setting('part.run_id', true)];
BEGIN
/*
 * Maintenance of every managed table (or only p_parent), for pg_cron
 * (`CALL part.run_maintenance()` as the whole job command):
 *   1. create ahead: partitions for the current interval and premake more;
 *   2. drain the default partition: rows sitting there get the partitions
 *      they belong to, one interval per transaction (rows older than the
 *      retention stay: part.verify() reports them); between intervals it
 *      pauses for production (part._yield_wait: replay lag, lock queue),
 *      and past the setting yield_max_wait leaves the rest to the next run
 *      (logged 'skipped', given up);
 *   2b. split the history partition of an attach migration online
 *      (part.split_history: copy batches, checks, the swap, then one
 *      partition per step into the table), one step per transaction, at
 *      most 1000 per run, pausing for production between steps as the
 *      drain does, until the migration is finalized;
 *   3. retire old partitions (part.drop_old), unless the setting
 *      retention_schedule says a separate job does it;
 *   4. ANALYZE the partitions it filled with rows (after the commit that
 *      released their creation's locks: writers never wait for statistics).
 * What needs doing is read for all tables in one catalog pass
 * (part._maintenance_plan), so a run with nothing to do costs one query.
 * Each step of each table runs in its own subtransaction and is committed
 * at once: a table that fails is logged (outcome 'failed', with the error)
 * and the others still run; a lock not obtained within part._lock's short
 * timeouts makes it give up on that table for this run (logged 'skipped')
 * instead of stalling the writers queued behind it. A session-level
 * advisory lock makes a concurrent second run skip (logged). Every run
 * writes a heartbeat row (action 'run') that part.verify() reads. With
 * enable_partition_maintenance = false a run is a logged no-op; on a
 * standby it does nothing and says why.
 *
 * It COMMITs, so call it outside a transaction block (PostgreSQL forbids a
 * SET clause on such a procedure: it sets search_path itself and qualifies
 * every name). p_commit => false runs it without committing (inside a
 * transaction, as tests do). If the run is cancelled mid-way, the advisory
 * lock stays with that session until it ends.
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF p_commit IS NULL THEN
        RAISE EXCEPTION 'p_commit cannot be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true (commit each step; the default) or false (inside a transaction), or leave it out.';
    END IF;
    PERFORM part._check_trust();   -- nothing a less privileged role changed steers this run
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'part.run_maintenance: this server is a standby (in recovery): nothing done'
            USING HINT = 'Maintenance runs on the primary; its changes reach the standby by replication.';
        PERFORM pg_catalog.set_config('search_path', v_saved[1], true);
        RETURN;
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        PERFORM part._config_row(v_only);
    END IF;
    v_run := pg_catalog.nextval('part.maintenance_run_id_seq');

    IF NOT part.setting('enable_partition_maintenance')::boolean THEN
        INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
        VALUES (v_run, part._qualified(v_only), 'run', pg_catalog.clock_timestamp() - v_started, 'skipped',
                'enable_partition_maintenance is false: nothing done');
        RAISE NOTICE 'part.run_maintenance: enable_partition_maintenance is false: nothing done'
            USING HINT = 'SELECT part.set_setting(''enable_partition_maintenance'', ''true'') turns it back on.';
        IF p_commit THEN
            COMMIT;
        ELSE   -- leave the caller's transaction as it was
            PERFORM pg_catalog.set_config('search_path', v_saved[1], true);
        END IF;
        RETURN;
    END IF;

    IF NOT pg_catalog.pg_try_advisory_lock(c_lock_a, 1) THEN
        SELECT pg_catalog.string_agg(l.pid::text, ', ') INTO v_holder
          FROM pg_catalog.pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = c_lock_a AND l.objid = 1 AND l.objsubid = 2
           AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database());
        INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
        VALUES (v_run, part._qualified(v_only), 'run', pg_catalog.clock_timestamp() - v_started, 'skipped',
                pg_catalog.format('another part.run_maintenance is running (pid %s): this run skipped', coalesce(v_holder, '?')));
        RAISE NOTICE 'part.run_maintenance: another run is in progress (pid %): skipped', coalesce(v_holder, '?');
        IF p_commit THEN
            COMMIT;
        ELSE   -- leave the caller's transaction as it was
            PERFORM pg_catalog.set_config('search_path', v_saved[1], true);
        END IF;
        RETURN;
    END IF;

    v_sep_ret := part.setting('retention_schedule') <> '';
    FOR v_t IN SELECT * FROM part._maintenance_plan(v_only) LOOP
        v_tables := v_tables + 1;
        v_broken := false;

        IF v_t.rel IS NULL THEN
            v_failed := v_failed || v_t.parent_table;
            INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail, error_code)
            VALUES (v_run, v_t.parent_table, 'check', 'failed',
                    '42P01: table does not exist (remove it from part.config, or recreate it)', '42P01');
            CONTINUE;
        END IF;

        -- the steps of each kind due on this table (part._maintenance_step does one), in order, each
        -- in its own subtransaction and committed at once, while the step says there is more:
        --   create ahead (one partition per transaction on a table with a default partition: its
        --   writers wait while one is made), drain the default partition and split the history of
        --   an attach migration (one interval per transaction, at most c_drain_max per run; drain
        --   pauses for production first), retire old partitions; the partitions made are analyzed
        --   after the commit that released their locks (create: once all are made)
        FOREACH v_step IN ARRAY ARRAY['create', 'drain', 'split', 'retire'] LOOP
            CONTINUE WHEN NOT CASE v_step
                WHEN 'create' THEN v_t.strategy = 'range' AND v_t.needs_ahead IS DISTINCT FROM false
                WHEN 'drain'  THEN v_t.default_nonempty
                WHEN 'split'  THEN EXISTS (SELECT 1 FROM part.migration m
                                            WHERE m.method = 'attach' AND m.phase = 'partitioned'
                                              AND m.partitioned_table = v_t.parent_table)
                ELSE v_t.retention IS NOT NULL AND v_t.retire_due IS DISTINCT FROM false AND NOT v_sep_ret
            END;
            v_new := '{}';
            v_i := 0;
            PERFORM part._maintenance_txn(v_run);
            LOOP
                v_i := v_i + 1;
                -- pause for production between intervals (part._yield_wait); past yield_max_wait, leave
                -- this table's drain to the next run
                IF v_step IN ('drain', 'split') AND p_commit THEN
                    CALL part._yield_wait(v_t.parent_table, v_step, ARRAY[v_t.rel], true, v_waited, v_gave_up);
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                    PERFORM part._maintenance_txn(v_run);
                    IF v_gave_up IS NOT NULL THEN
                        INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
                        VALUES (v_run, v_t.parent_table, v_step, v_waited, 'skipped',
                                pg_catalog.format('given up for this run: %s; the next run goes on', v_gave_up));
                        RAISE WARNING 'part.run_maintenance: % of % given up for this run: %', v_step, v_t.parent_table, v_gave_up
                            USING HINT = 'The next run goes on where this one stopped; see part.maintenance_log.';
                        v_paused := v_paused || v_t.parent_table;
                        COMMIT;
                        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                        PERFORM part._maintenance_txn(v_run);
                        EXIT;
                    END IF;
                END IF;
                v_t0 := pg_catalog.clock_timestamp();
                BEGIN
                    SELECT * INTO STRICT v_s
                      FROM part._maintenance_step(v_run, v_t.rel, v_t.parent_table, v_step, p_commit, v_t.missing, v_i);
                    v_new := v_new || v_s.made;   -- what this subtransaction made, once it succeeded
                    v_created := v_created + v_s.created;
                    v_drained := v_drained + v_s.drained;
                    v_moved := v_moved + v_s.moved;
                    v_retired := v_retired + v_s.retired;
                    v_more := v_s.more;
                EXCEPTION WHEN others THEN
                    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
                    v_broken := true;
                END;
                IF v_broken THEN
                    PERFORM part._log_step_failure(v_run, v_t.parent_table, v_step, v_t0, v_state, v_msg, v_detail);
                END IF;
                v_last := v_broken OR NOT v_more OR (v_step = 'drain' AND v_i >= c_drain_max) OR (v_step = 'split' AND v_i >= c_split_max);
                IF p_commit THEN
                    COMMIT;
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                    PERFORM part._maintenance_txn(v_run);
                END IF;
                IF pg_catalog.cardinality(v_new) > 0 AND (v_step <> 'create' OR v_last) THEN
                    IF part._analyze(v_new) > 0 AND p_commit THEN
                        COMMIT;
                        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                        PERFORM part._maintenance_txn(v_run);
                    END IF;
                    v_new := '{}';
                END IF;
                EXIT WHEN v_last;
            END LOOP;
            EXIT WHEN v_broken;   -- v_step names the step that broke (the WARNING below)
        END LOOP;

        IF v_broken THEN
            IF v_state = '55P03' THEN
                v_skipped := v_skipped || v_t.parent_table;
            ELSE
                v_failed := v_failed || v_t.parent_table;
            END IF;
            RAISE WARNING 'part.run_maintenance: % of % %: %', v_step, v_t.parent_table,
                CASE WHEN v_state = '55P03' THEN 'given up for this run' ELSE 'failed' END, v_msg
                USING DETAIL = coalesce(nullif(v_detail, ''), 'See part.maintenance_log.'), HINT = 'See part.maintenance_log; the other tables were maintained.';
        END IF;
    END LOOP;

    PERFORM pg_catalog.pg_advisory_unlock(c_lock_a, 1);
    INSERT INTO part.maintenance_log (run_id, parent_table, action, rows_moved, duration, outcome, detail)
    VALUES (v_run, part._qualified(v_only), 'run', v_moved, pg_catalog.clock_timestamp() - v_started,
            CASE WHEN pg_catalog.cardinality(v_failed) > 0 THEN 'failed' ELSE 'ok' END,
            pg_catalog.format('%s tables: %s partitions created (%s of them for rows from the default partition, %s rows moved), %s retired%s%s%s',
                v_tables, v_created, v_drained, v_moved, v_retired,
                CASE WHEN pg_catalog.cardinality(v_failed) > 0
                     THEN '; failed: ' || pg_catalog.array_to_string(v_failed, ', ') ELSE '' END,
                CASE WHEN pg_catalog.cardinality(v_skipped) > 0
                     THEN '; given up (lock not obtained): ' || pg_catalog.array_to_string(v_skipped, ', ') ELSE '' END,
                CASE WHEN pg_catalog.cardinality(v_paused) > 0
                     THEN '; drain given up (paused past yield_max_wait): ' || pg_catalog.array_to_string(v_paused, ', ') ELSE '' END));
    IF p_commit THEN
        COMMIT;
    ELSE   -- leave the caller's transaction as it was
        PERFORM pg_catalog.set_config('search_path', v_saved[1], true);
        PERFORM pg_catalog.set_config('lock_timeout', v_saved[2], true);
        PERFORM pg_catalog.set_config('part.run_id', coalesce(v_saved[3], ''), true);
    END IF;
END
$$;
COMMENT ON PROCEDURE part.run_maintenance IS
    'part: maintenance of every managed table (or p_parent): create ahead, move rows out of default partitions, retire old partitions, analyze new ones; one table''s failure is logged in part.maintenance_log and the others still run; a concurrent run skips. What pg_cron runs. CALL outside a transaction block (or p_commit => false).';
