CREATE FUNCTION {{ schema }}._row_hash_sql(p_cols text[], p_alias text)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * SQL of a 64-bit hash of one row's content: the text of the row made of
     * p_cols (the columns both tables have, in the legacy table's order), so
     * the two tables hash alike whatever their physical column order.
     */
    SELECT pg_catalog.format('pg_catalog.hashtextextended(ROW(%s)::text, 0)', {{ schema }}._sql_columns(p_cols, p_alias))
$$;
