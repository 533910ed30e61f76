CREATE FUNCTION part._verify_default_retention()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_p     record;
    v_type  regtype;
    v_cut   text;
    v_n     bigint;
    v_range text;
BEGIN
/*
 * part.verify()'s check default_retention, one row per managed range table
 * with a default partition and a retention: no row older than the retention
 * sits in the default (maintenance never deletes those: someone must decide).
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    FOR v_p IN SELECT pl.*, c."interval", c.key_column, c.time_zone
                 FROM part._maintenance_plan() pl
                 JOIN part.config c ON c.parent_table = pl.parent_table
                WHERE pl.rel IS NOT NULL AND pl.strategy = 'range' AND pl.default_partition IS NOT NULL
                  AND pl.retention IS NOT NULL LOOP
        v_type := v_p.key_type::regtype;
        v_n := 0;
        v_range := NULL;
        IF v_p.default_nonempty THEN
            v_cut := part._verify_retention_cut(v_p.rel, v_p.key_column, v_type, v_p."interval", v_p.retention, v_p.time_zone);
            EXECUTE format(
                'SELECT pg_catalog.count(*), pg_catalog.min(k)::text || '' to '' || pg_catalog.max(k)::text '
                'FROM (SELECT %1$I AS k FROM ONLY %2$s WHERE %1$I < $1::%3$s LIMIT 1000000) x',
                v_p.key_column, v_p.default_partition, v_type)
               INTO v_n, v_range USING v_cut;
        END IF;
        RETURN QUERY SELECT 'default_retention', v_p.parent_table,
            CASE WHEN v_n = 0 THEN 'ok' ELSE 'fail' END,
            CASE WHEN v_n = 0 THEN format('no row older than the retention (%s) in %s', v_p.retention, v_p.default_partition)
                 ELSE format('%s rows older than the retention (%s; keys %s) sit in %s: maintenance never deletes them; move or delete them yourself',
                                        v_n, v_p.retention, v_range, v_p.default_partition) END;
    END LOOP;
END
$$;
