CREATE FUNCTION part._max_key(p_rel regclass, p_key text)
    RETURNS float8
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_max float8;
BEGIN
/* the largest value of an integer key (0 when the table is empty): "now" for integer ranges */
    IF p_rel IS NULL OR (SELECT c.relkind FROM pg_class c WHERE c.oid = p_rel) IS DISTINCT FROM 'p' THEN
        RETURN NULL;   -- only a partitioned table is read (a view's functions would run with the caller's rights)
    END IF;
    EXECUTE format('SELECT coalesce(pg_catalog.max(%I), 0)::float8 FROM %s', p_key, p_rel) INTO v_max;
    RETURN v_max;
END
$$;
