CREATE FUNCTION part._create_range_partition(p_parent regclass, p_from text, p_to text,
                                                     p_known_free boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg      part.config := part._config_row(p_parent);
    v_type     regtype := v_cfg.key_type::regtype;
    v_schema   text;
    v_name     text;
    v_new      regclass;
    v_default  regclass;
    v_cols     text;
    v_moved    bigint := 0;
    v_empty    boolean;
    v_refs     text;
    v_cloned   text;
    v_waiting  boolean := false;
    v_check    boolean := false;
    v_moving   boolean;
    v_rows     boolean;
    v_trg      text[];
    v_trg_mode text[];
    v_lo       numeric := part._bound_ordinal(p_from, v_type);
    v_hi       numeric := part._bound_ordinal(p_to, v_type);
BEGIN
/*
 * Create the range partition [p_from, p_to) of p_parent, or return NULL when
 * a partition already covers (part of) that range (p_known_free: the caller
 * has just checked that none does).
 *
 * The partition is made as a standalone table (before any lock; with a
 * CHECK of its bounds when rows of the default will move into it, so that
 * ATTACH does not scan them) and attached: ATTACH takes
 * only SHARE UPDATE EXCLUSIVE on the parent, so without a default partition
 * writers go on. With a default partition, writers are held at the parent
 * (EXCLUSIVE: reads go on) for this one step, the rows the default holds for
 * the new range move into the new table, then ATTACH: creating a partition
 * never fails because of rows in the default, and no concurrent insert fails
 * either. Locks are taken with short timeouts and retries (part._lock). The new partition gets the parent's indexes (made with the
 * table, adopted by ATTACH), owner and privileges.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF v_lo >= v_hi THEN
        RAISE EXCEPTION 'empty range [%, %) for %', p_from, p_to, v_cfg.parent_table
            USING ERRCODE = '22023', HINT = 'The lower bound must be below the upper bound.';
    END IF;
    IF NOT p_known_free AND part._range_taken(p_parent, v_type, v_lo, v_hi) THEN
        RETURN NULL;
    END IF;

    SELECT n.nspname INTO v_schema
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_parent;
    v_name := part._partition_name(
        coalesce(v_cfg.partition_prefix, (SELECT c.relname FROM pg_class c WHERE c.oid = p_parent)),
        part._range_suffix(p_from, v_type, v_cfg."interval", v_cfg.time_zone));
    SELECT nullif(pt.partdefid, 0)::regclass INTO v_default
      FROM pg_partitioned_table pt WHERE pt.partrelid = p_parent;

    -- Prepared before the locks (no one sees this table until it is attached): the table with the
    -- parent's indexes (ATTACH adopts them instead of building them), the parent's owner and
    -- privileges (the rows move with the owner's rights), and a CHECK of its bounds, so that
    -- ATTACH need not scan the rows moved into it while writers wait. When rows of the default
    -- will move into it, no indexes yet: ATTACH builds them after the move, in bulk, which is
    -- faster than inserting every moved row into them (both happen under the lock).
    v_moving := v_default IS NOT NULL AND (pg_relation_size(v_default) > 0
                                           OR (SELECT c.relkind FROM pg_class c WHERE c.oid = v_default) <> 'r');
    BEGIN
        EXECUTE format(
            'CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED INCLUDING COMMENTS%s)',
            v_schema, v_name, p_parent, CASE WHEN v_moving THEN '' ELSE ' INCLUDING INDEXES' END);
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        -- the name is taken: by this range's partition, made by a concurrent call since we looked
        -- (or one we waited for to commit), then nothing to do; else by something else
        IF part._range_taken(p_parent, v_type, v_lo, v_hi) THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'cannot create partition %.%: a relation with that name exists', v_schema, v_name
            USING ERRCODE = '42P07',
                  HINT = 'Rename or drop that relation, or attach it yourself as the partition for this range.';
    END;
    v_new := format('%I.%I', v_schema, v_name)::regclass;
    PERFORM part._copy_owner_and_grants(p_parent, v_new);
    -- The CHECK spares ATTACH a scan of the rows the default's move puts into the table. A table
    -- that stays empty needs none (ATTACH finds no page to read), and adding and dropping it were
    -- two more catalog changes per partition (one of them while writers wait): only when the
    -- default has pages now. Should rows reach an empty default before our lock, it is added
    -- under the lock before they move (catalog only: the table is still empty).
    IF v_moving AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = v_new AND c.conname = 'part_partition_bound') THEN
        EXECUTE format('ALTER TABLE %1$s ADD CONSTRAINT part_partition_bound CHECK (%2$I IS NOT NULL AND %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s)',
                       v_new, v_cfg.key_column, p_from, p_to, v_type);
        v_check := true;
    END IF;

    IF v_default IS NULL THEN
        PERFORM part._lock(p_parent, 'SHARE UPDATE EXCLUSIVE');
    ELSE
        -- Writers must wait at the parent, not at the default: a writer that
        -- routed a row to the default before the ATTACH would fail on the
        -- default's new constraint instead of going to the new partition.
        -- EXCLUSIVE blocks writers (only for this short step) but not readers.
        PERFORM part._lock_all(ARRAY[p_parent, v_default], ARRAY['EXCLUSIVE', 'ACCESS EXCLUSIVE']);
    END IF;
    -- checked again under the lock: a concurrent call (create_ahead during run_maintenance, or a
    -- partition attached by hand) may have made this range's partition while we waited; then there
    -- is nothing to do. Before rows of the default move: here. Else the ATTACH checks it (below),
    -- from the table's partition descriptor, at no cost while writers wait.
    v_rows := v_default IS NOT NULL AND (pg_relation_size(v_default) > 0
                                         OR (SELECT c.relkind FROM pg_class c WHERE c.oid = v_default) <> 'r');
    IF v_rows AND part._range_taken(p_parent, v_type, v_lo, v_hi) THEN
        EXECUTE format('DROP TABLE %s', v_new);
        RETURN NULL;
    END IF;

    -- (a plain default partition without a page holds no row, and we hold it exclusively: nothing
    -- to move, no trigger to set aside)
    IF v_rows THEN
        -- rows reached the default since we looked: the CHECK now (see above)
        IF NOT v_check AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = v_new AND c.conname = 'part_partition_bound') THEN
            EXECUTE format('ALTER TABLE %1$s ADD CONSTRAINT part_partition_bound CHECK (%2$I IS NOT NULL AND %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s)',
                           v_new, v_cfg.key_column, p_from, p_to, v_type);
            v_check := true;
        END IF;
        SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
          FROM pg_attribute a
         WHERE a.attrelid = p_parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
        -- The rows move between partitions of one table; they are not deleted. A foreign key pointing
        -- at the table would see deletes (ON DELETE CASCADE would delete the rows referencing them,
        -- NO ACTION would refuse); PostgreSQL 14 fires a partition's triggers cloned from the parent
        -- even when they are disabled on the partition. PostgreSQL offers no way to move rows past
        -- either without that: when rows of this range wait in the default, refuse.
        -- (found through pg_depend's index on the referenced table: pg_constraint has none on confrelid,
        -- and a scan of it per partition made cost grow with every table of the database)
        SELECT string_agg(DISTINCT format('%s (constraint %I)', c.conrelid::regclass, c.conname), ', ')
          INTO v_refs
          FROM pg_depend d
          JOIN pg_constraint c ON c.oid = d.objid
         WHERE d.classid = 'pg_constraint'::regclass AND d.refclassid = 'pg_class'::regclass
           AND d.refobjid IN (p_parent, v_default)
           AND c.contype = 'f' AND c.confrelid IN (p_parent, v_default);
        IF current_setting('server_version_num')::integer < 150000 THEN
            SELECT string_agg(quote_ident(t.tgname), ', ' ORDER BY t.tgname) INTO v_cloned
              FROM pg_trigger t
             WHERE t.tgrelid = v_default AND t.tgparentid <> 0 AND t.tgconstraint = 0 AND t.tgenabled <> 'D'
               AND (t.tgtype::integer & 1) = 1;   -- row-level, cloned (14 marks those internal), not a foreign key's
        END IF;
        IF v_refs IS NOT NULL OR v_cloned IS NOT NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %1$s WHERE %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s)',
                                      v_default, v_cfg.key_column, p_from, p_to, v_type) INTO v_waiting;
        END IF;
        IF v_waiting AND v_refs IS NOT NULL THEN
            RAISE EXCEPTION 'rows of % [%, %) stay in %: % is referenced by foreign keys (%), and moving a row to another partition would fire their ON DELETE actions',
                            v_cfg.parent_table, p_from, p_to, v_default, v_cfg.parent_table, v_refs
                USING ERRCODE = '55000',
                      HINT = format('Move them yourself (create the partition for [%s, %s) after moving its rows out of %s with the referencing rows in mind), or drop those foreign keys; part.verify() reports the rows waiting.',
                                               p_from, p_to, v_default);
        ELSIF v_waiting THEN
            RAISE EXCEPTION 'rows of % [%, %) stay in %: PostgreSQL 14 would fire its row triggers % (from %) for the move, as a delete and an insert',
                            v_cfg.parent_table, p_from, p_to, v_default, v_cloned, v_cfg.parent_table
                USING ERRCODE = '55000',
                      HINT = 'Move them yourself with those triggers in mind, or drop the triggers for the move; PostgreSQL 15 and later move them without firing them.';
        END IF;
        -- No trigger of the default fires for the move (a user's audit trigger would log a delete of
        -- a row that still exists; a migration's sync would mirror it as a delete): its triggers are
        -- disabled while it moves (we hold it exclusively), then set back as they were.
        SELECT array_agg(t.tgname ORDER BY t.tgname), array_agg(t.tgenabled::text ORDER BY t.tgname)
          INTO v_trg, v_trg_mode
          FROM pg_trigger t WHERE t.tgrelid = v_default AND NOT t.tgisinternal AND t.tgenabled <> 'D';
        FOR i IN 1 .. coalesce(cardinality(v_trg), 0) LOOP
            EXECUTE format('ALTER TABLE %s DISABLE TRIGGER %I', v_default, v_trg[i]);
        END LOOP;
        -- The move runs with the rights of the table's owner (part._as_owner), never the caller's.
        v_moved := part._as_owner(p_parent, format(
            'WITH moved AS (DELETE FROM %1$s WHERE %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s RETURNING %6$s), '
            'ins AS (INSERT INTO %7$s (%6$s) SELECT %6$s FROM moved RETURNING 1) '
            'SELECT pg_catalog.count(*)::text FROM ins',
            v_default, v_cfg.key_column, p_from, p_to, v_type, v_cols, v_new))::bigint;
        -- we hold the default exclusively: when that emptied it, give its space back now
        IF v_moved > 0 THEN
            EXECUTE format('SELECT NOT EXISTS (SELECT 1 FROM %s)', v_default) INTO v_empty;
            IF v_empty THEN
                PERFORM part._as_owner(p_parent, format('TRUNCATE %s', v_default), p_returns => false);
            END IF;
        END IF;
        FOR i IN 1 .. coalesce(cardinality(v_trg), 0) LOOP
            EXECUTE format('ALTER TABLE %s ENABLE %s TRIGGER %I', v_default,
                                      CASE v_trg_mode[i] WHEN 'A' THEN 'ALWAYS' WHEN 'R' THEN 'REPLICA' ELSE '' END, v_trg[i]);
        END LOOP;
    END IF;

    BEGIN
        EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                       p_parent, v_new, p_from, p_to);
    EXCEPTION WHEN invalid_object_definition THEN   -- 42P17: "would overlap partition ..." among others
        IF NOT v_rows AND part._range_taken(p_parent, v_type, v_lo, v_hi) THEN
            EXECUTE format('DROP TABLE %s', v_new);
            RETURN NULL;
        END IF;
        RAISE;
    END;
    IF v_check THEN   -- the partition's bound says it now
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT part_partition_bound', v_new);
    END IF;
    PERFORM part._sync_partition(v_new);   -- a migration's sync triggers, if the parent has them
    PERFORM part._notice(format('created partition %s [%s, %s)%s', v_new, p_from, p_to,
        CASE WHEN v_moved > 0 THEN format(', moved %s rows from %s', v_moved, v_default) ELSE '' END));
    RETURN part._qualified(v_new);
END
$$;
