CREATE FUNCTION part._split_flatten(p_m part.migration, OUT partition_name text, OUT done boolean)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_m      regclass := to_regclass(p_m.split_table);
    v_type   regtype := p_m.key_type::regtype;
    v_b      record;
    v_left   boolean;
BEGIN
/*
 * One step of the flattening of the split (part.split_history calls it
 * after the swap, in its transaction): M's lowest partition P moves to the
 * table. With the table and M locked ACCESS EXCLUSIVE (part._lock_all),
 * only catalog changes: M is detached, P detached from M and attached to
 * the table with its bounds (its CHECK part_split_bound implies them: no
 * scan; its indexes and foreign keys are the table's; the table's row
 * triggers are cloned onto it), its CHECK dropped, and M attached again
 * from P's upper bound to the cut (each partition left proves it by its
 * CHECK: no scan), or dropped when P was its last: then the migration is
 * 'finalized' and part.create_ahead makes the partitions ahead.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    done := false;
    IF v_m IS NULL THEN
        RAISE EXCEPTION 'the split of % lost %', p_m.table_name, p_m.split_table
            USING ERRCODE = '42P01', HINT = 'It was renamed or dropped outside part; see part.migrations.';
    END IF;
    PERFORM part._lock_all(ARRAY[v_part, v_m], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    IF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_m AND i.inhparent = v_part) THEN
        RAISE EXCEPTION '% is no longer a partition of %', p_m.split_table, p_m.partitioned_table
            USING ERRCODE = '55000', HINT = 'Attach it back with the bounds of its lowest and highest partitions, then run maintenance again.';
    END IF;
    SELECT b.partition_oid, b.partition_name, b.bound_from, b.bound_to INTO v_b
      FROM part._partition_bounds(v_m) b
     ORDER BY part._bound_ordinal(b.bound_from, v_type)
     LIMIT 1;
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_m);
    IF v_b.partition_oid IS NOT NULL THEN
        partition_name := v_b.partition_name;
        EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_m, v_b.partition_oid::regclass);
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%s) TO (%s)', v_part, v_b.partition_oid::regclass,
                                  CASE WHEN v_b.bound_from ~* '^minvalue$' THEN 'MINVALUE' ELSE quote_literal(v_b.bound_from) END,
                                  quote_literal(v_b.bound_to));
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS part_split_bound', v_b.partition_oid::regclass);
    END IF;
    v_left := EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = v_m);
    IF v_left THEN
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)', v_part, v_m, v_b.bound_to, p_m.history_to);
        UPDATE part.migration m SET split_intervals = m.split_intervals + 1, history_from = v_b.bound_to
         WHERE m.table_name = p_m.table_name;
    ELSE
        EXECUTE format('DROP TABLE %s', v_m);
        UPDATE part.migration m
           SET split_intervals = m.split_intervals + CASE WHEN v_b.partition_oid IS NULL THEN 0 ELSE 1 END,
               history_from = coalesce(v_b.bound_to, m.history_from), split_phase = NULL, split_table = NULL,
               split_copy_key = NULL, split_checked_to = NULL, split_sync_xmin = NULL, phase = 'finalized', finalized_at = now()
         WHERE m.table_name = p_m.table_name;
        PERFORM part.create_ahead(NULL, part._qualified(v_part));   -- the intervals ahead
        done := true;
    END IF;
END
$$;
