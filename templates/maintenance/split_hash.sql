CREATE PROCEDURE part.split_hash(p_parent text, p_new_count integer)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_rel      regclass;
    v_cfg      part.config;
    v_type     regtype;
    v_schema   text;
    v_prefix   text;
    v_old      integer;
    v_moduli   integer[];
    v_part     record;
    v_targets  integer[];
    v_rem      integer;
    v_tmp      text;
    v_keys     text[];
    v_full     boolean;
    v_cols     text;
    v_n_old    bigint;
    v_n_new    bigint;
    v_done     integer := 0;
    v_todo     integer;
    v_left     record;
    v_m        part.migration;
    v_dropped  integer := 0;
BEGIN
/*
 * Grow a hash-partitioned table from N to p_new_count partitions (a multiple
 * of N), one old partition at a time, committing between steps so that
 * writers are blocked only during a short step per partition:
 *   1. new tables for the successors of remainder r (r, r+N, r+2N, ... mod
 *      p_new_count) and a capture trigger on the old partition; commit;
 *   2. copy the old partition's rows into them, writers going on; commit;
 *   3. under an ACCESS EXCLUSIVE lock (short timeouts, retries): re-copy the
 *      keys written since step 2, check the row counts, detach and drop the
 *      old partition, attach the new ones; commit.
 * Interrupted, it can be called again and carries on; called with the count
 * the table has (before any old partition was split), it abandons the split
 * and drops what the interrupted run made (only part's own leftovers). At
 * the end, under a lock that waits for writers, part.config gets the new
 * count and the sync functions of a migration of this table are
 * regenerated, so that their parity marks group by the new count. A table
 * referenced by a foreign key is refused before anything is made (detaching
 * a referenced partition would fail after the copy). It commits, so CALL it
 * outside an explicit transaction block. (A procedure that commits cannot
 * have a SET clause: search_path is pinned with set_config after each commit.)
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    v_rel := part._resolve_table(p_parent);
    v_cfg := part._config_row(v_rel);
    IF v_cfg.strategy <> 'hash' THEN
        RAISE EXCEPTION 'table % is range-partitioned, not hash-partitioned', v_cfg.parent_table
            USING ERRCODE = '42809', HINT = 'part.split_hash grows hash-partitioned tables only.';
    END IF;
    v_type := v_cfg.key_type::regtype;
    SELECT pg_catalog.array_agg(DISTINCT b.modulus ORDER BY b.modulus) INTO v_moduli
      FROM part._partition_bounds(v_rel) b;
    v_old := v_moduli[1];
    PERFORM part._check_count('partitions', p_new_count);   -- 22023 outside 1 .. 1024
    IF NOT (cardinality(v_moduli) = 1 AND p_new_count = v_old) THEN
        IF cardinality(v_moduli) > 2 OR (cardinality(v_moduli) = 2 AND v_moduli[2] <> p_new_count)
           OR p_new_count <= v_old OR p_new_count % v_old <> 0 THEN
            RAISE EXCEPTION 'cannot split % from % to % partitions', v_cfg.parent_table,
                    pg_catalog.array_to_string(v_moduli, ' and '), p_new_count
                USING ERRCODE = '22023',
                      HINT = CASE WHEN cardinality(v_moduli) = 2
                                  THEN pg_catalog.format('A split to %s is under way: call part.split_hash(%L, %s) to finish it.', v_moduli[2], p_parent, v_moduli[2])
                                  ELSE pg_catalog.format('The new count must be a multiple of %s greater than it, e.g. %s.', v_old, v_old * 2) END;
        END IF;
        -- detaching a partition that a foreign key references fails (after the copy): refuse first
        SELECT pg_catalog.format('%s (constraint %I)', co.conrelid::regclass, co.conname) AS fk INTO v_left
          FROM pg_catalog.pg_constraint co
         WHERE co.contype = 'f' AND co.confrelid = v_rel AND co.conparentid = 0
         ORDER BY 1 LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'cannot split %: the foreign key of % references it', v_cfg.parent_table, v_left.fk
                USING ERRCODE = '0A000',
                      HINT = 'PostgreSQL cannot detach a partition that a foreign key references: drop that foreign key, split, then add it again.';
        END IF;
    END IF;

    -- what an interrupted run left before it split an old partition: its split tables (part's own:
    -- its check constraint on this table, the table's owner, not attached) and capture triggers;
    -- a new run makes them again for the partition it splits, the count the table has drops them
    IF cardinality(v_moduli) = 1 THEN
        FOR v_left IN
            SELECT co.conrelid::regclass AS rel FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
             WHERE co.conname = 'part_split_check' AND co.contype = 'c' AND c.relkind = 'r'
               AND c.relowner = (SELECT p.relowner FROM pg_catalog.pg_class p WHERE p.oid = v_rel)
               AND (pg_catalog.regexp_match(pg_catalog.pg_get_constraintdef(co.oid), 'satisfies_hash_partition\(\(?''?(\d+)''?\)?::oid'))[1] = v_rel::oid::text
               AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = co.conrelid)
        LOOP
            EXECUTE pg_catalog.format('DROP TABLE %s', v_left.rel);
            v_dropped := v_dropped + 1;
        END LOOP;
        FOR v_left IN
            SELECT t.tgname, t.tgrelid::regclass AS rel FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_inherits i ON i.inhrelid = t.tgrelid
             WHERE i.inhparent = v_rel AND t.tgname IN ('part_split_capture', 'part_split_capture_truncate')
        LOOP
            PERFORM part._lock(v_left.rel, 'SHARE ROW EXCLUSIVE');
            EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', v_left.tgname, v_left.rel);
            v_dropped := v_dropped + 1;
        END LOOP;
        DELETE FROM part.split_log l
         WHERE l.partition_oid IN (SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = v_rel);
        IF p_new_count = v_old AND v_dropped > 0 THEN
            RAISE NOTICE 'part: % keeps its % hash partitions: dropped what an interrupted split left (% split tables and capture triggers)',
                v_cfg.parent_table, p_new_count, v_dropped;
        ELSIF p_new_count = v_old THEN
            RAISE NOTICE 'part: % has % hash partitions already: nothing to split', v_cfg.parent_table, p_new_count;
            IF v_cfg.partitions IS NOT DISTINCT FROM p_new_count THEN
                RETURN;   -- already there
            END IF;
        END IF;
    END IF;

    SELECT n.nspname, coalesce(v_cfg.partition_prefix, c.relname) INTO v_schema, v_prefix
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_rel;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';

    SELECT pg_catalog.count(*) INTO v_todo FROM part._partition_bounds(v_rel) b WHERE b.modulus = v_old AND v_old <> p_new_count;
    IF v_todo > 0 THEN
        RAISE NOTICE 'part: splitting % from % to % hash partitions: % old partition(s) to split, one at a time',
            v_cfg.parent_table, v_old, p_new_count, v_todo;
    END IF;
    FOR v_part IN
        SELECT b.partition_oid::regclass AS rel, b.partition_name, b.remainder
          FROM part._partition_bounds(v_rel) b WHERE b.modulus = v_old AND v_old <> p_new_count ORDER BY b.remainder
    LOOP
        v_targets := ARRAY(SELECT v_part.remainder + j * v_old FROM pg_catalog.generate_series(0, p_new_count / v_old - 1) j);

        -- 1. new tables and the capture trigger (dropping leftovers of an interrupted run)
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_schema, v_tmp)) IS NOT NULL THEN
                -- a leftover of an interrupted run is part's own (its check constraint, the table's
                -- owner); anything else under that name is someone else's: refused, never dropped
                IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid
                                WHERE c.oid = pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_schema, v_tmp))
                                  AND k.conname = 'part_split_check' AND c.relkind = 'r'
                                  AND c.relowner = (SELECT p.relowner FROM pg_catalog.pg_class p WHERE p.oid = v_rel)) THEN
                    RAISE EXCEPTION 'cannot split %: %.% exists and is not a leftover of part.split_hash', p_parent, v_schema, v_tmp
                        USING ERRCODE = '42P07', HINT = 'Rename or drop that relation (part.split_hash builds the new partitions under that name), then call it again.';
                END IF;
                EXECUTE pg_catalog.format('DROP TABLE %I.%I', v_schema, v_tmp);
            END IF;
            EXECUTE pg_catalog.format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED)',
                                      v_schema, v_tmp, v_rel);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I))',
                                      v_schema, v_tmp, 'part_split_check', v_rel::oid, p_new_count, v_rem, v_cfg.key_column);
            PERFORM part._copy_owner_and_grants(v_rel, pg_catalog.format('%I.%I', v_schema, v_tmp)::regclass);
        END LOOP;
        DELETE FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        PERFORM part._lock(v_part.rel, 'SHARE ROW EXCLUSIVE');
        FOR v_tmp IN SELECT t.tgname FROM pg_catalog.pg_trigger t
                      WHERE t.tgrelid = v_part.rel AND t.tgname IN ('part_split_capture', 'part_split_capture_truncate') LOOP
            EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', v_tmp, v_part.rel);
        END LOOP;
        EXECUTE pg_catalog.format('CREATE TRIGGER part_split_capture AFTER INSERT OR UPDATE OR DELETE ON %s '
                                  'FOR EACH ROW EXECUTE FUNCTION part._split_capture(%L)', v_part.rel, v_cfg.key_column);
        EXECUTE pg_catalog.format('CREATE TRIGGER part_split_capture_truncate AFTER TRUNCATE ON %s '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION part._split_capture(%L)', v_part.rel, v_cfg.key_column);
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

        -- 2. copy, writers going on
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            -- rows are written with the rights of the table's owner (part._as_owner)
            PERFORM part._as_owner(v_rel, pg_catalog.format(
                'INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_rel::oid, p_new_count, v_rem, v_cfg.key_column), p_returns => false);
        END LOOP;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

        -- 3. the short locked step
        -- the parent, and the old partition for writers that bypass the parent
        PERFORM part._lock_all(ARRAY[v_rel, v_part.rel], ARRAY['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
        SELECT pg_catalog.bool_or(l.key_value IS NULL), pg_catalog.array_agg(DISTINCT l.key_value) FILTER (WHERE l.key_value IS NOT NULL)
          INTO v_full, v_keys
          FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            IF v_full THEN
                PERFORM part._as_owner(v_rel, pg_catalog.format('TRUNCATE %I.%I', v_schema, v_tmp), p_returns => false);
                PERFORM part._as_owner(v_rel, pg_catalog.format(
                    'INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                    v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_rel::oid, p_new_count, v_rem, v_cfg.key_column), p_returns => false);
            ELSIF v_keys IS NOT NULL THEN
                PERFORM part._as_owner(v_rel, pg_catalog.format('DELETE FROM %I.%I WHERE %I = ANY (%L::%s[])',
                                                                        v_schema, v_tmp, v_cfg.key_column, v_keys, v_type), p_returns => false);
                PERFORM part._as_owner(v_rel, pg_catalog.format(
                    'INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE %I = ANY (%L::%s[]) AND pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                    v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_cfg.key_column, v_keys, v_type,
                    v_rel::oid, p_new_count, v_rem, v_cfg.key_column), p_returns => false);
            END IF;
        END LOOP;
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', v_part.rel) INTO v_n_old;
        EXECUTE pg_catalog.format('SELECT sum(n)::bigint FROM (%s) s',
                    (SELECT pg_catalog.string_agg(pg_catalog.format('SELECT pg_catalog.count(*) AS n FROM %I.%I', v_schema,
                                part._partition_name(v_prefix, 'split_' || r)), ' UNION ALL ')
                       FROM pg_catalog.unnest(v_targets) r))
            INTO v_n_new;
        IF v_n_old IS DISTINCT FROM v_n_new THEN
            RAISE EXCEPTION 'split of % stopped: % rows in the old partition, % in the new ones', v_part.partition_name, v_n_old, v_n_new
                USING ERRCODE = 'XX000', HINT = 'Nothing was changed in this step; call part.split_hash again.';
        END IF;
        EXECUTE pg_catalog.format('ALTER TABLE %s DETACH PARTITION %s', v_rel, v_part.rel);
        EXECUTE pg_catalog.format('DROP TABLE %s', v_part.rel);
        DELETE FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I RENAME TO %I', v_schema, v_tmp, part._partition_name(v_prefix, v_rem::text));
            EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                                      v_rel, v_schema, part._partition_name(v_prefix, v_rem::text), p_new_count, v_rem);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I DROP CONSTRAINT part_split_check', v_schema, part._partition_name(v_prefix, v_rem::text));
            PERFORM part._sync_partition(pg_catalog.format('%I.%I', v_schema, part._partition_name(v_prefix, v_rem::text))::regclass);
        END LOOP;
        v_done := v_done + 1;
        RAISE NOTICE 'part: split % into % partitions (% rows): % of % done',
            v_part.partition_name, cardinality(v_targets), v_n_old, v_done, v_todo;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END LOOP;
    -- the new count, and the sync of a migration of this table marking parity groups by it: under a
    -- lock that waits for the writers whose statements marked by the old count (writes through the
    -- parent, which the sync makes too), so that every mark by the old count is committed before
    -- the count changes (part.check_parity re-hashes everything once the count changed)
    IF v_cfg.partitions IS DISTINCT FROM p_new_count THEN
        PERFORM part._lock(v_rel, 'SHARE ROW EXCLUSIVE');
        UPDATE part.config c SET partitions = p_new_count, updated_at = pg_catalog.now()
         WHERE c.parent_table = v_cfg.parent_table;
        SELECT m.* INTO v_m FROM part.migration m
         WHERE m.partitioned_table = v_cfg.parent_table AND m.phase <> 'finalized';
        IF FOUND THEN
            PERFORM part._sync_function_create(v_m, 'partitioned');
            PERFORM part._sync_function_create(v_m, 'legacy');
        END IF;
    END IF;
    IF v_todo > 0 THEN
        RAISE NOTICE 'part: % has % hash partitions', v_cfg.parent_table, p_new_count;
    END IF;
    COMMIT;
END
$$;
COMMENT ON PROCEDURE part.split_hash IS
    'part: grow a hash-partitioned table to p_new_count partitions (a multiple of the current count), splitting one old partition at a time with writers blocked only briefly per step; resumable, and called with the current count it abandons an interrupted split.';
