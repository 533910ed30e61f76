CREATE FUNCTION part._attach_verify(p_table_name text)
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      part.migration;
    v_legacy regclass;
    v_part   regclass;
    v_hist   regclass;
    v_valid  boolean;
    v_next   text;
    v_rows   bigint;
BEGIN
/*
 * part.verify()'s rows for an attach migration (no sync, no parity):
 * 'attach_prepare' before the switch (the CHECK validated and the indexes
 * built: ok when prepared, warn while preparing with the next statement,
 * fail when the CHECK is gone), 'attach_history' after it (the history
 * partition still attached, or its copy swapped in, with how far the
 * online split is: ok; fail when it is no longer a partition, or when the
 * copy misses writes: its sync trigger gone or disabled).
 */
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name;
    table_name := p_table_name;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_m.phase IN ('preparing', 'prepared') THEN
        check_name := 'attach_prepare';
        SELECT c.convalidated INTO v_valid FROM pg_constraint c
         WHERE c.conrelid = v_legacy AND c.conname = 'part_history_bound' AND c.contype = 'c';
        IF v_legacy IS NULL OR v_part IS NULL OR v_valid IS NULL THEN
            status := 'fail';
            detail := format('%s, %s or the CHECK part_history_bound is missing: cancel with part.migrate_cancel(%L) and start again',
                                        v_m.legacy_table, v_m.partitioned_table, p_table_name);
        ELSE
            v_next := part._attach_next_index(v_legacy, v_part);
            IF v_valid AND v_next IS NULL THEN
                status := CASE WHEN v_m.phase = 'prepared' THEN 'ok' ELSE 'warn' END;
                detail := format('every row of %s is below %s and its indexes match: SELECT part.switch_reads(%L) attaches it%s',
                                            v_m.legacy_table, v_m.history_to, p_table_name,
                                            CASE WHEN v_m.phase = 'preparing' THEN format(' (after part.attach_prepare(%L))', p_table_name) ELSE '' END);
            ELSE
                status := 'warn';
                detail := format('preparing: %s; run SELECT part.attach_prepare(%L) until it returns NULL',
                                            CASE WHEN NOT v_valid THEN 'the CHECK part_history_bound is not validated yet'
                                                 ELSE 'next: ' || v_next END, p_table_name);
            END IF;
        END IF;
        RETURN NEXT;
        RETURN;
    END IF;
    check_name := 'attach_history';
    v_hist := to_regclass(v_m.history_table);
    IF v_m.split_phase = 'flattening' THEN
        -- the swap happened: the copy stands in for the history partition, its partitions move in one per step
        IF to_regclass(v_m.split_table) IS NULL
           OR NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = to_regclass(v_m.split_table) AND i.inhparent = v_part) THEN
            status := 'fail';
            detail := format('%s (the history''s copy, swapped in) is no longer a partition of %s: its rows are not read; attach it back FOR VALUES FROM (%L) TO (%L)',
                                        v_m.split_table, v_m.partitioned_table, v_m.history_from, v_m.history_to);
        ELSE
            status := 'ok';
            detail := format('flattening: %s (the history''s copy, %s rows, swapped in for the history partition) [%s, %s); maintenance has moved %s intervals into the table, %s left',
                                        v_m.split_table, v_m.split_rows, coalesce(v_m.history_from, 'MINVALUE'), v_m.history_to, v_m.split_intervals,
                                        (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = to_regclass(v_m.split_table)));
        END IF;
    ELSIF v_hist IS NULL THEN
        status := 'warn';
        detail := format('the history partition is gone: SELECT part.finalize(%L)', p_table_name);
    ELSIF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist AND i.inhparent = v_part) THEN
        status := 'fail';
        detail := format('%s is no longer a partition of %s: its rows are not read; attach it back FOR VALUES FROM (%s) TO (%L)',
                                    v_m.history_table, v_m.partitioned_table,
                                    coalesce(quote_literal(v_m.history_from), 'MINVALUE'), v_m.history_to);
    ELSIF v_m.split_phase IS NOT NULL
          AND (to_regclass(v_m.split_table) IS NULL
               OR NOT EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync' AND t.tgenabled = 'A')) THEN
        status := 'fail';
        detail := format('the split of %s is %s, but %s or the trigger part_split_sync of %s is missing or disabled: the copy misses writes; ALTER TABLE %s ENABLE ALWAYS TRIGGER part_split_sync (maintenance then checks every interval again)',
                                    v_m.history_table, v_m.split_phase, v_m.split_table, v_m.history_table, v_m.history_table);
    ELSE
        v_rows := greatest((SELECT c.reltuples FROM pg_class c WHERE c.oid = v_hist), 0)::bigint;
        status := 'ok';
        detail := format('history partition %s [%s, %s) holds about %s rows; %s',
                                    v_m.history_table, coalesce(v_m.history_from, 'MINVALUE'), v_m.history_to, v_rows,
                                    CASE v_m.split_phase
                                        WHEN 'copying' THEN format('maintenance is copying it into %s (%s rows so far), kept in step by triggers', v_m.split_table, v_m.split_rows)
                                        WHEN 'checking' THEN format('maintenance copied it into %s (%s rows) and checks it interval by interval%s', v_m.split_table, v_m.split_rows,
                                                                    coalesce(' (matching below ' || v_m.split_checked_to || ')', ''))
                                        ELSE 'maintenance splits it online (not started yet)' END);
    END IF;
    RETURN NEXT;
END
$$;
