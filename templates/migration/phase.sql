CREATE FUNCTION part.phase(p_table text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text := part._qualified(part._resolve_table(p_table));
BEGIN
/*
 * The migration phase of a table (dual_write, backfilled, partitioned,
 * finalized), named by its application name or the current name of its
 * legacy table or copy; NULL when it has no migration. 42P01 when no such
 * table exists.
 */
    RETURN (SELECT m.phase FROM part.migration m
             WHERE v_name IN (m.table_name, m.legacy_table, m.partitioned_table)
             ORDER BY (m.table_name = v_name) DESC, (m.phase = 'finalized')
             LIMIT 1);
END
$$;
COMMENT ON FUNCTION part.phase IS
    'part: the phase of the migration of p_table (dual_write, backfilled, partitioned, finalized), or NULL when it has none.';
