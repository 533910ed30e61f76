-- part.migrate_cancel abandons a migration before the switch: the sync goes, the copy is
-- dropped or kept as asked, the legacy table and its rows are untouched. migrate_start refuses
-- a range copy without a default partition (the application's writes would fail in dual_write).
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SET client_min_messages = error;
SELECT plan(22);
INSERT INTO public.revenues (org_id, occurred_at) VALUES (1, '2025-02-02');
SELECT count(*) AS rows_before, sum(amount) AS amount_before FROM public.revenues \gset

SELECT is(pg_temp.error_of($$SELECT part.rollback('public.revenues')$$), '55000 with hint', 'rollback in dual_write still refuses (its hint names migrate_cancel)');
SELECT is(pg_temp.error_of($$SELECT part.migrate_cancel('public.revenues', 'shred')$$), '22023 with hint', 'an unknown p_copy is refused');
SELECT is(pg_temp.error_of($$SELECT part.migrate_cancel('public.nope')$$), '42P01 with hint', 'a missing table: 42P01');

SELECT is(part.migrate_cancel('public.revenues'), 'public.revenues_partitioned (dropped)', 'cancelled in dual_write, the copy dropped');
SELECT ok(to_regclass('public.revenues_partitioned') IS NULL, 'the copy and its partitions are gone');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE 'part_sync_%'), 0, 'no sync trigger is left');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'revenues_sync_to_%'), 0, 'no generated function is left');
SELECT is(part.phase('public.revenues'), NULL, 'no migration');
SELECT is((SELECT count(*)::int FROM part.config), 0, 'the copy is no longer managed');
SELECT is((SELECT count(*)::int FROM part.parity_range) + (SELECT count(*)::int FROM part.parity_mark), 0, 'no parity state is left');
SELECT is((SELECT count(*) FROM public.revenues), :'rows_before'::bigint, 'the legacy table keeps every row');
INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (1, '2031-01-01', 5);
UPDATE public.revenues SET amount = amount + 1 WHERE id = 3;
DELETE FROM public.revenues WHERE id = 4;
SELECT is((SELECT sum(amount) FROM public.revenues), :'amount_before'::numeric + 5 + 1 - 4, 'the application writes the legacy table as before');
SELECT is(part.migrate_cancel('public.revenues'), NULL, 'a second cancel does nothing');

-- start again, then cancel from backfilled, keeping the copy
SELECT is(part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 0), 'public.revenues_partitioned', 'a cancelled migration can start again');
CALL part.backfill('public.revenues', p_commit => false);
SELECT is(part.phase('public.revenues'), 'backfilled', 'backfilled');
SELECT is(part.migrate_cancel('public.revenues', 'keep'), 'public.revenues_partitioned (kept)', 'cancelled in backfilled, the copy kept');
SELECT is((SELECT count(*) FROM public.revenues_partitioned), (SELECT count(*) FROM public.revenues), 'the kept copy holds what it held');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE 'part_sync_%'), 0, 'and is no longer synced');
DROP TABLE public.revenues_partitioned;

-- a switched migration is rolled back first
SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 0);
CALL part.backfill('public.revenues', p_commit => false);
SELECT part.switch_reads('public.revenues');
SELECT is(pg_temp.error_of($$SELECT part.migrate_cancel('public.revenues')$$), '55000 with hint', 'partitioned: refused (roll back first)');
SELECT part.rollback('public.revenues');
SELECT is(part.migrate_cancel('public.revenues'), 'public.revenues_partitioned (dropped)', 'after the rollback it cancels');

-- no default partition on a range copy: the application's writes outside its partitions would fail
CREATE TABLE public.expenses (id int PRIMARY KEY, k int NOT NULL);
SELECT pg_temp.catalog_state() AS before \gset
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.expenses', 'k', 'range', '10', p_default_partition => false)$$),
          '22023 with hint', 'migrate_start refuses p_default_partition => false for a range copy');
SELECT is(pg_temp.catalog_state(), :'before', 'and changes nothing');
SELECT * FROM finish();
ROLLBACK;
