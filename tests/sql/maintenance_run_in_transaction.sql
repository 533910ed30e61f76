-- CALL part.run_maintenance(p_commit => false) does the work of a run without COMMIT (so it can
-- run in this transaction): creates ahead, drains defaults, retires old partitions, logs each
-- action and a heartbeat; a broken table is logged as failed and does not stop the others; the
-- flag makes a run a logged no-op. (The committing run, concurrency and locks: tests/py.)
BEGIN;
\ir _helpers.psql
SELECT plan(17);

CREATE TABLE public.revenues (id int, occurred_at timestamptz NOT NULL, PRIMARY KEY (id, occurred_at)) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.revenues', 'occurred_at', 'range', '1 month', p_retention => '3 months', p_retention_mode => 'drop');
SELECT part._ensure_range_partitions('public.revenues'::regclass, (now() - interval '6 months')::text, now()::text);
CREATE TABLE public.broken (id int, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at);
SELECT part.create_partitioned('public.broken', 'occurred_at', 'range', '1 month');
CREATE TABLE public.zzz (id int, at date NOT NULL) PARTITION BY RANGE (at);
SELECT part.create_partitioned('public.zzz', 'at', 'range', '1 week', p_premake => 2);

-- what maintenance has to fix: a missing partition ahead, a row in a default, old partitions;
-- and a table it cannot fix (a plain table holds the name of the partition it needs)
SELECT format('DROP TABLE public.revenues_%s', pg_temp.month_suffix(2)) \gexec
INSERT INTO public.revenues VALUES (1, now() + interval '1 year');
SELECT format('DROP TABLE public.broken_%s', pg_temp.month_suffix(1)) \gexec
SELECT format('CREATE TABLE public.broken_%s (x int)', pg_temp.month_suffix(1)) \gexec

CALL part.run_maintenance(p_commit => false);
SELECT ok(to_regclass('public.revenues_' || pg_temp.month_suffix(2)) IS NOT NULL, 'the missing partition ahead is created');
SELECT ok(to_regclass('public.revenues_' || pg_temp.month_suffix(12)) IS NOT NULL, 'the row in the default got its partition');
SELECT is((SELECT count(*)::int FROM ONLY public.revenues_default), 0, 'the default is empty');
SELECT is((SELECT count(*)::int FROM generate_series(-6, -4) s WHERE to_regclass('public.revenues_' || pg_temp.month_suffix(s::int)) IS NULL), 3,
          'partitions older than the retention are dropped');
SELECT results_eq(
    $$SELECT action, outcome, count(*)::int FROM part.maintenance_log WHERE parent_table = 'public.revenues' GROUP BY 1, 2 ORDER BY 1, 2$$,
    $$VALUES ('create', 'ok', 1), ('drain', 'ok', 1), ('drop', 'ok', 3)$$,
    'each action is logged');
SELECT ok(EXISTS (SELECT 1 FROM part.maintenance_log WHERE parent_table = 'public.broken' AND outcome = 'failed' AND detail LIKE '42P07%'),
          'the broken table is logged as failed, with the error');
SELECT is_empty($$SELECT 1 FROM part.maintenance_log WHERE parent_table = 'public.zzz'$$, 'a table with nothing to do writes nothing');
SELECT results_eq($$SELECT outcome, detail LIKE '%failed: public.broken%' FROM part.maintenance_log WHERE action = 'run'$$,
                  $$VALUES ('failed', true)$$, 'one heartbeat for the run, failed, naming the broken table');
SELECT is((SELECT count(DISTINCT run_id)::int FROM part.maintenance_log), 1, 'every row of the run carries its run id');
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'maintenance_last_run'), 'fail', 'verify: the last run failed');

-- fixed: the next run is ok
SELECT format('DROP TABLE public.broken_%s', pg_temp.month_suffix(1)) \gexec
CALL part.run_maintenance(p_commit => false);
SELECT ok(to_regclass('public.broken_' || pg_temp.month_suffix(1)) IS NOT NULL, 'once fixed, the next run creates its partition');
SELECT is((SELECT outcome FROM part.maintenance_log WHERE action = 'run' ORDER BY id DESC LIMIT 1), 'ok', 'and the heartbeat is ok');
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'maintenance_last_run'), 'ok', 'verify: the last run is ok');

-- nothing to do: only the heartbeat
SELECT max(id) AS last_id FROM part.maintenance_log \gset
CALL part.run_maintenance(p_commit => false);
SELECT results_eq($$SELECT action, outcome FROM part.maintenance_log WHERE id > $$ || :last_id,
                  $$VALUES ('run', 'ok')$$, 'a run with nothing to do logs only its heartbeat');

-- the flag: a logged no-op
SELECT part.set_setting('enable_partition_maintenance', 'false');
SELECT format('DROP TABLE public.revenues_%s', pg_temp.month_suffix(3)) \gexec
CALL part.run_maintenance(p_commit => false);
SELECT ok(to_regclass('public.revenues_' || pg_temp.month_suffix(3)) IS NULL, 'disabled: nothing is created');
SELECT results_eq($$SELECT outcome, detail FROM part.maintenance_log WHERE action = 'run' ORDER BY id DESC LIMIT 1$$,
                  $$VALUES ('skipped', 'enable_partition_maintenance is false: nothing done')$$, 'disabled: the run is logged as skipped');

SELECT is(pg_temp.error_of($$CALL part.run_maintenance('public.nope', false)$$), '42P01 with hint', 'an unknown table: 42P01');

SELECT * FROM finish();
ROLLBACK;
