-- A migration into hash partitions: partitions named <table>_<n>, the sync
-- and the backfill, parity per remainder computed exactly as PostgreSQL
-- routes rows.
BEGIN;
\ir _helpers.psql
SET client_min_messages = error;
SELECT plan(7);
CREATE TABLE public.daily_cash_balances (org_id bigint NOT NULL, day date NOT NULL, balance numeric, PRIMARY KEY (org_id, day));
INSERT INTO public.daily_cash_balances SELECT o, date '2025-01-01' + d, o * d FROM generate_series(1, 40) o, generate_series(0, 9) d;
SELECT part.migrate_start('daily_cash_balances', 'org_id', 'hash', p_partitions => 4, p_batch_size => 500);
SELECT is((SELECT array_agg(relname::text ORDER BY relname) FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid
            WHERE i.inhparent = 'public.daily_cash_balances_partitioned'::regclass),
          ARRAY['daily_cash_balances_0', 'daily_cash_balances_1', 'daily_cash_balances_2', 'daily_cash_balances_3'],
          'hash partitions named after the table');
SELECT ok((SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.daily_cash_balances_partitioned'::regclass AND contype = 'p')
          = 'PRIMARY KEY (org_id, day)', 'the key is in the primary key already: unchanged');
SELECT is((SELECT batch_size FROM part.config), 500, 'the batch size is recorded in part.config');
CALL part.backfill('public.daily_cash_balances', 150, p_commit => false);
SELECT is(part.phase('daily_cash_balances'), 'backfilled', 'backfilled with clean parity');
SELECT is((SELECT array_agg(partition_name ORDER BY range_from) FROM part.check_parity('daily_cash_balances')),
          ARRAY['public.daily_cash_balances_0', 'public.daily_cash_balances_1', 'public.daily_cash_balances_2', 'public.daily_cash_balances_3'],
          'one range per remainder, each wholly in the partition of that remainder');
UPDATE public.daily_cash_balances SET balance = 0 WHERE org_id = 7;
SELECT is((SELECT array_agg(partition_name) FROM part.check_parity('daily_cash_balances') WHERE rehashed),
          (SELECT array_agg(DISTINCT 'public.' || tableoid::regclass::text) FROM public.daily_cash_balances_partitioned WHERE org_id = 7),
          'an update of one org re-hashes the range of its partition only');
UPDATE public.daily_cash_balances SET org_id = org_id + 100 WHERE org_id < 5;
SELECT is(part.switch_reads('daily_cash_balances'), 'partitioned', 'key changes mirrored, parity clean, switched');
SELECT * FROM finish();
ROLLBACK;
