-- part.metrics(): the origin's JSON shape (partitionedTablesEnabled, tables[], timestamp) with one
-- entry per migration and per managed table, plus phase, default rows, boundaries, last maintenance.
BEGIN;
\ir _helpers.psql
SELECT plan(13);
CREATE TABLE public.events (id int, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
SELECT part.create_partitioned('public.events', 'created_at', 'range', '1 month', p_premake => 2);
INSERT INTO public.events SELECT g, now() FROM generate_series(1, 10) g;
INSERT INTO public.events VALUES (99, now() + interval '5 years');
-- a migration (set up by hand): legacy with 3 rows, partitioned copy with 2, sync triggers on the legacy
CREATE TABLE public.revenues (id int PRIMARY KEY, occurred_at timestamptz NOT NULL);
CREATE TABLE public.revenues_part (id int, occurred_at timestamptz NOT NULL, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues_part', 'occurred_at', 'range', '1 month');
INSERT INTO public.revenues SELECT g, now() FROM generate_series(1, 3) g;
INSERT INTO public.revenues_part SELECT g, now() FROM generate_series(1, 2) g;
INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, phase, parity_checked_at, parity_clean)
VALUES ('public.revenues', 'public.revenues', 'public.revenues_part', 'range', 'occurred_at', 'dual_write', now(), false);
CREATE FUNCTION public.revenues_sync_to_partitioned() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER part_sync_insert AFTER INSERT ON public.revenues FOR EACH STATEMENT EXECUTE FUNCTION public.revenues_sync_to_partitioned();
CREATE TRIGGER part_sync_delete AFTER DELETE ON public.revenues FOR EACH STATEMENT EXECUTE FUNCTION public.revenues_sync_to_partitioned();
ALTER TABLE public.revenues ENABLE ALWAYS TRIGGER part_sync_insert, ENABLE ALWAYS TRIGGER part_sync_delete;

SELECT part.metrics(true) AS m \gset
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(:'m'::jsonb) k),
          ARRAY['exact', 'maintenance', 'partitionedTablesEnabled', 'tables', 'timestamp'], 'top-level keys');
SELECT ok((:'m'::jsonb ->> 'timestamp') ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$', 'timestamp as the origin wrote it (UTC, ms, Z)');
SELECT is((:'m'::jsonb -> 'partitionedTablesEnabled')::text, 'false', 'a migration in dual_write: partitioned tables not enabled');
SELECT is(jsonb_array_length(:'m'::jsonb -> 'tables'), 2, 'one entry per migration and per other managed table');

SELECT (:'m'::jsonb -> 'tables') -> 0 AS r \gset
SELECT is(:'r'::jsonb ->> 'name', 'revenues', 'the migration entry first, named after the application''s table');
SELECT is((:'r'::jsonb ->> 'legacyCount')::int, 3, 'legacyCount');
SELECT is((:'r'::jsonb ->> 'partitionedCount')::int, 2, 'partitionedCount');
SELECT is((:'r'::jsonb ->> 'rowCountDelta')::int, -1, 'rowCountDelta = partitioned - legacy');
SELECT is(:'r'::jsonb -> 'triggers', '["INSERT", "DELETE"]'::jsonb, 'triggers: the events the sync mirrors');
SELECT is(:'r'::jsonb ->> 'phase', 'dual_write', 'phase');

SELECT (:'m'::jsonb -> 'tables') -> 1 AS e \gset
SELECT is(ARRAY[:'e'::jsonb ->> 'name', :'e'::jsonb ->> 'schema', :'e'::jsonb ->> 'partitionCount', :'e'::jsonb ->> 'defaultPartitionRows'],
          ARRAY['events', 'public', '3', '1'], 'a managed table: name, schema, partitions, rows waiting in the default');
SELECT is(:'e'::jsonb ->> 'nextBoundary',
          to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month', 'YYYY-MM-DD HH24:MI:SS') || '+00',
          'nextBoundary: where the partition holding now ends (UTC)');
CALL part.run_maintenance(p_commit => false);
SELECT is(part.metrics() #>> '{tables,1,lastMaintenance,action}', 'drain', 'lastMaintenance: the table''s last logged action');
SELECT * FROM finish();
ROLLBACK;
