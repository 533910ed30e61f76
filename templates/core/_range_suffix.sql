CREATE FUNCTION part._range_suffix(p_from text, p_key_type regtype, p_interval text,
                                           p_time_zone text DEFAULT 'UTC')
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := part._interval_spec(p_interval, p_key_type);
    v_ts   timestamp;
BEGIN
/*
 * The name suffix of the partition starting at p_from: YYYY_MM (months),
 * YYYY_qN (quarters), YYYY (years), IYYY_wIW (weeks), YYYY_MM_DD (days),
 * YYYY_MM_DD_HH24MI (sub-daily), the lower bound (integers; m for minus).
 * With a table zone (p_time_zone: days, weeks and months only), the local
 * date of the start: the partition of the Paris day 2025-03-30 is _2025_03_30
 * though it begins at 2025-03-29 23:00 UTC.
 */
    IF v_spec.kind = 'integer' THEN
        RETURN replace(p_from, '-', 'm');
    END IF;
    v_ts := CASE WHEN p_time_zone <> 'UTC' AND p_key_type = 'timestamp with time zone'::regtype
                      AND v_spec.kind IN ('months', 'weeks', 'days')
                 THEN date_trunc('day', p_from::timestamptz AT TIME ZONE p_time_zone)
                 ELSE part._to_utc(p_from, p_key_type) END;
    RETURN CASE
        WHEN v_spec.kind = 'months' AND v_spec.months = 12 THEN to_char(v_ts, 'YYYY')
        WHEN v_spec.kind = 'months' AND v_spec.months = 3 THEN to_char(v_ts, 'YYYY_"q"Q')
        WHEN v_spec.kind = 'months' THEN to_char(v_ts, 'YYYY_MM')
        WHEN v_spec.kind = 'weeks' THEN to_char(v_ts, 'IYYY_"w"IW')
        WHEN v_spec.kind = 'days' THEN to_char(v_ts, 'YYYY_MM_DD')
        ELSE to_char(v_ts, 'YYYY_MM_DD_HH24MI')
    END;
END
$$;
