CREATE FUNCTION {{ schema }}._ensure_range_partitions(p_parent regclass, p_low text, p_high text)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg   {{ schema }}.config := {{ schema }}._config_row(p_parent);
    v_type  regtype := v_cfg.key_type::regtype;
    v_from  text;
    v_to    text;
    v_stop  numeric;
    v_made  text;
    v_count integer := 0;
BEGIN
/*
 * Make sure aligned partitions exist for every interval from the one holding
 * p_low to the one holding p_high; returns the names of those it created.
 */
    IF v_cfg.strategy <> 'range' THEN
        RAISE EXCEPTION 'table % is hash-partitioned', v_cfg.parent_table
            USING ERRCODE = '42809', HINT = 'Range partitions apply to range-partitioned tables only.';
    END IF;
    v_from := {{ schema }}._range_floor(p_low, v_type, v_cfg."interval", v_cfg.time_zone);
    v_stop := {{ schema }}._bound_ordinal(p_high, v_type);
    WHILE {{ schema }}._bound_ordinal(v_from, v_type) <= v_stop LOOP
        v_count := v_count + 1;
        IF v_count > 10000 THEN
            RAISE EXCEPTION 'refusing to create more than 10000 partitions of % in one call', v_cfg.parent_table
                USING ERRCODE = '22023',
                      DETAIL = pg_catalog.format('Asked for %s to %s with interval %s.', p_low, p_high, v_cfg."interval"),
                      HINT = 'Use a larger interval, or check the key values (a stray far-future or far-past value?).';
        END IF;
        v_to := {{ schema }}._range_next(v_from, v_type, v_cfg."interval", v_cfg.time_zone);
        v_made := {{ schema }}._create_range_partition(p_parent, v_from, v_to);
        IF v_made IS NOT NULL THEN
            RETURN NEXT v_made;
        END IF;
        v_from := v_to;
    END LOOP;
END
$$;
