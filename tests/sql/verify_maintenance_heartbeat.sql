-- part.verify() check maintenance_heartbeat: judged from the heartbeat rows of part.maintenance_log
-- against the recorded schedule: no run yet or not scheduled: warn; no run for twice the period: fail.
BEGIN;
\ir _helpers.psql
SELECT plan(6);
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'maintenance_heartbeat'
$$;
SELECT is(pg_temp.check(), 'warn', 'not scheduled, never run: warn');
SELECT part.set_setting('maintenance_schedule', '0 2 * * *');
SELECT is(pg_temp.check(), 'warn', 'scheduled, no run yet: warn');
INSERT INTO part.maintenance_log (run_id, logged_at, action, outcome, detail)
VALUES (1, now() - interval '50 hours', 'run', 'ok', 'an old run');
SELECT is(pg_temp.check(), 'fail', 'a nightly schedule and no heartbeat for 50 hours: fail');
CALL part.run_maintenance(p_commit => false);
SELECT is(pg_temp.check(), 'ok', 'a run just now: ok');
SELECT part.set_setting('maintenance_schedule', '');
SELECT is(pg_temp.check(), 'warn', 'ran, but not scheduled: warn');
SELECT part.set_setting('maintenance_schedule', '0 2 * * *');
SELECT part.set_setting('enable_partition_maintenance', 'false');
SELECT is(pg_temp.check(), 'warn', 'disabled by the flag: warn');
SELECT * FROM finish();
ROLLBACK;
