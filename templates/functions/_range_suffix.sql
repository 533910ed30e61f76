CREATE FUNCTION {{ schema }}._range_suffix(p_from text, p_key_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := {{ schema }}._interval_spec(p_interval, p_key_type);
    v_ts   timestamp;
BEGIN
/*
 * The name suffix of the partition starting at p_from: YYYY_MM (months),
 * YYYY_qN (quarters), YYYY (years), IYYY_wIW (weeks), YYYY_MM_DD (days),
 * YYYY_MM_DD_HH24MI (sub-daily), the lower bound (integers; m for minus).
 */
    IF v_spec.kind = 'integer' THEN
        RETURN pg_catalog.replace(p_from, '-', 'm');
    END IF;
    v_ts := {{ schema }}._to_utc(p_from, p_key_type);
    RETURN CASE
        WHEN v_spec.kind = 'months' AND v_spec.months = 12 THEN pg_catalog.to_char(v_ts, 'YYYY')
        WHEN v_spec.kind = 'months' AND v_spec.months = 3 THEN pg_catalog.to_char(v_ts, 'YYYY_"q"Q')
        WHEN v_spec.kind = 'months' THEN pg_catalog.to_char(v_ts, 'YYYY_MM')
        WHEN v_spec.kind = 'weeks' THEN pg_catalog.to_char(v_ts, 'IYYY_"w"IW')
        WHEN v_spec.kind = 'days' THEN pg_catalog.to_char(v_ts, 'YYYY_MM_DD')
        ELSE pg_catalog.to_char(v_ts, 'YYYY_MM_DD_HH24MI')
    END;
END
$$;
