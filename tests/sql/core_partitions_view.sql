-- part.partitions: typed bounds one can compare (from_time < now(), from_int), hash
-- modulus and remainder in columns of their own, and estimated_rows unknown (NULL),
-- not 0, for a partition never analyzed.
BEGIN;
\ir _helpers.psql
SELECT plan(11);
SET LOCAL TimeZone = 'Asia/Tokyo';

CREATE TABLE public.bookings (id bigserial, booked_at timestamptz NOT NULL, PRIMARY KEY (id, booked_at))
    PARTITION BY RANGE (booked_at);
SELECT lives_ok($$SELECT part.create_partitioned('public.bookings', 'booked_at', 'range', '1 month', p_premake => 2)$$,
                'a monthly table');
SELECT is(pg_typeof(from_time)::text, 'timestamp with time zone', 'from_time is a timestamptz')
  FROM part.partitions WHERE NOT is_default LIMIT 1;
SELECT is((SELECT count(*)::int FROM part.partitions WHERE from_time <= now() AND to_time > now()), 1,
          'WHERE from_time <= now() AND to_time > now() finds the current partition');
SELECT is((SELECT from_time FROM part.partitions WHERE NOT is_default ORDER BY from_time LIMIT 1),
          date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
          'its first partition starts on the first of this month, 00:00 UTC, whatever the session TimeZone');

CREATE TABLE public.ledger (id bigint NOT NULL) PARTITION BY RANGE (id);
SELECT lives_ok($$SELECT part.create_partitioned('public.ledger', 'id', 'range', '1000', p_premake => 1)$$, 'an integer table');
SELECT is((SELECT array_agg(ARRAY[from_int, to_int] ORDER BY from_int) FROM part.partitions
            WHERE parent_table = 'public.ledger' AND NOT is_default), ARRAY[[0, 1000], [1000, 2000]]::bigint[],
          'from_int and to_int hold integer bounds');

CREATE TABLE public.balances (org_id int NOT NULL) PARTITION BY HASH (org_id);
SELECT lives_ok($$SELECT part.create_partitioned('public.balances', 'org_id', 'hash', p_partitions => 4)$$, 'a hash table');
SELECT is((SELECT array_agg(ARRAY[modulus, remainder] ORDER BY remainder) FROM part.partitions
            WHERE parent_table = 'public.balances' AND bound_from IS NULL AND bound_to IS NULL AND from_time IS NULL),
          ARRAY[[4, 0], [4, 1], [4, 2], [4, 3]], 'hash: modulus and remainder, no range bounds');

SELECT is((SELECT estimated_rows FROM part.partitions WHERE from_time <= now() AND to_time > now()), 0::bigint,
          'never analyzed but empty (no page at all): 0');
INSERT INTO public.bookings (booked_at) SELECT now() FROM generate_series(1, 1450);
SELECT is((SELECT estimated_rows FROM part.partitions WHERE from_time <= now() AND to_time > now()), NULL::bigint,
          'never analyzed: estimated_rows is NULL (unknown), not 0');
ANALYZE public.bookings;
SELECT is((SELECT estimated_rows FROM part.partitions WHERE from_time <= now() AND to_time > now()), 1450::bigint,
          'analyzed: the estimate');

SELECT * FROM finish();
ROLLBACK;
