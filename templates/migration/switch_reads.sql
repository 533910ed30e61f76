CREATE FUNCTION part.switch_reads(p_table text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_functions text[];
    v_m      part.migration := part._migration_row(p_table);
    v_differ integer;
    v_started timestamptz;
    v_took   interval;
BEGIN
/*
 * Switch a backfilled migration to phase 'partitioned': the partitioned
 * copy takes the application's table name (the legacy table becomes
 * <table>_legacy) and the sync now mirrors the partitioned table back into
 * the legacy one. Requires clean parity: the last full check clean, then
 * the ranges marked since re-checked here, first without locks (until a
 * pass is quick). What was written after the last pass stays marked, and
 * the next part.check_parity verifies it (a NOTICE says so): hashing it
 * under the locks would hold the application's writers for as long.
 * The locks are ACCESS EXCLUSIVE on both tables, taken with short timeouts
 * and retries (part._lock_all): writers wait at most one timeout per
 * attempt, and after the last attempt 55P03 names the blocking session.
 * The sync functions as they must read after the swap are rendered before
 * the locks; under them only renames and catalog changes run (part._swap).
 * Everything happens in the caller's transaction. Returns the new phase;
 * a table already partitioned is left as it is.
 */
    -- one phase change of a table at a time: a concurrent call waits, then sees what the other did
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF NOT part._require_phase(v_m, 'switch_reads') THEN
        RETURN v_m.phase;
    END IF;
    IF v_m.method = 'attach' THEN
        RETURN part._attach_switch(v_m);   -- the attach method: no copy, no parity to check
    END IF;
    IF v_m.parity_full_at IS NULL OR NOT coalesce(v_m.parity_clean, false) THEN
        RAISE EXCEPTION 'cannot switch %: its parity is not clean', v_m.table_name
            USING ERRCODE = '55000',
                  HINT = format('Check it with SELECT * FROM part.check_parity(%L); see the rows with part.parity_diff(%L).',
                                           v_m.table_name, v_m.table_name);
    END IF;
    PERFORM part._require_sync_intact(v_m.table_name, 'switch_reads');

    -- the ranges marked since the last check, without locks: passes until one is quick (the
    -- bulk of the work, and then what was written during it), at most three
    FOR v_pass IN 1 .. 3 LOOP
        v_started := clock_timestamp();
        SELECT count(*) FILTER (WHERE c.status <> 'ok') INTO v_differ FROM part.check_parity(v_m.table_name) c;
        v_took := clock_timestamp() - v_started;
        IF v_differ > 0 THEN
            RAISE EXCEPTION 'cannot switch %: parity differs in % ranges', v_m.table_name, v_differ
                USING ERRCODE = '55000', HINT = format('See SELECT * FROM part.parity_diff(%L).', v_m.table_name);
        END IF;
        EXIT WHEN v_took < interval '200 milliseconds';
    END LOOP;

    -- the sync functions as they must read after the swap, rendered before the locks
    v_functions := part._sync_functions_after_swap(v_m, 'partitioned');
    -- writers go to the legacy table first, then (by the sync) to the copy: lock in that order
    PERFORM part._lock_all(ARRAY[to_regclass(v_m.legacy_table), to_regclass(v_m.partitioned_table)],
                                   ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    -- What was written since the last pass is not hashed here, under the locks (the writers would
    -- wait for it): those ranges stay marked, and the next part.check_parity verifies them.
    IF EXISTS (SELECT 1 FROM part.parity_mark pm WHERE pm.table_name = v_m.table_name) THEN
        RAISE NOTICE 'part: % switched; the ranges written since the last parity pass stay marked: the next part.check_parity verifies them',
                     v_m.table_name;
    END IF;
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name;
    PERFORM part._swap(v_m, 'partitioned', v_functions);
    PERFORM part._notice(format('%s switched: %s is the partitioned table, the legacy table is mirrored',
                                                   v_m.table_name, v_m.table_name));
    RETURN 'partitioned';
END
$$;
COMMENT ON FUNCTION part.switch_reads IS
    'part: switch a backfilled migration with clean parity to partitioned: the partitioned table takes the application''s name in one short transaction (short lock timeouts with retries, 55P03 naming the blocker), ids continue, the sync mirrors it back into the legacy table. Returns the new phase.';
