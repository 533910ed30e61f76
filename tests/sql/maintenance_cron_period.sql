-- part._cron_period: the longest gap between two runs of a pg_cron schedule (verify calls the
-- heartbeat stale after twice that).
BEGIN;
\ir _helpers.psql
SELECT plan(10);
SELECT is(part._cron_period('* * * * *'), interval '1 minute', 'every minute');
SELECT is(part._cron_period('0 2 * * *'), interval '24 hours', 'nightly');
SELECT is(part._cron_period('*/15 * * * *'), interval '15 minutes', 'steps');
SELECT is(part._cron_period('0 2 1 * *'), interval '31 days', 'monthly: the longest month');
SELECT is(part._cron_period('0 9 * * mon-fri'), interval '72 hours', 'week days: Friday to Monday');
SELECT is(part._cron_period('@weekly'), interval '7 days', '@weekly');
SELECT is(extract(epoch FROM part._cron_period('0 0 29 2 *')) / 86400, 1461::numeric, 'leap days: four years apart');
SELECT is(pg_temp.error_of($$SELECT part._cron_period('0 0 30 2 *')$$), '22023 with hint', 'a schedule that never runs');
SELECT is(pg_temp.error_of($$SELECT part._cron_period('5 seconds')$$), '22023 with hint', 'seconds (pg_cron 1.5) are refused');
SELECT is(pg_temp.error_of($$SELECT part._cron_period('0 2 * *')$$), '22023 with hint', 'four fields');
SELECT * FROM finish();
ROLLBACK;
