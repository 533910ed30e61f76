CREATE FUNCTION part._sync_install(p_table_name text, p_triggers boolean DEFAULT true, p_functions text[] DEFAULT NULL,
                                           p_side text DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m        part.migration;
    v_legacy   regclass;
    v_part     regclass;
    v_to_part  text := part._sync_function_name(p_table_name, 'partitioned');
    v_to_leg   text := part._sync_function_name(p_table_name, 'legacy');
    v_p        record;
BEGIN
/*
 * Generate (or regenerate) the sync of a migration from the live catalog:
 * the two trigger functions, in the application table's schema, and the
 * statement-level triggers with transition tables (templates/sync/) on the
 * legacy table, on the partitioned table and on each of its partitions (a
 * write straight into a partition does not fire the parent's statement
 * triggers). On the table the application writes (the legacy one until the
 * switch) they mirror; on the other one they are disabled and a guard
 * refuses direct writes. Records the columns the sync writes, for drift
 * checks. p_triggers => false (the switch and the rollback, under their
 * locks, after part._require_sync_intact found every trigger in place):
 * only the functions are regenerated (the tables' names changed) and the
 * direction turned over; the triggers stay (they name the functions by oid).
 * p_functions: the CREATE statements of both functions, prepared by
 * part._sync_functions_after_swap before the locks.
 * p_side: NULL does everything; 'partitioned' only the functions and the
 * partitioned table's side (migrate_start does that before it locks the
 * live table: the copy no one else sees may have a thousand partitions);
 * 'legacy' then only the legacy table's triggers and the recorded columns.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_legacy IS NULL OR v_part IS NULL THEN
        RAISE EXCEPTION 'the tables of the migration of % are missing (legacy %, partitioned %)',
                        p_table_name, v_m.legacy_table, v_m.partitioned_table
            USING ERRCODE = '42P01', HINT = 'Restore the missing table, or remove the migration row from part.migration.';
    END IF;
    IF p_side IS NOT NULL AND p_side NOT IN ('partitioned', 'legacy') THEN
        RAISE EXCEPTION 'unknown side %', p_side
            USING ERRCODE = '22023', HINT = 'An internal caller of part._sync_install passed a wrong argument: report it as a bug.';
    END IF;
    IF p_side = 'legacy' THEN
        NULL;   -- the functions were made with the partitioned side
    ELSIF p_functions IS NULL THEN
        PERFORM part._sync_function_create(v_m, 'partitioned');
        PERFORM part._sync_function_create(v_m, 'legacy');
    ELSE
        -- prepared by part._sync_functions_after_swap: CREATE OR REPLACE keeps owner and privileges
        EXECUTE p_functions[1];
        EXECUTE p_functions[2];
        EXECUTE format('COMMENT ON FUNCTION %s() IS %L', v_to_part,
            format('part: mirrors writes of %s into %s (generated; part.migrate_refresh regenerates it)', v_legacy, v_part));
        EXECUTE format('COMMENT ON FUNCTION %s() IS %L', v_to_leg,
            format('part: mirrors writes of %s into %s (generated; part.migrate_refresh regenerates it)', v_part, v_legacy));
    END IF;

    IF p_triggers AND p_side IS DISTINCT FROM 'partitioned' THEN
        PERFORM part._sync_triggers(v_legacy, v_to_part, 'table', true, false, true);
    END IF;
    IF p_triggers AND p_side IS DISTINCT FROM 'legacy' THEN
        PERFORM part._sync_triggers(v_part, v_to_leg, 'table', true, true, true);
    END IF;
    -- the table the application writes mirrors its writes; the other one refuses direct writes
    -- (its DML triggers disabled: with transition tables they would keep every row the sync or
    -- the backfill writes there, for nothing)
    FOR v_p IN
        SELECT CASE WHEN v_m.phase = 'partitioned' THEN v_part ELSE v_legacy END AS writer,
               CASE WHEN v_m.phase = 'partitioned' THEN v_legacy ELSE v_part END AS mirror
    LOOP
        IF p_side IS NULL OR (v_p.writer = v_part) = (p_side = 'partitioned') THEN
            EXECUTE format('ALTER TABLE %1$s DISABLE TRIGGER part_sync_guard, ENABLE ALWAYS TRIGGER part_sync_insert, '
                                      'ENABLE ALWAYS TRIGGER part_sync_update, ENABLE ALWAYS TRIGGER part_sync_delete, '
                                      'ENABLE ALWAYS TRIGGER part_sync_truncate', v_p.writer);
        END IF;
        IF p_side IS NULL OR (v_p.mirror = v_part) = (p_side = 'partitioned') THEN
            EXECUTE format('ALTER TABLE %1$s ENABLE ALWAYS TRIGGER part_sync_guard', v_p.mirror);
            -- the mirror: its guard refuses writes and TRUNCATE; its own sync does not fire (a TRUNCATE
            -- the sync makes there must not be mirrored back)
            EXECUTE format('ALTER TABLE %1$s DISABLE TRIGGER part_sync_insert, DISABLE TRIGGER part_sync_update, '
                                      'DISABLE TRIGGER part_sync_delete, DISABLE TRIGGER part_sync_truncate', v_p.mirror);
        END IF;
    END LOOP;
    FOR v_p IN SELECT i.inhrelid::regclass AS rel FROM pg_inherits i
                WHERE i.inhparent = v_part AND p_triggers AND p_side IS DISTINCT FROM 'legacy' LOOP
        PERFORM part._sync_triggers(v_p.rel, v_to_leg, 'partition', false, true);
    END LOOP;
    IF p_side = 'partitioned' THEN
        RETURN;   -- the columns are recorded with the legacy side, under the lock
    END IF;
    UPDATE part.migration m SET sync_columns = part._sync_columns(v_legacy, v_part)
     WHERE m.table_name = p_table_name;
END
$$;
