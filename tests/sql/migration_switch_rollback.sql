-- part.switch_reads swaps the names in one transaction (the copy takes the
-- application's name, the primary-key constraint follows, part.config
-- follows) and reverses the sync; part.rollback swaps back and loses
-- nothing written meanwhile; moving to the current phase does nothing;
-- the wrong phase is refused with 55000 and a HINT.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(23);

SELECT is(pg_temp.error_of($$SELECT part.switch_reads('public.revenues')$$), '55000 with hint', 'dual_write: no switch before the backfill');
SELECT is(pg_temp.error_of($$SELECT part.rollback('public.revenues')$$), '55000 with hint', 'dual_write: nothing to roll back');
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.revenues')$$), '55000 with hint', 'dual_write: no finalize');
CALL part.backfill('public.revenues', p_commit => false);
SELECT is(part.phase('public.revenues'), 'backfilled', 'backfilled');
SELECT is(part.rollback('public.revenues'), 'backfilled', 'rollback when backfilled does nothing');

UPDATE public.revenues SET amount = 1 WHERE id = 1;           -- marked since the last check: re-checked by the switch
SELECT is(part.switch_reads('public.revenues'), 'partitioned', 'switch');
SELECT is(part.phase('public.revenues'), 'partitioned', 'phase partitioned');
SELECT is_partitioned('public', 'revenues', 'the application''s name is the partitioned table now');
SELECT ok(to_regclass('public.revenues_legacy') IS NOT NULL AND to_regclass('public.revenues_partitioned') IS NULL, 'the legacy table is revenues_legacy');
SELECT is((SELECT conname::text FROM pg_constraint WHERE conrelid = 'public.revenues'::regclass AND contype = 'p'), 'revenues_pkey',
          'the primary-key constraint follows the name');
SELECT is((SELECT conname::text FROM pg_constraint WHERE conrelid = 'public.revenues_legacy'::regclass AND contype = 'p'), 'revenues_legacy_pkey',
          'also on the legacy table');
SELECT is((SELECT parent_table FROM part.config), 'public.revenues', 'part.config follows the name');
SELECT is((SELECT legacy_table || ' ' || partitioned_table FROM part.migration), 'public.revenues_legacy public.revenues', 'part.migration too');
SELECT is(part.switch_reads('public.revenues'), 'partitioned', 'a second switch does nothing');

-- writes through the application's name now land in the partitioned table and are mirrored back
INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (4, '2025-02-14', 77);
UPDATE public.revenues SET occurred_at = occurred_at + interval '1 month' WHERE id BETWEEN 20 AND 29;
DELETE FROM public.revenues WHERE id BETWEEN 30 AND 35;
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_legacy'), 0::bigint, 'the sync runs the other way');
SELECT is(pg_temp.error_of($$DELETE FROM public.revenues_legacy WHERE id = 1$$), '55000 with hint',
          'a direct write to the legacy table is refused now (it would not be mirrored)');
CREATE TEMP TABLE written AS SELECT * FROM public.revenues;

SELECT is(part.rollback('public.revenues'), 'backfilled', 'rollback');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'public.revenues'::regclass), 'the legacy table has its name back');
SELECT is(pg_temp.mismatch('public.revenues', 'pg_temp.written'), 0::bigint, 'nothing written while partitioned is lost');
SELECT is((SELECT parent_table FROM part.config), 'public.revenues_partitioned', 'part.config back');
SELECT is((SELECT conname::text FROM pg_constraint WHERE conrelid = 'public.revenues'::regclass AND contype = 'p'), 'revenues_pkey',
          'primary-key names back');
INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (4, '2025-02-15', 78);
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'the sync runs forward again');
SELECT is(part.switch_reads('public.revenues'), 'partitioned', 'and the table can switch again');
SELECT * FROM finish();
ROLLBACK;
