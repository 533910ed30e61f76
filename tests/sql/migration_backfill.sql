-- CALL part.backfill copies the legacy rows in batches by primary key,
-- records its progress, resumes where it stopped, never resurrects a row
-- deleted meanwhile, never overwrites a newer version with an older one,
-- and a clean parity check then moves the migration to backfilled.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(14);

SELECT is(pg_temp.error_of($$CALL part.backfill('public.revenues', 0, p_commit => false)$$), '22023 with hint', 'batch size 0 refused');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.revenues', 10, '-1 second', p_commit => false)$$), '22023 with hint', 'negative sleep refused');

-- before the backfill reaches them: one row updated (the sync upserts the new version), one deleted
UPDATE public.revenues SET amount = 12345 WHERE id = 250;
DELETE FROM public.revenues WHERE id = 260;

CALL part.backfill('public.revenues', 100, p_max_batches => 2, p_commit => false);
SELECT is((SELECT backfill_rows FROM part.migration), 200::bigint, 'two batches of 100 rows');
SELECT is((SELECT backfill_last_key FROM part.migration), '200', 'the last key copied is recorded');
SELECT is((SELECT backfill_batches FROM part.migration), 2::bigint, 'batches counted');
SELECT is((SELECT backfill_high_key FROM part.migration), '300', 'it copies up to the largest key present when it started');
SELECT is((SELECT backfill_percent FROM part.migrations), round(100.0 * 200 / 299, 1), 'progress in part.migrations (of 299 rows)');
SELECT ok((SELECT backfill_finished_at IS NULL AND phase = 'dual_write' FROM part.migration), 'not finished yet');

-- rows written after the start go through the sync; the backfill stops at the high key
INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (1, '2025-02-02', 1);
CALL part.backfill('public.revenues', 100, p_commit => false);
SELECT is((SELECT backfill_rows FROM part.migration), 298::bigint, 'resumed: the rest, less the row the sync already had and the deleted one');
SELECT is((SELECT amount FROM public.revenues_partitioned WHERE id = 250), 12345.00, 'the newer version was not overwritten');
SELECT ok(NOT EXISTS (SELECT 1 FROM public.revenues_partitioned WHERE id = 260), 'the deleted row was not resurrected');
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'both tables hold the same rows');
SELECT is(part.phase('public.revenues'), 'backfilled', 'the parity check after the last batch moved it to backfilled');
CALL part.backfill('public.revenues', p_commit => false);
SELECT is((SELECT backfill_rows FROM part.migration), 298::bigint, 'backfilled already: a second call does nothing');
SELECT * FROM finish();
ROLLBACK;
