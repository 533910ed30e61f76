CREATE FUNCTION part._attach_rollback(p_m part.migration)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part     regclass := to_regclass(p_m.partitioned_table);
    v_hist     regclass := to_regclass(p_m.history_table);
    v_type     regtype := p_m.key_type::regtype;
    v_schema   text := (parse_ident(p_m.table_name))[1];
    v_app      text := (parse_ident(p_m.table_name))[2];
    v_copy     text := part._partition_name((parse_ident(p_m.table_name))[2], 'partitioned');
    v_cfg      part.config;
    v_cols     text;
    v_high     text;
    v_cut      text := p_m.history_to;
    v_moved    bigint;
    v_c        record;
    v_phase    text := 'prepared';
    v_standin  text;
    v_recheck  boolean := false;
    v_saved_msg text;
BEGIN
/*
 * Undo the switch of an attach migration before its history partition was
 * split (part.rollback calls it with the phase lock held): with both
 * tables locked ACCESS EXCLUSIVE (part._lock_all), the legacy table is
 * detached, the rows written since the switch into the other partitions
 * are copied into it (as the owner; no trigger fires: its own are still
 * disabled, the cloned ones went with the DETACH), those partitions are
 * dropped, the application's triggers, the names and the serial sequences
 * go back. When the primary key was given to the prepared index at the
 * switch, its stand-in becomes the primary key again (the prepared index
 * goes: phase 'preparing', part.attach_prepare builds it again online);
 * when a row written since is at or past the cut, the CHECK is replaced by
 * a NOT VALID one with a cut past it (phase 'preparing' too); otherwise the
 * phase is 'prepared'.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF p_m.split_phase IS NOT NULL OR p_m.split_intervals > 0 THEN
        RAISE EXCEPTION 'cannot roll back %: maintenance is splitting its history partition (%, % rows copied, % intervals moved in)', p_m.table_name,
                        p_m.split_phase, p_m.split_rows, p_m.split_intervals
            USING ERRCODE = '55000',
                  HINT = 'The rollback of the attach method is possible only before the split begins: the table stays partitioned (its rows are all there).';
    END IF;
    IF v_part IS NULL OR v_hist IS NULL THEN
        RAISE EXCEPTION 'cannot roll back %: % or % is missing', p_m.table_name, p_m.partitioned_table, p_m.history_table
            USING ERRCODE = '42P01', HINT = 'Attach the history table back yourself, or leave the table partitioned.';
    END IF;
    v_cfg := part._config_row(v_part);
    PERFORM part._lock_all(ARRAY[v_part, v_hist], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    EXECUTE format('ALTER TABLE %s DETACH PARTITION %s', v_part, v_hist);
    -- the primary key the legacy table had: its stand-in (part.attach_prepare built it) takes it back
    IF p_m.legacy_key IS DISTINCT FROM p_m.partitioned_key THEN
        SELECT ic.relname INTO v_standin
          FROM pg_index l JOIN pg_class ic ON ic.oid = l.indexrelid
         WHERE l.indrelid = v_hist AND l.indisvalid AND l.indisunique AND NOT l.indisprimary
           AND l.indexprs IS NULL AND l.indpred IS NULL AND l.indnkeyatts = cardinality(p_m.legacy_key)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint x WHERE x.conindid = l.indexrelid AND x.conrelid = v_hist)
           AND (SELECT array_agg(a.attname::text ORDER BY k.o)
                  FROM unnest(l.indkey) WITH ORDINALITY AS k(n, o)
                  JOIN pg_attribute a ON a.attrelid = l.indrelid AND a.attnum = k.n) = p_m.legacy_key
         ORDER BY ic.relname LIMIT 1;
        IF v_standin IS NULL THEN
            RAISE EXCEPTION 'cannot roll back %: % has no unique index on (%) to be its primary key again', p_m.table_name, v_hist,
                            array_to_string(p_m.legacy_key, ', ')
                USING ERRCODE = '55000',
                      HINT = format('Create one CONCURRENTLY (CREATE UNIQUE INDEX CONCURRENTLY ON %s (%s)), then roll back again.',
                                               v_hist, array_to_string(p_m.legacy_key, ', '));
        END IF;
        FOR v_c IN SELECT x.conname FROM pg_constraint x WHERE x.conrelid = v_part AND x.contype = 'p' LOOP
            CONTINUE WHEN v_c.conname = part._partition_name(v_copy, 'pkey');
            EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', v_part, v_c.conname, part._partition_name(v_copy, 'pkey'));
        END LOOP;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', v_hist,
                                  (SELECT x.conname FROM pg_constraint x WHERE x.conrelid = v_hist AND x.contype = 'p'));
        v_saved_msg := current_setting('client_min_messages');
        PERFORM set_config('client_min_messages', 'warning', true);   -- not its NOTICE that the index is renamed
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY USING INDEX %I', v_hist,
                                  part._partition_name(v_app, 'pkey'), v_standin);
        PERFORM set_config('client_min_messages', v_saved_msg, true);
        v_phase := 'preparing';   -- the prepared index went with the primary key: attach_prepare builds it again
    END IF;

    -- the rows written since the switch into the other partitions
    EXECUTE format('SELECT pg_catalog.max(%I)::text FROM %s WHERE %I >= %L::%s', p_m.key_column, v_part,
                              p_m.key_column, p_m.history_to, v_type) INTO v_high;
    IF v_high IS NOT NULL THEN
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT part_history_bound', v_hist);
        IF v_type::text IN ('smallint', 'integer', 'bigint') THEN
            v_cut := part._range_floor(v_high, v_type, v_cfg."interval", v_cfg.time_zone);
        ELSE
            v_cut := part._range_floor(part._literal(part._to_utc(v_high, v_type), v_type), v_type, v_cfg."interval", v_cfg.time_zone);
        END IF;
        FOR i IN 0 .. coalesce(v_cfg.premake, 3) LOOP
            v_cut := part._range_next(v_cut, v_type, v_cfg."interval", v_cfg.time_zone);
        END LOOP;
        v_phase := 'preparing';
        v_recheck := true;
    END IF;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a
     WHERE a.attrelid = v_hist AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    v_moved := part._as_owner(v_hist, format('INSERT INTO %s (%s) SELECT %s FROM %s', v_hist, v_cols, v_cols, v_part),
                                      p_returns => false)::bigint;
    IF v_recheck THEN
        PERFORM part._attach_check_add(v_hist, p_m.key_column, v_type, v_cut, p_m.partitioned_key);
    END IF;
    FOR v_c IN SELECT b.partition_oid::regclass AS rel FROM part._partition_bounds(v_part) b LOOP
        EXECUTE format('DROP TABLE %s', v_c.rel);
    END LOOP;

    -- the application's triggers go back to the legacy table, as they are on the partitioned table
    FOR v_c IN
        SELECT s.tgname, s.tgenabled, f.tgname AS hist_name
          FROM pg_trigger s
          JOIN pg_trigger f ON f.tgrelid = v_hist AND f.tgname = part._partition_name('part_history', s.tgname)
         WHERE s.tgrelid = v_part AND NOT s.tgisinternal
         ORDER BY s.tgname
    LOOP
        EXECUTE format('ALTER TRIGGER %I ON %s RENAME TO %I', v_c.hist_name, v_hist, v_c.tgname);
        EXECUTE format('ALTER TABLE %s %s TRIGGER %I', v_hist,
                                  CASE v_c.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'A' THEN 'ENABLE ALWAYS'
                                                     WHEN 'R' THEN 'ENABLE REPLICA' ELSE 'ENABLE' END, v_c.tgname);
        EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_part, v_c.tgname);
    END LOOP;

    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_part, v_copy);
    EXECUTE format('ALTER TABLE %s RENAME TO %I', v_hist, v_app);
    FOR v_c IN
        SELECT x.conrelid::regclass AS rel, x.conname,
               part._partition_name(CASE WHEN x.conrelid = v_hist THEN v_app ELSE v_copy END, 'pkey') AS new_name
          FROM pg_constraint x
         WHERE x.conrelid IN (v_hist, v_part) AND x.contype = 'p'
         ORDER BY x.conrelid = v_hist
    LOOP
        CONTINUE WHEN v_c.conname = v_c.new_name OR to_regclass(format('%I.%I', v_schema, v_c.new_name)) IS NOT NULL;
        EXECUTE format('ALTER TABLE %s RENAME CONSTRAINT %I TO %I', v_c.rel, v_c.conname, v_c.new_name);
    END LOOP;
    FOR v_c IN
        SELECT a.attname, pg_get_serial_sequence(v_part::text, a.attname) AS seq
          FROM pg_attribute a
         WHERE a.attrelid = v_hist AND a.attnum > 0 AND NOT a.attisdropped
    LOOP
        CONTINUE WHEN v_c.seq IS NULL;
        EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', v_c.seq, v_hist, v_c.attname);
    END LOOP;

    UPDATE part.config c SET parent_table = part._qualified(v_part), updated_at = now()
     WHERE c.parent_table = p_m.partitioned_table;
    PERFORM part.create_ahead(NULL, part._qualified(v_part));   -- empty until the next switch, as before it
    UPDATE part.migration m
       SET legacy_table = part._qualified(v_hist), partitioned_table = part._qualified(v_part),
           history_table = NULL, history_from = NULL, history_rows = NULL, history_to = v_cut,
           phase = v_phase, rolled_back_at = now(),
           prepared_at = CASE WHEN v_phase = 'prepared' THEN m.prepared_at END
     WHERE m.table_name = p_m.table_name;
    PERFORM part._notice(format('%s rolled back (attach): the legacy table is read and written again; %s rows written since the switch were moved into it%s',
                                                   p_m.table_name, v_moved,
                                                   CASE WHEN v_recheck
                                                        THEN format('; its CHECK now bounds the key below %s: run part.attach_prepare(%L) again', v_cut, p_m.table_name)
                                                        ELSE '' END));
    RETURN v_phase;
END
$$;
