CREATE FUNCTION part._zone_minus(p_interval text, p_zone text)
    RETURNS timestamp
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The instant p_interval (a retention) before now, counted on the calendar
     * of zone p_zone, as a UTC wall-clock time: '30 days' before 12:00 in
     * Paris is 12:00 there 30 days ago, whatever the changes of clocks in
     * between. 'UTC' gives (now() AT TIME ZONE 'UTC') - p_interval.
     */
    SELECT CASE WHEN p_zone = 'UTC' THEN (now() AT TIME ZONE 'UTC') - p_interval::interval
                ELSE part._zone_start((now() AT TIME ZONE p_zone) - p_interval::interval, p_zone) END
$$;
