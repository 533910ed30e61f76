CREATE FUNCTION part._attach_switch(p_m part.migration)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy   regclass := to_regclass(p_m.legacy_table);
    v_part     regclass := to_regclass(p_m.partitioned_table);
    v_type     regtype := p_m.key_type::regtype;
    v_schema   text := (parse_ident(p_m.table_name))[1];
    v_app      text := (parse_ident(p_m.table_name))[2];
    v_hist     text := part._partition_name((parse_ident(p_m.table_name))[2], 'history');
    v_b        record;
    v_c        record;
    v_default  regclass;
    v_name     text;
    v_any      boolean;
    v_saved_msg text;
BEGIN
/*
 * The switch of an attach migration (part.switch_reads calls it with the
 * phase lock held): from 'prepared' to 'partitioned', in the caller's
 * transaction. Before any lock on the legacy table: the partitioned table's
 * partitions below the cut (empty: nothing writes there yet) are dropped,
 * the first one from the cut is made, and a default partition. Then, with
 * the legacy table and the partitioned table locked ACCESS EXCLUSIVE
 * (part._lock_all: short timeouts, retries), only catalog changes: the
 * key column SET NOT NULL and the primary key's index made a UNIQUE
 * constraint (both proved by the validated CHECK and the prepared index,
 * no scan), the application's triggers carried to the partitioned table
 * (the legacy table's own renamed part_history_<name> and disabled: the
 * ones cloned from the parent fire for its rows), the names swapped (the
 * legacy table becomes <table>_history), ATTACH PARTITION ... FROM
 * (MINVALUE) TO (cut) (no scan: the CHECK implies the bound), serial
 * sequences owned by the partitioned table. Returns 'partitioned'.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF p_m.phase = 'preparing' THEN
        RAISE EXCEPTION 'cannot switch %: it is still preparing', p_m.table_name
            USING ERRCODE = '55000',
                  HINT = format('Run SELECT part.attach_prepare(%L) until it returns NULL, running each statement it returns (pginstall migrate does).', p_m.table_name);
    END IF;
    IF v_legacy IS NULL OR v_part IS NULL THEN
        RAISE EXCEPTION 'cannot switch %: % or % is missing', p_m.table_name, p_m.legacy_table, p_m.partitioned_table
            USING ERRCODE = '42P01', HINT = format('Cancel with SELECT part.migrate_cancel(%L) and start again.', p_m.table_name);
    END IF;
    -- still prepared? (a CHECK or an index dropped since would make ATTACH scan or build under the lock)
    IF NOT coalesce((SELECT c.convalidated FROM pg_constraint c
                      WHERE c.conrelid = v_legacy AND c.conname = 'part_history_bound' AND c.contype = 'c'), false)
       OR part._attach_next_index(v_legacy, v_part) IS NOT NULL THEN
        UPDATE part.migration m SET phase = 'preparing', prepared_at = NULL WHERE m.table_name = p_m.table_name;
        RAISE EXCEPTION 'cannot switch %: its CHECK part_history_bound or an index it needs changed since it was prepared', p_m.table_name
            USING ERRCODE = '55000',
                  HINT = format('Run SELECT part.attach_prepare(%L) until it returns NULL again.', p_m.table_name);
    END IF;
    IF part._sync_columns(v_legacy, v_part) IS DISTINCT FROM part._sync_columns(v_legacy, v_legacy)
       OR part._sync_columns(v_part, v_legacy) IS DISTINCT FROM part._sync_columns(v_part, v_part)
       OR EXISTS (SELECT 1 FROM pg_attribute a JOIN pg_attribute b ON b.attrelid = v_legacy AND b.attname = a.attname
                   WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND NOT b.attisdropped
                     AND (a.atttypid, a.atttypmod, a.attcollation) IS DISTINCT FROM (b.atttypid, b.atttypmod, b.attcollation)) THEN
        RAISE EXCEPTION 'cannot switch %: the columns of % and % differ', p_m.table_name, v_legacy, v_part
            USING ERRCODE = '55000',
                  HINT = format('A column changed since part.migrate_start: cancel with SELECT part.migrate_cancel(%L) and start again.', p_m.table_name);
    END IF;
    IF to_regclass(format('%I.%I', v_schema, v_hist)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot rename % to %.%: a relation with that name exists', v_legacy, v_schema, v_hist
            USING ERRCODE = '42P07', HINT = 'Rename or drop that relation, then switch again.';
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', v_part) INTO v_any;
    IF v_any THEN
        RAISE EXCEPTION 'cannot switch %: % holds rows', p_m.table_name, v_part
            USING ERRCODE = '55000',
                  HINT = 'Nothing writes into the partitioned table of an attach migration before the switch: move those rows into the legacy table (or delete them), then switch again.';
    END IF;

    -- before the locks on the legacy table: the partitioned table's partitions below the cut go
    -- (the legacy table covers them), the first one from the cut and a default are made
    FOR v_b IN SELECT * FROM part._partition_bounds(v_part) b
                WHERE NOT b.is_default AND part._bound_ordinal(b.bound_from, v_type) < part._bound_ordinal(p_m.history_to, v_type) LOOP
        EXECUTE format('DROP TABLE %s', v_b.partition_oid::regclass);
    END LOOP;
    PERFORM part._create_range_partition(v_part, p_m.history_to, part._range_next(p_m.history_to, v_type,
                                                 (SELECT c."interval" FROM part.config c WHERE c.parent_table = p_m.partitioned_table),
                                                 (SELECT c.time_zone FROM part.config c WHERE c.parent_table = p_m.partitioned_table)));
    SELECT nullif(pt.partdefid, 0)::regclass INTO v_default FROM pg_partitioned_table pt WHERE pt.partrelid = v_part;
    IF v_default IS NULL THEN
        v_name := part._partition_name(v_app, 'default');
        IF to_regclass(format('%I.%I', v_schema, v_name)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', v_schema, v_name, v_part);
            PERFORM part._copy_owner_and_grants(v_part, format('%I.%I', v_schema, v_name)::regclass);
        END IF;
    END IF;
    PERFORM part._copy_owner_and_grants(v_legacy, v_part, p_partition => false);

    -- writers go to the legacy table, then (after the switch) to the partitioned one: lock in that order
    PERFORM part._lock_all(ARRAY[v_legacy, v_part], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    FOR v_c IN SELECT a.attname FROM pg_attribute a
                WHERE a.attrelid = v_legacy AND NOT a.attnotnull AND a.attname = ANY (ARRAY[p_m.key_column] || p_m.partitioned_key) LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', v_legacy, v_c.attname);   -- proved by the CHECK
    END LOOP;
    -- the index matching the partitioned table's primary key becomes the legacy table's primary key
    -- (ATTACH wants it so; the one it had goes, its stand-in keeps those columns unique)
    SELECT l.indexrelid::regclass AS idx, ic.relname, l.indisprimary INTO v_c
      FROM pg_index p
      JOIN pg_index l ON l.indrelid = v_legacy AND l.indisvalid
                                AND part._attach_index_shape(l.indexrelid) = part._attach_index_shape(p.indexrelid)
      JOIN pg_class ic ON ic.oid = l.indexrelid
     WHERE p.indrelid = v_part AND p.indisprimary
     ORDER BY l.indisprimary DESC,
              NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = l.indexrelid AND x.conrelid = v_legacy) DESC
     LIMIT 1;
    IF v_c.idx IS NOT NULL AND NOT v_c.indisprimary THEN
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', v_legacy,
                                  (SELECT x.conname FROM pg_constraint x WHERE x.conrelid = v_legacy AND x.contype = 'p'));
        v_saved_msg := current_setting('client_min_messages');
        PERFORM set_config('client_min_messages', 'warning', true);   -- not its NOTICE that the index is renamed
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY USING INDEX %I', v_legacy,
                                  part._partition_name(v_hist, 'pkey'), v_c.relname);
        PERFORM set_config('client_min_messages', v_saved_msg, true);
    END IF;

    -- the application's triggers: on the partitioned table as they were on the legacy table; the
    -- legacy table's own ones renamed and disabled (the parent's, cloned on ATTACH, fire for its rows)
    FOR v_c IN
        SELECT f.tgname, f.tgenabled
          FROM pg_trigger f
          JOIN pg_trigger s ON s.tgrelid = v_part AND s.tgname = f.tgname AND NOT s.tgisinternal
         WHERE f.tgrelid = v_legacy AND NOT f.tgisinternal AND f.tgname NOT LIKE 'part\_sync\_%'
         ORDER BY f.tgname
    LOOP
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', v_part,
                                  CASE v_c.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'A' THEN 'ENABLE ALWAYS'
                                                     WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE' END, v_c.tgname);
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_legacy, v_c.tgname);
        EXECUTE format('ALTER TRIGGER %I ON %s RENAME TO %I', v_c.tgname, v_legacy,
                                  part._partition_name('part_history', v_c.tgname));
    END LOOP;

    -- the names: the legacy table becomes <table>_history, the partitioned table takes <table>
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_legacy, v_hist);
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_part, v_app);
    FOR v_c IN
        SELECT x.conrelid::regclass AS rel, x.conname,
               part._partition_name(CASE WHEN x.conrelid = v_legacy THEN v_hist ELSE v_app END, 'pkey') AS new_name
          FROM pg_constraint x
         WHERE x.conrelid IN (v_legacy, v_part) AND x.contype = 'p'
         ORDER BY x.conrelid = v_part
    LOOP
        CONTINUE WHEN v_c.conname = v_c.new_name OR to_regclass(format('%I.%I', v_schema, v_c.new_name)) IS NOT NULL;
        EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', v_c.rel, v_c.conname, v_c.new_name);
    END LOOP;

    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (MINVALUE) TO (%L)', v_part, v_legacy, p_m.history_to);

    -- a serial's sequence belongs to the table with the name
    FOR v_c IN
        SELECT a.attname, pg_get_serial_sequence(v_legacy::text, a.attname) AS seq
          FROM pg_attribute a
         WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        CONTINUE WHEN v_c.seq IS NULL;
        EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', v_c.seq, v_part, v_c.attname);
    END LOOP;

    UPDATE part.config c SET parent_table = part._qualified(v_part), updated_at = now()
     WHERE c.parent_table = p_m.partitioned_table;
    UPDATE part.migration m
       SET legacy_table = part._qualified(v_legacy),
           partitioned_table = part._qualified(v_part),
           history_table = part._qualified(v_legacy),
           history_from = NULL,
           history_rows = greatest((SELECT c.reltuples FROM pg_class c WHERE c.oid = v_legacy), 0)::bigint,
           phase = 'partitioned', partitioned_at = now()
     WHERE m.table_name = p_m.table_name;
    PERFORM part._notice(format('%s switched (attach): %s is its history partition [MINVALUE, %s); maintenance splits it into interval partitions',
                                                   p_m.table_name, part._qualified(v_legacy), p_m.history_to));
    RETURN 'partitioned';
END
$$;
