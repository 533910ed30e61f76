CREATE FUNCTION {{ schema }}._range_next(p_from text, p_key_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := {{ schema }}._interval_spec(p_interval, p_key_type);
    v_ts   timestamp;
BEGIN
/*
 * The start of the interval after the one starting at p_from (an aligned start).
 */
    IF v_spec.kind = 'integer' THEN
        RETURN (p_from::bigint + v_spec.width)::text;
    END IF;
    v_ts := {{ schema }}._to_utc(p_from, p_key_type);
    v_ts := v_ts + pg_catalog.make_interval(months => v_spec.months, days => v_spec.days, secs => v_spec.seconds::double precision);
    RETURN {{ schema }}._literal(v_ts, p_key_type);
END
$$;
