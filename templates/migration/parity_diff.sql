CREATE FUNCTION part.parity_diff(p_table text, p_limit integer DEFAULT 1000)
    RETURNS TABLE(key jsonb, problem text)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    SET jit = off
AS $$
DECLARE
    v_m      part.migration := part._migration_row(p_table);
    v_legacy regclass;
    v_part   regclass;
    v_cols   text[];
    v_keys   text;
BEGIN
/*
 * The rows that differ between the legacy table and the partitioned copy,
 * by the copy's primary key (which includes the partition key): 'missing'
 * (in the legacy table only), 'extra' (in the copy only), 'different'
 * (both, with different content). Both sides in one snapshot; at most
 * p_limit rows.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its query's column lists come from part._sql_columns (%I);
 * test_template_rules.py checks how its EXECUTEs are composed.
 * (extra_warnings: RETURN QUERY EXECUTE sets the OUT columns, which plpgsql_check cannot see.)
 * @plpgsql_check_options: security_warnings = false, extra_warnings = false
 */
    PERFORM part._require_phase(v_m, 'parity_diff');
    IF p_limit IS NULL OR p_limit < 1 THEN
        RAISE EXCEPTION 'invalid limit %', coalesce(p_limit::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass a positive number of rows, e.g. 1000.';
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    v_cols := part._sync_columns(v_legacy, v_part);
    SELECT string_agg(format('%L, coalesce(l.%I, p.%I)', c, c, c), ', ' ORDER BY o) INTO v_keys
      FROM unnest(v_m.partitioned_key) WITH ORDINALITY AS u(c, o);
    RETURN QUERY EXECUTE format(
        'SELECT pg_catalog.jsonb_build_object(%1$s), '
        '       CASE WHEN p.h IS NULL THEN ''missing'' WHEN l.h IS NULL THEN ''extra'' ELSE ''different'' END '
        '  FROM (SELECT %2$s, %3$s AS h FROM %4$s x) l '
        '  FULL JOIN (SELECT %2$s, %3$s AS h FROM %5$s x) p ON %6$s '
        ' WHERE l.h IS DISTINCT FROM p.h '
        ' ORDER BY 2, %7$s LIMIT %8$s',
        v_keys, part._sql_columns(v_m.partitioned_key, 'x'), part._row_hash_sql(v_legacy, v_cols, 'x'),
        v_legacy, v_part, part._sql_columns(v_m.partitioned_key, 'l', 'match:p'),
        (SELECT string_agg(format('coalesce(l.%I, p.%I)', c, c), ', ')
           FROM unnest(v_m.partitioned_key) c),
        p_limit);
END
$$;
COMMENT ON FUNCTION part.parity_diff IS
    'part: the rows that differ between a migration''s two tables (key as JSON; problem missing | extra | different), at most p_limit.';
