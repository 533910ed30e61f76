CREATE FUNCTION part._sync_function_sql(p_m part.migration, p_source regclass, p_target regclass, p_function text,
                                                p_source_name text DEFAULT NULL, p_target_name text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy     regclass := to_regclass(p_m.legacy_table);
    v_cols       text[] := part._sync_columns(p_source, p_target, true);
    v_fn         text[] := parse_ident(p_function);
    v_target_key text[];
    v_set        text[];
    v_refuse     text[] := ARRAY['', ''];
    v_keep       text[] := ARRAY['', ''];
    v_skipped    text := '';
    v_raise      text;
    v_body       text;
BEGIN
/*
 * The CREATE FUNCTION statement of the sync trigger function p_function that
 * mirrors writes of p_source into p_target: the body is
 * templates/sync/generated/sync_function.sql rendered by part._render from the live
 * catalog (every name quoted by its kind), and it goes into the statement as
 * one quoted literal, so no name can end the body or add a statement.
 * p_source_name / p_target_name (schema.table, quoted): the names the
 * tables will have, for a statement prepared before they are renamed (the
 * switch prepares it before taking its locks).
 */
    v_target_key := CASE WHEN p_target = v_legacy THEN p_m.legacy_key ELSE p_m.partitioned_key END;
    -- columns an upsert sets: not the key, not an identity column PostgreSQL generates ALWAYS
    SELECT array_agg(c ORDER BY o) INTO v_set
      FROM unnest(v_cols) WITH ORDINALITY AS u(c, o)
     WHERE NOT c = ANY (v_target_key)
       AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = p_target AND a.attname = u.c AND a.attidentity = 'a');

    -- Mirroring into the legacy table (phase partitioned): its primary key lacks the partition
    -- key, so two rows of the partitioned table (same id, other date) would be one row there:
    -- refuse the write rather than overwrite the other row (a rollback would have lost it).
    IF p_target = v_legacy AND NOT (p_m.key_column = ANY (p_m.legacy_key)) THEN
        v_raise := format(
            'RAISE EXCEPTION ''%%: a row with this %% exists in the legacy table with another %%, and the legacy table (kept for a rollback) can hold only one of them'', %L, %L, %L '
            'USING ERRCODE = ''23505'', HINT = %L;',
            p_m.table_name, array_to_string(v_target_key, ', '), p_m.key_column,
            format('Give the row a new %s (the sequence does), or finalize the migration (part.finalize) before writing such rows.',
                              array_to_string(v_target_key, ', ')));
        IF v_set IS NOT NULL THEN
            -- the upsert overwrites only the same row (same partition key), or the one an UPDATE
            -- moves, even against a concurrent writer; a short row count tells
            v_keep := ARRAY[
                format('WHERE t.%1$I IS NOT DISTINCT FROM EXCLUDED.%1$I', p_m.key_column),
                format('WHERE t.%1$I IS NOT DISTINCT FROM EXCLUDED.%1$I OR EXISTS (SELECT 1 FROM old_rows o WHERE %2$s)',
                                  p_m.key_column, part._sql_columns(v_target_key, 't', 'match:o'))];
            v_skipped := format(
                $r$GET DIAGNOSTICS v_done = ROW_COUNT;
        IF v_done < (SELECT pg_catalog.count(*) FROM new_rows) THEN
            %s
        END IF;$r$, v_raise);
        ELSE
            -- DO NOTHING cannot tell a skipped row: look before writing (an UPDATE may move a
            -- row to another partition key: the legacy row it replaces is among old_rows)
            FOR v_i IN 1..2 LOOP
                v_refuse[v_i] := format(
                    $r$IF EXISTS (SELECT 1 FROM new_rows n JOIN %1$s t ON %2$s
                        WHERE t.%3$I IS DISTINCT FROM n.%3$I %5$s) THEN
            %4$s
        END IF;$r$,
                    coalesce(p_target_name, part._qualified(p_target)), part._sql_columns(v_target_key, 't', 'match:n'), p_m.key_column, v_raise,
                    CASE WHEN v_i = 2 THEN format('AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE %s)',
                                                             part._sql_columns(v_target_key, 't', 'match:o')) ELSE '' END);
            END LOOP;
        END IF;
    END IF;

    v_body := part._render($tmpl$
{% include 'sync/generated/sync_function.sql' %}
$tmpl$, jsonb_build_object(
        'target', coalesce(p_target_name, part._qualified(p_target)),
        'source', coalesce(p_source_name, part._qualified(p_source)),
        'columns_s', part._sql_columns(v_cols, 's'),
        'match_s_o', part._sql_columns(v_target_key, 's', 'match:o'),
        'table', p_m.table_name,
        'source_name', coalesce(p_source_name, part._qualified(p_source)),
        'target_name', coalesce(p_target_name, part._qualified(p_target)),
        'columns', part._sql_columns(v_cols),
        'overriding', CASE WHEN EXISTS (SELECT 1 FROM pg_attribute a
                                         WHERE a.attrelid = p_target AND a.attnum > 0 AND NOT a.attisdropped
                                           AND a.attidentity <> '' AND a.attname = ANY (v_cols))
                           THEN 'OVERRIDING SYSTEM VALUE' ELSE '' END,
        'target_key', part._sql_columns(v_target_key),
        'on_conflict', CASE WHEN v_set IS NULL THEN 'DO NOTHING' ELSE 'DO UPDATE SET ' || part._sql_columns(v_set, NULL, 'set') END,
        'match_t_o', part._sql_columns(v_target_key, 't', 'match:o'),
        'copy_match_n_o', part._sql_columns(p_m.partitioned_key, 'n', 'match:o'),
        'match_n_o', part._sql_columns(v_target_key, 'n', 'match:o'),
        'legacy_key_o', part._sql_columns(p_m.legacy_key, 'o', 'row'),
        'last_key', part._key_from_text_sql(v_legacy, p_m.legacy_key, 'v_m.backfill_last_key'),
        'high_key', part._key_from_text_sql(v_legacy, p_m.legacy_key, 'v_m.backfill_high_key'),
        'gate_class', (part._migration_lock(p_m.table_name, 'gate'))[1],
        'gate_key', (part._migration_lock(p_m.table_name, 'gate'))[2],
        'group_n', part._group_sql(p_m, format('n.%I', p_m.key_column)),
        'group_o', part._group_sql(p_m, format('o.%I', p_m.key_column)),
        'group_text', part._group_text_sql(p_m, 'd.g'),
        'keep_other_row_insert', v_keep[1],
        'keep_other_row_update', v_keep[2],
        'refuse_skipped', v_skipped,
        'refuse_insert', v_refuse[1],
        'plain_insert', p_target <> v_legacy,
        'refuse_update', v_refuse[2]));
    RETURN format(
        'CREATE OR REPLACE FUNCTION %I.%I() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER '
        'SET search_path = pg_catalog, pg_temp AS %L', v_fn[1], v_fn[2], v_body);
END
$$;
