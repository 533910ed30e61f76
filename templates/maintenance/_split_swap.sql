CREATE FUNCTION part._split_swap(p_m part.migration)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_hist   regclass := to_regclass(p_m.history_table);
    v_m      regclass := to_regclass(p_m.split_table);
    v_fn     text := part._sync_function_name(p_m.table_name, 'history_split');
BEGIN
/*
 * The swap of the split (part.split_history calls it once every interval of
 * M matched the history partition H, in its transaction): with the table,
 * H and M locked ACCESS EXCLUSIVE (part._lock_all: short timeouts,
 * retries), only catalog changes: H is detached, M attached in its place
 * FOR VALUES FROM (MINVALUE or history_from) TO (the cut), which scans
 * none of M's rows (each partition's CHECK part_split_bound implies its
 * bound; the table's indexes, foreign keys and row triggers find or get
 * theirs on M), and H's sync triggers and their function are dropped (H
 * itself, detached, is dropped by the next step, which holds no lock of
 * the table: unlinking its files at COMMIT takes time). Refused (nothing changed) when the trigger part_split_sync of
 * H is missing or not ENABLE ALWAYS (M may miss writes), or was changed
 * since the checks began (split_sync_xmin: the caller has them done again
 * first). Returns M's name.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF v_m IS NULL OR v_hist IS NULL THEN
        RAISE EXCEPTION 'the split of % lost % or %', p_m.table_name, p_m.history_table, p_m.split_table
            USING ERRCODE = '42P01', HINT = 'They were renamed or dropped outside part; see part.migrations.';
    END IF;
    PERFORM part._lock_all(ARRAY[v_part, v_hist, v_m], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    IF NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync' AND t.tgenabled = 'A') THEN
        RAISE EXCEPTION 'cannot swap the history partition of %: its trigger part_split_sync is missing or was disabled, so its copy % may have missed writes',
                        p_m.table_name, p_m.split_table
            USING ERRCODE = '55000',
                  HINT = format('ALTER TABLE %s ENABLE ALWAYS TRIGGER part_split_sync (or, when it is gone, drop %s and set part.migration''s split_phase to NULL to start the split again); the next steps check every interval again.',
                                           p_m.history_table, p_m.split_table);
    END IF;
    IF (SELECT t.xmin::text FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync') IS DISTINCT FROM p_m.split_sync_xmin THEN
        RAISE EXCEPTION 'cannot swap the history partition of %: its trigger part_split_sync was changed while the swap waited for its locks', p_m.table_name
            USING ERRCODE = '40001', HINT = 'Run maintenance again: it checks every interval again first.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist AND i.inhparent = v_part) THEN
        RAISE EXCEPTION '% is no longer a partition of %', p_m.history_table, p_m.partitioned_table
            USING ERRCODE = '55000', HINT = format('Attach it back as FOR VALUES FROM (%s) TO (%L), then run maintenance again.',
                                                              coalesce(quote_literal(p_m.history_from), 'MINVALUE'), p_m.history_to);
    END IF;
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_hist);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%L)', v_part, v_m,
                              coalesce(quote_literal(p_m.history_from), 'MINVALUE'), p_m.history_to);
    -- H is no partition now: its triggers go (catalog only); the table itself is dropped by the next
    -- step, outside any lock a writer waits for (unlinking its files at COMMIT takes time)
    EXECUTE format('DROP TRIGGER part_split_sync ON %s', v_hist);
    EXECUTE format('DROP TRIGGER IF EXISTS part_split_truncate ON %s', v_hist);
    EXECUTE format('DROP FUNCTION IF EXISTS %s()', v_fn);
    UPDATE part.migration m SET split_phase = 'flattening' WHERE m.table_name = p_m.table_name;
    RETURN part._qualified(v_m);
END
$$;
