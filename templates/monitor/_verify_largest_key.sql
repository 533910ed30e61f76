CREATE FUNCTION part._verify_largest_key(p_rel regclass, p_key text, p_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_lim record := part._key_limits(p_type, p_interval);
    v_max text;
BEGIN
/*
 * For part.verify()'s checks of an integer-keyed range table: its "now",
 * the largest key an aligned partition can hold (not a bigint extreme:
 * part._key_limits), 0 when there is none.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    EXECUTE format('SELECT coalesce(pg_catalog.max(%1$I), 0)::text FROM %2$s WHERE %1$I >= $1::%3$s AND %1$I < $2::%3$s',
                              p_key, p_rel, p_type)
       INTO v_max USING v_lim.lo, v_lim.hi;
    RETURN v_max;
END
$$;
