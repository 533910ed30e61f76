-- Bounds in a table's own time zone (p_time_zone): days, weeks and months begin at local
-- midnight, across changes of clocks (23- and 25-hour days, no gap, no overlap), names in
-- local dates, whatever the session's TimeZone; the zone is checked and cannot change later.
BEGIN;
\ir _helpers.psql
SELECT plan(51);
SET LOCAL TimeZone = 'Asia/Tokyo';   -- neither UTC nor the tables' zones

-- the arithmetic: Paris goes to summer time on 2025-03-30 and back on 2025-10-26
SELECT is(part._range_floor('2025-03-30 12:00:00+00', 'timestamptz', '1 day', 'Europe/Paris'), '2025-03-29 23:00:00+00',
          'daily in Paris: the day of 2025-03-30 begins at 23:00 UTC the day before (still winter time)');
SELECT is(part._range_next('2025-03-29 23:00:00+00', 'timestamptz', '1 day', 'Europe/Paris'), '2025-03-30 22:00:00+00',
          'and ends 23 hours later, at midnight summer time');
SELECT is(part._range_next('2025-10-25 22:00:00+00', 'timestamptz', '1 day', 'Europe/Paris'), '2025-10-26 23:00:00+00',
          'the day the clocks go back lasts 25 hours');
SELECT is(part._range_suffix('2025-03-29 23:00:00+00', 'timestamptz', '1 day', 'Europe/Paris'), '2025_03_30',
          'the name is the local date, not the UTC one');
SELECT is(part._range_floor('2025-03-17 12:00:00+00', 'timestamptz', '1 month', 'Europe/Paris'), '2025-02-28 23:00:00+00',
          'monthly: March begins at local midnight');
SELECT is(part._range_next('2025-02-28 23:00:00+00', 'timestamptz', '1 month', 'Europe/Paris'), '2025-03-31 22:00:00+00',
          'and ends at local midnight of April 1st, summer time');
SELECT is(part._range_suffix('2025-02-28 23:00:00+00', 'timestamptz', '1 month', 'Europe/Paris'), '2025_03', 'monthly name: local month');
SELECT is(part._range_floor('2025-03-12 12:00:00+00', 'timestamptz', '1 week', 'America/New_York'), '2025-03-10 04:00:00+00',
          'weekly in New York: the local Monday after the change of clocks (EDT)');
SELECT is(part._range_next('2025-03-03 05:00:00+00', 'timestamptz', '1 week', 'America/New_York'), '2025-03-10 04:00:00+00',
          'the week of the change lasts 167 hours');
SELECT is(part._range_suffix('2025-03-03 05:00:00+00', 'timestamptz', '1 week', 'America/New_York'), '2025_w10', 'weekly name: ISO week of the local Monday');
SELECT is(part._range_floor('2025-05-17 13:45:00+00', 'timestamptz', '1 day', 'UTC'), '2025-05-17 00:00:00+00', 'UTC: as before');
SELECT is(part._range_floor('2025-05-17 13:45:00+00', 'timestamptz', '1 day'), '2025-05-17 00:00:00+00', 'no zone: UTC');

-- midnights the clocks skip (Santiago, 2025-09-07 00:00 -> 01:00) or show twice (Havana, 2025-11-02 01:00 -> 00:00)
SELECT is(part._range_floor('2025-09-07 12:00:00+00', 'timestamptz', '1 day', 'America/Santiago'), '2025-09-07 04:00:00+00',
          'a day whose midnight is skipped begins at 01:00 local, the first instant of that date');
SELECT is(part._range_next('2025-09-07 04:00:00+00', 'timestamptz', '1 day', 'America/Santiago'), '2025-09-08 03:00:00+00',
          'and the next day begins at its own midnight');
SELECT is(part._range_suffix('2025-09-07 04:00:00+00', 'timestamptz', '1 day', 'America/Santiago'), '2025_09_07', 'named after its date');
SELECT is(part._range_floor('2025-11-02 04:30:00+00', 'timestamptz', '1 day', 'America/Havana'), '2025-11-02 04:00:00+00',
          'a midnight shown twice: the day begins at the first one (00:30 summer time is in it)');
SELECT is(part._range_floor('2025-11-02 05:30:00+00', 'timestamptz', '1 day', 'America/Havana'), '2025-11-02 04:00:00+00',
          'the second 00:30 is in the same day');
SELECT is(part._range_next('2025-11-01 04:00:00+00', 'timestamptz', '1 day', 'America/Havana'), '2025-11-02 04:00:00+00',
          'the day before ends where it begins');

-- a real table: partitions across both changes of clocks, read from the catalog
CREATE TABLE public.stays (id bigint NOT NULL, night timestamptz NOT NULL, guest text) PARTITION BY RANGE (night);
SELECT lives_ok($$SELECT part.create_partitioned('public.stays', 'night', 'range', '1 day', p_premake => 1, p_time_zone => 'Europe/Paris')$$,
                'a daily table in Paris time');
SELECT is((SELECT time_zone FROM part.config WHERE parent_table = 'public.stays'), 'Europe/Paris', 'the zone is in part.config');
SELECT lives_ok($$SELECT part._ensure_range_partitions('public.stays', '2025-03-28 12:00+01', '2025-04-01 12:00+02')$$, 'days around the spring change');
SELECT lives_ok($$SELECT part._ensure_range_partitions('public.stays', '2025-10-24 12:00+02', '2025-10-28 12:00+01')$$, 'days around the autumn change');
CREATE TEMP VIEW spans AS
SELECT p.partition_name, p.from_time, p.to_time, p.to_time - p.from_time AS len,
       lead(p.from_time) OVER (ORDER BY p.from_time) AS next_from
  FROM part.partitions p WHERE p.parent_table = 'public.stays' AND NOT p.is_default;
SELECT results_eq($$SELECT partition_name, extract(epoch FROM len)::int / 3600
                      FROM spans WHERE from_time < '2025-11-01+00' ORDER BY from_time$$,
                  $$VALUES ('public.stays_2025_03_28', 24), ('public.stays_2025_03_29', 24), ('public.stays_2025_03_30', 23),
                           ('public.stays_2025_03_31', 24), ('public.stays_2025_04_01', 24),
                           ('public.stays_2025_10_24', 24), ('public.stays_2025_10_25', 24), ('public.stays_2025_10_26', 25),
                           ('public.stays_2025_10_27', 24), ('public.stays_2025_10_28', 24)$$,
                  'local-date names; 23 hours on 2025-03-30, 25 on 2025-10-26, 24 otherwise');
SELECT is_empty($$SELECT 1 FROM spans WHERE from_time < '2025-03-31 12:00+00' AND next_from <> to_time$$,
                'spring: each partition ends where the next begins (no gap, no overlap)');
SELECT is_empty($$SELECT 1 FROM spans WHERE from_time BETWEEN '2025-10-01+00' AND '2025-10-27 12:00+00' AND next_from <> to_time$$,
                'autumn: no gap, no overlap');
SELECT is_empty($$SELECT 1 FROM part.partitions WHERE parent_table = 'public.stays' AND NOT is_default
                   AND (local_from::time <> '00:00' OR local_to::time <> '00:00' OR local_to::date <> local_from::date + 1)$$,
                'the view shows every partition from local midnight to the next local midnight');
INSERT INTO public.stays VALUES (1, '2025-03-30 00:30+01', 'just after midnight, winter time'),
                                (2, '2025-03-30 23:30+02', 'just before midnight, summer time'),
                                (3, '2025-10-26 02:30+02', 'the first 02:30'), (4, '2025-10-26 02:30+01', 'the second 02:30');
SELECT results_eq($$SELECT id, tableoid::regclass::text FROM public.stays ORDER BY id$$,
                  $$VALUES (1::bigint, 'stays_2025_03_30'), (2, 'stays_2025_03_30'), (3, 'stays_2025_10_26'), (4, 'stays_2025_10_26')$$,
                  'rows land in the partition of their local day');

-- the session's TimeZone changes nothing: the same table made in three sessions' zones
CREATE TABLE public.s_utc (night timestamptz NOT NULL) PARTITION BY RANGE (night);
CREATE TABLE public.s_la (night timestamptz NOT NULL) PARTITION BY RANGE (night);
CREATE TABLE public.s_kiri (night timestamptz NOT NULL) PARTITION BY RANGE (night);
SET LOCAL TimeZone = 'UTC';
SELECT part.create_partitioned('public.s_utc', 'night', 'range', '1 week', p_premake => 0, p_time_zone => 'America/New_York') \g /dev/null
SELECT part._ensure_range_partitions('public.s_utc', '2025-02-20+00', '2025-11-20+00') \g /dev/null
SET LOCAL TimeZone = 'America/Los_Angeles';
SELECT part.create_partitioned('public.s_la', 'night', 'range', '1 week', p_premake => 0, p_time_zone => 'America/New_York') \g /dev/null
SELECT part._ensure_range_partitions('public.s_la', '2025-02-20+00', '2025-11-20+00') \g /dev/null
SET LOCAL TimeZone = 'Pacific/Kiritimati';   -- UTC+14
SELECT part.create_partitioned('public.s_kiri', 'night', 'range', '1 week', p_premake => 0, p_time_zone => 'America/New_York') \g /dev/null
SELECT part._ensure_range_partitions('public.s_kiri', '2025-02-20+00', '2025-11-20+00') \g /dev/null
SET LOCAL TimeZone = 'Asia/Tokyo';
CREATE TEMP VIEW made AS
SELECT parent_table, regexp_replace(partition_name, '^public\.s_[a-z]+_', '') AS suffix, bound_from, bound_to
  FROM part.partitions WHERE parent_table IN ('public.s_utc', 'public.s_la', 'public.s_kiri') AND NOT is_default;
SELECT cmp_ok((SELECT count(*) FROM made WHERE parent_table = 'public.s_utc'), '>=', 39::bigint, 'weekly partitions Feb to Nov');
SELECT set_eq($$SELECT suffix, bound_from, bound_to FROM made WHERE parent_table = 'public.s_la'$$,
              $$SELECT suffix, bound_from, bound_to FROM made WHERE parent_table = 'public.s_utc'$$,
              'made in Los Angeles time: the same names and bounds as in UTC');
SELECT set_eq($$SELECT suffix, bound_from, bound_to FROM made WHERE parent_table = 'public.s_kiri'$$,
              $$SELECT suffix, bound_from, bound_to FROM made WHERE parent_table = 'public.s_utc'$$,
              'made at UTC+14: the same again');
SELECT is_empty($$SELECT 1 FROM made WHERE parent_table = 'public.s_utc'
                   AND (bound_from::timestamptz AT TIME ZONE 'America/New_York')::time <> '00:00'
                   OR extract(isodow FROM bound_from::timestamptz AT TIME ZONE 'America/New_York') <> 1$$,
                'each week begins at 00:00 on a Monday in New York');

-- the default partition drains into local days
CREATE TABLE public.checkins (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT part.create_partitioned('public.checkins', 'at', 'range', '1 day', p_premake => 0, p_time_zone => 'Europe/Paris') \g /dev/null
INSERT INTO public.checkins VALUES (1, '2025-10-25 23:30+02'), (2, '2025-10-26 00:10+02'), (3, '2025-10-26 23:50+01'), (4, '2025-10-27 00:00+01');
SELECT results_eq($$SELECT partition_name, rows_moved FROM part._drain_default('public.checkins'::regclass) ORDER BY 1$$,
                  $$VALUES ('public.checkins_2025_10_25', 1::bigint), ('public.checkins_2025_10_26', 2::bigint), ('public.checkins_2025_10_27', 1::bigint)$$,
                  'rows waiting in the default move into the partitions of their local days');
SELECT is((SELECT count(*)::int FROM ONLY public.checkins_default), 0, 'none is left behind');

-- the refusals: one clear error, nothing changed
CREATE TABLE public.t_date (d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE public.t_ts (t timestamp NOT NULL) PARTITION BY RANGE (t);
CREATE TABLE public.t_int (n bigint NOT NULL) PARTITION BY RANGE (n);
CREATE TABLE public.t_hash (n bigint NOT NULL) PARTITION BY HASH (n);
CREATE TABLE public.t_tz (t timestamptz NOT NULL) PARTITION BY RANGE (t);
SELECT pg_temp.catalog_state() AS before \gset
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_tz', 't', 'range', '1 day', p_time_zone => 'CET')$$),
          '22023 with hint', 'an abbreviation is refused');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_tz', 't', 'range', '1 day', p_time_zone => 'UTC+2')$$),
          '22023 with hint', 'a POSIX offset is refused');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_tz', 't', 'range', '1 day', p_time_zone => 'Etc/GMT-2')$$),
          '22023 with hint', 'Etc/GMT-2 (two hours east, despite its sign) is refused');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_tz', 't', 'range', '1 day', p_time_zone => 'Europe/Atlantis')$$),
          '22023 with hint', 'a zone that does not exist is refused');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_tz', 't', 'range', '1 hour', p_time_zone => 'Europe/Paris')$$),
          '22023 with hint', 'partitions shorter than a day with a zone are refused');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_date', 'd', 'range', '1 day', p_time_zone => 'Europe/Paris')$$),
          '22023 with hint', 'a date key with a zone is refused');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_ts', 't', 'range', '1 day', p_time_zone => 'Europe/Paris')$$),
          '22023 with hint', 'a timestamp key with a zone is refused');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_int', 'n', 'range', '1000', p_time_zone => 'Europe/Paris')$$),
          '22023 with hint', 'an integer key with a zone is refused');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t_hash', 'n', 'hash', p_partitions => 4, p_time_zone => 'Europe/Paris')$$),
          '22023 with hint', 'a hash table with a zone is refused');
SELECT is(pg_temp.catalog_state(), :'before', 'the refusals changed nothing');
SELECT lives_ok($$SELECT part.create_partitioned('public.t_date', 'd', 'range', '1 day', p_time_zone => 'UTC')$$,
                'UTC is accepted for any key');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.stays', 'night', 'range', '1 day', p_premake => 1, p_time_zone => 'America/New_York')$$),
          '0A000 with hint', 'the zone of a table with partitions cannot change');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.stays', 'night', 'range', '1 day', p_premake => 1)$$),
          '0A000 with hint', 'nor go back to UTC by leaving it out');
SELECT lives_ok($$SELECT part.create_partitioned('public.stays', 'night', 'range', '1 day', p_premake => 1, p_time_zone => 'europe/paris')$$,
                'the same zone, spelled in lower case, is the same zone');
SELECT is((SELECT time_zone FROM part.config WHERE parent_table = 'public.stays'), 'Europe/Paris', 'kept in its own spelling');

-- retention counts on the zone's calendar: with 3 days, the local days up to 4 days ago go
CREATE TABLE public.visits (id bigint NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT part.create_partitioned('public.visits', 'at', 'range', '1 day', p_premake => 0, p_retention => '3 days',
                               p_retention_mode => 'drop', p_time_zone => 'Europe/Paris') \g /dev/null
SELECT part._ensure_range_partitions('public.visits', ((((now() AT TIME ZONE 'Europe/Paris')::date - 10) + time '12:00') AT TIME ZONE 'Europe/Paris')::text,
                                     now()::text) \g /dev/null
SELECT set_eq($$SELECT partition_name FROM part.drop_old(p_parent => 'public.visits', p_dry_run => true)$$,
              $$SELECT 'public.visits_' || to_char((now() AT TIME ZONE 'Europe/Paris')::date - d, 'YYYY_MM_DD') FROM generate_series(4, 10) d$$,
              'drop_old retires the partitions of the local days 4 to 10 days ago, no other');

-- verify and the parity groups of a migration follow the zone
SELECT matches((SELECT detail FROM part.verify() WHERE check_name = 'partitions_ahead' AND table_name = 'public.checkins'),
               '\d{4}-\d\d-\d\d 00:00 Europe/Paris\)$', 'verify says how far partitions go on the table''s clocks');
CREATE TABLE public.open_end (at timestamptz NOT NULL) PARTITION BY RANGE (at);
SELECT part.create_partitioned('public.open_end', 'at', 'range', '1 day', p_premake => 0, p_default_partition => false,
                               p_time_zone => 'Europe/Paris') \g /dev/null
CREATE TABLE public.open_end_rest PARTITION OF public.open_end FOR VALUES FROM ('2030-01-01 00:00+00') TO (MAXVALUE);
SELECT is((SELECT status || ': ' || detail FROM part.verify() WHERE check_name = 'partitions_ahead' AND table_name = 'public.open_end'),
          'ok: partitions cover now and 0 intervals ahead (up to MAXVALUE)',
          'a last partition made by hand up to MAXVALUE: verify says so, with no local time');
SELECT * FROM finish();
ROLLBACK;
