CREATE FUNCTION part._zone_start(p_local timestamp, p_zone text)
    RETURNS timestamp
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_at     timestamp := (p_local AT TIME ZONE p_zone) AT TIME ZONE 'UTC';   -- PostgreSQL's reading
    v_before interval;
    v_early  timestamp;
BEGIN
/*
 * The first instant (as a UTC wall-clock time) at which the clocks of zone
 * p_zone (an IANA name) show p_local or later: where a table's local day,
 * week or month begins. PostgreSQL reads a local time that a change of
 * clocks skips (00:00 in a zone moving to summer time at midnight) with the
 * offset before the change, which is that first instant; a local time the
 * clocks show twice (00:30 where they go back from 01:00 to 00:00) it
 * reads as the second one: the first is taken here, so a day starts when
 * its clocks first show midnight and every instant of it lies in its
 * partition.
 */
    v_before := ((v_at - interval '1 day') AT TIME ZONE 'UTC') AT TIME ZONE p_zone - (v_at - interval '1 day');
    v_early := p_local - v_before;
    IF v_early < v_at AND ((v_early AT TIME ZONE 'UTC') AT TIME ZONE p_zone) = p_local THEN
        RETURN v_early;
    END IF;
    RETURN v_at;
END
$$;
