CREATE FUNCTION part._group_text_sql(p_m part.migration, p_group_expr text)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* SQL writing a parity group (see part._group_sql) as text: to_char for times, ::text for numbers. */
    SELECT CASE WHEN p_m.strategy = 'hash' OR p_m.key_type IN ('smallint', 'integer', 'bigint')
                THEN format('(%s)::text', p_group_expr)
                ELSE format('pg_catalog.to_char(%s, ''YYYY-MM-DD HH24:MI:SS'')', p_group_expr) END
$$;
