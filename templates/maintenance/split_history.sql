CREATE FUNCTION part.split_history(p_table text)
    RETURNS TABLE(partition_name text, rows_moved bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m       part.migration := part._migration_row(p_table);
    v_part    regclass;
    v_hist    regclass;
    v_cfg     part.config;
    v_type    regtype;
    v_int     boolean;
    v_schema  text;
    v_min     text;
    v_from    text;
    v_to      text;
    v_name    text;
    v_new     regclass;
    v_cols    text;
    v_refs    text;
    v_cloned  text;
    v_left    boolean;
    v_trg     text[];
    v_trg_mode text[];
BEGIN
/*
 * One step of the split of an attach migration's history partition (the
 * legacy table, attached as [MINVALUE or history_from, history_to)), in
 * the caller's transaction; part.run_maintenance calls it once per
 * transaction until the history partition is gone. The step takes the
 * interval holding the history's smallest key, [from, to):
 *   1. locks the partitioned table and the history partition ACCESS
 *      EXCLUSIVE (part._lock_all: short timeouts, retries);
 *   2. creates the interval's partition as a table with a CHECK of its
 *      bounds, and moves the interval's rows into it as the table's owner
 *      (part._as_owner), with the history partition's triggers disabled
 *      for the move (no user row trigger fires for a row that only moves;
 *      refused while a foreign key references the table, whose ON DELETE
 *      actions would fire, and on PostgreSQL 14 while cloned row triggers
 *      are enabled there, as part's drain of a default partition is);
 *   3. DETACHes the history partition, ATTACHes the new partition (no scan:
 *      its CHECK), and ATTACHes the history partition again as [to, cut)
 *      (a scan of the rows it still holds, under the lock), or, when it is
 *      empty, drops it, makes the partitions for now and premake ahead
 *      (part.create_ahead) and the migration is 'finalized'.
 * Returns the partition made and the rows moved (no row when there was
 * nothing to do). One transaction per step: a crash leaves the step undone
 * and the next call does it again.
 */
    -- one phase change of a table at a time (a rollback waits for this step, then sees it happened)
    PERFORM part._phase_lock(v_m.table_name);
    v_m := part._migration_row(p_table);
    IF v_m.method <> 'attach' THEN
        RAISE EXCEPTION 'the migration of % uses the copy method: it has no history partition', v_m.table_name
            USING ERRCODE = '55000', HINT = 'Only migrations started with p_method => ''attach'' have one.';
    END IF;
    IF NOT part._require_phase(v_m, 'split_history') THEN
        RETURN;   -- finalized: nothing left
    END IF;
    v_part := to_regclass(v_m.partitioned_table);
    v_hist := to_regclass(v_m.history_table);
    IF v_part IS NULL THEN
        RAISE EXCEPTION 'table % is missing', v_m.partitioned_table USING ERRCODE = '42P01',
            HINT = 'It was renamed or dropped outside part; see part.migrations.';
    END IF;
    v_cfg := part._config_row(v_part);
    v_type := v_m.key_type::regtype;
    v_int := v_m.key_type IN ('smallint', 'integer', 'bigint');
    SELECT n.nspname INTO v_schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = v_part;

    IF v_hist IS NOT NULL THEN
        PERFORM part._lock_all(ARRAY[v_part, v_hist], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
        IF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_hist AND i.inhparent = v_part) THEN
            RAISE EXCEPTION '% is no longer a partition of %', v_m.history_table, v_m.partitioned_table
                USING ERRCODE = '55000', HINT = format('Attach it back as FOR VALUES FROM (%s) TO (%L), then run maintenance again.',
                                                                  coalesce(quote_literal(v_m.history_from), 'MINVALUE'), v_m.history_to);
        END IF;
        EXECUTE format('SELECT pg_catalog.min(%I)::text FROM ONLY %s', v_m.key_column, v_hist) INTO v_min;
    END IF;
    IF v_min IS NULL THEN
        -- nothing left in it: it goes, and the migration is over
        IF v_hist IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_hist);
            EXECUTE format('DROP TABLE %s', v_hist);
        END IF;
        UPDATE part.migration m SET phase = 'finalized', finalized_at = now(), history_table = NULL
         WHERE m.table_name = v_m.table_name;
        PERFORM part.create_ahead(NULL, part._qualified(v_part));   -- the intervals it covered up to now and ahead
        PERFORM part._notice(format('%s finalized (attach): its history partition is split and dropped', v_m.table_name));
        RETURN;
    END IF;

    IF NOT v_int THEN
        v_min := part._literal(part._to_utc(v_min, v_type), v_type);
    END IF;
    v_from := part._range_floor(v_min, v_type, v_cfg."interval", v_cfg.time_zone);
    v_to := part._range_next(v_from, v_type, v_cfg."interval", v_cfg.time_zone);
    IF part._bound_ordinal(v_to, v_type) > part._bound_ordinal(v_m.history_to, v_type) THEN
        v_to := v_m.history_to;
    END IF;
    IF v_m.history_from IS NOT NULL AND part._bound_ordinal(v_from, v_type) < part._bound_ordinal(v_m.history_from, v_type) THEN
        v_from := v_m.history_from;
    END IF;

    -- moving a row to another partition is a delete and an insert for what references or watches it
    SELECT string_agg(DISTINCT format('%s (constraint %I)', c.conrelid::regclass, c.conname), ', ')
      INTO v_refs
      FROM pg_constraint c WHERE c.contype = 'f' AND c.confrelid IN (v_part, v_hist);
    IF v_refs IS NOT NULL THEN
        RAISE EXCEPTION 'cannot split the history of %: % is referenced by foreign keys (%), and moving a row to another partition would fire their ON DELETE actions',
                        v_m.table_name, v_m.table_name, v_refs
            USING ERRCODE = '55000',
                  HINT = 'Drop those foreign keys while maintenance splits the history partition, and add them back after (part.migrations shows when it is finalized).';
    END IF;
    IF current_setting('server_version_num')::integer < 150000 THEN
        SELECT string_agg(quote_ident(t.tgname), ', ' ORDER BY t.tgname) INTO v_cloned
          FROM pg_trigger t
         WHERE t.tgrelid = v_hist AND t.tgparentid <> 0 AND t.tgconstraint = 0
           AND (t.tgtype::integer & 1) = 1 AND (t.tgtype::integer & 8) = 8;   -- row-level, ON DELETE (the move's insert goes into a new table)
        IF v_cloned IS NOT NULL THEN
            RAISE EXCEPTION 'cannot split the history of %: PostgreSQL 14 would fire its row triggers % for the move, as a delete',
                            v_m.table_name, v_cloned
                USING ERRCODE = '55000',
                      HINT = 'Disable those triggers while maintenance splits the history partition; PostgreSQL 15 and later move rows without firing them.';
        END IF;
    END IF;

    v_name := part._partition_name(coalesce(v_cfg.partition_prefix, (SELECT c.relname FROM pg_class c WHERE c.oid = v_part)),
                                           part._range_suffix(v_from, v_type, v_cfg."interval", v_cfg.time_zone));
    IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot create partition %.%: a relation with that name exists', v_schema, v_name
            USING ERRCODE = '42P07', HINT = 'Rename or drop that relation; maintenance splits the history partition into partitions of that name.';
    END IF;
    EXECUTE format(
        'CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED INCLUDING COMMENTS)',
        v_schema, v_name, v_part);
    v_new := format('%I.%I', v_schema, v_name)::regclass;
    -- added while it is empty, so valid at once: ATTACH reads it instead of scanning
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT part_split_bound CHECK (%I IS NOT NULL AND %I >= %L::%s AND %I < %L::%s)',
                              v_new, v_m.key_column, v_m.key_column, v_from, v_type, v_m.key_column, v_to, v_type);
    PERFORM part._copy_owner_and_grants(v_part, v_new);

    -- no trigger of the history partition fires for the move (it is held exclusively)
    SELECT array_agg(t.tgname ORDER BY t.tgname), array_agg(t.tgenabled::text ORDER BY t.tgname)
      INTO v_trg, v_trg_mode
      FROM pg_trigger t WHERE t.tgrelid = v_hist AND NOT t.tgisinternal AND t.tgenabled <> 'D';
    FOR i IN 1 .. coalesce(cardinality(v_trg), 0) LOOP
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_hist, v_trg[i]);
    END LOOP;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a
     WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    rows_moved := part._as_owner(v_part, format(
        'WITH moved AS (DELETE FROM ONLY %1$s WHERE %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s RETURNING %6$s), '
        'ins AS (INSERT INTO %7$s (%6$s) SELECT %6$s FROM moved RETURNING 1) '
        'SELECT pg_catalog.count(*)::text FROM ins',
        v_hist, v_m.key_column, v_from, v_to, v_type, v_cols, v_new))::bigint;
    FOR i IN 1 .. coalesce(cardinality(v_trg), 0) LOOP
        EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %I', v_hist,
                                  CASE v_trg_mode[i] WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, v_trg[i]);
    END LOOP;

    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_hist);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)', v_part, v_new, v_from, v_to);
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT part_split_bound', v_new);
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM ONLY %s)', v_hist) INTO v_left;
    IF v_left AND part._bound_ordinal(v_to, v_type) < part._bound_ordinal(v_m.history_to, v_type) THEN
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)', v_part, v_hist, v_to, v_m.history_to);
        UPDATE part.migration m
           SET history_from = v_to, split_intervals = m.split_intervals + 1, split_rows = m.split_rows + rows_moved,
               split_started_at = coalesce(m.split_started_at, now())
         WHERE m.table_name = v_m.table_name;
    ELSE
        EXECUTE format('DROP TABLE %s', v_hist);
        UPDATE part.migration m
           SET history_from = v_to, history_table = NULL, split_intervals = m.split_intervals + 1,
               split_rows = m.split_rows + rows_moved, split_started_at = coalesce(m.split_started_at, now()),
               phase = 'finalized', finalized_at = now()
         WHERE m.table_name = v_m.table_name;
        PERFORM part.create_ahead(NULL, part._qualified(v_part));   -- the intervals it covered up to now and ahead
    END IF;
    partition_name := part._qualified(v_new);
    PERFORM part._notice(format('split %s [%s, %s) out of %s: %s rows%s', partition_name, v_from, v_to, v_m.history_table,
                                                   rows_moved, CASE WHEN v_left THEN '' ELSE '; the history partition is gone: finalized' END));
    RETURN NEXT;
END
$$;
COMMENT ON FUNCTION part.split_history IS
    'part: move one interval of an attach migration''s history partition into a partition of its own (run_maintenance calls it, one interval per transaction); returns the partition made and the rows moved, none once the history partition is gone.';
