-- part.verify() check retention_last_run: with a separate retention schedule, the last
-- part.drop_old() run on its own (the retention job) must have succeeded for every table.
BEGIN;
\ir _helpers.psql
SELECT plan(5);
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'retention_last_run'
$$;
SELECT is(pg_temp.check(), NULL, 'no separate retention schedule: no such check');
SELECT part.set_setting('retention_schedule', '0 3 15 * *');
SELECT is(pg_temp.check(), 'warn', 'scheduled, never run: warn');
CREATE TABLE public.revenues (id int, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_retention => '1 month', p_retention_mode => 'drop');
SELECT part._ensure_range_partitions('public.revenues'::regclass, (now() - interval '4 months')::text, now()::text);
-- an old partition that cannot be dropped: a view depends on it
SELECT format('CREATE VIEW public.old_month AS SELECT * FROM public.revenues_%s', pg_temp.month_suffix(-4)) \gexec
SELECT count(*) FROM part.drop_old();
SELECT is(pg_temp.check(), 'fail', 'the retention job failed for a table: fail');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'retention_last_run') LIKE '%public.revenues%', 'naming it');
DROP VIEW public.old_month;
SELECT count(*) FROM part.drop_old();
SELECT is(pg_temp.check(), 'ok', 'the next run succeeded: ok');
SELECT * FROM finish();
ROLLBACK;
