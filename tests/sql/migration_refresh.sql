-- A schema change during a migration: part.migrate_refresh brings the other
-- table in line and regenerates the sync, so the new column is mirrored;
-- parity results are reset (the next check is a full one).
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(8);
CALL part.backfill('public.revenues', p_commit => false);
ALTER TABLE public.revenues ADD COLUMN currency text NOT NULL DEFAULT 'EUR';
SELECT ok(part._sync_drift('public.revenues') LIKE 'currency only in public.revenues%', 'the drift is detected');
SELECT ok(part.migrate_refresh('public.revenues') LIKE 'added column currency to public.revenues_partitioned%', 'refresh adds the column');
SELECT is(part._sync_drift('public.revenues'), NULL, 'no drift left');
INSERT INTO public.revenues (org_id, occurred_at, currency) VALUES (1, '2025-01-09', 'USD');
SELECT is((SELECT currency FROM public.revenues_partitioned WHERE currency = 'USD'), 'USD', 'the new column is mirrored');
SELECT is((SELECT parity_full_at FROM part.migration), NULL, 'parity reset');
SELECT ok((SELECT bool_and(status = 'ok') FROM part.check_parity('public.revenues')), 'a full check is clean');
CREATE TABLE public.revenues_extra (LIKE public.revenues_partitioned);
ALTER TABLE public.revenues_partitioned ATTACH PARTITION public.revenues_extra FOR VALUES FROM ('2030-01-01') TO ('2030-02-01');
SELECT ok(part._sync_problems('public.revenues') LIKE '%partitions without their sync triggers%public.revenues_extra%', 'a partition attached by hand is reported');
SELECT part.migrate_refresh('public.revenues');
SELECT is(part._sync_problems('public.revenues'), NULL, 'and gets its triggers from migrate_refresh');
SELECT * FROM finish();
ROLLBACK;
