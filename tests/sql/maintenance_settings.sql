-- Flags in part.settings: part.setting reads them (defaults included, use_partitioned_tables
-- derived from the migrations), part.set_setting refuses unknown and read-only keys and bad values.
BEGIN;
\ir _helpers.psql
SELECT plan(17);

SELECT is(part.setting('enable_partition_maintenance'), 'true', 'maintenance is enabled by default');
SELECT is(part.setting('log_partition_routing'), 'false', 'routing notices are off by default');
SELECT is(part.setting('maintenance_schedule'), '', 'nothing is scheduled until pginstall apply registers a job');
SELECT is(part.set_setting('enable_partition_maintenance', 'OFF'), 'false', 'booleans are stored as true/false');
SELECT is(part.setting('enable_partition_maintenance'), 'false', 'the flag reads back');
SELECT is(part.set_setting('maintenance_schedule', '0 2 * * *'), '0 2 * * *', 'a cron schedule is accepted');
SELECT pg_temp.catalog_state() AS before \gset

SELECT is(pg_temp.error_of($$SELECT part.set_setting('no_such_flag', 'true')$$), '22023 with hint', 'unknown key: 22023 with a hint');
SELECT is(pg_temp.error_of($$SELECT part.setting('no_such_flag')$$), '22023 with hint', 'reading an unknown key: 22023 with a hint');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('version', '9.9.9')$$), '22023 with hint', 'version is read-only');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('use_partitioned_tables', 'true')$$), '22023 with hint',
          'use_partitioned_tables is read-only (derived)');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('log_partition_routing', 'maybe')$$), '22023 with hint', 'a bad boolean is refused');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('maintenance_schedule', '0 25 * * *')$$), '22023 with hint', 'a bad cron schedule is refused');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('parity_max_age', 'soon')$$), '22023 with hint', 'a bad interval is refused');
SELECT is(pg_temp.error_of($$SELECT part.set_setting('log_partition_routing', NULL)$$), '22023 with hint', 'NULL is refused');
SELECT is(pg_temp.catalog_state(), :'before', 'the refused writes changed nothing');

-- use_partitioned_tables: true when every migration is partitioned or finalized
CREATE TABLE public.legacy_a (id int PRIMARY KEY, at timestamptz NOT NULL);
CREATE TABLE public.legacy_a_part (id int, at timestamptz NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
INSERT INTO part.migration (table_name, legacy_table, partitioned_table, strategy, key_column, phase)
VALUES ('public.legacy_a', 'public.legacy_a', 'public.legacy_a_part', 'range', 'at', 'dual_write');
SELECT is(part.setting('use_partitioned_tables'), 'false', 'a migration in dual_write: use_partitioned_tables is false');
UPDATE part.migration SET phase = 'partitioned';
SELECT is(part.setting('use_partitioned_tables'), 'true', 'every migration partitioned: true');

SELECT * FROM finish();
ROLLBACK;
