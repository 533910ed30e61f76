CREATE FUNCTION part._bound_ordinal(p_value text, p_key_type regtype)
    RETURNS numeric
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A bound or key value as a number, to compare bounds of any key type:
 * epoch seconds (UTC) for time keys, the value itself for integers;
 * MINVALUE / MAXVALUE (and -infinity / infinity) far below / above any value.
 */
    IF p_value IS NULL THEN
        RETURN NULL;
    ELSIF upper(p_value) IN ('MINVALUE', '-INFINITY') THEN
        RETURN -1e30;
    ELSIF upper(p_value) IN ('MAXVALUE', 'INFINITY') THEN
        RETURN 1e30;
    ELSIF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        RETURN p_value::numeric;
    END IF;
    RETURN extract(epoch FROM part._to_utc(p_value, p_key_type));
END
$$;
