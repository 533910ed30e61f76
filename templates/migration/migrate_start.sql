CREATE FUNCTION part.migrate_start(
    p_table             text,
    p_key               text,
    p_strategy          text,
    p_interval          text DEFAULT NULL,
    p_partitions        integer DEFAULT NULL,
    p_premake           integer DEFAULT 3,
    p_retention         text DEFAULT NULL,
    p_retention_mode    text DEFAULT 'detach',
    p_default_partition boolean DEFAULT NULL,
    p_batch_size        integer DEFAULT 10000,
    p_time_zone         text DEFAULT 'UTC',
    p_method            text DEFAULT 'copy'
)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel        regclass := part._resolve_table(p_table);
    v_name       text := part._qualified(v_rel);
    v_strategy   text := lower(p_strategy);
    v_schema     text;
    v_relname    text;
    v_relkind    "char";
    v_type       regtype;
    v_old        part.migration;
    v_legacy_key text[];
    v_new_key    text[];
    v_refs       text;
    v_notnull    boolean;
    v_generated  "char";
    v_has_null   boolean;
    v_copy_name  text;
    v_copy       regclass;
    v_idx        record;
    v_prefix     text;
    v_low        text;
    v_high       text;
    v_method     text := lower(p_method);
    v_cut        text;
    v_floor      text;
BEGIN
/*
 * Start moving a live table into a partitioned one (phase dual_write):
 *   1. check everything first (a refusal changes nothing): a primary key,
 *      no foreign key pointing at the table, a key column that can
 *      partition (and holds no NULL);
 *   2. create the partitioned copy <table>_partitioned: same columns,
 *      defaults (a serial's default keeps using the same sequence),
 *      identity, CHECK constraints, outgoing foreign keys, indexes, owner
 *      and privileges, and the table's own triggers (disabled until the
 *      switch, so a mirrored write does not fire them twice); its primary key is the table's plus the partition key
 *      (a WARNING says so: ON CONFLICT (id) statements must then name it);
 *   3. register it in part.config (with these settings, p_batch_size the
 *      backfill batch the config records, p_time_zone the zone whose local
 *      days the partitions follow) with partitions named after the
 *      table (revenues_2025_01), covering the existing data plus premake;
 *   4. lock the table (SHARE ROW EXCLUSIVE, only for this step) and
 *      generate the sync (part._sync_install): from now on every write to
 *      the table is mirrored into the copy, in the writing transaction.
 * Returns the copy's name. Calling it again for a table already moving with
 * the same key and strategy does nothing.
 *
 * p_method => 'attach' (range only) copies no row: steps 1 to 3 build the
 * empty partitioned table, then, instead of the sync, the legacy table gets
 * a CHECK (key IS NOT NULL AND key < cut) NOT VALID, where cut is the end of
 * the premake horizon (phase 'preparing'); part.attach_prepare validates it
 * and says which indexes to build CONCURRENTLY ('prepared'), part.switch_reads
 * attaches the legacy table as the history partition [MINVALUE, cut), and
 * maintenance splits that into interval partitions (part.split_history).
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT n.nspname, c.relname, c.relkind INTO v_schema, v_relname, v_relkind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = v_rel;

    SELECT * INTO v_old FROM part.migration m
     WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)
     ORDER BY (m.table_name = v_name) DESC LIMIT 1;
    IF FOUND THEN
        IF v_old.key_column = p_key AND v_old.strategy = v_strategy THEN
            RAISE NOTICE 'part: % is already being migrated (phase %): nothing to do', v_old.table_name, v_old.phase;
            RETURN v_old.partitioned_table;
        END IF;
        RAISE EXCEPTION 'table % is already being migrated, by % (%), phase %',
                        v_old.table_name, v_old.strategy, v_old.key_column, v_old.phase
            USING ERRCODE = '55000',
                  HINT = 'Finish that migration (part.finalize) before starting another one on the same table.';
    END IF;
    IF v_relkind = 'p' THEN
        RAISE EXCEPTION 'table % is already partitioned', v_name
            USING ERRCODE = '42809',
                  HINT = format('Let part manage it as it is: part.create_partitioned(%L, %L, %L, ...).', v_name, p_key, v_strategy);
    END IF;
    IF v_strategy IS NULL OR v_strategy NOT IN ('range', 'hash') THEN
        RAISE EXCEPTION 'invalid strategy "%"', p_strategy
            USING ERRCODE = '22023', HINT = 'Use ''range'' (time or integer intervals) or ''hash'' (e.g. by org_id).';
    END IF;
    IF v_method IS NULL OR v_method NOT IN ('copy', 'attach') THEN
        RAISE EXCEPTION 'invalid method "%"', p_method
            USING ERRCODE = '22023',
                  HINT = 'Use ''copy'' (dual write, backfill, switch; the default) or ''attach'' (a range table becomes the history partition without a copy).';
    END IF;
    IF v_method = 'attach' AND v_strategy <> 'range' THEN
        RAISE EXCEPTION 'the attach method cannot convert % to % partitioning', v_name, v_strategy
            USING ERRCODE = '0A000',
                  HINT = format('Every hash partition holds rows of the whole key range, so the existing table cannot become one of them: use the copy method (part.migrate_start(%L, %L, %L, ..., p_method => ''copy'')).',
                                           v_name, p_key, v_strategy);
    END IF;
    v_type := part._key_type(v_rel, p_key);
    IF v_strategy = 'range' THEN
        PERFORM part._interval_spec(p_interval, v_type);       -- 42804 / 22023
    ELSIF NOT EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_am am ON am.oid = oc.opcmethod
                       WHERE am.amname = 'hash' AND oc.opcdefault
                         AND (oc.opcintype = v_type
                              OR format_type(oc.opcintype, NULL) = 'text'
                                 AND (SELECT t.typcategory FROM pg_type t WHERE t.oid = v_type) = 'S')) THEN
        RAISE EXCEPTION 'column "%" of % has type %, which has no hash operator class to partition by', p_key, v_name, v_type
            USING ERRCODE = '42804', HINT = 'Hash-partition by an integer, text or uuid column (such as org_id).';
    END IF;
    -- the settings part.create_partitioned records: a bad one is refused before the lock, the copy and the warnings
    PERFORM part._check_table_options(v_strategy, v_type, p_interval, p_partitions, p_premake, p_retention,
                                              p_retention_mode, p_default_partition, p_batch_size);
    PERFORM part._check_time_zone(p_time_zone, v_strategy, v_type, p_interval);
    IF v_strategy = 'range' AND NOT coalesce(p_default_partition, true) THEN
        RAISE EXCEPTION 'the partitioned copy of % needs a default partition while the migration runs', v_name
            USING ERRCODE = '22023',
                  HINT = 'Leave p_default_partition unset (or true): without one, an application write of a row outside the copy''s partitions would fail in dual_write. Drop the default partition after part.finalize if you must.';
    END IF;

    SELECT a.attnotnull, a.attgenerated INTO v_notnull, v_generated
      FROM pg_attribute a WHERE a.attrelid = v_rel AND a.attname = p_key;
    IF v_generated <> '' THEN
        RAISE EXCEPTION 'column "%" of % is a generated column, which PostgreSQL cannot partition by', p_key, v_name
            USING ERRCODE = '0A000', HINT = 'Partition by a stored (non-generated) column.';
    END IF;

    SELECT array_agg(a.attname::text ORDER BY k.o) INTO v_legacy_key
      FROM pg_index i
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, o)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = v_rel AND i.indisprimary;
    IF v_legacy_key IS NULL THEN
        RAISE EXCEPTION 'table % has no primary key', v_name
            USING ERRCODE = '55000',
                  HINT = format('Add one first (ALTER TABLE %s ADD PRIMARY KEY (...)): the sync and the backfill find rows by it.', v_name);
    END IF;

    SELECT string_agg(format('%s (constraint %I)', c.conrelid::regclass, c.conname), ', ')
      INTO v_refs
      FROM pg_constraint c WHERE c.confrelid = v_rel AND c.contype = 'f';
    IF v_refs IS NOT NULL THEN
        RAISE EXCEPTION 'table % is referenced by foreign keys: %', v_name, v_refs
            USING ERRCODE = '55000',
                  HINT = 'A partitioned table can only be referenced through its whole primary key, which includes the partition key: drop those foreign keys (or make them include it) before migrating.';
    END IF;

    IF NOT v_notnull THEN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I IS NULL)', v_rel, p_key) INTO v_has_null;
        IF v_has_null THEN
            RAISE EXCEPTION 'column "%" of % holds NULLs, which cannot be in the partitioned table''s primary key', p_key, v_name
                USING ERRCODE = '55000',
                      HINT = format('Give those rows a value (UPDATE %s SET %I = ... WHERE %I IS NULL), then ALTER TABLE %s ALTER COLUMN %I SET NOT NULL.',
                                               v_name, p_key, p_key, v_name, p_key);
        END IF;
    END IF;

    v_copy_name := part._partition_name(v_relname, 'partitioned');
    IF to_regclass(format('%I.%I', v_schema, v_copy_name)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot create %.%: a relation with that name exists', v_schema, v_copy_name
            USING ERRCODE = '42P07', HINT = 'Rename or drop it: part.migrate_start creates the partitioned copy under that name.';
    END IF;
    IF to_regclass(format('%I.%I', v_schema, part._partition_name(v_relname, 'legacy'))) IS NOT NULL THEN
        RAISE EXCEPTION 'relation %.% exists', v_schema, part._partition_name(v_relname, 'legacy')
            USING ERRCODE = '42P07', HINT = 'Rename or drop it: part.switch_reads gives the legacy table that name.';
    END IF;

    IF v_method = 'attach' AND EXISTS (SELECT 1 FROM pg_attribute a
                                        WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity <> '') THEN
        RAISE EXCEPTION 'the attach method cannot convert %: it has an identity column', v_name
            USING ERRCODE = '0A000',
                  HINT = 'A partition cannot keep an identity column of its own when it is attached on every supported PostgreSQL major: use the copy method (p_method => ''copy''), or a serial default (a sequence) instead of the identity.';
    END IF;
    IF v_method = 'attach' AND to_regclass(format('%I.%I', v_schema, part._partition_name(v_relname, 'history'))) IS NOT NULL THEN
        RAISE EXCEPTION 'relation %.% exists', v_schema, part._partition_name(v_relname, 'history')
            USING ERRCODE = '42P07', HINT = 'Rename or drop it: part.switch_reads gives the legacy table that name when it becomes the history partition.';
    END IF;
    IF (SELECT c.relforcerowsecurity FROM pg_class c WHERE c.oid = v_rel) THEN
        RAISE EXCEPTION 'table % forces row-level security on its owner', v_name
            USING ERRCODE = '0A000',
                  HINT = format('The sync and the backfill run as the owner and would see only the rows its policies allow: ALTER TABLE %s NO FORCE ROW LEVEL SECURITY for the migration, then FORCE it again on the partitioned table.', v_name);
    END IF;

    -- the names of the sync functions it will create: a function there is someone else's
    FOR v_idx IN SELECT d AS direction FROM unnest(ARRAY['partitioned', 'legacy']) d LOOP
        IF to_regprocedure(part._sync_function_name(v_name, v_idx.direction) || '()') IS NOT NULL THEN
            RAISE EXCEPTION 'cannot create the sync function %(): a function with that name exists',
                            part._sync_function_name(v_name, v_idx.direction)
                USING ERRCODE = '42P07',
                      HINT = 'Rename or drop it: part.migrate_start creates the sync functions of the migration under that name.';
        END IF;
    END LOOP;

    -- Everything is checked: say what changes for the application, then go.
    FOR v_idx IN SELECT * FROM part._migrate_warnings(v_rel, p_key) LOOP
        RAISE WARNING '%', v_idx.message USING HINT = v_idx.hint;
    END LOOP;
    EXECUTE format(
        'CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING IDENTITY '
        'INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION INCLUDING STATISTICS) PARTITION BY %s (%I)',
        v_schema, v_copy_name, v_rel, upper(v_strategy), p_key);
    v_copy := format('%I.%I', v_schema, v_copy_name)::regclass;
    EXECUTE format('COMMENT ON TABLE %s IS %L', v_copy,
        format('part: partitioned copy of %s (migration; see part.migrations)', v_name));

    v_new_key := v_legacy_key;
    IF NOT p_key = ANY (v_legacy_key) THEN
        v_new_key := v_legacy_key || p_key;
    END IF;
    EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (%s)', v_copy,
                              part._partition_name(v_copy_name, 'pkey'), part._sql_columns(v_new_key));

    -- the other indexes: a unique one must include the partition key
    FOR v_idx IN
        SELECT c.relname AS idxname, i.indexrelid, i.indisunique, i.indexprs IS NOT NULL AS has_expr,
               EXISTS (SELECT 1 FROM unnest(i.indkey[0:i.indnkeyatts - 1]) k(n)
                        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.n
                       WHERE a.attname = p_key) AS has_key,
               (SELECT x.contype FROM pg_constraint x WHERE x.conindid = i.indexrelid AND x.conrelid = v_rel) AS contype
          FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = v_rel AND NOT i.indisprimary
         ORDER BY c.relname
    LOOP
        IF v_idx.contype = 'x' THEN
            CONTINUE;           -- not copied (a warning said so)
        END IF;
        -- from the catalog, never by editing pg_get_indexdef's text; a unique index must include
        -- the partition key: added as its last column (an expression index becomes non-unique)
        IF v_idx.indisunique AND NOT v_idx.has_key AND v_idx.has_expr THEN
            EXECUTE format('CREATE INDEX ON %s %s', v_copy, part._index_definition(v_idx.indexrelid));
        ELSE
            EXECUTE format('CREATE %sINDEX ON %s %s', CASE WHEN v_idx.indisunique THEN 'UNIQUE ' ELSE '' END, v_copy,
                                      part._index_definition(v_idx.indexrelid,
                                                                    CASE WHEN v_idx.indisunique AND NOT v_idx.has_key THEN p_key END));
        END IF;
    END LOOP;

    -- outgoing foreign keys
    FOR v_idx IN
        SELECT c.conname, pg_get_constraintdef(c.oid) AS def
          FROM pg_constraint c WHERE c.conrelid = v_rel AND c.contype = 'f' ORDER BY c.conname
    LOOP
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I %s', v_copy, v_idx.conname, v_idx.def);
    END LOOP;

    -- the application's own triggers: copied, disabled until the switch (part._swap turns them over)
    FOR v_idx IN
        SELECT t.tgname, pg_get_triggerdef(t.oid) AS def
          FROM pg_trigger t
         WHERE t.tgrelid = v_rel AND NOT t.tgisinternal AND t.tgname NOT LIKE 'part\_sync\_%'
         ORDER BY t.tgname
    LOOP
        v_prefix := format(' ON %s ', v_rel);
        IF strpos(v_idx.def, v_prefix) = 0 THEN
            RAISE WARNING 'part: trigger % of % is not copied (unexpected definition: %)', v_idx.tgname, v_name, v_idx.def
                USING HINT = 'Create it on the partitioned table yourself before the switch.';
            CONTINUE;
        END IF;
        BEGIN
            EXECUTE pg_catalog.overlay(v_idx.def, format(' ON %s ', v_copy),
                                       strpos(v_idx.def, v_prefix), length(v_prefix));
            EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_copy, v_idx.tgname);
        EXCEPTION WHEN feature_not_supported OR invalid_object_definition OR wrong_object_type THEN
            RAISE WARNING 'part: trigger % of % cannot be copied to the partitioned table: %', v_idx.tgname, v_name, SQLERRM
                USING HINT = 'Re-create it in a form a partitioned table allows before the switch.';
        END;
    END LOOP;

    PERFORM part._copy_owner_and_grants(v_rel, v_copy, p_partition => false);
    -- row-level security and its policies: after the switch the application reads the copy
    IF (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = v_rel) THEN
        EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', v_copy);
    END IF;
    FOR v_idx IN
        SELECT pol.polname, pol.polpermissive, pol.polcmd,
               pg_get_expr(pol.polqual, pol.polrelid) AS qual,
               pg_get_expr(pol.polwithcheck, pol.polrelid) AS withcheck,
               (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END, ', ')
                  FROM unnest(pol.polroles) r) AS roles
          FROM pg_policy pol WHERE pol.polrelid = v_rel ORDER BY pol.polname
    LOOP
        EXECUTE format('CREATE POLICY %I ON %s AS %s FOR %s TO %s%s%s', v_idx.polname, v_copy,
            CASE WHEN v_idx.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END,
            CASE v_idx.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
            v_idx.roles,
            CASE WHEN v_idx.qual IS NOT NULL THEN format(' USING (%s)', v_idx.qual) ELSE '' END,
            CASE WHEN v_idx.withcheck IS NOT NULL THEN format(' WITH CHECK (%s)', v_idx.withcheck) ELSE '' END);
    END LOOP;

    -- partitions named after the application's table, for the existing data and ahead
    PERFORM part.create_partitioned(part._qualified(v_copy), p_key, v_strategy, p_interval, p_partitions,
                                            p_premake, p_retention, p_retention_mode, p_default_partition, v_relname,
                                            p_batch_size, p_time_zone);
    IF v_method = 'attach' THEN
        -- cut: the end of the premake horizon (or past the largest key): every row written before
        -- the switch is below it, so the legacy table's CHECK refuses none of them
        EXECUTE format('SELECT pg_catalog.max(%I)::text FROM %s', p_key, v_rel) INTO v_high;
        IF v_type::text IN ('smallint', 'integer', 'bigint') THEN
            v_cut := part._range_floor(coalesce(v_high, '0'), v_type, p_interval);
        ELSE
            v_cut := part._range_floor(part._literal((now() AT TIME ZONE 'UTC')::timestamp, v_type), v_type, p_interval, p_time_zone);
            IF v_high IS NOT NULL THEN
                v_floor := part._range_floor(part._literal(part._to_utc(v_high, v_type), v_type), v_type, p_interval, p_time_zone);
                IF part._bound_ordinal(v_floor, v_type) > part._bound_ordinal(v_cut, v_type) THEN
                    v_cut := v_floor;
                END IF;
            END IF;
        END IF;
        FOR i IN 0 .. coalesce(p_premake, 3) LOOP
            v_cut := part._range_next(v_cut, v_type, p_interval, p_time_zone);
        END LOOP;
        INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, key_type,
                                            legacy_key, partitioned_key, phase, method, history_to)
        VALUES (v_name, v_name, part._qualified(v_copy), v_strategy, p_key, v_type::text,
                v_legacy_key, v_new_key, 'preparing', 'attach', v_cut);
        -- the CHECK, NOT VALID: a catalog change only, under a short lock (part._lock_all)
        PERFORM part._lock_all(ARRAY[v_rel], ARRAY['ACCESS EXCLUSIVE']);
        PERFORM part._attach_check_add(v_rel, p_key, v_type, v_cut, v_new_key);
        PERFORM part._notice(format(
            'migration of %s started (attach): %s is not copied; next: SELECT part.attach_prepare(%L) until it returns NULL, running each statement it returns',
            v_name, v_name, v_name));
        RETURN part._qualified(v_copy);
    END IF;
    IF v_strategy = 'range' THEN
        EXECUTE format('SELECT pg_catalog.to_jsonb(pg_catalog.min(%1$I)) #>> ''{}'', pg_catalog.to_jsonb(pg_catalog.max(%1$I)) #>> ''{}'' FROM %2$s',
                                  p_key, v_rel) INTO v_low, v_high;
        IF v_low IS NOT NULL THEN
            PERFORM part._ensure_range_partitions(v_copy, v_low, v_high);
        END IF;
    END IF;

    INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, key_type,
                                        legacy_key, partitioned_key, phase)
    VALUES (v_name, v_name, part._qualified(v_copy), v_strategy, p_key, v_type::text,
            v_legacy_key, v_new_key, 'dual_write');
    -- the sync functions and the copy's triggers (one set per partition) before the lock: no one
    -- else sees the copy yet
    PERFORM part._sync_install(v_name, p_side => 'partitioned');
    -- Only now the live table is locked (SHARE ROW EXCLUSIVE: writers wait, readers go on), for
    -- the one step that must not miss a write: the legacy table's sync triggers. Everything above
    -- (the copy, its partitions, however many, and their triggers) was built without holding
    -- writers. A column changed meanwhile would not be mirrored: refuse, and everything made is
    -- rolled back.
    PERFORM part._lock(v_rel, 'SHARE ROW EXCLUSIVE');
    IF part._sync_columns(v_rel, v_copy) IS DISTINCT FROM part._sync_columns(v_rel, v_rel)
       OR EXISTS (SELECT 1 FROM pg_attribute a
                   WHERE a.attrelid = v_copy AND a.attnum > 0 AND NOT a.attisdropped
                     AND NOT EXISTS (SELECT 1 FROM pg_attribute b
                                      WHERE b.attrelid = v_rel AND b.attname = a.attname AND NOT b.attisdropped
                                        AND b.atttypid = a.atttypid AND b.atttypmod = a.atttypmod)) THEN
        RAISE EXCEPTION 'the columns of % changed while part.migrate_start built its copy', v_name
            USING ERRCODE = '55000', HINT = 'Nothing was kept: call part.migrate_start again.';
    END IF;
    PERFORM part._sync_install(v_name, p_side => 'legacy');
    PERFORM part._notice(format('migration of %s started: writes are mirrored into %s', v_name, v_copy));
    RETURN part._qualified(v_copy);
END
$$;
COMMENT ON FUNCTION part.migrate_start IS
    'part: start moving a live unpartitioned table into a partitioned copy (phase dual_write): create the copy partitioned by p_key (p_strategy range with p_interval, or hash with p_partitions) with columns, defaults, constraints and indexes, and install the sync triggers. Returns the copy''s name. Then CALL part.migrate_to(p_table, ''partitioned'').';
