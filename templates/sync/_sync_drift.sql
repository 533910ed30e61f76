CREATE FUNCTION part._sync_drift(p_table_name text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_m      part.migration;
    v_legacy regclass;
    v_part   regclass;
    v_out    text[] := '{}'::text[];
    v_list   text;
BEGIN
/*
 * How the columns of a migration's two tables have drifted (for
 * part.verify): columns only one of them has, columns of different types,
 * columns added or dropped since the sync was generated (partitions
 * without their sync triggers: part._sync_problems). NULL when there is no
 * drift (or the migration is finalized).
 */
    SELECT * INTO v_m FROM part.migration m WHERE m.table_name = p_table_name;
    IF NOT FOUND OR v_m.phase = 'finalized' THEN
        RETURN NULL;
    END IF;
    v_legacy := to_regclass(v_m.legacy_table);
    v_part := to_regclass(v_m.partitioned_table);
    IF v_legacy IS NULL OR v_part IS NULL THEN
        RETURN format('a table is missing (legacy %s, partitioned %s)', v_m.legacy_table, v_m.partitioned_table);
    END IF;
    SELECT string_agg(format('%I only in %s', x.attname, x.tbl), ', ') INTO v_list
      FROM (SELECT a.attname, v_m.legacy_table AS tbl FROM pg_attribute a
             WHERE a.attrelid = v_legacy AND a.attnum > 0 AND NOT a.attisdropped
               AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = v_part AND b.attname = a.attname AND NOT b.attisdropped)
            UNION ALL
            SELECT a.attname, v_m.partitioned_table FROM pg_attribute a
             WHERE a.attrelid = v_part AND a.attnum > 0 AND NOT a.attisdropped
               AND NOT EXISTS (SELECT 1 FROM pg_attribute b WHERE b.attrelid = v_legacy AND b.attname = a.attname AND NOT b.attisdropped)) x;
    IF v_list IS NOT NULL THEN
        v_out := v_out || v_list;
    END IF;
    SELECT string_agg(format('%I is %s in %s but %s in %s', a.attname,
               format_type(a.atttypid, a.atttypmod), v_m.legacy_table,
               format_type(b.atttypid, b.atttypmod), v_m.partitioned_table), ', ') INTO v_list
      FROM pg_attribute a JOIN pg_attribute b ON b.attrelid = v_part AND b.attname = a.attname AND NOT b.attisdropped
     WHERE a.attrelid = v_legacy AND a.attnum > 0 AND NOT a.attisdropped
       AND (a.atttypid, a.atttypmod) IS DISTINCT FROM (b.atttypid, b.atttypmod);
    IF v_list IS NOT NULL THEN
        v_out := v_out || v_list;
    END IF;
    IF v_m.sync_columns IS DISTINCT FROM part._sync_columns(v_legacy, v_part) THEN
        v_out := v_out || 'the sync was generated for other columns'::text;
    END IF;
    IF cardinality(v_out) = 0 THEN
        RETURN NULL;
    END IF;
    RETURN array_to_string(v_out, '; ') || format('; run SELECT part.migrate_refresh(%L)', p_table_name);
END
$$;
