-- part.verify() reads why a maintenance step did not complete from maintenance_log.error_code (the
-- SQLSTATE), not from the text of a log row: a step given up for the run (55P03, lock not obtained)
-- makes maintenance_last_run and retention_last_run warn, whatever the run's summary says; a step
-- skipped for another reason (a retention waiting for a migration) does not.
BEGIN;
\ir _helpers.psql
SELECT plan(6);
CREATE FUNCTION pg_temp.check(p_name text) RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = p_name
$$;
INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail)
VALUES (101, NULL, 'run', 'ok', '2 tables: 0 partitions created');
SELECT is(pg_temp.check('maintenance_last_run'), 'ok', 'a run with nothing left undone: ok');
INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail, error_code)
VALUES (101, 'public.busy', 'create', 'skipped', 'lock wait: see pg_stat_activity', '55P03');
SELECT is(pg_temp.check('maintenance_last_run'), 'warn', 'a step given up (error_code 55P03): warn, whatever the texts say');
INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail)
VALUES (102, 'public.events', 'retire', 'skipped', 'migration in phase dual_write: retention waits for part.finalize'),
       (102, NULL, 'run', 'ok', '1 tables: 0 partitions created; given up: nothing');
SELECT is(pg_temp.check('maintenance_last_run'), 'ok', 'the next run: a step skipped for another reason is no give-up, nor are the words');
SELECT is(pg_temp.check('maintenance_last_run') IS NOT NULL AND (SELECT count(*) FROM part.verify() WHERE check_name = 'retention_last_run') = 0,
          true, 'no retention job: no retention_last_run row');
INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail, error_code)
VALUES (103, 'public.busy', 'retire', 'skipped', 'lock wait', '55P03');
INSERT INTO part.maintenance_log (run_id, action, outcome, detail) VALUES (103, 'retention', 'ok', '0 partitions retired');
SELECT is(pg_temp.check('retention_last_run'), 'warn', 'a retirement given up (55P03): the retention job warns');
INSERT INTO part.maintenance_log (run_id, action, outcome, detail) VALUES (104, 'retention', 'ok', '3 partitions retired');
SELECT is(pg_temp.check('retention_last_run'), 'ok', 'the next retention run: ok');
SELECT * FROM finish();
ROLLBACK;
