CREATE FUNCTION part._sync_functions_after_swap(p_m part.migration, p_to text)
    RETURNS text[]
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_legacy regclass := to_regclass(p_m.legacy_table);
    v_part   regclass := to_regclass(p_m.partitioned_table);
    v_schema text := (parse_ident(p_m.table_name))[1];
    v_app    text := (parse_ident(p_m.table_name))[2];
    v_l_name text;
    v_p_name text;
BEGIN
/*
 * The CREATE statements of both sync functions of a migration as they must
 * read once part._swap has renamed the tables for phase p_to ('partitioned':
 * the legacy table becomes <table>_legacy and the copy takes the
 * application's name; 'backfilled': the other way). Prepared by switch_reads
 * and rollback before they take their locks, so that under the locks only
 * the statements run (rendering them costs more than running them).
 */
    IF p_to = 'partitioned' THEN
        v_l_name := format('%I.%I', v_schema, part._partition_name(v_app, 'legacy'));
        v_p_name := format('%I.%I', v_schema, v_app);
    ELSE
        v_l_name := format('%I.%I', v_schema, v_app);
        v_p_name := format('%I.%I', v_schema, part._partition_name(v_app, 'partitioned'));
    END IF;
    RETURN ARRAY[
        part._sync_function_sql(p_m, v_legacy, v_part, part._sync_function_name(p_m.table_name, 'partitioned'),
                                        v_l_name, v_p_name),
        part._sync_function_sql(p_m, v_part, v_legacy, part._sync_function_name(p_m.table_name, 'legacy'),
                                        v_p_name, v_l_name)];
END
$$;
