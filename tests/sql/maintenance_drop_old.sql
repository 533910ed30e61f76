-- part.drop_old retires range partitions wholly older than the retention, by retention mode
-- (detach, archive into part_archive, drop), never one holding newer rows; bad input refused.
BEGIN;
\ir _helpers.psql
SELECT plan(22);

CREATE FUNCTION pg_temp.make_table(p_name text, p_mode text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE public.%I (id int, occurred_at timestamptz NOT NULL, PRIMARY KEY (id, occurred_at))
                    PARTITION BY RANGE (occurred_at)', p_name);
    PERFORM part.create_partitioned('public.' || p_name, 'occurred_at', 'range', '1 month',
                                    p_retention => '3 months', p_retention_mode => p_mode);
    PERFORM part._ensure_range_partitions(('public.' || p_name)::regclass, (now() - interval '8 months')::text, now()::text);
    EXECUTE format('INSERT INTO public.%I SELECT g, now() - g * interval ''1 day'' FROM generate_series(0, 230) g', p_name);
END
$$;
SELECT pg_temp.make_table('revenues', 'detach');
SELECT pg_temp.make_table('expenses', 'archive');
SELECT pg_temp.make_table('costs', 'drop');
SELECT count(*) AS newer FROM public.revenues WHERE occurred_at >= now() - interval '3 months' \gset

-- detach
SELECT set_eq($$SELECT partition_name FROM part.drop_old(NULL, 'public.revenues')$$,
              $$SELECT 'public.revenues_' || pg_temp.month_suffix(s) FROM generate_series(-8, -4) s$$,
              'the five months wholly older than 3 months are retired, and only those');
SELECT is((SELECT count(*)::int FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE c.relname = ANY (ARRAY(SELECT 'revenues_' || pg_temp.month_suffix(s) FROM generate_series(-8, -4) s))), 0,
          'detach: they are no longer partitions');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relname = ANY (ARRAY(SELECT 'revenues_' || pg_temp.month_suffix(s) FROM generate_series(-8, -4) s))), 5,
          'detach: the tables are kept where they were');
SELECT ok(EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = ('public.revenues_' || pg_temp.month_suffix(-3))::regclass),
          'the partition holding the cutoff (rows newer than the retention) stays attached');
SELECT is((SELECT count(*) FROM public.revenues WHERE occurred_at >= now() - interval '3 months'), :'newer'::bigint,
          'every row newer than the retention is still there');
SELECT is_empty($$SELECT part.drop_old(NULL, 'public.revenues')$$, 'a second call retires nothing');
SELECT is((SELECT count(*)::int FROM part.maintenance_log WHERE parent_table = 'public.revenues' AND action = 'detach' AND outcome = 'ok'), 5,
          'each retired partition is logged');

-- archive
SELECT is((SELECT count(*)::int FROM part.drop_old(NULL, 'public.expenses')), 5, 'archive: five partitions retired');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'part_archive' AND c.relkind = 'r'), 5, 'archive: they now live in schema part_archive');
SELECT is((SELECT count(*)::int FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
            AND d.objid = 'part_archive'::regnamespace AND d.deptype = 'e'), 0,
          'part_archive is not an extension member (uninstalling part keeps archived data)');
SELECT ok(obj_description(('part_archive.expenses_' || pg_temp.month_suffix(-8))::regclass, 'pg_class') LIKE '%public.expenses%',
          'an archived table says where it came from');
-- the same partition name from another table of another schema does not collide
CREATE SCHEMA other;
CREATE TABLE other.expenses (id int, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('other.expenses', 'occurred_at', 'range', '1 month', p_retention => '3 months', p_retention_mode => 'archive');
SELECT part._ensure_range_partitions('other.expenses'::regclass, (now() - interval '5 months')::text, now()::text);
SELECT is((SELECT count(*)::int FROM part.drop_old(NULL, 'other.expenses')), 2, 'archive: partitions whose names are taken in part_archive');
SELECT is((SELECT count(*)::int FROM generate_series(-5, -4) s
            WHERE to_regclass('part_archive.' || quote_ident('expenses_' || pg_temp.month_suffix(s::int) || '_other')) IS NOT NULL), 2,
          'are archived under names that say their schema');

-- drop
SELECT is((SELECT count(*)::int FROM part.drop_old(NULL, 'public.costs')), 5, 'drop: five partitions retired');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relname = ANY (ARRAY(SELECT 'costs_' || pg_temp.month_suffix(s) FROM generate_series(-8, -4) s))), 0,
          'drop: the tables are gone');

-- an explicit retention overrides the table's
SELECT set_eq($$SELECT partition_name FROM part.drop_old('1 month', 'public.revenues')$$,
              $$SELECT 'public.revenues_' || pg_temp.month_suffix(s) FROM generate_series(-3, -2) s$$,
              'p_retention overrides the configured retention');

-- a table in an unfinished migration is left alone
CREATE TABLE public.events_legacy (id int PRIMARY KEY, created_at timestamptz NOT NULL);
SELECT pg_temp.make_table('events', 'drop');
INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, phase)
VALUES ('public.events_legacy', 'public.events_legacy', 'public.events', 'range', 'occurred_at', 'dual_write');
SELECT is_empty($$SELECT part.drop_old(NULL, 'public.events')$$, 'a table under migration keeps its partitions');
SELECT ok(EXISTS (SELECT 1 FROM part.maintenance_log WHERE parent_table = 'public.events' AND outcome = 'skipped'
                   AND detail LIKE '%migration%'), 'and the log says why');

-- bad input
CREATE TABLE public.h (org_id int) PARTITION BY HASH (org_id);
SELECT part.create_partitioned('public.h', 'org_id', 'hash', p_partitions => 2);
SELECT pg_temp.catalog_state() AS before \gset
SELECT is(pg_temp.error_of($$SELECT part.drop_old('1 month', 'public.h')$$), '42809 with hint', 'a hash table: 42809');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('soon', 'public.revenues')$$), '22023 with hint', 'a bad retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.drop_old('1 month', 'public.nope')$$), '42P01 with hint', 'a missing table: 42P01');
SELECT is(pg_temp.catalog_state(), :'before', 'refused calls change nothing');

SELECT * FROM finish();
ROLLBACK;
