CREATE FUNCTION {{ schema }}._max_key(p_rel regclass, p_key text)
    RETURNS float8
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_max float8;
BEGIN
/* the largest value of an integer key (0 when the table is empty): "now" for integer ranges */
    IF p_rel IS NULL THEN
        RETURN NULL;
    END IF;
    EXECUTE pg_catalog.format('SELECT coalesce(pg_catalog.max(%I), 0)::float8 FROM %s', p_key, p_rel) INTO v_max;
    RETURN v_max;
END
$$;
