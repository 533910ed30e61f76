-- part.verify() check maintenance_last_run: the last (not skipped) run failed for a table: fail,
-- naming it; the next good run: ok. No run yet: warn.
BEGIN;
\ir _helpers.psql
SELECT plan(5);
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'maintenance_last_run'
$$;
SELECT is(pg_temp.check(), 'warn', 'no run yet: warn');
CREATE TABLE public.revenues (id int, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month');
DROP TABLE public.revenues;   -- part.config still names it
CALL part.run_maintenance(p_commit => false);
SELECT is(pg_temp.check(), 'fail', 'a run that failed for a table: fail');
SELECT ok((SELECT detail FROM part.verify() WHERE check_name = 'maintenance_last_run') LIKE '%public.revenues%does not exist%',
          'the detail names the table and the error');
SELECT part.set_setting('enable_partition_maintenance', 'false');
CALL part.run_maintenance(p_commit => false);
SELECT is(pg_temp.check(), 'fail', 'a skipped run does not hide the failed one');
SELECT part.set_setting('enable_partition_maintenance', 'true');
DELETE FROM part.config WHERE parent_table = 'public.revenues';
CALL part.run_maintenance(p_commit => false);
SELECT is(pg_temp.check(), 'ok', 'the next good run: ok');
SELECT * FROM finish();
ROLLBACK;
