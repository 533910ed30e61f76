CREATE FUNCTION part.split_history(p_table text, p_batch integer DEFAULT 50000)
    RETURNS TABLE(step text, partition_name text, rows_moved bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration := part._migration_row(p_table);
    v_part    regclass;
    v_hist    regclass;
    v_refs    text;
    v_name    text;
    v_clean   boolean;
    v_done    boolean;
BEGIN
/*
 * One step of the online split of an attach migration's history partition H
 * (the legacy table, attached as [MINVALUE or history_from, history_to)),
 * in the caller's transaction; part.run_maintenance calls it once per
 * transaction until the migration is 'finalized'. H is never bounded anew
 * (that would scan it under a lock): its rows are copied into M, a
 * partitioned table of one partition per interval, kept in step by row
 * triggers on H; M replaces H in one catalog-only step, and M's
 * partitions then join the table one per step, catalog-only. The steps
 * (part.migration's split_phase, returned as step):
 *   start:   M made, with a CHECK per partition, and the triggers on H
 *            (part._split_start; H locked for a moment); or, when H is
 *            empty, H detached and dropped and the migration finalized;
 *   copy:    p_batch rows of H into M (part._split_copy, no lock a writer
 *            waits for but the batch's rows');
 *   check:   one interval of M against H's rows, count and hash
 *            (part._split_check, no lock); recopy when they differ;
 *            recheck (all intervals again) when the sync trigger was
 *            changed since the checks began (its pg_trigger row's xmin);
 *   swap:    H out, M in (part._split_swap: catalog only);
 *   drop:    H dropped (no lock of the table);
 *   flatten: M's lowest partition into the table (part._split_flatten:
 *            catalog only); after the last, the migration is 'finalized'.
 * Returns the step done, the partition or table it made or moved and the
 * rows it copied (no row when there was nothing to do). Every step is one
 * transaction: killed, it is undone, and the next call does it again.
 * Refused while foreign keys reference the table (detaching H would check
 * them by a scan), and, before the swap, while the table's columns differ
 * from M's (changed since the start: M's triggers write the old ones).
 */
    -- one phase change of a table at a time (a rollback waits for this step, then sees it happened)
    PERFORM part._check_count('batch_size', p_batch);   -- 1 to 1,000,000 rows, before anything changes
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF v_m.method <> 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the copy method: it has no history partition', v_m.table_name
            USING ERRCODE = '55000', HINT = 'Only migrations started with p_method => ''attach'' have one.';
    END IF;
    IF NOT part._require_phase(v_m, 'split_history') THEN
        RETURN;   -- finalized: nothing left
    END IF;
    v_part := to_regclass(v_m.partitioned_table);
    v_hist := to_regclass(v_m.history_table);
    IF v_part IS NULL THEN
        RAISE EXCEPTION 'table % is missing', v_m.partitioned_table USING ERRCODE = '42P01',
            HINT = 'It was renamed or dropped outside part; see part.migrations.';
    END IF;
    -- detaching a partition of a referenced table checks the references by a scan
    SELECT string_agg(DISTINCT format('%s (constraint %I)', c.conrelid::regclass, c.conname), ', ')
      INTO v_refs
      FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid IN (v_part, v_hist);
    IF v_refs IS NOT NULL THEN
        RAISE EXCEPTION 'cannot split the history of %: % is referenced by foreign keys (%), and detaching its history partition would check them by a scan under a lock',
                        v_m.table_name, v_m.table_name, v_refs
            USING ERRCODE = '55000',
                  HINT = 'Drop those foreign keys while maintenance splits the history partition, and add them back after (part.migrations shows when it is finalized).';
    END IF;

    -- the copy has the columns the table had when the split started, and its triggers write those
    IF v_m.split_phase IN ('copying', 'checking')
       AND (SELECT string_agg(format('%s %s %s', a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated), ', ' ORDER BY a.attname)
              FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped)
           IS DISTINCT FROM
           (SELECT string_agg(format('%s %s %s', a.attname, format_type(a.atttypid, a.atttypmod), a.attgenerated), ', ' ORDER BY a.attname)
              FROM pg_attribute a WHERE a.attrelid = to_regclass(v_m.split_table) AND a.attnum > 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'cannot go on with the split of %: its columns changed since the split started, and its copy % has the old ones',
                        v_m.table_name, v_m.split_table
            USING ERRCODE = '55000',
                  HINT = 'Undo the column change until part.migrations shows the migration finalized, then make it again; the split goes on from where it stopped.';
    END IF;

    IF v_m.split_phase IS NULL THEN
        IF v_hist IS NULL OR NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist AND i.inhparent = v_part) THEN
            RAISE EXCEPTION '% is no longer a partition of %', v_m.history_table, v_m.partitioned_table
                USING ERRCODE = '55000', HINT = format('Attach it back as FOR VALUES FROM (%s) TO (%L), then run maintenance again.',
                                                                  coalesce(quote_literal(v_m.history_from), 'MINVALUE'), v_m.history_to);
        END IF;
        v_name := part._split_start(v_m);
        IF v_name IS NULL THEN
            -- nothing in it: it goes (catalog only), and the migration is over
            PERFORM part._lock_all(ARRAY[v_part, v_hist], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_hist);
            EXECUTE format('DROP TABLE %s', v_hist);
            UPDATE part.migration m SET phase = 'finalized', finalized_at = now(), history_table = NULL,
                                         split_started_at = coalesce(m.split_started_at, now())
             WHERE m.table_name = v_m.table_name;
            PERFORM part.create_ahead(NULL, part._qualified(v_part));   -- the intervals it covered up to now and ahead
            PERFORM part._notice(format('%s finalized (attach): its history partition was empty and is dropped', v_m.table_name));
            step := 'finalize'; partition_name := NULL; rows_moved := 0;
        ELSE
            step := 'start'; partition_name := v_name; rows_moved := 0;
        END IF;
    ELSIF v_m.split_phase = 'copying' THEN
        step := 'copy'; partition_name := v_m.split_table;
        rows_moved := part._split_copy(v_m, p_batch);
    ELSIF v_m.split_phase = 'checking'
          AND (SELECT t.xmin::text FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync')
              IS DISTINCT FROM v_m.split_sync_xmin THEN
        -- the sync trigger was changed (disabled?) since the checks began: M may have missed writes
        -- after they passed; they begin again (the trigger's row as it is now recorded)
        UPDATE part.migration m
           SET split_checked_to = NULL,
               split_sync_xmin = (SELECT t.xmin::text FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync')
         WHERE m.table_name = v_m.table_name;
        step := CASE WHEN v_m.split_checked_to IS NULL THEN 'check' ELSE 'recheck' END;
        partition_name := v_m.split_table; rows_moved := 0;
        IF v_m.split_checked_to IS NOT NULL THEN
            RAISE WARNING 'split of %: the trigger part_split_sync of % was changed since the checks began: every interval is checked again',
                          v_m.table_name, v_m.history_table
                USING HINT = 'Leave part''s triggers enabled while maintenance splits the history partition.';
        END IF;
    ELSIF v_m.split_phase = 'checking' THEN
        SELECT c.partition_name, c.row_count, c.clean INTO v_name, rows_moved, v_clean FROM part._split_check(v_m) c;
        IF v_name IS NOT NULL THEN
            step := CASE WHEN v_clean THEN 'check' ELSE 'recopy' END; partition_name := v_name; rows_moved := 0;
        ELSE
            step := 'swap'; partition_name := part._split_swap(v_m); rows_moved := 0;
        END IF;
    ELSIF v_hist IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist) THEN
        -- flattening, and the history partition the swap detached is still there: dropped first, holding
        -- no lock of the table (unlinking its files at COMMIT takes a while on a big table)
        PERFORM part._lock_all(ARRAY[v_hist], ARRAY['ACCESS EXCLUSIVE']);
        EXECUTE format('DROP TABLE %s', v_hist);
        UPDATE part.migration m SET history_table = NULL WHERE m.table_name = v_m.table_name;
        step := 'drop'; partition_name := v_m.history_table; rows_moved := 0;
    ELSE   -- flattening
        SELECT f.partition_name, f.done INTO v_name, v_done FROM part._split_flatten(v_m) f;
        step := 'flatten'; partition_name := v_name; rows_moved := 0;
        IF v_done THEN
            PERFORM part._notice(format('%s finalized (attach): its history is split into partitions', v_m.table_name));
        END IF;
    END IF;
    PERFORM part._notice(format('split of %s: %s %s%s', v_m.table_name, step, coalesce(partition_name, ''),
                                                   CASE WHEN rows_moved > 0 THEN format(' (%s rows)', rows_moved) ELSE '' END));
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION part.split_history IS
    'part: one step of the online split of an attach migration''s history partition (copy into per-interval partitions kept in step by triggers, check, swap, then one partition per step into the table; run_maintenance calls it once per transaction); returns the step, what it made or moved and the rows copied, none once finalized.';
