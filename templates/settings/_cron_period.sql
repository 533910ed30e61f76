CREATE FUNCTION part._cron_period(p_schedule text)
    RETURNS interval
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_expr    text := lower(btrim(p_schedule));
    v_fields  text[];
    v_lo      integer[] := ARRAY[0, 0, 1, 1, 0];
    v_hi      integer[] := ARRAY[59, 23, 31, 12, 7];
    v_sets    integer[][];
    v_item    text;
    v_range   text;
    v_step    integer;
    v_a       integer;
    v_b       integer;
    v_times   integer[];
    v_max     integer;
BEGIN
/*
 * The longest time between two runs of a pg_cron (1.4) schedule: five
 * fields (minute hour day-of-month month day-of-week, with lists, ranges,
 * steps and month/day names) or @hourly, @daily, @weekly, @monthly,
 * @yearly. part.verify() calls maintenance stale after twice this period.
 * Day-of-month and day-of-week combine as in cron: when both are
 * restricted, a day matching either runs. 22023 when invalid or when the
 * schedule never runs.
 */
    v_expr := CASE v_expr
        WHEN '@hourly' THEN '0 * * * *'
        WHEN '@daily' THEN '0 0 * * *'
        WHEN '@midnight' THEN '0 0 * * *'
        WHEN '@weekly' THEN '0 0 * * 0'
        WHEN '@monthly' THEN '0 0 1 * *'
        WHEN '@yearly' THEN '0 0 1 1 *'
        WHEN '@annually' THEN '0 0 1 1 *'
        ELSE v_expr END;
    v_fields := regexp_split_to_array(v_expr, '\s+');
    IF v_expr IS NULL OR v_expr = '' OR cardinality(v_fields) <> 5 THEN
        RAISE EXCEPTION 'invalid cron schedule "%"', p_schedule
            USING ERRCODE = '22023',
                  HINT = 'Write five fields (minute hour day-of-month month day-of-week), e.g. ''0 2 * * *'' (02:00 UTC daily), or @daily.';
    END IF;
    -- names of months and week days
    FOR i IN 1 .. 12 LOOP
        v_fields[4] := replace(v_fields[4],
            (ARRAY['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'])[i], i::text);
    END LOOP;
    FOR i IN 0 .. 6 LOOP
        v_fields[5] := replace(v_fields[5], (ARRAY['sun','mon','tue','wed','thu','fri','sat'])[i + 1], i::text);
    END LOOP;

    v_sets := array_fill(0, ARRAY[5, 60]);
    FOR f IN 1 .. 5 LOOP
        FOREACH v_item IN ARRAY string_to_array(v_fields[f], ',') LOOP
            IF v_item !~ '^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?$' THEN
                RAISE EXCEPTION 'invalid cron schedule "%": cannot read "%"', p_schedule, v_item
                    USING ERRCODE = '22023',
                          HINT = 'Each field is *, a number, a range a-b, a list a,b or a step */n; e.g. ''0 2 * * *''.';
            END IF;
            v_range := split_part(v_item, '/', 1);
            v_step := coalesce(nullif(split_part(v_item, '/', 2), '')::integer, 1);
            IF v_range = '*' THEN
                v_a := v_lo[f];
                v_b := v_hi[f];
            ELSE
                v_a := split_part(v_range, '-', 1)::integer;
                v_b := coalesce(nullif(split_part(v_range, '-', 2), '')::integer,
                                CASE WHEN v_item LIKE '%/%' THEN v_hi[f] ELSE v_a END);
            END IF;
            IF v_a < v_lo[f] OR v_b > v_hi[f] OR v_a > v_b OR v_step < 1 THEN
                RAISE EXCEPTION 'invalid cron schedule "%": "%" is out of range %-%', p_schedule, v_item, v_lo[f], v_hi[f]
                    USING ERRCODE = '22023', HINT = 'Fields: minute 0-59, hour 0-23, day 1-31, month 1-12, week day 0-7 (0 and 7: Sunday).';
            END IF;
            FOR v IN v_a .. v_b BY v_step LOOP
                v_sets[f][CASE WHEN f = 5 THEN v % 7 ELSE v END + 1] := 1;
            END LOOP;
        END LOOP;
    END LOOP;

    SELECT array_agg(h * 60 + m ORDER BY h * 60 + m) INTO v_times
      FROM generate_series(0, 23) h, generate_series(0, 59) m
     WHERE v_sets[2][h + 1] = 1 AND v_sets[1][m + 1] = 1;

    -- Within a day: the gaps between its run times. Between two run days d1 < d2
    -- (over eight years, so leap days count): from the last run of d1 to the
    -- first of d2.
    SELECT max(g.gap) INTO v_max
      FROM (SELECT lead(t) OVER (ORDER BY t) - t AS gap FROM unnest(v_times) t) g;
    WITH days AS (
        SELECT (d::date - date '2024-01-01') AS n
          FROM generate_series(date '2024-01-01', date '2031-12-31', interval '1 day') d
         WHERE v_sets[4][date_part('month', d)::int + 1] = 1
           AND CASE WHEN pg_catalog.left(v_fields[3], 1) = '*' OR pg_catalog.left(v_fields[5], 1) = '*'
                    THEN v_sets[3][date_part('day', d)::int + 1] = 1
                         AND v_sets[5][date_part('dow', d)::int + 1] = 1
                    ELSE v_sets[3][date_part('day', d)::int + 1] = 1
                         OR v_sets[5][date_part('dow', d)::int + 1] = 1 END
    )
    SELECT greatest(v_max, max(g.gap)) INTO v_max
      FROM (SELECT (lead(days.n) OVER (ORDER BY days.n) - days.n) * 1440
                   - v_times[cardinality(v_times)] + v_times[1] AS gap
              FROM days) g
     WHERE v_times IS NOT NULL;
    IF v_max IS NULL THEN
        RAISE EXCEPTION 'cron schedule "%" never runs', p_schedule
            USING ERRCODE = '22023', HINT = 'Check the day and month fields (e.g. 30 2 never comes).';
    END IF;
    RETURN make_interval(mins => v_max);
END
$$;
