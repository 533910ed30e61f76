-- An interval that a partition made by hand overlaps without covering it cannot be created:
-- maintenance logs it as skipped naming that partition (not an 'ok' run that created nothing),
-- and part.verify() says what to do instead of "run maintenance again".
BEGIN;
\ir _helpers.psql
SELECT plan(7);
CREATE TABLE public.bookings (id int, booked_at timestamptz NOT NULL) PARTITION BY RANGE (booked_at);
SELECT part.create_partitioned('public.bookings', 'booked_at', 'range', '1 month', p_premake => 2);
SELECT format('DROP TABLE public.bookings_%s, public.bookings_%s', pg_temp.month_suffix(1), pg_temp.month_suffix(2)) AS drop_sql \gset
:drop_sql;
-- by hand: the middle of next month to the middle of the month after
SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month 14 days') AT TIME ZONE 'UTC' AS lo,
       (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '2 months 14 days') AT TIME ZONE 'UTC' AS hi \gset
CREATE TABLE public.bookings_by_hand PARTITION OF public.bookings FOR VALUES FROM (:'lo') TO (:'hi');

SELECT is_empty($$SELECT part.create_ahead()$$, 'create_ahead cannot create the two intervals');
SELECT is((SELECT count(*)::int FROM part.maintenance_log WHERE action = 'create' AND outcome = 'skipped'
            AND detail LIKE '%public.bookings_by_hand [%overlaps it without covering it'), 2,
          'each is logged as skipped, naming the partition in the way');
DELETE FROM part.maintenance_log;
CALL part.run_maintenance(p_commit => false);
SELECT is((SELECT count(*)::int FROM part.maintenance_log WHERE action = 'create' AND outcome = 'skipped'
            AND parent_table = 'public.bookings' AND run_id = (SELECT max(run_id) FROM part.maintenance_log WHERE action = 'run')), 2,
          'a maintenance run logs them as skipped in its own run');
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'partitions_ahead'), 'fail', 'verify fails');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'partitions_ahead') LIKE '%maintenance cannot create them: public.bookings_by_hand [%',
          'and names the partition in the way');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'partitions_ahead') NOT LIKE '%run part.create_ahead() or CALL part.run_maintenance()%'
          AND (SELECT detail FROM part.verify() WHERE check_name = 'partitions_ahead') LIKE '%DETACH PARTITION%',
          'it says what to do, not to run maintenance again');

-- partitions by hand that cover whole intervals between them are fine
DROP TABLE public.bookings_by_hand;
SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month') AT TIME ZONE 'UTC' AS m1,
       (date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months') AT TIME ZONE 'UTC' AS m3 \gset
CREATE TABLE public.bookings_a PARTITION OF public.bookings FOR VALUES FROM (:'m1') TO (:'lo');
CREATE TABLE public.bookings_b PARTITION OF public.bookings FOR VALUES FROM (:'lo') TO (:'m3');
DELETE FROM part.maintenance_log;
SELECT is((SELECT count(*)::int FROM part.create_ahead() x) + (SELECT count(*)::int FROM part.maintenance_log), 0,
          'intervals covered whole by hand-made partitions: nothing created, nothing skipped');
SELECT * FROM finish();
ROLLBACK;
