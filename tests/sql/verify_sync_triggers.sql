-- part.verify() check sync_triggers (part._sync_problems): part's own triggers, by identity (names
-- and the generated functions they call), enabled ALWAYS (they fire in replica role too), on the
-- table the application writes, the guard on the other one, and on every partition.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(12);
CREATE FUNCTION pg_temp.check() RETURNS text LANGUAGE sql AS $$
    SELECT status FROM part.verify() WHERE check_name = 'sync_triggers' AND table_name = 'public.revenues'
$$;
CREATE FUNCTION pg_temp.detail() RETURNS text LANGUAGE sql AS $$
    SELECT detail FROM part.verify() WHERE check_name = 'sync_triggers' AND table_name = 'public.revenues'
$$;
SELECT is(pg_temp.check(), 'ok', 'as migrate_start made it: ok');

ALTER TABLE public.revenues DISABLE TRIGGER part_sync_delete;
SELECT is(pg_temp.check(), 'fail', 'a disabled sync trigger: fail');
SELECT ok(pg_temp.detail() LIKE '%part_sync_delete%migrate_refresh%', 'the detail names it and what to run');
ALTER TABLE public.revenues ENABLE TRIGGER part_sync_delete;
SELECT is(pg_temp.check(), 'fail', 'enabled for the origin role only (not in replica role): still fail');
ALTER TABLE public.revenues ENABLE ALWAYS TRIGGER part_sync_delete;
SELECT is(pg_temp.check(), 'ok', 'enabled ALWAYS: ok');

-- a trigger with part's name but the user's function does not count, nor one whose name contains "sync"
CREATE FUNCTION public.nop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
DROP TRIGGER part_sync_truncate ON public.revenues;
CREATE TRIGGER part_sync_truncate AFTER TRUNCATE ON public.revenues FOR EACH STATEMENT EXECUTE FUNCTION public.nop();
ALTER TABLE public.revenues ENABLE ALWAYS TRIGGER part_sync_truncate;
CREATE TRIGGER my_sync_audit AFTER TRUNCATE ON public.revenues FOR EACH STATEMENT EXECUTE FUNCTION public.nop();
SELECT is(pg_temp.check(), 'fail', 'part_sync_truncate calling another function: fail');
SELECT part.migrate_refresh('public.revenues');
SELECT is(pg_temp.check(), 'ok', 'migrate_refresh restores it');

ALTER TABLE public.revenues_partitioned DISABLE TRIGGER part_sync_guard;
SELECT is(pg_temp.check(), 'fail', 'the guard of the copy disabled: fail');
SELECT ok(pg_temp.detail() LIKE '%guard%', 'the detail says so');
SELECT part.migrate_refresh('public.revenues');

DROP TRIGGER part_sync_insert ON public.revenues_2025_01;
SELECT is(pg_temp.check(), 'fail', 'a partition without its triggers: fail');
SELECT ok(pg_temp.detail() LIKE '%revenues_2025_01%', 'the detail names the partition');
SELECT part.migrate_refresh('public.revenues');
SELECT is(pg_temp.check(), 'ok', 'and refreshed: ok');
SELECT * FROM finish();
ROLLBACK;
