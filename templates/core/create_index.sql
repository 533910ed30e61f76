CREATE FUNCTION part.create_index(p_parent text, p_definition text)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel     regclass := part._resolve_table(p_parent);
    v_nspname text;
    v_tmp     regclass;
    v_parts   bigint;
    v_bad     text;
    v_check   text := 'part_index_check_' || pg_backend_pid();
    v_def     text;
    v_name    text;
    v_index   regclass;
    v_itext   text;
    v_p       record;
    v_child   regclass;
    v_left    regclass;
    v_pending integer := 0;
    v_ready   boolean := false;
    v_steps   text[] := '{}'::text[];
    v_state   text;
    v_msg     text;
    v_detail  text;
BEGIN
/*
 * Plan an index on every partition of p_parent, built online, and return
 * the statements that build it, in order, to run outside a transaction
 * block (psql: SELECT * FROM part.create_index(...) \gexec; pginstall
 * index; each one a job of its own for pg_cron). p_definition is what
 * follows ON <table> in CREATE INDEX: '(org_id, occurred_at)',
 * 'USING brin (occurred_at)', '(lower(email)) WHERE NOT deleted'.
 *
 *   1. here: the index on ONLY the parent (invalid until every partition has
 *      its own attached), created from p_definition in one statement (a ';'
 *      is refused, so the text cannot hold a second one) under a SHARE lock
 *      taken by part's lock discipline; its definition is then read back
 *      from the catalog, and every later statement is composed from that
 *      (quoted identifiers, deparsed expressions), never from the text;
 *   2. per partition, returned: DROP INDEX CONCURRENTLY of an invalid index
 *      a killed build left, CREATE INDEX CONCURRENTLY (writers go on), then
 *      SELECT part.attach_index(...) (ALTER INDEX ... ATTACH PARTITION, a
 *      short lock); once the last partition is attached, PostgreSQL marks
 *      the parent's index valid, and partitions created from then on get it
 *      natively (as do those created meanwhile).
 *
 * Resumable: calling it again with the same definition finds the parent's
 * index and returns only what is left (no row: the index is complete),
 * starting with part.attach_index when partitions have an index of that
 * shape built and valid (a build that stopped before attaching it, or the
 * partition's own): attached, not rebuilt. The steps are
 * recorded in part.index_build; part.verify() reports a build left
 * unfinished. The session keeps the table's build lock (part._index_lock)
 * until it ends: one session builds on a table at a time.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here: p_definition is
 * appended to one CREATE INDEX ... ON ONLY, after a ';' anywhere in it was refused (one
 * statement only), inside a subtransaction that is rolled back, and PostgreSQL evaluates index
 * expressions as the table's owner; every later statement is built from the catalog's reading
 * of that index (part._index_definition), never from p_definition. Its other EXECUTEs format()
 * %s with regclass names.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT n.nspname INTO v_nspname
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_rel;
    IF (SELECT c.relkind FROM pg_class c WHERE c.oid = v_rel) <> 'p' THEN
        RAISE EXCEPTION '% is not a partitioned table', v_rel
            USING ERRCODE = '42809',
                  HINT = format('On a plain table, run CREATE INDEX CONCURRENTLY ... ON %s %s yourself.', v_rel, coalesce(p_definition, ''));
    END IF;
    IF p_definition IS NULL OR btrim(p_definition) = '' THEN
        RAISE EXCEPTION 'an index definition is required'
            USING ERRCODE = '22023',
                  HINT = 'Pass what follows ON <table> in CREATE INDEX, e.g. ''(org_id, occurred_at)'' or ''USING brin (occurred_at)''.';
    END IF;
    IF strpos(p_definition, ';') > 0 THEN
        RAISE EXCEPTION 'an index definition holds no semicolon: %', p_definition
            USING ERRCODE = '22023',
                  HINT = 'Pass one index definition, what follows ON <table> in CREATE INDEX, without a semicolon (not even in a literal).';
    END IF;
    SELECT string_agg(format('%s (%s)', i.inhrelid::regclass,
                                 CASE c.relkind WHEN 'p' THEN 'partitioned itself' ELSE 'a foreign table' END), ', ')
               FILTER (WHERE c.relkind IN ('p', 'f')),
           count(*)
      INTO v_bad, v_parts
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = v_rel;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'part builds indexes on partitions that are plain tables, and % has %', v_rel, v_bad
            USING ERRCODE = '0A000',
                  HINT = 'Build the index on those partitions yourself (CREATE INDEX ON ONLY, CREATE INDEX CONCURRENTLY on the leaves, ALTER INDEX ... ATTACH PARTITION).';
    END IF;
    PERFORM part._index_lock(v_rel);
    PERFORM part._lock_all(ARRAY[v_rel], ARRAY['SHARE']);

    -- 1. the definition, checked by PostgreSQL itself: an index on ONLY the parent (nothing is built)
    --    in a subtransaction that is undone; what the catalog says of it is kept
    BEGIN
        BEGIN
            EXECUTE format('CREATE INDEX %I ON ONLY %s ', v_check, v_rel) || p_definition;
        EXCEPTION
            WHEN undefined_column THEN
                GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT;
                RAISE EXCEPTION 'invalid index definition for %: %', v_rel, v_msg
                    USING ERRCODE = '42703',
                          HINT = format('Use columns of %s: %s.', v_rel,
                                     (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                                        FROM pg_attribute a WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped));
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT, v_detail = RETURNED_SQLSTATE;
                RAISE EXCEPTION 'invalid index definition for %: % (%)', v_rel, v_msg, p_definition
                    USING ERRCODE = '22023', DETAIL = format('PostgreSQL said %s: %s', v_detail, v_msg),
                          HINT = 'Pass what follows ON <table> in CREATE INDEX, e.g. ''(org_id, occurred_at)'', ''USING brin (occurred_at)'' or ''(lower(email)) WHERE NOT deleted''.';
        END;
        v_tmp := format('%I.%I', v_nspname, v_check)::regclass;
        v_def := part._index_definition(v_tmp);
        SELECT i.indexrelid::regclass INTO v_index
          FROM pg_index i
         WHERE i.indrelid = v_rel AND i.indexrelid <> v_tmp
           AND NOT i.indisunique AND NOT i.indisexclusion
           AND part._index_definition(i.indexrelid) = v_def
         ORDER BY i.indisvalid DESC, i.indexrelid LIMIT 1;
        IF v_index IS NULL THEN
            v_name := part._index_name(v_rel, v_tmp, v_def);
        END IF;
        RAISE EXCEPTION 'part: definition checked'
            USING HINT = 'Not an error: undoes the index made to check the definition (caught below).';
    EXCEPTION WHEN raise_exception THEN
        GET STACKED DIAGNOSTICS v_msg = MESSAGE_TEXT;
        IF v_msg <> 'part: definition checked' THEN
            RAISE;
        END IF;
    END;

    IF v_index IS NULL THEN
        -- the parent's index, composed from the catalog's reading of the definition
        EXECUTE format(CASE WHEN v_parts = 0 THEN 'CREATE INDEX %I ON %s %s' ELSE 'CREATE INDEX %I ON ONLY %s %s' END,
                                  v_name, v_rel, v_def);
        v_index := format('%I.%I', v_nspname, v_name)::regclass;
    ELSIF (SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = v_index) THEN
        RAISE NOTICE 'part: % (%) is valid on every partition of %: nothing to build', v_index, v_def, v_rel;
        RETURN;
    END IF;
    v_itext := part._qualified(v_index);

    -- 2. each partition
    FOR v_p IN
        SELECT i.inhrelid::regclass AS rel, n.nspname, part._qualified(i.inhrelid) AS name
          FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE i.inhparent = v_rel ORDER BY c.relname
    LOOP
        v_state := 'pending';
        -- attached already (built here before, or the partition was created after the parent's index)
        SELECT h.inhrelid::regclass INTO v_child
          FROM pg_inherits h JOIN pg_index ci ON ci.indexrelid = h.inhrelid
         WHERE h.inhparent = v_index AND ci.indrelid = v_p.rel;
        IF v_child IS NOT NULL THEN
            v_state := 'attached';
        ELSE
            -- an index of that shape, built and valid (a build that stopped before attaching it, or the
            -- partition's own): attached as it is, not rebuilt
            SELECT ci.indexrelid::regclass INTO v_child
              FROM pg_index ci
             WHERE ci.indrelid = v_p.rel AND ci.indisvalid AND ci.indisready AND ci.indislive
               AND NOT ci.indisunique AND NOT ci.indisexclusion
               AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = ci.indexrelid)
               AND part._index_definition(ci.indexrelid) = v_def
             ORDER BY ci.indexrelid LIMIT 1;
            IF v_child IS NOT NULL THEN
                -- attached by the first step, part.attach_index (not here: this transaction holds the
                -- parent's SHARE lock, which writers must not wait behind)
                v_ready := true;
                v_name := part._index_name(v_p.rel, v_index, v_def);
                INSERT INTO part.index_build AS b (parent_index, parent_table, definition, partition_name,
                                                           index_name, reused)
                VALUES (v_itext, part._qualified(v_rel), v_def, v_p.name, part._qualified(v_child),
                        (SELECT c.relname <> v_name FROM pg_class c WHERE c.oid = v_child))
                ON CONFLICT (parent_index, partition_name) DO UPDATE
                   SET state = 'pending', index_name = EXCLUDED.index_name, reused = EXCLUDED.reused, attached_at = NULL;
                CONTINUE;
            END IF;
        END IF;
        IF v_state = 'attached' THEN
            INSERT INTO part.index_build AS b (parent_index, parent_table, definition, partition_name, index_name,
                                                       state, reused, attached_at)
            VALUES (v_itext, part._qualified(v_rel), v_def, v_p.name, part._qualified(v_child), 'attached',
                    false, now())
            ON CONFLICT (parent_index, partition_name) DO UPDATE
               SET state = 'attached', index_name = EXCLUDED.index_name,
                   attached_at = coalesce(b.attached_at, EXCLUDED.attached_at);
            CONTINUE;
        END IF;

        v_name := part._index_name(v_p.rel, v_index, v_def);
        -- an index of that name left invalid by a build that was killed or failed: dropped, then built again
        SELECT ci.indexrelid::regclass INTO v_left
          FROM pg_index ci JOIN pg_class c ON c.oid = ci.indexrelid
         WHERE ci.indrelid = v_p.rel AND c.relname = v_name;
        IF v_left IS NOT NULL THEN
            v_steps := v_steps || format('DROP INDEX CONCURRENTLY IF EXISTS %s', v_left);
        END IF;
        v_steps := v_steps || format('CREATE INDEX CONCURRENTLY %I ON %s %s', v_name, v_p.rel, v_def)
                           || format('SELECT %I.attach_index(%L)', 'part', v_itext);
        v_pending := v_pending + 1;
        INSERT INTO part.index_build AS b (parent_index, parent_table, definition, partition_name, index_name)
        VALUES (v_itext, part._qualified(v_rel), v_def, v_p.name,
                format('%I.%I', v_p.nspname, v_name))
        ON CONFLICT (parent_index, partition_name) DO UPDATE
           SET state = 'pending', index_name = EXCLUDED.index_name, reused = false, attached_at = NULL;
    END LOOP;
    -- partitions planned before that are no longer partitions of the table
    UPDATE part.index_build b SET state = 'gone'
     WHERE b.parent_index = v_itext AND b.state = 'pending'
       AND NOT EXISTS (SELECT 1 FROM pg_inherits i
                        WHERE i.inhparent = v_rel AND i.inhrelid = to_regclass(b.partition_name));
    -- partitions whose index is built and valid: attached first, by part.attach_index in a transaction of its own
    IF v_ready THEN
        RETURN NEXT format('SELECT %I.attach_index(%L)', 'part', v_itext);
    END IF;
    RETURN QUERY SELECT unnest(v_steps);
    IF v_pending = 0 AND NOT v_ready THEN
        RAISE NOTICE 'part: % (%): every partition of % has it%', v_index, v_def, v_rel,
            CASE WHEN (SELECT i.indisvalid FROM pg_index i WHERE i.indexrelid = v_index) THEN ', valid'
                 ELSE ' (the parent''s index is not valid yet: a partition was detached during the build; SELECT part.attach_index(' || quote_literal(v_itext) || '))' END;
    END IF;
END
$$;
COMMENT ON FUNCTION part.create_index IS
    'part: plan an index on every partition of p_parent (p_definition: what follows ON table in CREATE INDEX), built online and resumably: returns the statements to run outside a transaction (pginstall index, or psql''s \gexec); a second call resumes an interrupted build.';
