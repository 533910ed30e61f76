CREATE FUNCTION part._key_from_text_sql(p_rel regclass, p_cols text[], p_text_expr text)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * SQL turning a key written by part._sql_columns(..., 'text') (the SQL
     * expression p_text_expr) back into a key of p_rel's columns p_cols:
     * (expr)::type, or ROW(((expr)::jsonb ->> 0)::type1, ...).
     */
    SELECT CASE WHEN cardinality(p_cols) = 1 THEN
                    format('(%s)::%s', p_text_expr, min(t.typ))
                ELSE
                    'ROW(' || string_agg(format('((%s)::jsonb ->> %s)::%s', p_text_expr, u.o - 1, t.typ), ', ' ORDER BY u.o) || ')'
           END
      FROM unnest(p_cols) WITH ORDINALITY AS u(c, o)
      JOIN LATERAL (SELECT format_type(a.atttypid, a.atttypmod) AS typ
                      FROM pg_attribute a
                     WHERE a.attrelid = p_rel AND a.attname = u.c AND NOT a.attisdropped) t ON true
$$;
