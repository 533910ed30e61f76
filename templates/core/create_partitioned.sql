CREATE FUNCTION part.create_partitioned(
    p_parent            text,
    p_key               text,
    p_strategy          text,
    p_interval          text DEFAULT NULL,
    p_partitions        integer DEFAULT NULL,
    p_premake           integer DEFAULT 3,
    p_retention         text DEFAULT NULL,
    p_retention_mode    text DEFAULT 'detach',
    p_default_partition boolean DEFAULT NULL,
    p_partition_prefix  text DEFAULT NULL,
    p_batch_size        integer DEFAULT 10000,
    p_time_zone         text DEFAULT 'UTC'
)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel       regclass := part._resolve_table(p_parent);
    v_name      text := part._qualified(v_rel);
    v_strategy  text := lower(p_strategy);
    v_type      regtype;
    v_pstrat    "char";
    v_pkey      text;
    v_old       part.config;
    v_default   boolean;
    v_prefix    text;
    v_schema    text;
    v_moduli    integer[];
    v_made      text;
    v_zone      text;
BEGIN
/*
 * Manage a table that already exists as PARTITION BY RANGE|HASH (p_key):
 * check everything first (a bad argument changes nothing), record it in
 * part.config (or update its settings when it is already managed), make the
 * default partition (range, unless p_default_partition is false) and the
 * first partitions: the current interval and p_premake more (range), or
 * p_partitions hash partitions <table>_0 .. <table>_N-1. Returns the
 * qualified names of the partitions it created; calling it again with the
 * same arguments changes nothing. p_time_zone (an IANA name, timestamptz keys,
 * intervals of a day or more): days, weeks and months begin at that zone's
 * midnight (part._check_time_zone, part._range_floor); it cannot change
 * while the table has partitions.
 */
    IF v_strategy IS NULL OR v_strategy NOT IN ('range', 'hash') THEN
        RAISE EXCEPTION 'invalid strategy "%"', p_strategy
            USING ERRCODE = '22023', HINT = 'Use ''range'' (time or integer intervals) or ''hash'' (e.g. by org_id).';
    END IF;
    v_type := part._key_type(v_rel, p_key);

    SELECT pt.partstrat,
           (SELECT a.attname FROM pg_attribute a
             WHERE a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0])
      INTO v_pstrat, v_pkey
      FROM pg_partitioned_table pt WHERE pt.partrelid = v_rel;
    IF v_pstrat IS NULL THEN
        RAISE EXCEPTION 'table % is not partitioned', v_name
            USING ERRCODE = '42809',
                  HINT = format('Create it with PARTITION BY %s (%I), or move a live table with part.migrate_start(%L, %L, %L).',
                                           upper(v_strategy), p_key, v_name, p_key, v_strategy);
    END IF;
    IF v_pstrat <> pg_catalog.left(v_strategy, 1) OR v_pkey IS DISTINCT FROM p_key THEN
        RAISE EXCEPTION 'table % is partitioned by % (%), not by % (%)', v_name,
                CASE v_pstrat WHEN 'r' THEN 'RANGE' WHEN 'h' THEN 'HASH' ELSE 'LIST' END,
                coalesce(quote_ident(v_pkey), 'an expression or several columns'),
                upper(v_strategy), quote_ident(p_key)
            USING ERRCODE = '42809',
                  HINT = 'Pass the table''s own partition strategy and key column (part manages single-column keys).';
    END IF;
    IF p_partition_prefix IS NOT NULL AND (p_partition_prefix = '' OR octet_length(p_partition_prefix) > 63) THEN
        RAISE EXCEPTION 'invalid partition name prefix "%"', p_partition_prefix
            USING ERRCODE = '22023', HINT = 'A prefix is a table name: 1 to 63 bytes.';
    END IF;
    PERFORM part._check_table_options(v_strategy, v_type, p_interval, p_partitions, p_premake, p_retention,
                                              p_retention_mode, p_default_partition, p_batch_size);
    v_zone := part._check_time_zone(p_time_zone, v_strategy, v_type, p_interval);
    IF v_strategy = 'range' THEN
        v_default := coalesce(p_default_partition, true);
    END IF;

    SELECT * INTO v_old FROM part.config c WHERE c.parent_table = v_name;
    SELECT n.nspname, coalesce(p_partition_prefix, c.relname) INTO v_schema, v_prefix
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = v_rel;

    IF v_strategy = 'hash' THEN
        SELECT array_agg(DISTINCT b.modulus) INTO v_moduli FROM part._partition_bounds(v_rel) b;
        IF v_moduli IS NOT NULL AND v_moduli <> ARRAY[p_partitions] THEN
            RAISE EXCEPTION 'table % already has hash partitions with modulus %, not %', v_name,
                    array_to_string(v_moduli, ', '), p_partitions
                USING ERRCODE = '42809',
                      HINT = CASE WHEN v_old.parent_table IS NULL
                                  THEN format('Register it with p_partitions => %s, then grow it online with CALL part.split_hash(%L, %s).',
                                                         v_moduli[1], v_name, p_partitions)
                                  ELSE format('Grow it online with CALL part.split_hash(%L, %s).', v_name, p_partitions) END;
        END IF;
    ELSIF v_old.parent_table IS NOT NULL AND v_old."interval"::text IS DISTINCT FROM p_interval
          AND EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE NOT b.is_default)
          AND (SELECT x::text FROM part._interval_spec(v_old."interval", v_type) x)
              IS DISTINCT FROM (SELECT x::text FROM part._interval_spec(p_interval, v_type) x) THEN
        RAISE EXCEPTION 'cannot change the interval of % from % to % while it has partitions', v_name, v_old."interval", p_interval
            USING ERRCODE = '0A000',
                  HINT = 'Changing the interval of existing partitions is not supported; keep the old interval, or migrate into a new table.';
    ELSIF v_old.parent_table IS NOT NULL AND v_old.time_zone IS DISTINCT FROM v_zone
          AND EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE NOT b.is_default) THEN
        RAISE EXCEPTION 'cannot change the time zone of % from % to % while it has partitions', v_name, v_old.time_zone, v_zone
            USING ERRCODE = '0A000',
                  HINT = format('Its partitions begin at midnight in %s: pass p_time_zone => %L (time_zone = %L in pginstall.toml), or migrate into a new table with the new zone.',
                                           v_old.time_zone, v_old.time_zone, v_old.time_zone);
    END IF;

    -- Everything is checked: record the table.
    IF v_old.parent_table IS NULL THEN
        INSERT INTO part.config (parent_table, strategy, key_column, key_type, "interval", partitions, premake,
                                         retention, retention_mode, default_partition, partition_prefix, batch_size,
                                         time_zone)
        VALUES (v_name, v_strategy, p_key, v_type::text, p_interval, p_partitions, p_premake,
                p_retention, p_retention_mode, v_default, p_partition_prefix, p_batch_size, v_zone);
    ELSIF (v_old."interval", v_old.partitions, v_old.premake, v_old.retention, v_old.retention_mode,
           v_old.default_partition, v_old.partition_prefix, v_old.batch_size, v_old.time_zone)
          IS DISTINCT FROM (p_interval, p_partitions, p_premake, p_retention, p_retention_mode, v_default,
                            p_partition_prefix, p_batch_size, v_zone) THEN
        UPDATE part.config c
           SET "interval" = p_interval, partitions = p_partitions, premake = p_premake, retention = p_retention,
               retention_mode = p_retention_mode, default_partition = v_default,
               partition_prefix = p_partition_prefix, batch_size = p_batch_size, time_zone = v_zone,
               updated_at = now()
         WHERE c.parent_table = v_name;
    END IF;

    IF v_strategy = 'hash' THEN
        IF EXISTS (SELECT 1 FROM part._partition_bounds(v_rel))
           AND (SELECT count(*) FROM part._partition_bounds(v_rel)) = p_partitions THEN
            RETURN;
        END IF;
        PERFORM part._lock(v_rel, 'ACCESS EXCLUSIVE');
        FOR i IN 0 .. p_partitions - 1 LOOP
            CONTINUE WHEN EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE b.remainder = i);
            v_made := part._partition_name(v_prefix, i::text);
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                                      v_schema, v_made, v_rel, p_partitions, i);
            PERFORM part._copy_owner_and_grants(v_rel, format('%I.%I', v_schema, v_made)::regclass);
            RETURN NEXT format('%I.%I', v_schema, v_made);
        END LOOP;
        RETURN;
    END IF;

    PERFORM part._check_trust();
    IF v_default AND NOT EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE b.is_default) THEN
        -- writers of the table wait for this transaction from here on: the first partitions
        -- are made in it without part._create_ahead's limit
        v_made := part._partition_name(v_prefix, 'default');
        PERFORM part._lock(v_rel, 'ACCESS EXCLUSIVE');
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', v_schema, v_made, v_rel);
        PERFORM part._copy_owner_and_grants(v_rel, format('%I.%I', v_schema, v_made)::regclass);
        RETURN NEXT format('%I.%I', v_schema, v_made);
        RETURN QUERY SELECT * FROM part._create_ahead(p_premake, v_rel, p_max_held => NULL);
        RETURN;
    END IF;
    RETURN QUERY SELECT * FROM part._create_ahead(p_premake, v_rel);
END
$$;
COMMENT ON FUNCTION part.create_partitioned IS
    'part: manage a table that exists as PARTITION BY RANGE or HASH on p_key (strategy range: p_interval, e.g. ''1 month'' or an integer width; hash: p_partitions), creating its first partitions (premake intervals ahead, a default partition for range unless p_default_partition => false) and registering it in part.config.';
