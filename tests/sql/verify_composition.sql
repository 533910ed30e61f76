-- part.verify() is a composition of one function per check (part._verify_<check_name>):
-- each returns only its own check's rows, verify() returns exactly their union (managed
-- tables first, each table's rows together, then migrations, then the database), and a
-- monitoring role that may run verify() needs no right on the check functions.
BEGIN;
\ir _helpers.psql
SELECT plan(6);
CREATE TABLE public.revenues (id int, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_retention => '6 months');
CREATE TABLE public.accounts (id int, org_id int NOT NULL) PARTITION BY HASH (org_id);
SELECT part.create_partitioned('public.accounts', 'org_id', 'hash', p_partitions => 4);
CREATE TABLE public.events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
SELECT part.migrate_start('public.events', 'created_at', 'range', '1 month');

CREATE TEMP TABLE checks AS
SELECT p.proname::text AS fn, substr(p.proname, 9) AS check_name
  FROM pg_proc p WHERE p.pronamespace = 'part'::regnamespace AND p.proname LIKE '\_verify\_%'
   AND p.prorettype = 'record'::regtype AND p.pronargs = 0;

SELECT set_eq($$SELECT check_name FROM checks$$,
              $$VALUES ('partitions_ahead'), ('default_empty'), ('default_retention'), ('sync_triggers'),
                       ('column_drift'), ('parity_stale'), ('maintenance_heartbeat'), ('maintenance_last_run'),
                       ('retention_last_run'), ('standby'), ('index_build'), ('yield'), ('attach_prepare'),
                       ('attach_history')$$,
              'one function per check');

CREATE FUNCTION pg_temp.foreign_rows() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_c record;
    v_n bigint := 0;
    v_k bigint;
BEGIN
    FOR v_c IN SELECT * FROM checks LOOP
        EXECUTE format('SELECT count(*) FROM part.%I() WHERE check_name <> %L', v_c.fn, v_c.check_name) INTO v_k;
        v_n := v_n + v_k;
    END LOOP;
    RETURN v_n;
END
$$;
SELECT is(pg_temp.foreign_rows(), 0::bigint, 'each check function returns only its own check''s rows');

CREATE FUNCTION pg_temp.union_of_checks() RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE
    v_c record;
BEGIN
    FOR v_c IN SELECT * FROM checks LOOP
        RETURN QUERY EXECUTE format('SELECT concat_ws(''|'', check_name, table_name, status, detail) FROM part.%I()', v_c.fn);
    END LOOP;
END
$$;
SELECT bag_eq($$SELECT concat_ws('|', check_name, table_name, status, detail) FROM part.verify()$$,
              $$SELECT * FROM pg_temp.union_of_checks()$$,
              'verify() returns exactly the rows of the check functions');

SELECT is((SELECT array_agg(check_name || ':' || coalesce(table_name, '-')) FROM part.verify()),
          ARRAY['partitions_ahead:public.accounts',
                'partitions_ahead:public.events_partitioned', 'default_empty:public.events_partitioned',
                'partitions_ahead:public.revenues', 'default_empty:public.revenues', 'default_retention:public.revenues',
                'sync_triggers:public.events', 'column_drift:public.events', 'parity_stale:public.events',
                'maintenance_heartbeat:-', 'maintenance_last_run:-', 'yield:-', 'standby:-'],
          'the order: each managed table''s rows together, then each migration''s, then the database''s');

CREATE ROLE part_test_monitor IN ROLE pg_monitor;
SET LOCAL ROLE part_test_monitor;
SELECT is((SELECT count(*) FROM part.verify()), 13::bigint, 'pg_monitor runs verify() (the check functions run as its owner)');
SELECT is(pg_temp.error_of('SELECT * FROM part._verify_partitions_ahead()'), '42501 without hint',
          'but cannot call a check function itself');
RESET ROLE;
SELECT * FROM finish();
ROLLBACK;
