CREATE FUNCTION {{ schema }}._sql_columns(p_cols text[], p_alias text DEFAULT NULL, p_format text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cols text[];
BEGIN
/*
 * SQL text for a list of columns, for the generated statements:
 *   p_format NULL:    a.x, a.y                (p_alias NULL: x, y)
 *   'match:<other>':  a.x = <other>.x AND a.y = <other>.y
 *   'row':            a.x  or  ROW(a.x, a.y)  (a key, comparable with < and >)
 *   'text':           the key as text: to_jsonb(a.x) #>> '{}' (one column; ISO for times)
 *                     or jsonb_build_array(a.x, a.y)::text
 *   'desc':           a.x DESC, a.y DESC
 *   'set':            x = EXCLUDED.x, y = EXCLUDED.y
 */
    SELECT pg_catalog.array_agg(coalesce(pg_catalog.quote_ident(p_alias) || '.', '') || pg_catalog.quote_ident(c) ORDER BY o)
      INTO v_cols
      FROM pg_catalog.unnest(p_cols) WITH ORDINALITY AS u(c, o);
    IF p_format IS NULL THEN
        RETURN pg_catalog.array_to_string(v_cols, ', ');
    ELSIF p_format LIKE 'match:%' THEN
        RETURN (SELECT pg_catalog.string_agg(pg_catalog.format('%s = %I.%I', v, pg_catalog.substr(p_format, 7), c), ' AND ' ORDER BY o)
                  FROM ROWS FROM (pg_catalog.unnest(v_cols), pg_catalog.unnest(p_cols)) WITH ORDINALITY AS u(v, c, o));
    ELSIF p_format = 'row' THEN
        RETURN CASE WHEN cardinality(v_cols) = 1 THEN v_cols[1] ELSE 'ROW(' || pg_catalog.array_to_string(v_cols, ', ') || ')' END;
    ELSIF p_format = 'text' THEN
        RETURN CASE WHEN cardinality(v_cols) = 1 THEN pg_catalog.format('(pg_catalog.to_jsonb(%s) #>> ''{}'')', v_cols[1])
                    ELSE 'pg_catalog.jsonb_build_array(' || pg_catalog.array_to_string(v_cols, ', ') || ')::text' END;
    ELSIF p_format = 'desc' THEN
        RETURN pg_catalog.array_to_string(v_cols, ' DESC, ') || ' DESC';
    ELSIF p_format = 'set' THEN
        RETURN (SELECT pg_catalog.string_agg(pg_catalog.format('%I = EXCLUDED.%I', c, c), ', ' ORDER BY o)
                  FROM pg_catalog.unnest(p_cols) WITH ORDINALITY AS u(c, o));
    END IF;
    RAISE EXCEPTION 'unknown column list format %', p_format
            USING ERRCODE = '22023', HINT = 'An internal caller of part._sql_columns passed a format it does not know: report it as a bug.';
END
$$;
