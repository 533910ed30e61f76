-- Hash partitions <table>_0 .. <table>_N-1; adoption of existing ones; refusal
-- of another modulus.
BEGIN;
\ir _helpers.psql
SELECT plan(9);

CREATE TABLE public.daily_cash_balances (
    id bigserial, org_id integer NOT NULL, property_id integer NOT NULL, balance_date date NOT NULL, balance numeric,
    PRIMARY KEY (id, org_id), UNIQUE (org_id, property_id, balance_date)) PARTITION BY HASH (org_id);
SELECT is((SELECT count(*)::int FROM part.create_partitioned('public.daily_cash_balances', 'org_id', 'hash', p_partitions => 16)), 16,
          'sixteen hash partitions');
SELECT partitions_are('public', 'daily_cash_balances',
    ARRAY(SELECT 'daily_cash_balances_' || i FROM generate_series(0, 15) i), 'named <table>_0 .. <table>_15');
SELECT is((SELECT ARRAY[modulus, remainder] FROM part.partitions WHERE partition_name = 'public.daily_cash_balances_7'
              AND bound_from IS NULL AND bound_to IS NULL), ARRAY[16, 7],
          'part.partitions shows modulus and remainder in columns of their own (the range bounds are NULL)');
SELECT is_empty($$SELECT * FROM part.create_partitioned('public.daily_cash_balances', 'org_id', 'hash', p_partitions => 16)$$,
                'calling again creates nothing');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.daily_cash_balances', 'org_id', 'hash', p_partitions => 8)$$),
          '42809 with hint', 'another count is refused (42809): split_hash grows it');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(3, 'public.daily_cash_balances')$$), '42809 with hint',
          'create_ahead on a hash table is refused');
INSERT INTO public.daily_cash_balances (org_id, property_id, balance_date, balance)
SELECT g, 1, current_date, g FROM generate_series(1, 1000) g;
SELECT is((SELECT count(DISTINCT tableoid)::int FROM public.daily_cash_balances), 16, 'rows spread over all partitions');

-- a table that already has its hash partitions is adopted as it is
CREATE TABLE public.bookings (id bigint, org_id int NOT NULL) PARTITION BY HASH (org_id);
CREATE TABLE public.bookings_a PARTITION OF public.bookings FOR VALUES WITH (MODULUS 2, REMAINDER 0);
SELECT is((SELECT array_agg(x) FROM part.create_partitioned('public.bookings', 'org_id', 'hash', p_partitions => 2) x),
          ARRAY['public.bookings_1'], 'only the missing remainder is created');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.bookings', 'org_id', 'hash', p_partitions => 4, p_default_partition => true)$$),
          '22023 with hint', 'a default partition on a hash table is refused');
SELECT * FROM finish();
ROLLBACK;
