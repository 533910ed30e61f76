-- CALL part.migrate_to inside a transaction (p_commit => false): the walk to each phase, one step
-- back, a rerun that does nothing, refusals with a HINT. (Its commits, progress NOTICEs and psql
-- use: tests/py/test_migrate_to.py.)
BEGIN;
\ir _helpers.psql
SELECT plan(14);
CREATE TABLE public.revenues (id bigserial PRIMARY KEY, occurred_at timestamptz NOT NULL, amount int);
INSERT INTO public.revenues (occurred_at, amount)
SELECT timestamptz '2025-01-01' + g * interval '5 hours', g FROM generate_series(1, 1000) g;
SELECT part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month');

SELECT is(pg_temp.error_of($$CALL part.migrate_to('public.revenues', 'switched', p_commit => false)$$),
          '22023 with hint', 'a phase that does not exist: 22023 with a HINT');
SELECT is(pg_temp.error_of($$CALL part.migrate_to('public.revenues', 'rollback', p_commit => false)$$),
          '55000 with hint', 'rollback from dual_write: 55000 with a HINT');
SELECT is(pg_temp.error_of($$CALL part.migrate_to('public.nosuch', 'partitioned', p_commit => false)$$),
          '42P01 with hint', 'a table that does not exist: 42P01 with a HINT');
CREATE TABLE public.other (id int PRIMARY KEY);
SELECT is(pg_temp.error_of($$CALL part.migrate_to('public.other', 'partitioned', p_commit => false)$$),
          '55000 with hint', 'a table without a migration: 55000 with a HINT (start one)');
SELECT is(part.phase('public.revenues'), 'dual_write', 'the refusals changed nothing');

CALL part.migrate_to('public.revenues', 'backfilled', p_batch_size => 300, p_commit => false);
SELECT is((SELECT (phase, backfill_rows, backfill_batches, parity_clean)::text FROM part.migration),
          '(backfilled,1000,4,t)', 'backfilled: every row copied in batches of 300, parity clean');
CALL part.migrate_to('public.revenues', 'partitioned', p_commit => false);
SELECT is(part.phase('public.revenues'), 'partitioned', 'partitioned');
SELECT is((SELECT relkind::text FROM pg_class WHERE oid = 'public.revenues'::regclass), 'p', 'the application''s name is the partitioned table');
CALL part.migrate_to('public.revenues', 'partitioned', p_commit => false);
SELECT is(part.phase('public.revenues'), 'partitioned', 'again: nothing to do');
CALL part.migrate_to('public.revenues', 'rollback', p_commit => false);
SELECT is(part.phase('public.revenues'), 'backfilled', 'rollback: one phase back');
SELECT is(pg_temp.error_of($$CALL part.migrate_to('public.revenues', 'dual_write', p_commit => false)$$),
          '55000 with hint', 'back to dual_write: refused');
CALL part.migrate_to('public.revenues', 'finalized', p_keep_legacy => 'drop', p_commit => false);
SELECT is(part.phase('public.revenues'), 'finalized', 'finalized, through the switch');
SELECT is(to_regclass('public.revenues_legacy'), NULL, 'the legacy table dropped as asked');
SELECT is((SELECT count(*) FROM public.revenues), 1000::bigint, 'every row in the partitioned table');
SELECT * FROM finish();
ROLLBACK;
