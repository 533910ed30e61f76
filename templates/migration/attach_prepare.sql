CREATE FUNCTION part.attach_prepare(p_table text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      part.migration := part._migration_row(p_table);
    v_legacy regclass;
    v_part   regclass;
    v_valid  boolean;
    v_sql    text;
BEGIN
/*
 * The preparation of an attach migration (phase 'preparing'), one step per
 * call, for the caller to repeat until it returns NULL:
 *   1. validate the legacy table's CHECK part_history_bound (SHARE UPDATE
 *      EXCLUSIVE: writers and readers go on while it scans; commit the
 *      part.migrate_start that added it first, or this waits behind its
 *      lock);
 *   2. return the next statement that cannot run inside a function: CREATE
 *      [UNIQUE] INDEX CONCURRENTLY on the legacy table of an index of the
 *      partitioned table it lacks (the primary key with the partition key
 *      first), or DROP INDEX CONCURRENTLY of an interrupted build; the
 *      caller runs it outside a transaction block and calls again
 *      (pginstall migrate does both);
 *   3. when nothing is missing: phase 'prepared', returns NULL.
 */
    -- one phase change of a table at a time: a switch or rollback meanwhile waits, or is seen
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF v_m.method <> 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the copy method', v_m.table_name
            USING ERRCODE = '55000', HINT = format('Copy the rows with CALL part.backfill(%L).', v_m.table_name);
    END IF;
    IF NOT part._require_phase(v_m, 'attach_prepare') THEN
        RETURN NULL;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    SELECT c.convalidated INTO v_valid FROM pg_constraint c
     WHERE c.conrelid = v_legacy AND c.conname = 'part_history_bound' AND c.contype = 'c';
    IF v_valid IS NULL THEN
        RAISE EXCEPTION 'the CHECK part_history_bound of % is missing', v_m.legacy_table
            USING ERRCODE = '55000',
                  HINT = format('It was dropped: cancel with SELECT part.migrate_cancel(%L) and start again.', v_m.table_name);
    END IF;
    IF NOT v_valid THEN
        PERFORM part._lock_all(ARRAY[v_legacy], ARRAY['SHARE UPDATE EXCLUSIVE']);
        BEGIN
            EXECUTE format('ALTER TABLE %s VALIDATE CONSTRAINT part_history_bound', v_legacy);
        EXCEPTION WHEN check_violation THEN
            RAISE EXCEPTION 'cannot prepare %: a row of % has a key at or past %, or none (written while part.migrate_start ran)',
                            v_m.table_name, v_m.legacy_table, v_m.history_to
                USING ERRCODE = '55000',
                      HINT = format('Cancel with SELECT part.migrate_cancel(%L), then start again (with a larger p_premake if the application writes that far ahead).',
                                               v_m.table_name);
        END;
        PERFORM part._notice(format('%s: every row is below %s (CHECK part_history_bound validated)',
                                                       v_m.legacy_table, v_m.history_to));
    END IF;
    v_sql := part._attach_next_index(v_legacy, v_part);
    IF v_sql IS NOT NULL THEN
        UPDATE part.migration m SET phase = 'preparing', prepared_at = NULL
         WHERE m.table_name = v_m.table_name AND m.phase <> 'preparing';
        RETURN v_sql;
    END IF;
    UPDATE part.migration m SET phase = 'prepared', prepared_at = coalesce(m.prepared_at, now())
     WHERE m.table_name = v_m.table_name;
    IF v_m.phase <> 'prepared' THEN
        PERFORM part._notice(format('%s prepared: SELECT part.switch_reads(%L) attaches it as the history partition',
                                                       v_m.table_name, v_m.table_name));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION part.attach_prepare IS
    'part: the next step of preparing an attach migration (validate the CHECK, the indexes to build CONCURRENTLY): returns the statement to run outside a transaction, NULL once the table is prepared for part.switch_reads.';
