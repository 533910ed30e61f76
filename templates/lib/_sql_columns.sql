CREATE FUNCTION part._sql_columns(p_cols text[], p_alias text DEFAULT NULL, p_format text DEFAULT NULL)
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
    SELECT array_agg(coalesce(quote_ident(p_alias) || '.', '') || quote_ident(c) ORDER BY o)
      INTO v_cols
      FROM unnest(p_cols) WITH ORDINALITY AS u(c, o);
    IF p_format IS NULL THEN
        RETURN array_to_string(v_cols, ', ');
    ELSIF p_format LIKE 'match:%' THEN
        RETURN (SELECT string_agg(format('%s = %I.%I', v, substr(p_format, 7), c), ' AND ' ORDER BY o)
                  FROM ROWS FROM (unnest(v_cols), unnest(p_cols)) WITH ORDINALITY AS u(v, c, o));
    ELSIF p_format = 'row' THEN
        RETURN CASE WHEN cardinality(v_cols) = 1 THEN v_cols[1] ELSE 'ROW(' || array_to_string(v_cols, ', ') || ')' END;
    ELSIF p_format = 'text' THEN
        RETURN CASE WHEN cardinality(v_cols) = 1 THEN format('(pg_catalog.to_jsonb(%s) #>> ''{}'')', v_cols[1])
                    ELSE 'pg_catalog.jsonb_build_array(' || array_to_string(v_cols, ', ') || ')::text' END;
    ELSIF p_format = 'desc' THEN
        RETURN array_to_string(v_cols, ' DESC, ') || ' DESC';
    ELSIF p_format = 'set' THEN
        RETURN (SELECT string_agg(format('%I = EXCLUDED.%I', c, c), ', ' ORDER BY o)
                  FROM unnest(p_cols) WITH ORDINALITY AS u(c, o));
    END IF;
    RAISE EXCEPTION 'unknown column list format %', p_format
            USING ERRCODE = '22023', HINT = 'An internal caller of part._sql_columns passed a format it does not know: report it as a bug.';
END
$$;
