-- part.verify() check default_retention: fails while rows older than the retention sit in a
-- default partition (maintenance never deletes them), ok once someone dealt with them.
BEGIN;
\ir _helpers.psql
SELECT plan(5);
CREATE TABLE public.revenues (id int, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_retention => '6 months');
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'default_retention' AND table_name = 'public.revenues'
$$;
SELECT is(pg_temp.check(), 'ok', 'no old row: ok');
INSERT INTO public.revenues VALUES (1, now() - interval '3 years');
SELECT is(pg_temp.check(), 'fail', 'a row older than the retention in the default: fail');
CALL part.run_maintenance(p_commit => false);
SELECT is(pg_temp.check(), 'fail', 'maintenance leaves it there (nothing is deleted silently)');
SELECT is((SELECT count(*)::int FROM ONLY public.revenues_default), 1, 'the row is still in the default');
DELETE FROM public.revenues WHERE id = 1;
SELECT is(pg_temp.check(), 'ok', 'once dealt with: ok');
SELECT * FROM finish();
ROLLBACK;
