CREATE FUNCTION part.qualified_name(p_table text)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The table a name written as in SQL ('revenues', 'Public.Revenues',
     * 'public."Daily Balances"') resolves to, as schema.table quoted where
     * needed: the name part.config and part.migration record. The rules and
     * the errors are part._resolve_table's (22023 a bad or ambiguous name,
     * 42P01 no such table, 42809 not a table). pginstall resolves the tables
     * of its config file with it, in apply's transaction.
     */
    SELECT part._qualified(part._resolve_table(p_table))
$$;
COMMENT ON FUNCTION part.qualified_name(text) IS
    'part: schema.table (quoted where needed) of a table name written as in SQL; errors as part.create_partitioned''s for a bad name';
