CREATE FUNCTION part._ensure_range_partitions(p_parent regclass, p_low text, p_high text)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg    part.config := part._config_row(p_parent);
    v_type   regtype := v_cfg.key_type::regtype;
    v_schema text;
    v_prefix text;
    v_from   text;
    v_to     text;
    v_lo     numeric;
    v_hi     numeric;
    v_stop   numeric;
    v_froms  numeric[];
    v_tos    numeric[];
    v_name   text;
    v_new    regclass;
    v_count  integer := 0;
    v_made   integer := 0;
BEGIN
/*
 * Make sure aligned partitions exist for every interval from the one holding
 * p_low to the one holding p_high; returns the names of those it created.
 *
 * For part.migrate_start's copy only: p_parent is a table this transaction
 * created, which no other session can see, so no writer waits and no row
 * waits in its default partition: each partition is a plain CREATE TABLE ...
 * PARTITION OF, and the existing bounds are read once (not once per
 * interval: 1,000 daily intervals took minutes that way).
 */
    IF v_cfg.strategy <> 'range' THEN
        RAISE EXCEPTION 'table % is hash-partitioned', v_cfg.parent_table
            USING ERRCODE = '42809', HINT = 'Range partitions apply to range-partitioned tables only.';
    END IF;
    SELECT n.nspname, coalesce(v_cfg.partition_prefix, c.relname) INTO v_schema, v_prefix
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_parent;
    SELECT coalesce(array_agg(part._bound_ordinal(b.bound_from, v_type)), '{}'),
           coalesce(array_agg(part._bound_ordinal(b.bound_to, v_type)), '{}')
      INTO v_froms, v_tos
      FROM part._partition_bounds(p_parent) b WHERE NOT b.is_default;
    v_from := part._range_floor(p_low, v_type, v_cfg."interval", v_cfg.time_zone);
    v_stop := part._bound_ordinal(p_high, v_type);
    WHILE part._bound_ordinal(v_from, v_type) <= v_stop LOOP
        v_count := v_count + 1;
        IF v_count > 10000 THEN
            RAISE EXCEPTION 'refusing to create more than 10000 partitions of % in one call', v_cfg.parent_table
                USING ERRCODE = '22023',
                      DETAIL = format('Asked for %s to %s with interval %s.', p_low, p_high, v_cfg."interval"),
                      HINT = 'Use a larger interval, or check the key values (a stray far-future or far-past value?).';
        END IF;
        v_to := part._range_next(v_from, v_type, v_cfg."interval", v_cfg.time_zone);
        v_lo := part._bound_ordinal(v_from, v_type);
        v_hi := part._bound_ordinal(v_to, v_type);
        IF NOT EXISTS (SELECT 1 FROM unnest(v_froms, v_tos) AS x(f, t) WHERE x.f < v_hi AND x.t > v_lo) THEN
            v_name := part._partition_name(v_prefix, part._range_suffix(v_from, v_type, v_cfg."interval", v_cfg.time_zone));
            IF to_regclass(format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
                RAISE EXCEPTION 'cannot create partition %.%: a relation with that name exists', v_schema, v_name
                    USING ERRCODE = '42P07',
                          HINT = 'Rename or drop that relation (or give the migration another partition name prefix), then start again.';
            END IF;
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                                      v_schema, v_name, p_parent, v_from, v_to);
            v_new := format('%I.%I', v_schema, v_name)::regclass;
            PERFORM part._copy_owner_and_grants(p_parent, v_new);
            v_made := v_made + 1;
            RETURN NEXT part._qualified(v_new);
        END IF;
        v_from := v_to;
    END LOOP;
    IF v_made > 0 THEN
        PERFORM part._notice(format('created %s partitions of %s for the rows from %s to %s', v_made, p_parent, p_low, p_high));
    END IF;
END
$$;
