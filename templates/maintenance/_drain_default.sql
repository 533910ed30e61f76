CREATE FUNCTION part._drain_default(p_parent regclass, p_max_partitions integer DEFAULT NULL)
    RETURNS TABLE(partition_name text, rows_moved bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg     part.config := part._config_row(p_parent);
    v_type    regtype := v_cfg.key_type::regtype;
    v_int     boolean := v_cfg.key_type IN ('smallint', 'integer', 'bigint');
    v_default regclass;
    v_start   text;
    v_min     text;
    v_from    text;
    v_to      text;
    v_made    text;
    v_count   integer := 0;
    v_lim     record;
BEGIN
/*
 * Move the rows waiting in p_parent's default partition into partitions
 * made for them: for each interval that holds rows (smallest first), the
 * aligned partition is created by part._create_range_partition, which moves
 * that interval's rows out of the default before attaching it. At most
 * p_max_partitions intervals per call, so that a caller that commits
 * between calls (part.run_maintenance) holds the default's lock for one
 * interval's rows at a time.
 *
 * Rows older than the retention (whose partition part.drop_old would retire
 * at once) stay where they are, as do rows with a NULL key and rows of an
 * interval a differently-bounded partition already overlaps, and rows with
 * keys no aligned partition can hold (infinity, the bigint extremes:
 * part._key_limits), which never hold up the rows after them; part.verify()
 * reports them. Returns each partition made and the rows moved into it.
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    IF v_cfg.strategy <> 'range' THEN
        RETURN;
    END IF;
    SELECT b.partition_oid::regclass INTO v_default
      FROM part._partition_bounds(p_parent) b WHERE b.is_default;
    IF v_default IS NULL THEN
        RETURN;
    END IF;

    IF v_cfg.retention IS NOT NULL THEN
        IF v_int THEN
            EXECUTE format('SELECT (pg_catalog.max(%I) - %s)::text FROM %s',
                                      v_cfg.key_column, v_cfg.retention::bigint, p_parent) INTO v_start;
        ELSE
            v_start := part._literal(part._zone_minus(v_cfg.retention, v_cfg.time_zone), v_type);
        END IF;
        IF v_start IS NOT NULL THEN
            v_start := part._range_floor(v_start, v_type, v_cfg."interval", v_cfg.time_zone);
        END IF;
    END IF;

    v_lim := part._key_limits(v_type, v_cfg."interval");
    LOOP
        EXIT WHEN p_max_partitions IS NOT NULL AND v_count >= p_max_partitions;
        EXECUTE format('SELECT pg_catalog.min(%1$I)::text FROM ONLY %2$s WHERE %1$I >= $1::%3$s AND %1$I >= $2::%3$s AND %1$I < $3::%3$s',
                                  v_cfg.key_column, v_default, v_type)
           INTO v_min USING coalesce(v_start, v_lim.lo), v_lim.lo, v_lim.hi;
        EXIT WHEN v_min IS NULL;
        IF NOT v_int THEN
            v_min := part._literal(part._to_utc(v_min, v_type), v_type);
        END IF;
        v_from := part._range_floor(v_min, v_type, v_cfg."interval", v_cfg.time_zone);
        v_to := part._range_next(v_from, v_type, v_cfg."interval", v_cfg.time_zone);
        v_made := part._create_range_partition(p_parent, v_from, v_to);
        IF v_made IS NOT NULL THEN
            partition_name := v_made;
            EXECUTE format('SELECT pg_catalog.count(*) FROM %s', v_made) INTO rows_moved;
            v_count := v_count + 1;
            RETURN NEXT;
        ELSE
            PERFORM part._notice(format(
                'rows of %s [%s, %s) stay in %s: a partition with other bounds overlaps that range',
                v_cfg.parent_table, v_from, v_to, v_default));
        END IF;
        v_start := v_to;
    END LOOP;
END
$$;
