-- Writes to the partitioned table are mirrored back into the legacy table
-- (the direction used after the switch), also writes made straight into
-- one partition, without recursion; a partition truncated alone is refused.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(11);
CALL part.backfill('public.revenues', p_commit => false);

-- until the switch the copy is written by part only: a direct write to it is refused
SELECT is(pg_temp.error_of($$INSERT INTO public.revenues_partitioned (id, org_id, occurred_at) VALUES (9000, 1, '2025-02-02')$$),
          '55000 with hint', 'dual_write: a write to the copy itself is refused');
SELECT ok((SELECT bool_and(tgenabled = 'D') FROM pg_trigger WHERE tgrelid = 'public.revenues_partitioned'::regclass
            AND tgname IN ('part_sync_insert', 'part_sync_update', 'part_sync_delete')),
          'its mirroring triggers are disabled meanwhile (no transition table kept for the rows the sync writes)');
-- the direction used after the switch, exercised here by turning the triggers over by hand as
-- the switch does (one direction at a time: the legacy table's own sync off)
ALTER TABLE public.revenues_partitioned DISABLE TRIGGER part_sync_guard, ENABLE ALWAYS TRIGGER part_sync_insert,
      ENABLE ALWAYS TRIGGER part_sync_update, ENABLE ALWAYS TRIGGER part_sync_delete, ENABLE ALWAYS TRIGGER part_sync_truncate;
ALTER TABLE public.revenues DISABLE TRIGGER part_sync_insert, DISABLE TRIGGER part_sync_update,
      DISABLE TRIGGER part_sync_delete, DISABLE TRIGGER part_sync_truncate;
INSERT INTO public.revenues_partitioned (id, org_id, occurred_at, amount) VALUES (9001, 1, '2025-02-02', 5);
UPDATE public.revenues_partitioned SET occurred_at = occurred_at - interval '20 days', amount = 6 WHERE id = 9001;
DELETE FROM public.revenues_partitioned WHERE id BETWEEN 1 AND 10;
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint,
          'INSERT, key-changing UPDATE and DELETE on the partitioned table reach the legacy table');
SELECT is((SELECT count(*)::int FROM public.revenues WHERE id = 9001 AND amount = 6), 1, 'exactly once');

INSERT INTO public.revenues_2025_02 (id, org_id, occurred_at, amount) VALUES (9002, 2, '2025-02-03', 7);
UPDATE public.revenues_2025_01 SET amount = 4242 WHERE id BETWEEN 11 AND 20;
DELETE FROM public.revenues_2025_02 WHERE id BETWEEN 100 AND 110;
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint,
          'writes straight into a partition are mirrored too');
SELECT is((SELECT count(*)::int FROM public.revenues WHERE amount = 4242), 10, 'the partition''s UPDATE reached the legacy table');

-- a partition created later (create_ahead) gets the sync as well
SELECT ok((SELECT count(*) FROM part.create_ahead(2, 'public.revenues_partitioned')) > 0, 'create_ahead makes new partitions');
INSERT INTO public.revenues_partitioned (id, org_id, occurred_at, amount)
VALUES (9003, 3, date_trunc('month', now()) + interval '1 month 1 day', 8);
DO $$ BEGIN
    EXECUTE format('INSERT INTO public.%I (id, org_id, occurred_at, amount) VALUES (9004, 3, %L, 9)',
                   'revenues_' || pg_temp.month_suffix(2), date_trunc('month', now()) + interval '2 months 1 day');
END $$;
SELECT is((SELECT count(*)::int FROM public.revenues WHERE id IN (9003, 9004)), 2, 'including writes straight into it');

SELECT is(pg_temp.error_of('TRUNCATE public.revenues_2025_01'), '0A000 with hint', 'a partition truncated alone is refused');
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'and nothing was lost');
TRUNCATE public.revenues_partitioned;
SELECT is((SELECT count(*)::int FROM public.revenues), 0, 'TRUNCATE of the partitioned table (and so its partitions) is mirrored');
SELECT * FROM finish();
ROLLBACK;
