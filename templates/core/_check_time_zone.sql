CREATE FUNCTION part._check_time_zone(p_zone text, p_strategy text, p_key_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name text;
    v_kind text;
BEGIN
/*
 * Check a table's time zone (p_time_zone of part.create_partitioned and
 * part.migrate_start) and return it as part.config records it: 'UTC' for
 * NULL, else the name's own spelling in pg_timezone_names. Accepted: 'UTC'
 * and IANA names of the form Area/Location ('Europe/Paris'), for a
 * timestamptz key range-partitioned by days, weeks or months. Refused
 * (22023, nothing changed): abbreviations ('CET', 'EST': fixed offsets or
 * legacy rules), POSIX strings ('UTC+2', whose sign is the reverse of ISO's)
 * and Etc/GMT+n; any zone other than UTC for a date, timestamp or integer
 * key, a hash table, or partitions shorter than a day (hours are the same
 * instants in every zone with whole-hour offsets, and local names would
 * repeat on the hour the clocks go back).
 */
    IF p_zone IS NULL OR p_zone = 'UTC' THEN
        RETURN 'UTC';
    END IF;
    SELECT z.name INTO v_name
      FROM pg_timezone_names z
     WHERE lower(z.name) = lower(p_zone)
     ORDER BY z.name = p_zone DESC LIMIT 1;
    IF v_name IS NULL OR (v_name <> 'UTC' AND v_name !~ '^[A-Za-z_]+/') OR v_name ~* '(^|/)Etc/GMT[+-]|^(posix|right)/' THEN
        RAISE EXCEPTION 'invalid time zone "%"', p_zone
            USING ERRCODE = '22023',
                  HINT = 'Use an IANA zone name of the form Area/Location, such as ''Europe/Paris'' or ''America/New_York'' (SELECT name FROM pg_timezone_names), or ''UTC''; abbreviations (CET, EST) and offsets (UTC+2) are not accepted: they do not follow a place''s changes of clocks.';
    END IF;
    IF v_name = 'UTC' THEN
        RETURN v_name;
    END IF;
    IF p_strategy <> 'range' THEN
        RAISE EXCEPTION 'a hash-partitioned table has no time zone (time zone "%")', p_zone
            USING ERRCODE = '22023', HINT = 'Leave p_time_zone unset (UTC) for a hash table.';
    END IF;
    IF p_key_type IN ('date'::regtype, 'timestamp without time zone'::regtype) THEN
        RAISE EXCEPTION 'a % key cannot have time zone "%"', p_key_type, p_zone
            USING ERRCODE = '22023',
                  HINT = CASE WHEN p_key_type = 'date'::regtype
                              THEN 'A date is already a local day: its partitions begin at each date. Leave p_time_zone unset (UTC).'
                              ELSE 'A timestamp without time zone holds no instant: its partitions begin at 00:00 of its own values. Leave p_time_zone unset (UTC) and store local times in it, or partition a timestamptz column by the local day.' END;
    END IF;
    IF p_key_type <> 'timestamp with time zone'::regtype THEN
        RAISE EXCEPTION 'a % key cannot have time zone "%"', p_key_type, p_zone
            USING ERRCODE = '22023', HINT = 'A time zone is for a timestamptz key; leave p_time_zone unset (UTC) for other keys.';
    END IF;
    v_kind := (part._interval_spec(p_interval, p_key_type)).kind;
    IF v_kind NOT IN ('months', 'weeks', 'days') THEN
        RAISE EXCEPTION 'interval "%" is shorter than a day, which time zone "%" cannot use', p_interval, p_zone
            USING ERRCODE = '22023',
                  HINT = 'A table zone sets where local days, weeks and months begin: use ''1 day'' or longer with it, or leave p_time_zone unset (UTC) for partitions of hours (the same instants in every zone whose offset is whole hours).';
    END IF;
    RETURN v_name;
END
$$;
