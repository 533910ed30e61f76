-- part.finalize refuses while the last parity check found differences (the legacy table is the
-- proof that nothing was lost), unless p_force => true; nothing changes when it refuses.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SET client_min_messages = error;
SELECT plan(9);
CALL part.backfill('public.revenues', p_commit => false);
SELECT is(part.switch_reads('public.revenues'), 'partitioned', 'switched');

-- a difference the sync never saw: a legacy row changed behind its back
ALTER TABLE public.revenues_legacy DISABLE TRIGGER part_sync_guard;
UPDATE public.revenues_legacy SET amount = amount + 1 WHERE id = 7;
ALTER TABLE public.revenues_legacy ENABLE ALWAYS TRIGGER part_sync_guard;
SELECT is((SELECT count(*)::int FROM part.check_parity('public.revenues', p_full => true) WHERE status <> 'ok'), 1, 'a full check finds the range that differs');

SELECT pg_temp.catalog_state() AS before \gset
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.revenues')$$), '55000 with hint', 'finalize refuses after a parity check that found differences');
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.revenues', 'drop')$$), '55000 with hint', 'also with drop');
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.revenues', p_force => NULL)$$), '22023 with hint', 'a NULL p_force is refused');
SELECT is(pg_temp.catalog_state(), :'before', 'nothing changed');
SELECT is(part.phase('public.revenues'), 'partitioned', 'still partitioned, the sync in place');

SELECT is(part.finalize('public.revenues', 'keep', p_force => true), 'public.revenues_legacy', 'p_force finalizes anyway');
SELECT is(part.phase('public.revenues'), 'finalized', 'finalized');
SELECT * FROM finish();
ROLLBACK;
