-- Bound alignment and partition names for every kind of interval, in UTC
-- whatever the session's TimeZone.
BEGIN;
\ir _helpers.psql
SELECT plan(24);
SET LOCAL TimeZone = 'America/New_York';

-- alignment
SELECT is(part._range_floor('2025-05-17 13:45:00+00', 'timestamptz', '1 month'), '2025-05-01 00:00:00+00', 'monthly: first of the month, UTC');
SELECT is(part._range_floor('2025-05-01 01:00:00+02', 'timestamptz', '1 month'), '2025-04-01 00:00:00+00', 'monthly: the offset is honoured (still April in UTC)');
SELECT is(part._range_floor('2025-05-17 13:45:00', 'timestamp', '3 months'), '2025-04-01 00:00:00', 'quarterly: Apr 1st');
SELECT is(part._range_floor('2025-12-31', 'date', '3 months'), '2025-10-01', 'quarterly on a date key: Oct 1st');
SELECT is(part._range_floor('2025-05-17 13:45:00+00', 'timestamptz', '1 year'), '2025-01-01 00:00:00+00', 'yearly: Jan 1st');
SELECT is(part._range_floor('2025-05-17 13:45:00+00', 'timestamptz', '1 week'), '2025-05-12 00:00:00+00', 'weekly: the ISO Monday');
SELECT is(part._range_floor('2025-05-17 13:45:00+00', 'timestamptz', '1 day'), '2025-05-17 00:00:00+00', 'daily: 00:00 UTC');
SELECT is(part._range_floor('2025-05-17 13:45:00+00', 'timestamptz', '6 hours'), '2025-05-17 12:00:00+00', 'six-hourly: on the epoch grid');
SELECT is(part._range_floor('2025-05-17 13:45:00+00', 'timestamptz', '30 minutes'), '2025-05-17 13:30:00+00', 'half-hourly');
SELECT is(part._range_floor('12345', 'bigint', '1000'), '12000', 'integer: multiples of the width');
SELECT is(part._range_floor('-5', 'integer', '1000'), '-1000', 'integer: negative keys floor downwards');
SELECT is(part._range_next('2025-11-01 00:00:00+00', 'timestamptz', '1 month'), '2025-12-01 00:00:00+00', 'next month');
SELECT is(part._range_next('2025-03-09 00:00:00', 'timestamp', '1 day'), '2025-03-10 00:00:00', 'next day across a DST change is 24 hours later');

-- names
SELECT is(part._range_suffix('2025-05-01 00:00:00+00', 'timestamptz', '1 month'), '2025_05', 'monthly name');
SELECT is(part._range_suffix('2025-04-01 00:00:00+00', 'timestamptz', '3 months'), '2025_q2', 'quarterly name');
SELECT is(part._range_suffix('2025-01-01 00:00:00+00', 'timestamptz', '1 year'), '2025', 'yearly name');
SELECT is(part._range_suffix('2024-12-30 00:00:00+00', 'timestamptz', '1 week'), '2025_w01', 'weekly name uses the ISO year and week');
SELECT is(part._range_suffix('2025-05-17', 'date', '1 day'), '2025_05_17', 'daily name');
SELECT is(part._range_suffix('2025-05-17 18:00:00+00', 'timestamptz', '6 hours'), '2025_05_17_1800', 'sub-daily name');
SELECT is(part._range_suffix('-1000', 'integer', '1000'), 'm1000', 'integer name of a negative bound');

-- a real table in another time zone: same bounds as in UTC
CREATE TABLE public.events (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
SELECT lives_ok($$SELECT part.create_partitioned('public.events', 'created_at', 'range', '1 day', p_premake => 1)$$, 'daily table in New York time');
SELECT is((SELECT bound_from FROM part.partitions WHERE NOT is_default ORDER BY bound_from LIMIT 1),
          to_char(date_trunc('day', now() AT TIME ZONE 'UTC'), 'YYYY-MM-DD') || ' 00:00:00+00',
          'its first partition starts at 00:00 UTC today');

CREATE TABLE public.ledger (id bigint NOT NULL, note text) PARTITION BY RANGE (id);
INSERT INTO public.ledger SELECT 1, 'x' WHERE false;
SELECT is((SELECT array_agg(x ORDER BY x) FROM part.create_partitioned('public.ledger', 'id', 'range', '1000', p_premake => 2,
                                                                      p_default_partition => false) x),
          ARRAY['public.ledger_0', 'public.ledger_1000', 'public.ledger_2000'], 'integer key: current is the interval of the largest key (0 when empty)');
SELECT is((SELECT bound_to FROM part.partitions WHERE partition_name = 'public.ledger_2000'), '3000', 'integer bounds');
SELECT * FROM finish();
ROLLBACK;
