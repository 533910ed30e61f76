CREATE FUNCTION part._group_range(p_m part.migration, p_group text,
                                          OUT range_from text, OUT range_to text, OUT range_order numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg  part.config;
    v_type regtype := p_m.key_type::regtype;
BEGIN
/*
 * The parity range holding a parity group (text, see part._group_sql): for
 * a range table the aligned partition interval [range_from, range_to) as
 * literals of the key type; for a hash table the remainder (range_to NULL).
 * range_order sorts ranges.
 */
    IF p_m.strategy = 'hash' THEN
        range_from := p_group;
        range_order := p_group::numeric;
        RETURN;
    END IF;
    SELECT * INTO v_cfg FROM part.config c WHERE c.parent_table = p_m.partitioned_table;
    IF p_m.key_type IN ('smallint', 'integer', 'bigint') THEN
        range_from := p_group;
    ELSE
        -- a group is a wall-clock time of the table's zone (part._group_sql); part.check_parity also
        -- passes back range starts, literals with their offset ('2025-10-26 23:00:00+00'): an instant
        range_from := part._range_floor(
                          CASE WHEN v_cfg.time_zone = 'UTC' THEN part._literal(p_group::timestamp, v_type)
                               WHEN p_group ~ '[+-]\d\d(:?\d\d)?$' THEN p_group
                               ELSE part._literal(part._zone_start(p_group::timestamp, v_cfg.time_zone), v_type) END,
                          v_type, v_cfg."interval", v_cfg.time_zone);
    END IF;
    range_to := part._range_next(range_from, v_type, v_cfg."interval", v_cfg.time_zone);
    range_order := part._bound_ordinal(range_from, v_type);
END
$$;
