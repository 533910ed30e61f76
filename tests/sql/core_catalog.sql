-- The catalog and API of the partition core exist with the names of SPEC.md.
BEGIN;
\ir _helpers.psql
SELECT plan(14);

SELECT has_schema('part', 'schema part exists');
SELECT has_table('part', 'config', 'part.config exists');
SELECT has_table('part', 'settings', 'part.settings exists');
SELECT has_table('part', 'migration', 'part.migration exists');
SELECT has_table('part', 'maintenance_log', 'part.maintenance_log exists');
SELECT has_view('part', 'partitions', 'view part.partitions exists');
SELECT columns_are('part', 'partitions',
    ARRAY['parent_table', 'partition_name', 'strategy', 'bound_from', 'bound_to', 'is_default', 'estimated_rows', 'total_bytes',
          'from_time', 'to_time', 'from_int', 'to_int', 'modulus', 'remainder', 'time_zone', 'local_from', 'local_to'],
    'part.partitions has the columns of SPEC.md, the bounds typed, and on the clocks of the table''s zone');
SELECT has_function('part', 'create_partitioned',
    ARRAY['text', 'text', 'text', 'text', 'integer', 'integer', 'text', 'text', 'boolean', 'text', 'integer', 'text'], 'create_partitioned exists (p_time_zone last)');
SELECT function_returns('part', 'create_ahead', ARRAY['integer', 'text'], 'setof text', 'create_ahead returns setof text');
SELECT has_function('part', 'split_hash', ARRAY['text', 'integer'], 'split_hash exists');
SELECT is((SELECT value FROM part.settings WHERE key = 'version'),
          (SELECT extversion FROM pg_extension WHERE extname = 'part'), 'settings.version is the installed version');
SELECT is((SELECT value FROM part.settings WHERE key = 'enable_partition_maintenance'), 'true', 'maintenance enabled by default');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = 'part' AND p.prokind = 'f'
              AND NOT coalesce(p.proconfig::text[] @> ARRAY['search_path=pg_catalog, pg_temp'], false)),
          0, 'every function of part pins search_path');
SELECT ok((SELECT extconfig FROM pg_extension WHERE extname = 'part')
           @> ARRAY['part.config'::regclass::oid, 'part.settings'::regclass::oid, 'part.migration'::regclass::oid,
                    'part.maintenance_log'::regclass::oid],
          'the catalogs are registered with pg_extension_config_dump');

SELECT * FROM finish();
ROLLBACK;
