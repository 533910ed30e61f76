-- Settings that cannot work are refused (22023 with a HINT) before anything changes: intervals
-- under a minute or over 100 years, integer widths past 10^18, premake over 1000 (create_ahead's
-- count too), hash partition counts over 1024 (split_hash too), retentions past 1000 years,
-- cron schedules that cannot run, history_days outside 1..3650.
BEGIN;
\ir _helpers.psql
SET client_min_messages = error;
SELECT plan(22);
CREATE TABLE public.t (id bigint, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE public.i (id bigint NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE public.h (id bigint) PARTITION BY HASH (id);
CREATE TABLE public.legacy (id bigint PRIMARY KEY, at timestamptz NOT NULL);
SELECT pg_temp.catalog_state() AS before \gset

SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '30 seconds')$$), '22023 with hint', '30 seconds: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '1 microsecond')$$), '22023 with hint', '1 microsecond: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '90 seconds')$$), '22023 with hint', 'not whole minutes: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '100000000 years')$$), '22023 with hint', '100000000 years: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '2147483647 days')$$), '22023 with hint', '2147483647 days: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '101 years')$$), '22023 with hint', '101 years: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.i', 'id', 'range', '99999999999999999999')$$), '22023 with hint', 'a width past 10^18: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '1 month', p_premake => 100000)$$), '22023 with hint', 'premake 100000: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.h', 'id', 'hash', p_partitions => 10000)$$), '22023 with hint', '10000 hash partitions: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '1 month', p_retention => '99999 years')$$), '22023 with hint', 'a retention of 99999 years: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.t', 'at', 'range', '1 month', p_batch_size => 2000000000)$$), '22023 with hint', 'a batch of 2e9 rows: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.legacy', 'at', 'range', '1 month', p_premake => 5000)$$), '22023 with hint', 'migrate_start shares the bounds');
SELECT is(pg_temp.catalog_state(), :'before', 'nothing changed');

SELECT part.create_partitioned('public.t', 'at', 'range', '1 month', p_premake => 1);
SELECT part.create_partitioned('public.h', 'id', 'hash', p_partitions => 4);
SELECT pg_temp.catalog_state() AS managed \gset
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(5000)$$), '22023 with hint', 'create_ahead(5000): 22023');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.h', 4096)$$), '22023 with hint', 'split_hash to 4096: 22023');
SELECT is(pg_temp.catalog_state(), :'managed', 'nothing changed');

SELECT is(pg_temp.error_of($$SELECT part.check_schedule('maintenance', '99 99 * * *')$$), '22023 with hint', 'cron 99 99 * * *: 22023');
SELECT is(pg_temp.error_of($$SELECT part.check_schedule('maintenance', '@reboot')$$), '22023 with hint', 'cron @reboot: 22023');
SELECT is(pg_temp.error_of($$SELECT part.check_schedule('retention', '0 0 31 2 *')$$), '22023 with hint', 'cron 0 0 31 2 * (never runs): 22023');
SELECT is(pg_temp.error_of($$SELECT part.check_schedule('history_days', '99999999999999999')$$), '22023 with hint', 'history_days 99999999999999999: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('maintenance_schedule', '@reboot')$$), '22023 with hint', 'set_setting checks schedules the same way');
SELECT results_eq($$VALUES (part.check_schedule('maintenance', ' 0 2 * * * '), part.check_schedule('history_days', '7'), part.check_schedule('retention', ''))$$,
                  $$VALUES ('0 2 * * *', '7', '')$$, 'good values pass');
SELECT * FROM finish();
ROLLBACK;
