CREATE FUNCTION part._migration_row(p_table text)
    RETURNS part.migration
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text := part._qualified(part._resolve_table(p_table));
    v_m    part.migration;
BEGIN
/*
 * The part.migration row of a table named by its application name
 * ('public.revenues'), or by the current name of its legacy table or of its
 * partitioned copy. 42P01 when no such table exists; 55000 with a HINT when
 * it has no migration.
 */
    SELECT * INTO v_m FROM part.migration m
     WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)
     ORDER BY (m.table_name = v_name) DESC, (m.phase = 'finalized')
     LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % has no migration', v_name
            USING ERRCODE = '55000',
                  HINT = format('Start one with part.migrate_start(%L, <key column>, ''range'' | ''hash'', ...).', v_name);
    END IF;
    RETURN v_m;
END
$$;
