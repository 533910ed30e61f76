CREATE FUNCTION part._verify_partitions_ahead()
    RETURNS TABLE(check_name text, table_name text, status text, detail text)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_p        record;
    v_type     regtype;
    v_max      text;
    v_cur      text;
    v_to       text;
    v_missing  text[];
    v_overlap  text;
    v_lim      record;
    v_moduli   integer[];
    v_split    integer;
    v_n        bigint;
    v_cnt      bigint;
BEGIN
/*
 * part.verify()'s check partitions_ahead, one row per managed table:
 * partitions exist for now and premake intervals ahead (integer keys: from
 * the largest key an aligned partition can hold); hash tables: every
 * remainder, and no part.split_hash left half done. Fails for a table in
 * part.config that no longer exists.
 */
    FOR v_p IN SELECT pl.*, c.premake, c."interval", c.key_column, c.partitions, c.time_zone
                 FROM part._maintenance_plan() pl
                 JOIN part.config c ON c.parent_table = pl.parent_table LOOP
        check_name := 'partitions_ahead';
        table_name := v_p.parent_table;
        IF v_p.rel IS NULL THEN
            status := 'fail';
            detail := 'the table does not exist (remove it from part.config, or recreate it)';
            RETURN NEXT;
            CONTINUE;
        END IF;
        v_type := v_p.key_type::regtype;

        IF v_p.strategy = 'hash' THEN
            -- two moduli: a part.split_hash that was interrupted (its capture trigger still logs writes)
            SELECT array_agg(DISTINCT b.modulus ORDER BY b.modulus) INTO v_moduli
              FROM part._partition_bounds(v_p.rel) b;
            -- one modulus, but split tables or capture triggers of an interrupted split_hash (killed, or
            -- stopped by an error, before it split its first old partition): the trigger logs every write
            SELECT max((regexp_match(pg_get_constraintdef(co.oid),
                                                           'satisfies_hash_partition\(\(?''?(\d+)''?\)?::oid, (\d+),'))[2]::integer),
                   count(*)
              INTO v_split, v_n
              FROM pg_constraint co
             WHERE co.conname = 'part_split_check' AND co.contype = 'c'
               AND (regexp_match(pg_get_constraintdef(co.oid), 'satisfies_hash_partition\(\(?''?(\d+)''?\)?::oid'))[1] = v_p.rel::oid::text
               AND NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = co.conrelid);
            SELECT count(DISTINCT t.tgrelid) INTO v_cnt
              FROM pg_trigger t JOIN pg_inherits i ON i.inhrelid = t.tgrelid
             WHERE i.inhparent = v_p.rel AND t.tgname IN ('part_split_capture', 'part_split_capture_truncate');
            IF cardinality(v_moduli) = 1 AND (v_n > 0 OR v_cnt > 0) THEN
                status := 'fail';
                detail := format('a split of the hash partitions from %s%s was interrupted: %s split table(s) and the capture trigger on %s partition(s) (it logs every write) are left: '
                                            'CALL part.split_hash(%L, %s) to finish it, or CALL part.split_hash(%L, %s) to abandon it',
                                            v_moduli[1], coalesce(' to ' || v_split, ''), v_n, v_cnt,
                                            v_p.parent_table, coalesce(v_split, v_moduli[1] * 2), v_p.parent_table, v_moduli[1]);
                RETURN NEXT;
                CONTINUE;
            END IF;
            status := CASE WHEN v_p.partition_count = v_p.partitions AND cardinality(v_moduli) = 1 THEN 'ok' ELSE 'fail' END;
            detail := CASE WHEN cardinality(v_moduli) > 1
                           THEN format('a split of the hash partitions from %s to %s is unfinished (%s partitions now): CALL part.split_hash(%L, %s) to finish it',
                                                  v_moduli[1], v_moduli[cardinality(v_moduli)], v_p.partition_count,
                                                  v_p.parent_table, v_moduli[cardinality(v_moduli)])
                           ELSE format('%s of %s hash partitions', v_p.partition_count, v_p.partitions) END;
            RETURN NEXT;
            CONTINUE;
        END IF;

        -- partitions for now and premake ahead (integer keys: from the largest key, read here)
        IF v_p.key_type IN ('smallint', 'integer', 'bigint') THEN
            v_lim := part._key_limits(v_type, v_p."interval");
            v_max := part._verify_largest_key(v_p.rel, v_p.key_column, v_type, v_p."interval");
            v_missing := '{}';
            v_cur := part._range_floor(v_max, v_type, v_p."interval");
            FOR i IN 0 .. v_p.premake LOOP
                EXIT WHEN v_cur::numeric >= v_lim.hi::numeric;   -- the type ends
                v_to := part._range_next(v_cur, v_type, v_p."interval");
                IF NOT EXISTS (SELECT 1 FROM part._bounds_all(v_p.rel) b
                                WHERE NOT b.is_default AND b.lo <= v_cur::float8 AND b.hi >= v_to::float8) THEN
                    v_missing := v_missing || v_cur;
                END IF;
                v_cur := v_to;
            END LOOP;
            IF v_missing = '{}' THEN
                v_missing := NULL;
            END IF;
        ELSE
            v_missing := v_p.missing;
        END IF;
        -- partitions made by hand that overlap a missing interval: maintenance cannot create it
        v_overlap := NULL;
        IF v_missing IS NOT NULL THEN
            SELECT string_agg(DISTINCT format('%s [%s, %s)', b.partition_name, b.bound_from, b.bound_to), ', ')
              INTO v_overlap
              FROM unnest(v_missing) s(f)
              JOIN part._partition_bounds(v_p.rel) b ON NOT b.is_default
             WHERE part._bound_ordinal(b.bound_from, v_type)
                       < part._bound_ordinal(part._range_next(s.f, v_type, v_p."interval", v_p.time_zone), v_type)
               AND part._bound_ordinal(b.bound_to, v_type) > part._bound_ordinal(s.f, v_type);
        END IF;
        status := CASE WHEN v_missing IS NULL THEN 'ok' ELSE 'fail' END;
        detail := CASE WHEN v_missing IS NULL
                       THEN format('partitions cover now and %s intervals ahead (up to %s%s)', v_p.premake, v_p.covered_until,
                                        CASE WHEN v_p.time_zone <> 'UTC' AND v_p.covered_until ~ '^\d{4}-'   -- and on the table zone's clocks
                                             THEN format(', %s %s', to_char(v_p.covered_until::timestamptz AT TIME ZONE v_p.time_zone,
                                                                                                 'YYYY-MM-DD HH24:MI'), v_p.time_zone) ELSE '' END)
                       WHEN v_overlap IS NOT NULL
                       THEN format('no partition for the interval(s) starting %s, and maintenance cannot create them: %s overlaps them without covering them '
                                              '(made by hand, not aligned to the %s interval): detach it (ALTER TABLE %s DETACH PARTITION ...), insert its rows back through %s '
                                              '(the default partition keeps them), drop it, then SELECT part.create_ahead(); or attach partitions covering the rest of those intervals yourself',
                                              array_to_string(v_missing, ', '), v_overlap, v_p."interval", v_p.parent_table, v_p.parent_table)
                       ELSE format('no partition for the interval(s) starting %s: run part.create_ahead() or CALL part.run_maintenance()',
                                              array_to_string(v_missing, ', ')) END;
        RETURN NEXT;
    END LOOP;
END
$$;
