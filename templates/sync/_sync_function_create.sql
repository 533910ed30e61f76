CREATE FUNCTION part._sync_function_create(p_m part.migration, p_direction text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy   regclass := to_regclass(p_m.legacy_table);
    v_part     regclass := to_regclass(p_m.partitioned_table);
    v_function text := part._sync_function_name(p_m.table_name, p_direction);
    v_owner    text;
BEGIN
/*
 * Create (or replace) one sync trigger function of a migration (p_direction
 * 'partitioned': legacy -> partitioned, 'legacy': back) and give it to the
 * owner of the legacy table: it is SECURITY DEFINER so that every writer's
 * statement is mirrored with the rights of the tables' owner (who owns both
 * tables: part.migrate_start gives the copy the legacy table's owner), never
 * with the rights of whoever started the migration. PUBLIC may not execute
 * it, so no one else can attach it to a table of their own (firing a trigger
 * needs no EXECUTE; creating one does). The owner may use the two helpers
 * the sync calls in part's catalog, and nothing else of part.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * it runs the CREATE FUNCTION part._sync_function_sql composed, and names of regclass text;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT quote_ident(pg_get_userbyid(c.relowner)) INTO v_owner
      FROM pg_class c WHERE c.oid = v_legacy;
    IF p_direction = 'partitioned' THEN
        EXECUTE part._sync_function_sql(p_m, v_legacy, v_part, v_function);
    ELSE
        EXECUTE part._sync_function_sql(p_m, v_part, v_legacy, v_function);
    END IF;
    -- owner and privileges (skipped when already so: this runs under the switch's locks)
    IF NOT EXISTS (SELECT 1 FROM pg_proc p
                    WHERE p.oid = to_regprocedure(v_function || '()')
                      AND p.proowner = (SELECT c.relowner FROM pg_class c WHERE c.oid = v_legacy)
                      AND p.proacl IS NOT NULL
                      AND NOT EXISTS (SELECT 1 FROM aclexplode(p.proacl) a WHERE a.grantee <> p.proowner)) THEN
        EXECUTE format('ALTER FUNCTION %s() OWNER TO %s', v_function, v_owner);
        EXECUTE format('REVOKE ALL ON FUNCTION %s() FROM PUBLIC', v_function);
    END IF;
    EXECUTE format('COMMENT ON FUNCTION %s() IS %L', v_function,
        format('part: mirrors writes of %s into %s (generated; part.migrate_refresh regenerates it)',
                          CASE WHEN p_direction = 'partitioned' THEN p_m.legacy_table ELSE p_m.partitioned_table END,
                          CASE WHEN p_direction = 'partitioned' THEN p_m.partitioned_table ELSE p_m.legacy_table END));
    IF NOT has_function_privilege((SELECT c.relowner FROM pg_class c WHERE c.oid = v_legacy),
                                             'part._parity_mark(text, text[])', 'EXECUTE')
       OR NOT has_function_privilege((SELECT c.relowner FROM pg_class c WHERE c.oid = v_legacy),
                                                'part._sync_state(text, boolean)', 'EXECUTE')
       OR NOT has_schema_privilege((SELECT c.relowner FROM pg_class c WHERE c.oid = v_legacy),
                                              'part', 'USAGE') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA part TO %s', v_owner);
        EXECUTE format('GRANT EXECUTE ON FUNCTION part._parity_mark(text, text[]), '
                                  'part._sync_state(text, boolean) TO %s', v_owner);
    END IF;
END
$$;
