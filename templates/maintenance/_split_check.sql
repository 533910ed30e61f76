CREATE FUNCTION part._split_check(p_m part.migration, OUT partition_name text, OUT row_count bigint, OUT clean boolean)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_hist   regclass := to_regclass(p_m.history_table);
    v_m      regclass := to_regclass(p_m.split_table);
    v_type   regtype := p_m.key_type::regtype;
    v_cols   text[];
    v_b      record;
    v_range  text;
    v_h      text;
    v_c      text;
BEGIN
/*
 * The parity check of one interval of the split (part.split_history calls
 * it once the copy is done, in its transaction, taking no lock that blocks
 * a writer): the next partition P of M above split_checked_to, its row
 * count and content hash (part._row_hash_sql) against the history
 * partition H's rows of that interval, in one statement, so one snapshot
 * (the triggers write H and M in the writer's transaction: any snapshot
 * sees both alike). When they match, split_checked_to moves to P's upper
 * bound (clean). When they differ (a trigger disabled for a while, a
 * write part could not see), it says why (WARNING) and copies the
 * interval again, as the owner: H's rows of it read FOR SHARE (every
 * writer of those rows waits or is waited for) and upserted into M, then
 * M's rows that H no longer has deleted; the next step checks it again.
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
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped;
    SELECT b.partition_oid, b.partition_name, b.bound_from, b.bound_to INTO v_b
      FROM part._partition_bounds(v_m) b
     WHERE p_m.split_checked_to IS NULL
        OR part._bound_ordinal(b.bound_to, v_type) > part._bound_ordinal(p_m.split_checked_to, v_type)
     ORDER BY part._bound_ordinal(b.bound_to, v_type)
     LIMIT 1;
    IF v_b.partition_oid IS NULL THEN
        clean := true;   -- every interval checked
        RETURN;
    END IF;
    partition_name := v_b.partition_name;
    v_range := format('%s h.%I < %L::%s',
                                 CASE WHEN v_b.bound_from ~* '^minvalue$' THEN ''
                                      ELSE format('h.%I >= %L::%s AND', p_m.key_column, v_b.bound_from, v_type) END,
                                 p_m.key_column, v_b.bound_to, v_type);
    EXECUTE format('SELECT (SELECT pg_catalog.count(*) || ''/'' || coalesce(pg_catalog.sum(%1$s::numeric), 0) FROM ONLY %2$s h WHERE %3$s), '
                              '(SELECT pg_catalog.count(*) || ''/'' || coalesce(pg_catalog.sum(%4$s::numeric), 0) FROM ONLY %5$s p)',
                              part._row_hash_sql(v_part, v_cols, 'h'), v_hist, v_range,
                              part._row_hash_sql(v_part, v_cols, 'p'), v_b.partition_oid::regclass)
       INTO v_h, v_c;
    row_count := split_part(v_h, '/', 1)::bigint;
    clean := v_h = v_c;
    IF clean THEN
        UPDATE part.migration m SET split_checked_to = v_b.bound_to WHERE m.table_name = p_m.table_name;
        RETURN;
    END IF;
    RAISE WARNING 'split of %: % differs from the history partition''s rows of [%, %) (rows/hash % there, % here): copying that interval again',
                  p_m.table_name, partition_name, v_b.bound_from, v_b.bound_to, v_h, v_c
        USING HINT = 'Was the trigger part_split_sync of the history partition disabled? The next maintenance step checks the interval again.';
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_h
      FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    PERFORM part._as_owner(v_part, format(
        'INSERT INTO %1$s AS t (%2$s) SELECT %2$s FROM ONLY %3$s h WHERE %4$s FOR SHARE OF h ON CONFLICT (%5$s) DO UPDATE SET %6$s',
        v_m, v_h, v_hist, v_range, part._sql_columns(p_m.partitioned_key),
        coalesce(part._sql_columns(ARRAY(SELECT a.attname::text FROM pg_attribute a
                                           WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                                             AND NOT a.attname = ANY (p_m.partitioned_key) ORDER BY a.attnum), NULL, 'set'),
                 format('%1$I = EXCLUDED.%1$I', p_m.key_column))), p_returns => false);
    PERFORM part._as_owner(v_part, format(
        'DELETE FROM ONLY %1$s p WHERE NOT EXISTS (SELECT 1 FROM ONLY %2$s h WHERE %3$s)',
        v_b.partition_oid::regclass, v_hist, part._sql_columns(p_m.partitioned_key, 'h', 'match:p')), p_returns => false);
END
$$;
