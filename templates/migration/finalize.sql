CREATE FUNCTION part.finalize(p_table text, p_keep_legacy text DEFAULT 'archive', p_force boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      part.migration := part._migration_row(p_table);
    v_legacy regclass;
    v_part   regclass;
    v_c      record;
    v_name   text;
    v_where  text;
BEGIN
/*
 * End a switched migration: remove the sync (triggers and generated
 * functions), then deal with the legacy table as p_keep_legacy asks:
 * 'archive' moves it into schema part_archive (not an extension member, so
 * uninstalling part never drops it), 'keep' leaves it as <table>_legacy,
 * 'drop' drops it. Column defaults of the legacy table that use a sequence
 * the partitioned table now owns are dropped first, so that the legacy table
 * no longer depends on it. Returns where the legacy table went; a finalized
 * table is left as it is.
 *
 * The legacy table is the proof that nothing was lost: finalize refuses
 * (55000) unless the last part.check_parity was clean, or p_force => true
 * says to go ahead anyway (logged as a WARNING).
 */
    -- one phase change of a table at a time: a concurrent call waits, then sees what the other did
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF p_force IS NULL THEN
        RAISE EXCEPTION 'p_force must not be NULL'
            USING ERRCODE = '22023', HINT = 'Pass true to finalize whatever the last parity check found, or false (the default).';
    END IF;
    IF p_keep_legacy IS NULL OR p_keep_legacy NOT IN ('archive', 'keep', 'drop') THEN
        RAISE EXCEPTION 'invalid value "%" for p_keep_legacy', p_keep_legacy
            USING ERRCODE = '22023', HINT = 'Use ''archive'' (schema part_archive), ''keep'' (as <table>_legacy) or ''drop''.';
    END IF;
    IF NOT part._require_phase(v_m, 'finalize') THEN
        RETURN v_m.legacy_table;
    END IF;
    IF v_m.method = 'attach' THEN
        IF to_regclass(v_m.history_table) IS NULL AND v_m.split_phase IS NULL THEN
            UPDATE part.migration m SET phase = 'finalized', finalized_at = now(), history_table = NULL
             WHERE m.table_name = v_m.table_name;
            RETURN v_m.legacy_table || ' (split and dropped)';
        END IF;
        RAISE EXCEPTION 'cannot finalize %: it is an attach migration in %, and its history partition % is not split yet%',
                        v_m.table_name, v_m.phase, coalesce(v_m.history_table, v_m.split_table, v_m.legacy_table),
                        CASE WHEN v_m.split_phase IS NOT NULL THEN format(' (the split is %s)', v_m.split_phase) ELSE '' END
            USING ERRCODE = '55000',
                  HINT = format('Maintenance splits it online, one step per transaction, and finalizes the migration when it is gone (CALL part.run_maintenance(), or SELECT * FROM part.split_history(%L) per step).',
                                           v_m.table_name);
    END IF;
    PERFORM part._require_sync_intact(v_m.table_name, 'finalize');
    IF NOT coalesce(v_m.parity_clean, false) THEN
        IF NOT p_force THEN
            RAISE EXCEPTION 'cannot finalize %: %', v_m.table_name,
                            CASE WHEN v_m.parity_checked_at IS NULL OR v_m.parity_clean IS NULL
                                 THEN 'its parity has not been checked since the sync changed'
                                 ELSE format('its last parity check (%s) found %s of %s ranges differing',
                                                        v_m.parity_checked_at, v_m.parity_differ, v_m.parity_ranges) END
                USING ERRCODE = '55000',
                      HINT = format('See the rows with SELECT * FROM part.parity_diff(%L), fix them and run SELECT * FROM part.check_parity(%L) again; '
                                               'or finalize anyway with part.finalize(%L, p_force => true).',
                                               v_m.table_name, v_m.table_name, v_m.table_name);
        END IF;
        RAISE WARNING 'part: finalizing % although its last parity check was not clean (p_force)', v_m.table_name;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    PERFORM part._lock_all(ARRAY[v_part, v_legacy], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    PERFORM part._sync_remove(v_m.table_name);

    FOR v_c IN
        SELECT DISTINCT a.attname
          FROM pg_attrdef d
          JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
          JOIN pg_depend dep ON dep.classid = 'pg_catalog.pg_attrdef'::regclass AND dep.objid = d.oid
                                       AND dep.refclassid = 'pg_catalog.pg_class'::regclass
          JOIN pg_depend own ON own.classid = 'pg_catalog.pg_class'::regclass AND own.objid = dep.refobjid
                                       AND own.deptype = 'a' AND own.refobjid = v_part
         WHERE d.adrelid = v_legacy
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT', v_legacy, v_c.attname);
    END LOOP;

    IF p_keep_legacy = 'archive' THEN
        PERFORM part._archive_schema();   -- created by part, or refused when someone else made it
        v_name := (SELECT c.relname FROM pg_class c WHERE c.oid = v_legacy);
        IF to_regclass(format('part_archive.%I', v_name)) IS NOT NULL THEN
            v_name := part._partition_name(v_name, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYYMMDD_HH24MISS'));
            EXECUTE format('ALTER TABLE %s RENAME TO %I', v_legacy, v_name);
        END IF;
        EXECUTE format('ALTER TABLE %s SET SCHEMA part_archive', v_legacy);
        v_where := part._qualified(v_legacy);
    ELSIF p_keep_legacy = 'drop' THEN
        BEGIN
            EXECUTE format('DROP TABLE %s', v_legacy);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE EXCEPTION 'cannot drop %: other objects depend on it', v_m.legacy_table
                USING ERRCODE = '55000', HINT = 'Drop or change those objects (views, foreign keys) first, or finalize with ''archive'' or ''keep''.';
        END;
        v_where := v_m.legacy_table || ' (dropped)';
    ELSE
        v_where := v_m.legacy_table;
    END IF;

    DELETE FROM part.parity_mark pm WHERE pm.table_name = v_m.table_name;
    DELETE FROM part.parity_range pr WHERE pr.table_name = v_m.table_name;
    UPDATE part.migration m
       SET phase = 'finalized', finalized_at = now(),
           legacy_table = CASE WHEN p_keep_legacy = 'drop' THEN m.legacy_table ELSE v_where END
     WHERE m.table_name = v_m.table_name;
    PERFORM part._notice(format('%s finalized: legacy table %s', v_m.table_name, v_where));
    RETURN v_where;
END
$$;
COMMENT ON FUNCTION part.finalize IS
    'part: end a switched migration: remove the sync, then archive (default), keep (as <table>_legacy) or drop the legacy table as p_keep_legacy says. Refuses unless the last parity check was clean (p_force => true to go ahead anyway). Returns where the legacy table went.';
