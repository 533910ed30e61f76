CREATE FUNCTION part._group_sql(p_m part.migration, p_key_expr text, p_as_text boolean DEFAULT false)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg  part.config;
    v_type regtype := p_m.key_type::regtype;
    v_spec record;
    v_proc text;
    v_expr text;
BEGIN
/*
 * The SQL expression of the parity group of a key value (p_key_expr), as
 * the sync triggers mark it and part.check_parity hashes it. Each group lies
 * wholly inside one parity range, so a range is re-hashed when any of its
 * groups is marked:
 *   range, time key:    the UTC month / day / hour / minute holding the key
 *                       (the largest unit the interval is made of), a timestamp;
 *                       a table with a time zone (part.config.time_zone): its
 *                       local month / day, whose partitions are local ones;
 *   range, integer key: the start of its range (the range itself);
 *   hash:               its remainder modulo the partition count, the same
 *                       as PostgreSQL's (the key's extended hash function of
 *                       the partition operator class, seed
 *                       0x7A5B22367996DCFD, plus 0x49a0f4dd15e5a8e3, mod 2^64).
 * p_as_text: as text (to_char for times, so DateStyle does not matter).
 */
    SELECT * INTO v_cfg FROM part.config c WHERE c.parent_table = p_m.partitioned_table;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the partitioned table % of % is not managed by part', p_m.partitioned_table, p_m.table_name
            USING ERRCODE = '55000',
                  HINT = 'part.config lost its row; register it again with part.create_partitioned (same key and interval).';
    END IF;
    IF p_m.strategy = 'hash' THEN
        SELECT format('%I.%I', n.nspname, p.proname) INTO v_proc
          FROM pg_partitioned_table pt
          JOIN pg_opclass oc ON oc.oid = pt.partclass[0]
          JOIN pg_amproc ap ON ap.amprocfamily = oc.opcfamily AND ap.amproclefttype = oc.opcintype
                                      AND ap.amprocrighttype = oc.opcintype AND ap.amprocnum = 2
          JOIN pg_proc p ON p.oid = ap.amproc
          JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE pt.partrelid = to_regclass(p_m.partitioned_table);
        v_expr := format(
            '((%s(%s, 8816678312871386365)::numeric + 23752253665144318179) %% 18446744073709551616 %% %s)::bigint',
            v_proc, p_key_expr, v_cfg.partitions);
        RETURN CASE WHEN p_as_text THEN v_expr || '::text' ELSE v_expr END;
    END IF;
    v_spec := part._interval_spec(v_cfg."interval", v_type);
    IF v_spec.kind = 'integer' THEN
        v_expr := format('(%1$s::bigint - ((%1$s::bigint %% %2$s) + %2$s) %% %2$s)', p_key_expr, v_spec.width);
        RETURN CASE WHEN p_as_text THEN v_expr || '::text' ELSE v_expr END;
    END IF;
    v_expr := format('pg_catalog.date_trunc(%L, %s)',
        CASE WHEN v_spec.kind = 'months' THEN 'month'
             WHEN v_spec.kind IN ('weeks', 'days') THEN 'day'
             WHEN v_spec.seconds % 3600 = 0 THEN 'hour'
             WHEN v_spec.seconds % 60 = 0 THEN 'minute'
             ELSE 'second' END,
        CASE v_type WHEN 'timestamp with time zone'::regtype THEN format('(%s) AT TIME ZONE %L', p_key_expr, v_cfg.time_zone)
                    WHEN 'date'::regtype THEN format('(%s)::timestamp', p_key_expr)
                    ELSE p_key_expr END);
    RETURN CASE WHEN p_as_text THEN part._group_text_sql(p_m, v_expr) ELSE v_expr END;
END
$$;
