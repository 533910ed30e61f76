-- Bad input to maintenance and flags (drop_old, run_maintenance, set_setting,
-- setting): NULLs, empty names, a view, unmanaged tables, bad retentions
-- (also when no range table is managed, where nothing would check them
-- against a key type), bad values. Each is one error with the SQLSTATE of
-- SPEC.md and a HINT, and nothing changes (catalog, settings, and no
-- maintenance_log row). run_maintenance COMMITs: it is called as pg_cron
-- calls it (p_commit defaults to true), so a refusal that came after its
-- first COMMIT would show as 2D000.
BEGIN;
\ir _helpers.psql
SELECT plan(27);

CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.catalog_state() || '/' || (SELECT count(*) FROM part.maintenance_log)::text
$$;

-- no range table managed yet: a bad retention for every table is still refused
CREATE TABLE public.by_org (id bigint NOT NULL, org_id int NOT NULL) PARTITION BY HASH (org_id);
SELECT count(*) FROM part.create_partitioned('public.by_org', 'org_id', 'hash', p_partitions => 4);
CREATE TEMP TABLE before AS SELECT pg_temp.state() AS state;
SELECT is(pg_temp.error_of($$SELECT part.drop_old('forever')$$), '22023 with hint', 'drop_old(''forever'') without a table: 22023');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('-1')$$), '22023 with hint', 'drop_old(''-1'') without a table: 22023');
SELECT is(pg_temp.state(), (SELECT state FROM before), 'no retention run was logged for them');
DROP TABLE before;

CREATE TABLE public.plain_table (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
CREATE VIEW public.a_view AS SELECT * FROM public.plain_table;
CREATE TABLE public.by_time (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE public.by_id (id bigint NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE public.unmanaged (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
SELECT count(*) FROM part.create_partitioned('public.by_time', 'created_at', 'range', '1 month', p_premake => 1);
SELECT count(*) FROM part.create_partitioned('public.by_id', 'id', 'range', '100', p_premake => 1);
CREATE TEMP TABLE before AS SELECT pg_temp.state() AS state;

-- drop_old
SELECT is(pg_temp.error_of($$SELECT part.drop_old('1 month', '')$$), '22023 with hint', 'drop_old of an empty name: 22023');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('1 month', 'public.a_view')$$), '42809 with hint', 'drop_old of a view: 42809');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('1 month', 'public.unmanaged')$$), '55000 with hint', 'drop_old of an unmanaged table: 55000');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('1 month', 'public.plain_table')$$), '55000 with hint', 'drop_old of an unpartitioned table: 55000');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('-1 month', 'public.by_time')$$), '22023 with hint', 'a negative retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('', 'public.by_time')$$), '22023 with hint', 'an empty retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('0', 'public.by_id')$$), '22023 with hint', 'a zero integer retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('1 month', 'public.by_id')$$), '22023 with hint', 'an interval as retention of an integer key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('1 month')$$), '22023 with hint', 'a retention without a table: refused (it applies to the table named only)');

-- run_maintenance, called as pg_cron calls it
SELECT is(pg_temp.error_of($$CALL part.run_maintenance('')$$), '22023 with hint', 'run_maintenance of an empty name: 22023');
SELECT is(pg_temp.error_of($$CALL part.run_maintenance('public.nope')$$), '42P01 with hint', 'run_maintenance of a missing table: 42P01, before any COMMIT');
SELECT is(pg_temp.error_of($$CALL part.run_maintenance('public.a_view')$$), '42809 with hint', 'run_maintenance of a view: 42809');
SELECT is(pg_temp.error_of($$CALL part.run_maintenance('public.unmanaged')$$), '55000 with hint', 'run_maintenance of an unmanaged table: 55000');
SELECT is(pg_temp.error_of($$CALL part.run_maintenance('public.plain_table')$$), '55000 with hint', 'run_maintenance of an unpartitioned table: 55000');
SELECT is(pg_temp.error_of($$CALL part.run_maintenance('public.by_time', NULL)$$), '22023 with hint', 'run_maintenance with p_commit NULL: 22023 (it ran without committing)');

-- set_setting, setting
SELECT is(pg_temp.error_of($$SELECT part.set_setting(NULL, 'true')$$), '22023 with hint', 'set_setting of a NULL key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('enable_partition_maintenance', '')$$), '22023 with hint', 'an empty boolean: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('parity_max_age', '-1 day')$$), '22023 with hint', 'a negative interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('parity_max_age', '0')$$), '22023 with hint', 'a zero interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('parity_max_age', NULL)$$), '22023 with hint', 'a NULL interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('retention_schedule', 'every day')$$), '22023 with hint', 'a schedule that is not cron: 22023');
SELECT is(pg_temp.error_of($$SELECT part.setting(NULL)$$), '22023 with hint', 'setting of a NULL key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.setting('')$$), '22023 with hint', 'setting of an empty key: 22023');

SELECT is(pg_temp.state(), (SELECT state FROM before), 'none of these changed anything or logged a run');
SELECT * FROM finish();
ROLLBACK;
