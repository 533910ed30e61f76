-- The public functions pginstall calls instead of part's private helpers
-- (issue 11): part.check_schedule (the [schedule] defaults live there),
-- part.qualified_name (config names resolved as SQL resolves them),
-- part.list_settings (pginstall flags), part.prepare_uninstall (the step
-- before DROP EXTENSION: refuses unfinished migrations, or removes their sync).
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SET client_min_messages = error;
SELECT plan(16);

CREATE TABLE public."Odd Name" (id int PRIMARY KEY);
CREATE SCHEMA s1;
CREATE SCHEMA s2;
CREATE TABLE s1.dup (id int PRIMARY KEY);
CREATE TABLE s2.dup (id int PRIMARY KEY);
CREATE VIEW public.a_view AS SELECT 1 AS x;

-- check_schedule: NULL is the default, a value comes back as it will be used
SELECT is(ARRAY[part.check_schedule('maintenance'), part.check_schedule('retention'), part.check_schedule('purge_history'),
                part.check_schedule('history_days')],
          ARRAY['0 2 * * *', '', '30 3 * * *', '7'], 'check_schedule(key): the defaults of [schedule]');
SELECT is(part.check_schedule('history_days', ' 30 '), '30', 'history_days as it will be used');
SELECT is(pg_temp.error_of($$SELECT part.check_schedule('maintenance', '@reboot')$$), '22023 with hint', '@reboot: 22023');
SELECT is(pg_temp.error_of($$SELECT part.check_schedule('colour', NULL)$$), '22023 with hint', 'an unknown key: 22023');

-- qualified_name: as SQL resolves a name
SELECT is(part.qualified_name('Public.Revenues'), 'public.revenues', 'unquoted names fold to lower case');
SELECT is(part.qualified_name('"Odd Name"'), 'public."Odd Name"', 'a quoted name, unqualified, quoted back');
SELECT is(pg_temp.error_of($$SELECT part.qualified_name('dup')$$), '22023 with hint', 'an ambiguous name: 22023');
SELECT is(pg_temp.error_of($$SELECT part.qualified_name('public.nope')$$), '42P01 with hint', 'no such table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.qualified_name('public.a_view')$$), '42809 with hint', 'a view: 42809');
SELECT is(pg_temp.error_of($$SELECT part.qualified_name('a.b.c')$$), '22023 with hint', 'a three-part name: 22023');

-- list_settings: every key, with its value (the default when never set)
SELECT is((SELECT array_agg(key || '=' || coalesce(value, '') ORDER BY key) FROM part.list_settings()
            WHERE key IN ('enable_partition_maintenance', 'log_partition_routing', 'parity_max_age')),
          ARRAY['enable_partition_maintenance=true', 'log_partition_routing=false', 'parity_max_age=1 day'],
          'list_settings: values and defaults');
SELECT part.set_setting('log_partition_routing', 'true');
SELECT is((SELECT value FROM part.list_settings() WHERE key = 'log_partition_routing'), 'true', 'a value set shows');

-- prepare_uninstall: refused while public.revenues is in dual_write, nothing changed
CREATE TEMP TABLE before AS SELECT pg_temp.catalog_state() AS s;
SELECT is(pg_temp.error_of($$SELECT part.prepare_uninstall()$$), '55006 with hint', 'an unfinished migration: 55006');
SELECT is(pg_temp.catalog_state(), (SELECT s FROM before), 'the refusal changed nothing');
SELECT is((SELECT array_agg(table_name || ' ' || phase || ' ' || left_table || ' ' || left_what) FROM part.prepare_uninstall(p_force => true)),
          ARRAY['public.revenues dual_write public.revenues_partitioned the partitioned copy'],
          'forced: the migration and the table it leaves');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE 'part\_sync\_%'), 0, 'forced: no sync trigger is left');

SELECT * FROM finish();
ROLLBACK;
