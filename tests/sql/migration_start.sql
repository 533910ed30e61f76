-- part.migrate_start creates the partitioned copy (columns, defaults, keys,
-- indexes, privileges), partitions named after the application's table that
-- cover its data plus premake, and statement-level sync triggers with
-- transition tables, generated in the table's own schema.
BEGIN;
\ir _helpers.psql
SELECT plan(25);

CREATE ROLE part_test_reader;
CREATE TABLE public.revenues (id bigserial PRIMARY KEY, org_id int NOT NULL, occurred_at timestamptz NOT NULL,
                              amount numeric(12,2) DEFAULT 0 CHECK (amount >= 0), note text,
                              ext_ref text UNIQUE);
CREATE INDEX revenues_org ON public.revenues (org_id, occurred_at);
GRANT SELECT ON public.revenues TO part_test_reader;
INSERT INTO public.revenues (org_id, occurred_at, amount)
SELECT g % 5, timestamptz '2024-11-03 00:00+00' + g * interval '1 day', g FROM generate_series(1, 100) g;

SELECT is((SELECT array_agg(left(message, 40) ORDER BY message) FROM part._migrate_warnings('public.revenues'::regclass, 'occurred_at')),
          ARRAY['part: the primary key of public.revenues', 'part: unique index revenues_ext_ref_key '],
          'the warnings (also for pginstall plan): the primary key and a unique index gain the partition key');
SELECT is(part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month', p_premake => 1),
          'public.revenues_partitioned', 'returns the copy');
SELECT is_partitioned('public', 'revenues_partitioned', 'the copy is partitioned');
SELECT columns_are('public', 'revenues_partitioned', ARRAY['id', 'org_id', 'occurred_at', 'amount', 'note', 'ext_ref'], 'same columns');
SELECT col_default_is('public', 'revenues_partitioned', 'id', $$nextval('revenues_id_seq'::regclass)$$, 'the serial default uses the same sequence');
SELECT col_default_is('public', 'revenues_partitioned', 'amount', '0', 'defaults are copied');
SELECT is((SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.revenues_partitioned'::regclass AND contype = 'p'),
          'PRIMARY KEY (id, occurred_at)', 'the primary key includes the partition key');
SELECT is((SELECT conname::text FROM pg_constraint WHERE conrelid = 'public.revenues_partitioned'::regclass AND contype = 'p'),
          'revenues_partitioned_pkey', 'named after the copy until the switch');
SELECT ok(EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'public.revenues_partitioned'::regclass AND contype = 'c'),
          'CHECK constraints are copied');
SELECT ok(EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'revenues_partitioned' AND indexdef LIKE '%(org_id, occurred_at)'),
          'plain indexes are copied');
SELECT ok(EXISTS (SELECT 1 FROM pg_indexes WHERE tablename = 'revenues_partitioned' AND indexdef LIKE 'CREATE UNIQUE INDEX%(ext_ref, occurred_at)'),
          'a unique index gets the partition key');
SELECT ok(has_table_privilege('part_test_reader', 'public.revenues_partitioned', 'SELECT'), 'privileges are copied');

SELECT is((SELECT partition_prefix FROM part.config WHERE parent_table = 'public.revenues_partitioned'), 'revenues',
          'registered in part.config, partitions named after the application table');
SELECT ok(to_regclass('public.revenues_2024_11') IS NOT NULL AND to_regclass('public.revenues_2025_02') IS NOT NULL,
          'partitions cover the existing data (2024-11 .. 2025-02)');
SELECT ok(to_regclass(format('public.%I', 'revenues_' || pg_temp.month_suffix(1))) IS NOT NULL, 'and premake ahead of now');
SELECT ok(to_regclass('public.revenues_default') IS NOT NULL, 'a default partition');
SELECT is(part.phase('revenues'), 'dual_write', 'phase dual_write');
SELECT is((SELECT legacy_key FROM part.migration), ARRAY['id'], 'legacy key recorded');

-- the sync: statement-level, with transition tables, in the table's own schema
SELECT is((SELECT count(*)::int FROM pg_trigger t WHERE t.tgrelid = 'public.revenues'::regclass AND t.tgname LIKE 'part_sync_%'
            AND (t.tgtype & 1) = 0 AND t.tgenabled <> 'D'), 4, 'four enabled statement-level sync triggers on the legacy table');
SELECT is((SELECT array_agg(t.tgname::text || ':' || coalesce(t.tgoldtable::text, '-') || ':' || coalesce(t.tgnewtable::text, '-') ORDER BY t.tgname)
             FROM pg_trigger t WHERE t.tgrelid = 'public.revenues'::regclass AND t.tgname LIKE 'part_sync_%' AND t.tgenabled <> 'D'),
          ARRAY['part_sync_delete:old_rows:-', 'part_sync_insert:-:new_rows', 'part_sync_truncate:-:-', 'part_sync_update:old_rows:new_rows'],
          'pg_trigger.tgoldtable / tgnewtable set on the DML triggers');
SELECT ok((SELECT bool_and(t.tgnewtable IS NOT NULL) FROM pg_trigger t
            WHERE t.tgrelid = 'public.revenues_partitioned'::regclass AND t.tgname IN ('part_sync_insert', 'part_sync_update')),
          'the reverse sync on the partitioned table has transition tables too');
SELECT ok((SELECT count(*) FROM pg_trigger t JOIN pg_inherits i ON i.inhrelid = t.tgrelid
            WHERE i.inhparent = 'public.revenues_partitioned'::regclass AND t.tgname = 'part_sync_insert')
          = (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.revenues_partitioned'::regclass),
          'every partition has its own sync trigger (writes straight into a partition)');
SELECT is((SELECT array_agg(n.nspname || '.' || p.proname ORDER BY p.proname) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.proname LIKE 'revenues_sync_to_%'),
          ARRAY['public.revenues_sync_to_legacy', 'public.revenues_sync_to_partitioned'],
          'generated functions live in the table''s schema, not in part');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.deptype = 'e' AND d.classid = 'pg_proc'::regclass
                        AND d.objid IN ('public.revenues_sync_to_legacy()'::regprocedure, 'public.revenues_sync_to_partitioned()'::regprocedure)),
          'and are not extension members');

SELECT is(part.migrate_start('public.revenues', 'occurred_at', 'range', '1 month'), 'public.revenues_partitioned',
          'a second call with the same key does nothing');
SELECT * FROM finish();
ROLLBACK;
