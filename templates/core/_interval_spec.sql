CREATE FUNCTION part._interval_spec(p_interval text, p_key_type regtype,
                                            OUT kind text, OUT months integer, OUT days integer,
                                            OUT seconds numeric, OUT width bigint)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_iv interval;
BEGIN
/*
 * Parse and check a range interval for a key type. kind is one of
 * 'months' (months = n), 'weeks' (days = 7n), 'days' (days = n),
 * 'subdaily' (seconds = n), 'integer' (width = n). Bad values: 22023;
 * a key type that range partitioning by interval cannot use: 42804.
 * Bounds: a time interval lasts at least a minute (partition names go
 * down to the minute) and at most 100 years; an integer width is at most
 * 10^18 (the bigint keys hold about 18 of those).
 */
    IF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        IF p_interval IS NULL OR p_interval !~ '^\s*[0-9]+\s*$' THEN
            RAISE EXCEPTION 'invalid interval "%" for an integer key', p_interval
                USING ERRCODE = '22023', HINT = 'Give the width of each partition as a positive integer, e.g. ''100000''.';
        END IF;
        IF btrim(p_interval)::numeric > 1e18 THEN
            RAISE EXCEPTION 'invalid interval "%": the width is at most 1000000000000000000', p_interval
                USING ERRCODE = '22023', HINT = 'Give the width of each partition as a positive integer, e.g. ''100000''.';
        END IF;
        width := btrim(p_interval)::numeric;
        IF width <= 0 THEN
            RAISE EXCEPTION 'invalid interval "%": the width must be positive', p_interval
                USING ERRCODE = '22023', HINT = 'Give the width of each partition as a positive integer, e.g. ''100000''.';
        END IF;
        kind := 'integer';
        RETURN;
    END IF;
    IF p_key_type NOT IN ('timestamp without time zone'::regtype, 'timestamp with time zone'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'a column of type % cannot be range-partitioned by part', p_key_type
            USING ERRCODE = '42804',
                  HINT = 'Range partitions need a timestamp, timestamptz, date, smallint, integer or bigint key; use hash for other types.';
    END IF;
    IF p_interval IS NULL OR p_interval ~ '^\s*[0-9.]+\s*$' THEN
        RAISE EXCEPTION 'invalid interval "%" for a % key', p_interval, p_key_type
            USING ERRCODE = '22023', HINT = 'Write an interval with its unit: ''1 month'', ''3 months'', ''1 week'', ''1 day'', ''6 hours''.';
    END IF;
    IF p_interval ~* '^\s*[0-9]{1,6}\s*(years?|mons?|months?|weeks?|days?|hours?|mins?|minutes?|secs?|seconds?)\s*$' THEN
        v_iv := p_interval::interval;   -- the usual forms cannot fail: no subtransaction on the hot path
    ELSE
        BEGIN
            v_iv := p_interval::interval;
        EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow OR syntax_error THEN
            RAISE EXCEPTION 'invalid interval "%"', p_interval
                USING ERRCODE = '22023', HINT = 'Write an interval with its unit: ''1 month'', ''3 months'', ''1 week'', ''1 day'', ''6 hours''.';
        END;
    END IF;
    months := date_part('year', v_iv) * 12 + date_part('month', v_iv);
    days := date_part('day', v_iv);
    seconds := extract(epoch FROM (v_iv - make_interval(months => months, days => days)));
    IF months < 0 OR days < 0 OR seconds < 0 OR (months = 0 AND days = 0 AND seconds = 0) THEN
        RAISE EXCEPTION 'invalid interval "%": it must be positive', p_interval
            USING ERRCODE = '22023', HINT = 'Use a positive interval such as ''1 month''.';
    END IF;
    IF months > 1200 OR days > 36525 OR seconds > 3155760000 THEN   -- 36525 days in seconds
        RAISE EXCEPTION 'invalid interval "%": it is longer than 100 years', p_interval
            USING ERRCODE = '22023', HINT = 'Use an interval from ''1 minute'' to ''100 years'', such as ''1 month''.';
    END IF;
    IF (months > 0)::int + (days > 0)::int + (seconds > 0)::int > 1 THEN
        RAISE EXCEPTION 'invalid interval "%": mixes months, days and hours', p_interval
            USING ERRCODE = '22023', HINT = 'Use a whole number of months, of days (or weeks), or of hours/minutes, e.g. ''3 months'' or ''14 days''.';
    END IF;
    IF months > 0 THEN
        kind := 'months';
    ELSIF days > 0 THEN
        kind := CASE WHEN days % 7 = 0 THEN 'weeks' ELSE 'days' END;
    ELSE
        IF p_key_type = 'date'::regtype THEN
            RAISE EXCEPTION 'interval "%" is shorter than a day, which a date key cannot use', p_interval
                USING ERRCODE = '22023', HINT = 'Use an interval of at least ''1 day'' for a date column.';
        END IF;
        IF seconds < 60 OR seconds % 60 <> 0 THEN
            RAISE EXCEPTION 'invalid interval "%": partitions are at least one minute wide, in whole minutes', p_interval
                USING ERRCODE = '22023', HINT = 'Use e.g. ''1 minute'', ''15 minutes'', ''1 hour'' (partition names go down to the minute).';
        END IF;
        IF 86400 % seconds <> 0 AND seconds % 86400 <> 0 THEN
            RAISE EXCEPTION 'invalid interval "%": a sub-daily interval must divide a day', p_interval
                USING ERRCODE = '22023', HINT = 'Use e.g. ''1 hour'', ''6 hours'', ''30 minutes''.';
        END IF;
        kind := 'subdaily';
    END IF;
END
$$;
