CREATE FUNCTION part._sync_remove(p_table_name text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_t record;
BEGIN
/*
 * Remove the sync of a migration: the part_sync_* triggers of its tables
 * and partitions, then the two generated functions.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    FOR v_t IN
        SELECT t.tgname, t.tgrelid::regclass AS rel
          FROM pg_trigger t
          JOIN pg_proc p ON p.oid = t.tgfoid
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE NOT t.tgisinternal AND t.tgname LIKE 'part\_sync\_%'
           AND (format('%I.%I', n.nspname, p.proname)
                    IN (part._sync_function_name(p_table_name, 'partitioned'),
                        part._sync_function_name(p_table_name, 'legacy'))
                OR t.tgname = 'part_sync_guard' AND p.oid = 'part._sync_guard()'::regprocedure
                   AND t.tgrelid IN (SELECT to_regclass(m.legacy_table) FROM part.migration m WHERE m.table_name = p_table_name
                                     UNION ALL
                                     SELECT to_regclass(m.partitioned_table) FROM part.migration m WHERE m.table_name = p_table_name))
    LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', v_t.tgname, v_t.rel);
    END LOOP;
    EXECUTE format('DROP FUNCTION IF EXISTS %s()', part._sync_function_name(p_table_name, 'partitioned'));
    EXECUTE format('DROP FUNCTION IF EXISTS %s()', part._sync_function_name(p_table_name, 'legacy'));
END
$$;
