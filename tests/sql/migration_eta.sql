-- part.migrations shows a backfill's ETA only while it runs: one interrupted (its
-- last batch long ago) shows none, instead of an ETA that grows stale.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(4);
ANALYZE public.revenues;

CALL part.backfill('public.revenues', 100, p_max_batches => 1, p_commit => false);
-- (inside this test's one transaction now() does not move: started 10 seconds ago, for a rate)
UPDATE part.migration SET backfill_started_at = backfill_started_at - interval '10 seconds';
SELECT isnt((SELECT backfill_batch_at FROM part.migration), NULL, 'the time of the last batch is recorded');
SELECT isnt((SELECT backfill_eta FROM part.migrations), NULL, 'a backfill that just copied a batch has an ETA');
-- the same backfill, stopped three minutes ago (Ctrl-C, a crash) after a batch of 10 seconds
UPDATE part.migration SET backfill_started_at = backfill_batch_at - interval '3 minutes 10 seconds',
                          backfill_batch_at = backfill_batch_at - interval '3 minutes';
SELECT is((SELECT backfill_eta FROM part.migrations), NULL, 'stopped three minutes ago: no ETA');
CALL part.backfill('public.revenues', 100, p_max_batches => 1, p_commit => false);
SELECT isnt((SELECT backfill_eta FROM part.migrations), NULL, 'resumed: an ETA again');

SELECT * FROM finish();
ROLLBACK;
