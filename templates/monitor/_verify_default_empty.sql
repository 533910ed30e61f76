CREATE FUNCTION part._verify_default_empty()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_p      record;
    v_type   regtype;
    v_cut    text;
    v_lim    record;
    v_n      bigint;
    v_range  text;
    v_stuck  bigint;
    v_srange text;
BEGIN
/*
 * part.verify()'s check default_empty, one row per managed range table
 * with a default partition: no row waits there (maintenance moves them: a
 * row there means it has not run since). Rows no aligned partition can hold
 * (NULL keys, infinity, the type's extremes: part._key_limits) are reported
 * with what to do; rows older than the retention are default_retention's.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    FOR v_p IN SELECT pl.*, c."interval", c.key_column, c.time_zone
                 FROM part._maintenance_plan() pl
                 JOIN part.config c ON c.parent_table = pl.parent_table
                WHERE pl.rel IS NOT NULL AND pl.strategy = 'range' AND pl.default_partition IS NOT NULL LOOP
        v_type := v_p.key_type::regtype;
        v_lim := part._key_limits(v_type, v_p."interval");
        v_n := 0;
        v_range := NULL;
        v_stuck := 0;
        v_srange := NULL;
        IF v_p.default_nonempty THEN
            v_cut := part._verify_retention_cut(v_p.rel, v_p.key_column, v_type, v_p."interval", v_p.retention, v_p.time_zone);
            -- rows maintenance moves, and rows no aligned partition can hold (NULL, infinity, the type's extremes)
            EXECUTE format(
                'SELECT pg_catalog.count(*) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s), '
                '       pg_catalog.min(k) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s)::text || '' to '' '
                '       || pg_catalog.max(k) FILTER (WHERE k >= $2::%3$s AND k < $3::%3$s)::text, '
                '       pg_catalog.count(*) FILTER (WHERE k IS NULL OR k < $2::%3$s OR k >= $3::%3$s), '
                '       pg_catalog.concat_ws('', '', CASE WHEN pg_catalog.bool_or(k IS NULL) THEN ''NULL'' END, '
                '                            pg_catalog.min(k) FILTER (WHERE k < $2::%3$s OR k >= $3::%3$s)::text, '
                '                            pg_catalog.max(k) FILTER (WHERE k < $2::%3$s OR k >= $3::%3$s)::text) '
                'FROM (SELECT %1$I AS k FROM ONLY %2$s WHERE $1::%3$s IS NULL OR %1$I >= $1::%3$s OR %1$I IS NULL LIMIT 1000000) x',
                v_p.key_column, v_p.default_partition, v_type)
               INTO v_n, v_range, v_stuck, v_srange USING v_cut, v_lim.lo, v_lim.hi;
        END IF;
        RETURN QUERY SELECT 'default_empty', v_p.parent_table,
            CASE WHEN v_n = 0 AND v_stuck = 0 THEN 'ok' ELSE 'fail' END,
            CASE WHEN v_n = 0 AND v_stuck = 0 THEN format('%s holds no row to move', v_p.default_partition)
                 ELSE concat_ws('; ',
                     CASE WHEN v_n > 0 THEN format('%s rows wait in %s (keys %s): CALL part.run_maintenance() moves them into partitions',
                                                              v_n, v_p.default_partition, v_range) END,
                     CASE WHEN v_stuck > 0 THEN format(
                         '%s rows in %s have keys no partition of part can hold (%s; part makes partitions for keys from %s to before %s): '
                         'maintenance leaves them there; correct or delete them, or attach a partition for them yourself (FOR VALUES FROM (...) TO (MAXVALUE), say)',
                         v_stuck, v_p.default_partition, v_srange, v_lim.lo, v_lim.hi) END) END;
    END LOOP;
END
$$;
