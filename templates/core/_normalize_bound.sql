CREATE FUNCTION part._normalize_bound(p_value text, p_key_type regtype)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A bound as read from the catalog (in the session's TimeZone for
 * timestamptz) rewritten in UTC, so that bounds read the same for everyone.
 */
    IF p_value IS NULL OR upper(p_value) IN ('MINVALUE', 'MAXVALUE')
       OR p_key_type NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype) THEN
        RETURN p_value;
    END IF;
    RETURN part._literal(part._to_utc(p_value, p_key_type), p_key_type);
END
$$;
