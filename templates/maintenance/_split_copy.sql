CREATE FUNCTION part._split_copy(p_m part.migration, p_batch integer)
    RETURNS bigint
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_hist   regclass := to_regclass(p_m.history_table);
    v_m      regclass := to_regclass(p_m.split_table);
    v_cols   text;
    v_after  text;
    v_hi     text;
    v_rows   bigint;
BEGIN
/*
 * One batch of the copy of the history partition H into M (part.split_history
 * calls it, in its transaction): the next p_batch rows of H in primary-key
 * order after the last batch's key, read FOR KEY SHARE and inserted into M
 * ON CONFLICT DO NOTHING, as the table's owner (part._as_owner). Race-free
 * against writers, whom the row triggers on H (part._split_start) keep in
 * step: a delete or a key change of a row of the batch waits for the batch
 * (or the batch, for it, then skips the row or reads its new version); a
 * change of other columns of a row goes on and its trigger's upsert waits
 * for the batch's insert, then overwrites it; a row a trigger put into M
 * first wins over the batch's (ON CONFLICT DO NOTHING); a row written after
 * the batch's snapshot is the trigger's alone. No writer waits for the
 * batch but for the rows it holds. Returns the rows the batch inserted; the
 * last batch (fewer rows than p_batch left) moves the split on to the
 * parity check ('checking').
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
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    v_after := CASE WHEN p_m.split_copy_key IS NULL THEN 'true'
                    ELSE format('%s > %s', part._sql_columns(p_m.partitioned_key, 'h', 'row'),
                                           part._key_from_text_sql(v_hist, p_m.partitioned_key, '$1')) END;
    -- the batch's last key: the p_batch-th key after the last batch (on the primary key's index)
    EXECUTE format('SELECT %s FROM ONLY %s h WHERE %s ORDER BY %s OFFSET %s LIMIT 1',
                              part._sql_columns(p_m.partitioned_key, 'h', 'text'), v_hist, v_after,
                              part._sql_columns(p_m.partitioned_key, 'h'), p_batch - 1)
       INTO v_hi USING p_m.split_copy_key;
    v_rows := part._as_owner(v_part, format(
        'WITH c AS (INSERT INTO %1$s (%2$s) SELECT %6$s FROM ONLY %3$s h WHERE %4$s AND %5$s FOR KEY SHARE OF h '
        'ON CONFLICT DO NOTHING RETURNING 1) SELECT pg_catalog.count(*)::text FROM c',
        v_m, v_cols, v_hist, v_after,
        CASE WHEN v_hi IS NULL THEN 'true'
             ELSE format('%s <= %s', part._sql_columns(p_m.partitioned_key, 'h', 'row'),
                                    part._key_from_text_sql(v_hist, p_m.partitioned_key, '$2')) END,
        (SELECT string_agg('h.' || quote_ident(a.attname), ', ' ORDER BY a.attnum)
           FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '')),
        p_m.split_copy_key, v_hi)::bigint;
    UPDATE part.migration m
       SET split_copy_key = v_hi, split_rows = m.split_rows + v_rows,
           split_phase = CASE WHEN v_hi IS NULL THEN 'checking' ELSE 'copying' END
     WHERE m.table_name = p_m.table_name;
    RETURN v_rows;
END
$$;
