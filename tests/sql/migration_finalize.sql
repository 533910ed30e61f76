-- part.finalize removes the sync and archives, keeps or drops the legacy table.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SET client_min_messages = error;
SELECT plan(13);
CREATE TABLE public.expenses (id serial PRIMARY KEY, k int NOT NULL);
CREATE TABLE public.balances (id int PRIMARY KEY, k int NOT NULL);
INSERT INTO public.expenses (k) SELECT g FROM generate_series(1, 20) g;
INSERT INTO public.balances SELECT g, g FROM generate_series(1, 20) g;
CREATE FUNCTION pg_temp.walk(p_table text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM part.migrate_start(p_table, 'k', 'range', '10', p_premake => 0);
    PERFORM part._backfill_batch(p_table, 1000);
    PERFORM part._backfill_batch(p_table, 1000);
    PERFORM part.check_parity(p_table);
    RETURN part.switch_reads(p_table);
END $$;
CALL part.backfill('public.revenues', p_commit => false);
SELECT part.switch_reads('public.revenues');
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.revenues', 'shred')$$), '22023 with hint', 'an unknown p_keep_legacy is refused');

SELECT is(part.finalize('public.revenues'), 'part_archive.revenues_legacy', 'archive (the default)');
SELECT ok(to_regclass('part_archive.revenues_legacy') IS NOT NULL AND to_regclass('public.revenues_legacy') IS NULL, 'moved into part_archive');
SELECT is((SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE 'part_sync_%'), 0, 'no sync trigger left on any table or partition');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE proname LIKE 'revenues_sync_to_%'), 0, 'the generated functions are gone');
SELECT is(part.phase('public.revenues'), 'finalized', 'finalized');
SELECT is(part.finalize('public.revenues'), 'part_archive.revenues_legacy', 'a second call does nothing');
INSERT INTO public.revenues (org_id, occurred_at) VALUES (1, '2025-01-05');
SELECT is((SELECT count(*)::int FROM part_archive.revenues_legacy), 300, 'writes are no longer mirrored');
SELECT is(pg_temp.error_of($$SELECT part.rollback('public.revenues')$$), '55000 with hint', 'no rollback after finalize');

SELECT is(pg_temp.walk('public.expenses'), 'partitioned', 'expenses switched');
SELECT is(part.finalize('public.expenses', 'drop'), 'public.expenses_legacy (dropped)', 'drop');
SELECT ok(to_regclass('public.expenses_legacy') IS NULL AND to_regclass('public.expenses_id_seq') IS NOT NULL,
          'the legacy table is dropped, the sequence the partitioned table uses is kept');
SELECT pg_temp.walk('public.balances');
SELECT is(part.finalize('public.balances', 'keep'), 'public.balances_legacy', 'keep');
SELECT * FROM finish();
ROLLBACK;
