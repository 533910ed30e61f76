CREATE FUNCTION part._range_next(p_from text, p_key_type regtype, p_interval text,
                                         p_time_zone text DEFAULT 'UTC')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := part._interval_spec(p_interval, p_key_type);
    v_ts   timestamp;
    v_zoned boolean := p_time_zone <> 'UTC' AND p_key_type = 'timestamp with time zone'::regtype
                       AND v_spec.kind IN ('months', 'weeks', 'days');
BEGIN
/*
 * The start of the interval after the one starting at p_from (an aligned start).
 * With a table zone (p_time_zone, see part._range_floor) the interval is
 * added on that zone's calendar: a local day lasts 23 or 25 hours across a
 * change of clocks, and the next one begins where it ends.
 */
    IF v_spec.kind = 'integer' THEN
        RETURN (p_from::bigint + v_spec.width)::text;
    END IF;
    IF v_zoned THEN
        -- the local date of the start (a day whose midnight the clocks skip starts at 01:00)
        v_ts := date_trunc('day', p_from::timestamptz AT TIME ZONE p_time_zone);
        v_ts := v_ts + make_interval(months => v_spec.months, days => v_spec.days);
        RETURN part._literal(part._zone_start(v_ts, p_time_zone), p_key_type);
    END IF;
    v_ts := part._to_utc(p_from, p_key_type);
    v_ts := v_ts + make_interval(months => v_spec.months, days => v_spec.days, secs => v_spec.seconds::double precision);
    RETURN part._literal(v_ts, p_key_type);
END
$$;
