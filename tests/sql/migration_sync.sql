-- The sync mirrors every kind of write into the partitioned copy, in the
-- writing transaction: INSERT, UPDATE (also of the partition key and of the
-- primary key), DELETE, INSERT ... ON CONFLICT, MERGE, COPY and TRUNCATE.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SELECT plan(14);
CALL part.backfill('public.revenues', p_commit => false);
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'backfilled: same rows');

INSERT INTO public.revenues (org_id, occurred_at, amount) VALUES (9, '2025-03-15 10:00+00', 1), (9, '2025-04-02 00:00+00', 2);
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'INSERT');

UPDATE public.revenues SET amount = amount + 1, note = NULL WHERE org_id = 1;
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'UPDATE of other columns');

UPDATE public.revenues SET occurred_at = occurred_at + interval '45 days' WHERE id BETWEEN 10 AND 40;
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint,
          'UPDATE of the partition key (rows move to another partition; old versions are gone)');

UPDATE public.revenues SET id = id + 100000 WHERE id BETWEEN 50 AND 60;
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'UPDATE of the primary key');

DELETE FROM public.revenues WHERE org_id = 2;
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'DELETE');

INSERT INTO public.revenues (id, org_id, occurred_at, amount) VALUES (3, 4, '2025-01-01 21:00+00', 999), (5000, 4, '2025-02-01', 1)
    ON CONFLICT (id) DO UPDATE SET amount = EXCLUDED.amount, occurred_at = EXCLUDED.occurred_at;
INSERT INTO public.revenues (id, org_id, occurred_at) VALUES (4, 0, '2025-01-01') ON CONFLICT DO NOTHING;
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'INSERT ... ON CONFLICT (update and nothing)');

-- MERGE exists from PostgreSQL 15: there it runs and is mirrored; on 14 it is a syntax error.
SELECT is(pg_temp.error_of($merge$
MERGE INTO public.revenues r
USING (VALUES (100, 7.5, timestamptz '2025-02-20'), (101, NULL, NULL), (6001, 3.0, timestamptz '2025-03-03')) s(id, amount, at)
   ON r.id = s.id
 WHEN MATCHED AND s.amount IS NULL THEN DELETE
 WHEN MATCHED THEN UPDATE SET amount = s.amount, occurred_at = s.at
 WHEN NOT MATCHED THEN INSERT (id, org_id, occurred_at, amount) VALUES (s.id, 1, s.at, s.amount)
$merge$), CASE WHEN current_setting('server_version_num')::int >= 150000 THEN 'no error' ELSE '42601 without hint' END,
   'MERGE runs from PostgreSQL 15 on (a syntax error on ' || current_setting('server_version_num') || ')');
SELECT is((SELECT count(*)::int FROM public.revenues WHERE id = 6001),
          CASE WHEN current_setting('server_version_num')::int >= 150000 THEN 1 ELSE 0 END, 'MERGE inserted where it exists');
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'MERGE (insert, update with key change, delete)');

COPY public.revenues (id, org_id, occurred_at, amount, note) FROM stdin;
7001	3	2025-02-11 08:00:00+00	12.50	copied
7002	3	2025-05-11 08:00:00+00	13.50	\N
\.
SELECT is(pg_temp.mismatch('public.revenues', 'public.revenues_partitioned'), 0::bigint, 'COPY');
SELECT is((SELECT count(*)::int FROM public.revenues_partitioned WHERE id IN (7001, 7002)), 2, 'the copied rows are there');

SELECT is((SELECT count(*)::int FROM part.parity_diff('public.revenues')), 0, 'parity_diff finds nothing');

TRUNCATE public.revenues;
SELECT is((SELECT count(*)::int FROM public.revenues_partitioned), 0, 'TRUNCATE');
SELECT * FROM finish();
ROLLBACK;
