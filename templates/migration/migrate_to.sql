CREATE PROCEDURE part.migrate_to(
    p_table       text,
    p_phase       text,
    p_batch_size  integer DEFAULT NULL,
    p_sleep       interval DEFAULT '0',
    p_keep_legacy text DEFAULT 'archive',
    p_force       boolean DEFAULT false,
    p_copy        text DEFAULT 'drop',
    p_progress    interval DEFAULT '1 second',
    p_commit      boolean DEFAULT true
)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_order  CONSTANT text[] := ARRAY['dual_write', 'backfilled', 'partitioned', 'finalized'];
    v_m      part.migration;
    v_name   text;
    v_target text;
    v_batch  integer;
    v_t0     timestamptz;
    v_last   timestamptz;
    v_rows0  bigint;
    v_total  bigint;
    v_differ bigint;
    v_ranges bigint;
    v_shown  bigint;
    v_out    text;
    v_path   text := pg_catalog.current_setting('search_path');
BEGIN
/*
 * Walk the migration of p_table to the phase p_phase, through the phases in
 * between, as `pginstall migrate TABLE --to PHASE` does (it calls this):
 *   dual_write -> backfilled: CALL part.backfill batch by batch (p_batch_size
 *     rows each, default the table's batch_size in part.config; p_sleep
 *     between batches), each committed, with a progress NOTICE at most every
 *     p_progress (rows done, total, rows/s, ETA) and one at the end; then a
 *     full part.check_parity: differences stop the walk (55000, HINT
 *     part.parity_diff), clean parity makes it backfilled;
 *   backfilled -> partitioned: part.switch_reads;
 *   partitioned -> finalized: part.finalize(p_table, p_keep_legacy, p_force).
 * Going back: 'backfilled' from partitioned, or 'rollback' (one phase back
 * from partitioned), runs part.rollback; 'none' abandons the migration
 * (part.rollback when switched, then part.migrate_cancel(p_table, p_copy)).
 * Other ways back are refused (55000). Moving to the phase a table is in
 * succeeds and does nothing (a NOTICE says so); a walk stopped by an error or
 * a cancel keeps the steps and batches it committed, and running it again
 * goes on from there. A table without a migration is refused (55000): start
 * one with part.migrate_start. Each step NOTICEs what it did.
 *
 * It COMMITs after every batch and step, so CALL it outside a transaction
 * block (as pg_cron's whole command, say); p_commit => false runs it without
 * committing, inside the caller's transaction (as tests do).
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF p_phase IS NULL OR p_phase NOT IN ('dual_write', 'backfilled', 'partitioned', 'finalized', 'rollback', 'none') THEN
        RAISE EXCEPTION 'invalid phase "%"', coalesce(p_phase, 'NULL')
            USING ERRCODE = '22023',
                  HINT = 'Use dual_write, backfilled, partitioned or finalized (the phases, in order), rollback (one phase back from partitioned) or none (abandon the migration).';
    END IF;
    IF p_batch_size IS NOT NULL AND p_batch_size < 1 THEN
        RAISE EXCEPTION 'invalid batch size %', p_batch_size
            USING ERRCODE = '22023', HINT = 'Pass a positive number of rows per batch, e.g. 10000, or leave it out (the table''s batch_size).';
    END IF;
    IF p_sleep IS NULL OR p_sleep < interval '0' THEN
        RAISE EXCEPTION 'invalid sleep %', coalesce(p_sleep::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass a pause between batches of zero or more, e.g. ''100 milliseconds''.';
    END IF;
    IF p_progress IS NULL OR p_progress < interval '0' THEN
        RAISE EXCEPTION 'invalid progress interval %', coalesce(p_progress::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass how often the backfill reports its progress, e.g. ''1 second'' (0: after every batch).';
    END IF;
    IF p_keep_legacy IS NULL OR p_keep_legacy NOT IN ('archive', 'keep', 'drop') THEN
        RAISE EXCEPTION 'invalid value "%" for p_keep_legacy', coalesce(p_keep_legacy, 'NULL')
            USING ERRCODE = '22023', HINT = 'Use ''archive'' (schema part_archive), ''keep'' (as <table>_legacy) or ''drop''.';
    END IF;
    IF p_copy IS NULL OR p_copy NOT IN ('drop', 'keep') THEN
        RAISE EXCEPTION 'invalid value "%" for p_copy', coalesce(p_copy, 'NULL')
            USING ERRCODE = '22023', HINT = 'Use ''drop'' (the default) or ''keep'' (the partitioned copy stays, unmanaged).';
    END IF;
    IF p_force IS NULL OR p_commit IS NULL THEN
        RAISE EXCEPTION 'p_force and p_commit cannot be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true or false, or leave them out (p_force defaults to false, p_commit to true).';
    END IF;

    IF p_phase = 'none' THEN
        v_name := part._qualified(part._resolve_table(p_table));   -- 42P01
        IF NOT EXISTS (SELECT 1 FROM part.migration m WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)) THEN
            RAISE NOTICE 'part: %: already none (no migration)', v_name;
            PERFORM pg_catalog.set_config('search_path', v_path, true);
            RETURN;
        END IF;
    END IF;
    v_m := part._migration_row(p_table);   -- 42P01; 55000 with a HINT when it has no migration
    v_name := v_m.table_name;

    IF p_phase = 'none' THEN
        IF v_m.phase = 'partitioned' THEN
            PERFORM part.rollback(v_name);
            RAISE NOTICE 'part: %: rolled back: reads and writes on the legacy table again (backfilled)', v_name;
            IF p_commit THEN
                COMMIT;
                PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
            END IF;
        END IF;
        v_out := part.migrate_cancel(v_name, p_copy);
        RAISE NOTICE 'part: %: migration cancelled: sync removed, partitioned copy %; the legacy table is untouched', v_name, v_out;
        PERFORM pg_catalog.set_config('search_path', v_path, true);
        RETURN;
    END IF;

    v_target := p_phase;
    IF p_phase = 'rollback' THEN
        IF NOT part._require_phase(v_m, 'migrate_to rollback') THEN
            PERFORM pg_catalog.set_config('search_path', v_path, true);
            RETURN;
        END IF;
        v_target := 'backfilled';
    END IF;

    IF pg_catalog.array_position(v_order, v_target) < pg_catalog.array_position(v_order, v_m.phase) THEN
        IF v_m.phase = 'partitioned' AND v_target = 'backfilled' THEN
            PERFORM part.rollback(v_name);
            RAISE NOTICE 'part: %: rolled back: reads and writes on the legacy table again (backfilled)', v_name;
            PERFORM pg_catalog.set_config('search_path', v_path, true);
            RETURN;
        END IF;
        RAISE EXCEPTION '% is in %: going back to % is not supported (only partitioned -> backfilled, part.rollback)', v_name, v_m.phase, v_target
            USING ERRCODE = '55000',
                  HINT = CASE WHEN v_m.phase = 'finalized'
                              THEN 'A finalized migration is over: the partitioned table is the only one kept up to date.'
                              ELSE pg_catalog.format('To abandon the migration (the legacy table untouched): CALL part.migrate_to(%L, ''none'').', v_name) END;
    END IF;
    IF v_target = v_m.phase THEN
        RAISE NOTICE 'part: %: already %: nothing to do', v_name, v_target;
        PERFORM pg_catalog.set_config('search_path', v_path, true);
        RETURN;
    END IF;

    v_batch := coalesce(p_batch_size,
                        (SELECT c.batch_size FROM part.config c
                          WHERE c.parent_table IN (v_m.partitioned_table, v_m.table_name) LIMIT 1),
                        10000);
    WHILE v_m.phase <> v_target LOOP
        v_out := v_m.phase;
        IF v_m.phase = 'dual_write' THEN
            IF v_m.backfill_finished_at IS NULL THEN
                v_t0 := pg_catalog.clock_timestamp();
                v_last := v_t0;
                v_rows0 := v_m.backfill_rows;
                v_total := coalesce(v_m.backfill_total,
                                    (SELECT greatest(c.reltuples, 0)::bigint FROM pg_catalog.pg_class c
                                      WHERE c.oid = pg_catalog.to_regclass(v_m.legacy_table)), 0);
                PERFORM part._migrate_progress(v_name, v_m.backfill_rows, v_total, v_rows0, v_t0, false);
                v_shown := v_m.backfill_rows;
                LOOP
                    CALL part.backfill(v_name, v_batch, p_sleep, 1, false, p_commit);
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_name;
                    v_total := coalesce(v_m.backfill_total, v_total);
                    EXIT WHEN v_m.backfill_finished_at IS NOT NULL OR v_m.phase <> 'dual_write';
                    IF pg_catalog.clock_timestamp() - v_last >= p_progress THEN
                        PERFORM part._migrate_progress(v_name, v_m.backfill_rows, v_total, v_rows0, v_t0, false);
                        v_last := pg_catalog.clock_timestamp();
                        v_shown := v_m.backfill_rows;
                    END IF;
                END LOOP;
                -- the end: 100% (the estimate may have been off), then the summary
                IF v_shown <> v_m.backfill_rows OR v_total <> v_m.backfill_rows THEN
                    PERFORM part._migrate_progress(v_name, v_m.backfill_rows, v_m.backfill_rows, v_rows0, v_t0, false);
                END IF;
                PERFORM part._migrate_progress(v_name, v_m.backfill_rows, v_m.backfill_rows, v_rows0, v_t0, true);
            END IF;
            IF v_m.phase = 'dual_write' THEN
                RAISE NOTICE 'part: %: checking parity', v_name;
                SELECT pg_catalog.count(*) FILTER (WHERE c.status <> 'ok'), pg_catalog.count(*) INTO v_differ, v_ranges
                  FROM part.check_parity(v_name, true) c;
                IF p_commit THEN
                    COMMIT;
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                END IF;
                IF v_differ > 0 THEN
                    RAISE EXCEPTION 'parity of % differs in % of % ranges: not backfilled', v_name, v_differ, v_ranges
                        USING ERRCODE = '55000',
                              HINT = pg_catalog.format('See the rows with SELECT * FROM part.parity_diff(%L); once they are fixed, CALL part.migrate_to(%L, %L) again.',
                                                       v_name, v_name, p_phase);
                END IF;
                RAISE NOTICE 'part: %: parity clean over % ranges', v_name, v_ranges;
            END IF;
        ELSIF v_m.phase = 'backfilled' THEN
            PERFORM part.switch_reads(v_name);
            RAISE NOTICE 'part: %: partitioned: reads and writes go to the partitioned table', v_name;
        ELSIF v_m.phase = 'partitioned' THEN
            v_out := part.finalize(v_name, p_keep_legacy, p_force);
            RAISE NOTICE 'part: %: finalized: sync removed; legacy table %', v_name,
                         CASE WHEN p_keep_legacy = 'drop' THEN 'dropped' ELSE 'kept as ' || v_out END;
            v_out := 'partitioned';
        END IF;
        IF p_commit THEN
            COMMIT;
            PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
        END IF;
        SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_name;
        IF v_m.phase = v_out THEN
            RAISE EXCEPTION 'the migration of % is still in % after the step', v_name, v_out
                USING ERRCODE = '55000', HINT = pg_catalog.format('See SELECT * FROM part.migrations WHERE table_name = %L.', v_name);
        END IF;
    END LOOP;
    PERFORM pg_catalog.set_config('search_path', v_path, true);   -- the caller's, when called in its transaction
END
$$;
COMMENT ON PROCEDURE part.migrate_to IS
    'part: walk the migration of p_table to p_phase (dual_write, backfilled, partitioned, finalized; rollback = one phase back from partitioned; none = abandon it) through the phases in between: backfill with commits and progress NOTICEs, full parity check, switch, finalize (p_keep_legacy, p_force). Moving to the phase it is in does nothing. CALL outside a transaction block (or p_commit => false).';
