-- part.check_parity compares content (a hash of every row per range, both
-- sides in one snapshot); the sync marks the ranges it touches so that a
-- re-check re-hashes only those; part.parity_diff names the rows.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(18);
CALL part.backfill('public.revenues', p_commit => false);

SELECT is((SELECT count(*)::int FROM part.check_parity('public.revenues')), 3, 'one row per monthly range (2025-01 .. 2025-03)');
SELECT is((SELECT array_agg(range_from || ' ' || range_to || ' ' || partition_name ORDER BY range_from) FROM part.check_parity('public.revenues') WHERE range_from < '2025-02'),
          ARRAY['2025-01-01 00:00:00+00 2025-02-01 00:00:00+00 public.revenues_2025_01'], 'ranges are the partition bounds');
SELECT is((SELECT sum(legacy_rows)::int FROM part.check_parity('public.revenues')), 300, 'all rows counted');
SELECT ok((SELECT bool_and(status = 'ok' AND legacy_hash = partitioned_hash) FROM part.check_parity('public.revenues')), 'clean');
SELECT is((SELECT count(*)::int FROM part.check_parity('public.revenues') WHERE rehashed), 0, 'nothing written since: nothing re-hashed');

UPDATE public.revenues SET note = 'changed' WHERE id = 42;
SELECT is((SELECT array_agg(range_from) FROM part.check_parity('public.revenues') WHERE rehashed), ARRAY['2025-01-01 00:00:00+00'],
          'one row updated: exactly its range is re-hashed');
-- ranges are UTC whatever the session's TimeZone: 2025-01-31 15:00 UTC is February 1st in Kiritimati (UTC+14)
SET LOCAL TimeZone = 'Pacific/Kiritimati';
UPDATE public.revenues SET note = 'tz' WHERE id = 105;
SELECT is((SELECT array_agg(range_from) FROM part.check_parity('public.revenues') WHERE rehashed), ARRAY['2025-01-01 00:00:00+00'],
          'a row of January 31st (UTC) marks January, also in a session at UTC+14');
RESET TimeZone;
UPDATE public.revenues SET occurred_at = '2025-03-10' WHERE id = 43;
SELECT is((SELECT count(*)::int FROM part.check_parity('public.revenues') WHERE rehashed), 2, 'a key change: the old and the new range');

-- a difference the sync did not make: an UPDATE lost in transit is seen (not only counts)
SET LOCAL part.syncing = 'on';
UPDATE public.revenues_partitioned SET amount = amount + 1 WHERE id = 44;
DELETE FROM public.revenues_partitioned WHERE id = 200;
INSERT INTO public.revenues_partitioned (id, org_id, occurred_at) VALUES (8000, 1, '2025-04-04');
SET LOCAL part.syncing = 'off';
SELECT is((SELECT count(*)::int FROM part.check_parity('public.revenues') WHERE status = 'differs'), 0,
          'unmarked changes are not re-hashed by an incremental check');
SELECT is((SELECT count(*)::int FROM part.check_parity('public.revenues', true) WHERE status = 'differs'), 3, 'a full check finds them');
SELECT ok((SELECT legacy_rows = partitioned_rows AND legacy_hash <> partitioned_hash AND status = 'differs'
             FROM part.check_parity('public.revenues') WHERE range_from LIKE '2025-01%'),
          'same row count, different content, still differs');
SELECT is((SELECT array_agg(key::text || ' ' || problem ORDER BY problem) FROM part.parity_diff('public.revenues')),
          ARRAY['{"id": 44, "occurred_at": "2025-01-13T20:00:00+00:00"} different',
                '{"id": 8000, "occurred_at": "2025-04-04T00:00:00+00:00"} extra',
                '{"id": 200, "occurred_at": "2025-02-28T08:00:00+00:00"} missing'],
          'parity_diff: different, extra, missing by key');
SELECT is((SELECT count(*)::int FROM part.parity_diff('public.revenues', 1)), 1, 'p_limit');
SELECT is((SELECT ranges_differ FROM part.parity), 3, 'part.parity sums it up');
SELECT is((SELECT parity_clean FROM part.migration), false, 'parity_clean recorded');
SELECT is(pg_temp.error_of($$SELECT part.switch_reads('public.revenues')$$), '55000 with hint', 'no switch while parity differs');
TRUNCATE public.revenues;
SELECT is((SELECT count(*)::int FROM part.check_parity('public.revenues')), 0, 'after a TRUNCATE everything is re-hashed: no range left');
SELECT is((SELECT parity_clean FROM part.migration), true, 'and clean');
SELECT * FROM finish();
ROLLBACK;
