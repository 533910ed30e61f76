CREATE FUNCTION part._to_utc(p_value text, p_key_type regtype)
    RETURNS timestamp
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A time key value (text in the key's type) as a UTC wall-clock timestamp.
 * timestamp and date keys are taken as UTC already; a timestamptz literal
 * carries its offset, so the session's TimeZone never shifts a bound.
 */
    RETURN CASE p_key_type
        WHEN 'timestamp with time zone'::regtype THEN p_value::timestamptz AT TIME ZONE 'UTC'
        WHEN 'timestamp without time zone'::regtype THEN p_value::timestamp
        WHEN 'date'::regtype THEN p_value::date::timestamp
    END;
END
$$;
