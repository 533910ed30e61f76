CREATE FUNCTION part.migrate_cancel(p_table text, p_copy text DEFAULT 'drop')
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel    regclass := part._resolve_table(p_table);
    v_name   text := part._qualified(v_rel);
    v_m      part.migration;
    v_legacy regclass;
    v_copy   regclass;
    v_where  text;
BEGIN
/*
 * Abandon a migration before the switch (phase dual_write or backfilled):
 * the sync goes (triggers and generated functions), the partitioned copy is
 * dropped (p_copy 'drop', the default) or kept as it is, unmanaged
 * ('keep'), and the part.migration row, its parity state and the copy's
 * part.config row are removed. The legacy table, its rows, triggers and
 * sequences are untouched: the application goes on writing it. A switched
 * table (partitioned) must be rolled back first (part.rollback); a
 * finalized one cannot be cancelled. A table without a migration is left as
 * it is (a NOTICE says so). Locks both tables as part.switch_reads does
 * (short timeouts, retries, 55P03). Returns what became of the copy.
 */
    IF p_copy IS NULL OR p_copy NOT IN ('drop', 'keep') THEN
        RAISE EXCEPTION 'invalid value "%" for p_copy', p_copy
            USING ERRCODE = '22023', HINT = 'Use ''drop'' (the default: the partitioned copy is dropped) or ''keep'' (left as it is, no longer managed).';
    END IF;
    SELECT * INTO v_m FROM part.migration m
     WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)
     ORDER BY (m.table_name = v_name) DESC, (m.phase = 'finalized')
     LIMIT 1;
    IF FOUND THEN   -- one phase change of a table at a time; read it again once it is ours
        PERFORM part._phase_lock(v_m.table_name);
        SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name;
    END IF;
    IF NOT FOUND THEN
        RAISE NOTICE 'part: % has no migration: nothing to cancel', v_name;
        RETURN NULL;
    END IF;
    PERFORM part._require_phase(v_m, 'migrate_cancel');

    -- writers go to the legacy table first, then (by the sync) to the copy: lock in that order
    v_legacy := to_regclass(v_m.legacy_table);
    v_copy := to_regclass(v_m.partitioned_table);
    PERFORM part._lock_all(ARRAY[v_legacy] || CASE WHEN v_copy IS NULL THEN '{}'::regclass[] ELSE ARRAY[v_copy] END,
                                   CASE WHEN v_copy IS NULL THEN ARRAY['ACCESS EXCLUSIVE'] ELSE ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE'] END);
    -- another call may have cancelled or switched it while we waited for the locks
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = v_m.table_name FOR UPDATE;
    IF NOT FOUND THEN
        RAISE NOTICE 'part: the migration of % was cancelled by another call meanwhile: nothing to do', v_name;
        RETURN NULL;
    ELSIF v_m.phase NOT IN ('dual_write', 'backfilled', 'preparing', 'prepared') THEN
        RAISE EXCEPTION 'cannot cancel the migration of %: another call moved it to % meanwhile', v_m.table_name, v_m.phase
            USING ERRCODE = '55000', HINT = 'See part.migrations, and roll it back first if it is partitioned.';
    END IF;

    IF v_m.method = 'attach' THEN
        -- no sync: the attach method's CHECK goes (the indexes part.attach_prepare had built stay)
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS part_history_bound', v_legacy);
    ELSE
        PERFORM part._sync_remove(v_m.table_name);
    END IF;
    DELETE FROM part.parity_mark pm WHERE pm.table_name = v_m.table_name;
    DELETE FROM part.parity_range pr WHERE pr.table_name = v_m.table_name;
    DELETE FROM part.migration m WHERE m.table_name = v_m.table_name;
    DELETE FROM part.config c WHERE c.parent_table = v_m.partitioned_table;
    IF v_copy IS NULL THEN
        v_where := v_m.partitioned_table || ' (already gone)';
    ELSIF p_copy = 'drop' THEN
        BEGIN
            EXECUTE format('DROP TABLE %s', v_copy);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE EXCEPTION 'cannot drop %: other objects depend on it', v_m.partitioned_table
                USING ERRCODE = '55000', HINT = 'Drop or change those objects (views, foreign keys) first, or cancel with p_copy => ''keep''.';
        END;
        v_where := v_m.partitioned_table || ' (dropped)';
    ELSE
        EXECUTE format('COMMENT ON TABLE %s IS %L', v_copy,
            format('part: partitioned copy of %s, kept when its migration was cancelled (not managed by part)', v_m.table_name));
        v_where := v_m.partitioned_table || ' (kept)';
    END IF;
    PERFORM part._notice(format('migration of %s cancelled: the sync is removed, the copy %s', v_m.table_name, v_where));
    RETURN v_where;
END
$$;
COMMENT ON FUNCTION part.migrate_cancel IS
    'part: abandon a migration before the switch: remove the sync and drop the partitioned copy (p_copy => ''keep'' leaves it, unmanaged); the legacy table is untouched. Returns the copy''s name and what became of it.';
