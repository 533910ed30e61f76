-- part.verify() check default_empty: fails while rows (newer than the retention) wait in a
-- default partition, ok once maintenance drained them into their partitions.
BEGIN;
\ir _helpers.psql
SELECT plan(4);
CREATE TABLE public.revenues (id int, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_retention => '12 months');
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'default_empty' AND table_name = 'public.revenues'
$$;
SELECT is(pg_temp.check(), 'ok', 'an empty default is ok');
INSERT INTO public.revenues VALUES (1, now() + interval '2 years'), (2, now() - interval '5 months');
SELECT is(pg_temp.check(), 'fail', 'rows waiting in the default: fail');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'default_empty') LIKE '2 rows wait in public.revenues_default%',
          'the detail counts them');
CALL part.run_maintenance(p_commit => false);
SELECT is(pg_temp.check(), 'ok', 'drained by maintenance: ok');
SELECT * FROM finish();
ROLLBACK;
