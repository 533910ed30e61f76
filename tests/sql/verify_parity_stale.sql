-- part.verify() check parity_stale: a migration past dual_write needs a clean parity check
-- younger than parity_max_age; differences or an old check fail.
BEGIN;
\ir _helpers.psql
SELECT plan(6);
CREATE TABLE public.revenues (id int PRIMARY KEY, occurred_at timestamptz NOT NULL);
CREATE TABLE public.revenues_part (id int, occurred_at timestamptz NOT NULL, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at);
INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, phase)
VALUES ('public.revenues', 'public.revenues', 'public.revenues_part', 'range', 'occurred_at', 'dual_write');
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'parity_stale' AND table_name = 'public.revenues'
$$;
SELECT is(pg_temp.check(), 'warn', 'dual_write, never checked: warn (the backfill may still run)');
UPDATE part.migration SET phase = 'backfilled', parity_checked_at = now() - interval '3 days', parity_clean = true;
SELECT is(pg_temp.check(), 'fail', 'backfilled, last checked 3 days ago: fail');
UPDATE part.migration SET parity_checked_at = now();
SELECT is(pg_temp.check(), 'ok', 'checked just now and clean: ok');
UPDATE part.migration SET parity_clean = false;
SELECT is(pg_temp.check(), 'fail', 'differences found: fail');
UPDATE part.migration SET parity_clean = true, parity_checked_at = now() - interval '3 days';
SELECT part.set_setting('parity_max_age', '7 days');
SELECT is(pg_temp.check(), 'ok', 'parity_max_age decides what is stale');
UPDATE part.migration SET phase = 'finalized';
SELECT is_empty($$SELECT 1 FROM part.verify() WHERE table_name = 'public.revenues'$$, 'a finalized migration is not checked');
SELECT * FROM finish();
ROLLBACK;
