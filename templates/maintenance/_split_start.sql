CREATE FUNCTION part._split_start(p_m part.migration)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_part    regclass := to_regclass(p_m.partitioned_table);
    v_hist    regclass := to_regclass(p_m.history_table);
    v_type    regtype := p_m.key_type::regtype;
    v_int     boolean := p_m.key_type IN ('smallint', 'integer', 'bigint');
    v_cfg     part.config;
    v_schema  text;
    v_app     text;
    v_prefix  text;
    v_split   text;
    v_m       regclass;
    v_min     text;
    v_from    text;
    v_to      text;
    v_lo      text;
    v_name    text;
    v_p       regclass;
    v_fn      text;
    v_cols    text[];
    v_set     text[];
    v_c       record;
    v_n       integer := 0;
BEGIN
/*
 * The start of the online split of an attach migration's history partition
 * H (part.split_history calls it, in its transaction): makes M, a
 * partitioned table of the same columns (LIKE the table: defaults, NOT
 * NULLs, CHECKs, generated columns, every index, as partitioned indexes)
 * PARTITION BY RANGE (key), in the table's schema and of its owner and
 * grants, with one partition per interval from the interval of H's
 * smallest key up to the cut (history_to); the lowest one starts at
 * MINVALUE (or history_from), so a row written later below H's smallest
 * key has a place (it stays in that lowest partition when it joins the
 * table). Each partition gets, while empty (so valid at once), a CHECK
 * part_split_bound of its bounds: ATTACH reads it instead of scanning
 * when M replaces H and when the partition moves to the table. The
 * table's outgoing foreign keys are added to M while empty (valid at once).
 * Then, with H locked SHARE ROW EXCLUSIVE for a moment (part._lock_all),
 * the row triggers part_split_sync (AFTER INSERT, UPDATE, DELETE, ENABLE
 * ALWAYS; a SECURITY DEFINER function of the owner, not executable by
 * PUBLIC, made from %I / %L only) apply every later write of H to M by
 * the primary key, and part_split_truncate refuses a TRUNCATE of H (or of
 * the table) while M is kept in step. Returns M's name; the copy goes on
 * from there (part._split_copy). Nothing here scans H but for its
 * smallest key.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    v_cfg := part._config_row(v_part);
    SELECT n.nspname, c.relname INTO v_schema, v_app
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_part;
    v_prefix := coalesce(v_cfg.partition_prefix, v_app);
    v_split := part._partition_name(v_app, 'history_split');

    EXECUTE format('SELECT pg_catalog.min(%I)::text FROM ONLY %s', p_m.key_column, v_hist) INTO v_min;
    IF v_min IS NULL THEN
        RETURN NULL;   -- nothing to split: the caller drops H
    END IF;
    IF NOT v_int THEN
        v_min := part._literal(part._to_utc(v_min, v_type), v_type);
    END IF;
    v_from := part._range_floor(v_min, v_type, v_cfg."interval", v_cfg.time_zone);

    -- the names: none may be taken (the partitions keep theirs when they join the table)
    v_lo := v_from;
    WHILE part._bound_ordinal(v_lo, v_type) < part._bound_ordinal(p_m.history_to, v_type) LOOP
        v_name := part._partition_name(v_prefix, part._range_suffix(v_lo, v_type, v_cfg."interval", v_cfg.time_zone));
        IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
            RAISE EXCEPTION 'cannot create partition %.%: a relation with that name exists', v_schema, v_name
                USING ERRCODE = '42P07', HINT = 'Rename or drop that relation; maintenance splits the history partition into partitions of that name.';
        END IF;
        v_lo := part._range_next(v_lo, v_type, v_cfg."interval", v_cfg.time_zone);
        v_n := v_n + 1;
        IF v_n > 10000 THEN
            RAISE EXCEPTION 'cannot split the history of %: it spans more than 10000 intervals of %', p_m.table_name, v_cfg."interval"
                USING ERRCODE = '54000', HINT = 'Delete the oldest rows of the history partition (or use a longer interval), then run maintenance again.';
        END IF;
    END LOOP;
    IF to_regclass(format('%I.%I', v_schema, v_split)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot create %.%: a relation with that name exists', v_schema, v_split
            USING ERRCODE = '42P07', HINT = 'Rename or drop that relation; maintenance copies the history partition into a table of that name.';
    END IF;

    EXECUTE format(
        'CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED '
        'INCLUDING INDEXES INCLUDING COMMENTS) PARTITION BY RANGE (%I)', v_schema, v_split, v_part, p_m.key_column);
    v_m := format('%I.%I', v_schema, v_split)::regclass;
    PERFORM part._copy_owner_and_grants(v_part, v_m);   -- a partition of the table from the swap on
    v_lo := v_from;
    WHILE part._bound_ordinal(v_lo, v_type) < part._bound_ordinal(p_m.history_to, v_type) LOOP
        v_to := part._range_next(v_lo, v_type, v_cfg."interval", v_cfg.time_zone);
        IF part._bound_ordinal(v_to, v_type) > part._bound_ordinal(p_m.history_to, v_type) THEN
            v_to := p_m.history_to;
        END IF;
        v_name := part._partition_name(v_prefix, part._range_suffix(v_lo, v_type, v_cfg."interval", v_cfg.time_zone));
        IF v_lo = v_from THEN   -- the lowest: also every smaller key
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%s) TO (%L)', v_schema, v_name, v_m,
                                      coalesce(quote_literal(p_m.history_from), 'MINVALUE'), v_to);
            v_p := format('%I.%I', v_schema, v_name)::regclass;
            EXECUTE format('ALTER TABLE %s ADD CONSTRAINT part_split_bound CHECK (%I IS NOT NULL%s AND %I < %L::%s)',
                                      v_p, p_m.key_column,
                                      CASE WHEN p_m.history_from IS NULL THEN ''
                                           ELSE format(' AND %I >= %L::%s', p_m.key_column, p_m.history_from, v_type) END,
                                      p_m.key_column, v_to, v_type);
        ELSE
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)', v_schema, v_name, v_m, v_lo, v_to);
            v_p := format('%I.%I', v_schema, v_name)::regclass;
            EXECUTE format('ALTER TABLE %s ADD CONSTRAINT part_split_bound CHECK (%I IS NOT NULL AND %I >= %L::%s AND %I < %L::%s)',
                                      v_p, p_m.key_column, p_m.key_column, v_lo, v_type, p_m.key_column, v_to, v_type);
        END IF;
        PERFORM part._copy_owner_and_grants(v_part, v_p);
        v_lo := v_to;
    END LOOP;
    -- the table's outgoing foreign keys, on the empty M (valid at once; ATTACH finds them)
    FOR v_c IN SELECT c.conname, pg_get_constraintdef(c.oid) AS def
                 FROM pg_constraint c WHERE c.conrelid = v_part AND c.contype = 'f' AND c.conparentid = 0
                ORDER BY c.conname LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', v_m, v_c.conname, v_c.def);
    END LOOP;

    -- the sync: every later write of H applied to M by the primary key, in the writer's transaction
    v_fn := part._sync_function_name(p_m.table_name, 'history_split');
    SELECT array_agg(a.attname::text ORDER BY a.attnum) INTO v_cols
      FROM pg_attribute a WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
    SELECT array_agg(c ORDER BY o) INTO v_set
      FROM unnest(v_cols) WITH ORDINALITY AS u(c, o) WHERE NOT c = ANY (p_m.partitioned_key);
    EXECUTE format(
        'CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS %L',
        v_fn, format($body$
BEGIN
    -- part: applies a write of the history partition to its copy %1$s during the split (generated)
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (%2$s) IS DISTINCT FROM (%3$s)) THEN
        DELETE FROM %1$s t WHERE %4$s;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO %1$s AS t (%5$s) VALUES (%6$s) ON CONFLICT (%7$s) DO %8$s;
    END IF;
    RETURN NULL;
END
$body$,
            part._qualified(v_m),
            part._sql_columns(p_m.partitioned_key, 'old', 'row'), part._sql_columns(p_m.partitioned_key, 'new', 'row'),
            part._sql_columns(p_m.partitioned_key, 't', 'match:old'),
            part._sql_columns(v_cols), part._sql_columns(v_cols, 'new'), part._sql_columns(p_m.partitioned_key),
            CASE WHEN v_set IS NULL THEN 'NOTHING' ELSE 'UPDATE SET ' || part._sql_columns(v_set, NULL, 'set') END));
    EXECUTE format('ALTER FUNCTION %s() OWNER TO %I', v_fn, (SELECT pg_get_userbyid(c.relowner) FROM pg_class c WHERE c.oid = v_part));
    EXECUTE format('REVOKE ALL ON FUNCTION %s() FROM PUBLIC', v_fn);
    EXECUTE format('COMMENT ON FUNCTION %s() IS %L', v_fn,
                              format('part: applies writes of %s to %s while maintenance splits it (generated; dropped with it)',
                                                p_m.history_table, part._qualified(v_m)));

    -- H held for a moment (no writer in flight: every write from now on fires the sync)
    PERFORM part._lock_all(ARRAY[v_hist], ARRAY['SHARE ROW EXCLUSIVE']);
    EXECUTE format('CREATE TRIGGER part_split_sync AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()',
                              v_hist, v_fn);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER part_split_sync', v_hist);
    EXECUTE format('CREATE TRIGGER part_split_truncate BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION part._split_truncate_guard()',
                              v_hist);
    EXECUTE format('ALTER TABLE %s ENABLE ALWAYS TRIGGER part_split_truncate', v_hist);
    UPDATE part.migration m
       SET split_phase = 'copying', split_table = part._qualified(v_m), split_copy_key = NULL, split_checked_to = NULL,
           split_sync_xmin = (SELECT t.xmin::text FROM pg_trigger t WHERE t.tgrelid = v_hist AND t.tgname = 'part_split_sync'),
           split_rows = 0, split_intervals = 0, split_started_at = now()
     WHERE m.table_name = p_m.table_name;
    PERFORM part._notice(format('split of %s started: %s made with %s partitions; copying', p_m.history_table, part._qualified(v_m), v_n));
    RETURN part._qualified(v_m);
END
$$;
