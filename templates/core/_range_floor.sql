CREATE FUNCTION part._range_floor(p_value text, p_key_type regtype, p_interval text,
                                          p_time_zone text DEFAULT 'UTC')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec  record := part._interval_spec(p_interval, p_key_type);
    v_ts    timestamp;
    v_n     bigint;
    v_zoned boolean := p_time_zone <> 'UTC' AND p_key_type = 'timestamp with time zone'::regtype
                       AND v_spec.kind IN ('months', 'weeks', 'days');
BEGIN
/*
 * The aligned start of the interval holding p_value: days at 00:00 UTC,
 * weeks on ISO Mondays, months on January 1st (quarters on Jan/Apr/Jul/Oct),
 * sub-daily intervals on the Unix epoch, integers on multiples of the width.
 * p_time_zone (a timestamptz key's table zone, part.config.time_zone): days,
 * weeks and months begin at midnight on that zone's clocks (the first
 * instant of the local day: part._zone_start), whatever the session's TimeZone.
 */
    IF v_spec.kind = 'integer' THEN
        -- div/mod, exact: numeric division rounds 19-digit keys (9223372036854775795 / 10)
        RETURN ((div(p_value::numeric, v_spec.width)
                 - CASE WHEN mod(p_value::numeric, v_spec.width) < 0 THEN 1 ELSE 0 END) * v_spec.width)::bigint::text;
    END IF;
    v_ts := CASE WHEN v_zoned THEN p_value::timestamptz AT TIME ZONE p_time_zone
                 ELSE part._to_utc(p_value, p_key_type) END;
    IF v_spec.kind = 'months' THEN
        v_n := (date_part('year', v_ts) * 12 + date_part('month', v_ts) - 1)::bigint;
        v_n := floor(v_n::numeric / v_spec.months)::bigint * v_spec.months;
        v_ts := make_timestamp((floor(v_n / 12.0))::int, (v_n - floor(v_n / 12.0) * 12)::int + 1, 1, 0, 0, 0);
    ELSIF v_spec.kind IN ('weeks', 'days') THEN
        v_n := (date_trunc('day', v_ts)::date
                - CASE v_spec.kind WHEN 'weeks' THEN date '1970-01-05' ELSE date '1970-01-01' END);
        v_n := floor(v_n::numeric / v_spec.days)::bigint * v_spec.days;
        v_ts := (CASE v_spec.kind WHEN 'weeks' THEN date '1970-01-05' ELSE date '1970-01-01' END + v_n::int)::timestamp;
    ELSE
        v_ts := to_timestamp(floor(extract(epoch FROM v_ts) / v_spec.seconds) * v_spec.seconds)
                AT TIME ZONE 'UTC';
    END IF;
    IF v_zoned THEN
        v_ts := part._zone_start(v_ts, p_time_zone);
    END IF;
    RETURN part._literal(v_ts, p_key_type);
END
$$;
