CREATE FUNCTION part.rollback(p_table text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_functions text[];
    v_m part.migration := part._migration_row(p_table);
BEGIN
/*
 * Undo part.switch_reads: the legacy table takes the application's name
 * again, the partitioned copy goes back to <table>_partitioned, the sync
 * mirrors the legacy table into the copy again, and the migration is back
 * in 'backfilled'. Nothing written while 'partitioned' is lost: the sync
 * mirrored every write into the legacy table; identity sequences of the
 * legacy table are advanced past the ids the partitioned table handed out.
 * Locks as part.switch_reads (short timeouts, retries, 55P03). A table
 * already backfilled is left as it is; returns the new phase.
 */
    -- one phase change of a table at a time: a concurrent call waits, then sees what the other did
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF NOT part._require_phase(v_m, 'rollback') THEN
        RETURN v_m.phase;
    END IF;
    IF v_m.method = 'attach' THEN
        RETURN part._attach_rollback(v_m);
    END IF;
    PERFORM part._require_sync_intact(v_m.table_name, 'rollback');
    -- the sync functions as they must read after the swap, rendered before the locks
    v_functions := part._sync_functions_after_swap(v_m, 'backfilled');
    -- writers go to the partitioned table first now
    PERFORM part._lock_all(ARRAY[to_regclass(v_m.partitioned_table), to_regclass(v_m.legacy_table)],
                                   ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    PERFORM part._swap(v_m, 'backfilled', v_functions);
    PERFORM part._notice(format('%s rolled back: the legacy table is read and written again', v_m.table_name));
    RETURN 'backfilled';
END
$$;
COMMENT ON FUNCTION part.rollback IS
    'part: undo part.switch_reads: the legacy table takes the application''s name again, the sync mirrors it into the copy, the migration is backfilled again; nothing written meanwhile is lost. Short lock timeouts with retries (55P03). Returns the new phase.';
