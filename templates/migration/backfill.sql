CREATE PROCEDURE part.backfill(
    p_table       text,
    p_batch_size  integer DEFAULT 10000,
    p_sleep       interval DEFAULT '0',
    p_max_batches integer DEFAULT NULL,
    p_check       boolean DEFAULT true,
    p_commit      boolean DEFAULT true
)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_m       part.migration;
    v_rows    bigint;
    v_batches integer := 0;
    v_retries integer := 0;
    v_differ  integer;
    v_path    text := pg_catalog.current_setting('search_path');
    v_rels    regclass[];
    v_waited  interval;
    v_gave_up text;
    v_was_done boolean;
    v_async   boolean := false;
BEGIN
/*
 * Copy the rows the legacy table held when the migration started into the
 * partitioned copy (the sync mirrors everything written since), in batches
 * of p_batch_size rows in primary-key order, each committed on its own
 * (part._backfill_batch tells how it stays race-free against concurrent
 * deletes and key changes). Progress is in part.migration / part.migrations
 * after every batch, visible from other sessions. Interrupted (error,
 * cancel, pg_terminate_backend), it resumes from the last committed batch
 * when called again. p_sleep pauses between batches (throttle);
 * p_max_batches stops after that many (call again to go on). Before each
 * batch it pauses while production needs it (part._yield_wait: a standby's
 * replay lag over yield_max_replay_lag, sessions queued for a lock on either
 * table with yield_on_lock_queue), holding no lock, and resumes by itself;
 * the pause and its reason show in part.migrations (not with p_commit =>
 * false: inside the caller's transaction a pause would hold its locks).
 * When the last
 * batch is done, it ANALYZEs the copy (the partitioned table: its partitions
 * and the statistics of the whole, which autovacuum never gathers for a
 * partitioned table), so that the table reads switch to is planned from
 * statistics as the legacy table was; with the owner's rights
 * (part._as_owner), after the last batch's commit, holding no lock writers
 * wait for. Then, with p_check, it runs a full part.check_parity: clean
 * parity moves the migration to 'backfilled'.
 *
 * Called when the migration is already backfilled (or later), it does
 * nothing. It COMMITs, so CALL it outside a transaction block (PostgreSQL
 * forbids a SET clause on such a procedure: it sets search_path itself and
 * qualifies every name); p_commit => false runs it without committing, as
 * tests inside a transaction do.
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF p_batch_size IS NULL OR p_batch_size < 1 THEN
        RAISE EXCEPTION 'invalid batch size %', coalesce(p_batch_size::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass a positive number of rows per batch, e.g. 10000.';
    END IF;
    IF p_sleep IS NULL OR p_sleep < interval '0' THEN
        RAISE EXCEPTION 'invalid sleep %', coalesce(p_sleep::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass a pause between batches of zero or more, e.g. ''100 milliseconds''.';
    END IF;
    IF p_check IS NULL OR p_commit IS NULL THEN
        RAISE EXCEPTION 'p_check and p_commit cannot be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true or false, or leave them out (both default to true).';
    END IF;
    IF p_max_batches IS NOT NULL AND p_max_batches < 1 THEN
        RAISE EXCEPTION 'invalid batch count %', p_max_batches
            USING ERRCODE = '22023', HINT = 'Pass a positive number of batches, or NULL for all of them.';
    END IF;
    v_m := part._migration_row(p_table);
    IF v_m.method = 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the attach method: it copies no row', v_m.table_name
            USING ERRCODE = '55000',
                  HINT = pg_catalog.format('Prepare it with SELECT part.attach_prepare(%L) (repeat until it returns NULL), then SELECT part.switch_reads(%L).',
                                           v_m.table_name, v_m.table_name);
    END IF;
    IF NOT part._require_phase(v_m, 'backfill') THEN
        PERFORM pg_catalog.set_config('search_path', v_path, true);
        RETURN;
    END IF;

    v_rels := ARRAY[pg_catalog.to_regclass(v_m.legacy_table), pg_catalog.to_regclass(v_m.partitioned_table)];
    v_was_done := v_m.backfill_finished_at IS NOT NULL;
    WHILE v_m.backfill_finished_at IS NULL AND (p_max_batches IS NULL OR v_batches < p_max_batches) LOOP
        -- pause for production between batches (part._yield_wait: standby replay lag, lock queue)
        IF p_commit THEN   -- (it commits before it sleeps: nothing of this transaction is held meanwhile)
            CALL part._yield_wait(v_m.table_name, 'backfill', v_rels, false, v_waited, v_gave_up);
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            IF v_waited IS NOT NULL THEN   -- it committed meanwhile: read the state again
                SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name;
                EXIT WHEN NOT FOUND OR v_m.phase <> 'dual_write' OR v_m.backfill_finished_at IS NOT NULL;
            END IF;
        END IF;
        IF p_commit THEN
            -- A batch's commit does not wait for its WAL to reach the disk (a flush of some MB
            -- per batch, about a tenth of the backfill): a crash loses at most the last batches,
            -- their rows and their progress together, and the next call copies them again. Any
            -- transaction that saw a batch's rows (a writer that waited for its gate) flushes it
            -- with its own commit; the backfill's last transaction below flushes every batch.
            PERFORM pg_catalog.set_config('synchronous_commit', 'off', true);
            v_async := true;
        END IF;
        BEGIN
            v_rows := part._backfill_batch(v_m.table_name, p_batch_size);
            v_retries := 0;
        EXCEPTION WHEN lock_not_available OR deadlock_detected THEN
            -- the batch waited for a writer's row while that writer waited for the batch's gate:
            -- the batch is undone (its gate released, the writer goes on) and done again
            v_retries := v_retries + 1;
            IF v_retries > 300 THEN
                RAISE EXCEPTION 'the backfill of % gave up: a transaction holds rows of the next batch for more than a minute', v_m.table_name
                    USING ERRCODE = '55P03',
                          HINT = pg_catalog.format('Find it in pg_stat_activity (idle in transaction?); CALL part.backfill(%L) again, it resumes from the last batch.', v_m.table_name);
            END IF;
            PERFORM pg_catalog.pg_sleep(0.02 + 0.03 * pg_catalog.random());
            CONTINUE;
        END;
        IF p_commit THEN
            COMMIT;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
        END IF;
        SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name;
        EXIT WHEN v_rows IS NULL OR v_m.phase <> 'dual_write';
        v_batches := v_batches + 1;
        IF p_sleep > interval '0' AND v_m.backfill_finished_at IS NULL THEN
            PERFORM pg_catalog.pg_sleep(extract(epoch FROM p_sleep)::double precision);
        END IF;
    END LOOP;

    IF v_async THEN
        -- a synchronous commit that writes: every batch is on disk when the call returns
        UPDATE part.migration m SET backfill_batch_at = m.backfill_batch_at WHERE m.table_name = v_m.table_name;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END IF;
    -- the copy is whole: its statistics (once, by the call that finished it)
    IF v_m.backfill_finished_at IS NOT NULL AND NOT v_was_done AND v_m.phase = 'dual_write' THEN
        PERFORM part._as_owner(v_rels[2], pg_catalog.format('ANALYZE %s', v_rels[2]), p_returns => false);
        IF p_commit THEN
            COMMIT;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
        END IF;
    END IF;
    IF v_m.backfill_finished_at IS NOT NULL AND v_m.phase = 'dual_write' AND p_check THEN
        SELECT pg_catalog.count(*) FILTER (WHERE c.status <> 'ok') INTO v_differ
          FROM part.check_parity(v_m.table_name, true) c;
        IF p_commit THEN
            COMMIT;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
        END IF;
        IF v_differ > 0 THEN
            RAISE WARNING 'part: backfill of % finished, but parity differs in % ranges', v_m.table_name, v_differ
                USING HINT = pg_catalog.format('See SELECT * FROM part.parity_diff(%L).', v_m.table_name);
        END IF;
    END IF;
    PERFORM pg_catalog.set_config('search_path', v_path, true);   -- the caller's, when called in its transaction
END
$$;
COMMENT ON PROCEDURE part.backfill IS
    'part: copy a migration''s existing rows into the partitioned copy in batches of p_batch_size, each committed (p_sleep between them, at most p_max_batches), resumable after a crash or cancel; at the end a full parity check (unless p_check => false) makes it backfilled. CALL outside a transaction block (or p_commit => false).';
