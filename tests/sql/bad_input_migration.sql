-- Bad input to the migration API (migrate_start, migrate_refresh, backfill,
-- check_parity, parity_diff, switch_reads, rollback, finalize, phase): a
-- missing table or column, a table without primary key, a table referenced
-- by foreign keys, a key that cannot partition, NULL keys, a table already
-- partitioned, a bad strategy; NULLs, a view, a table without migration, bad
-- settings and counts, the wrong phase (finalized, backfilled). Each is one
-- error with the SQLSTATE of SPEC.md and a HINT, and nothing changes: not the
-- catalog, part.migration, the parity tables, the triggers or the log.
-- backfill COMMITs: it is called as users call it (p_commit defaults to true),
-- so a refusal that came after its first COMMIT would show as 2D000.
BEGIN;
\ir _helpers.psql
\ir _migration_setup.psql
SET client_min_messages = error;
SELECT plan(69);

CREATE TABLE public.no_pk (id int, occurred_at timestamptz NOT NULL);
CREATE TABLE public.parent_t (id int PRIMARY KEY, occurred_at timestamptz NOT NULL);
CREATE TABLE public.child_t (id int PRIMARY KEY, parent_id int REFERENCES public.parent_t (id));
CREATE TABLE public.texty (id int PRIMARY KEY, label text NOT NULL, pos point);
CREATE TABLE public.nullable_key (id int PRIMARY KEY, occurred_at timestamptz);
INSERT INTO public.nullable_key VALUES (1, NULL), (2, now());
CREATE TABLE public.already (id int, k int, PRIMARY KEY (id, k)) PARTITION BY RANGE (k);

CREATE TABLE public.plain_table (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
CREATE VIEW public.a_view AS SELECT * FROM public.plain_table;
CREATE TABLE public.half (id int PRIMARY KEY, k int NOT NULL);     -- will be backfilled
CREATE TABLE public.done (id int PRIMARY KEY, k int NOT NULL);     -- will be finalized
INSERT INTO public.half SELECT g, g FROM generate_series(1, 20) g;
INSERT INTO public.done SELECT g, g FROM generate_series(1, 20) g;
CREATE FUNCTION pg_temp.backfilled(p_table text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM part.migrate_start(p_table, 'k', 'range', '10', p_premake => 0);
    PERFORM part._backfill_batch(p_table, 1000);
    PERFORM part._backfill_batch(p_table, 1000);
    PERFORM part.check_parity(p_table);
    RETURN part.phase(p_table);
END $$;
SELECT is(pg_temp.backfilled('public.half'), 'backfilled', 'setup: public.half is backfilled');
SELECT pg_temp.backfilled('public.done');
SELECT part.switch_reads('public.done');
SELECT is(part.finalize('public.done', 'keep'), 'public.done_legacy', 'setup: public.done is finalized');

-- everything a refusal might touch
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $$
    SELECT pg_temp.catalog_state()
        || md5(coalesce((SELECT string_agg(m::text, ',' ORDER BY m.table_name) FROM part.migration m), ''))
        || md5(coalesce((SELECT string_agg(p::text, ',' ORDER BY 1) FROM part.parity_range p), ''))
        || (SELECT count(*) FROM part.parity_mark)::text || '/' || (SELECT count(*) FROM part.maintenance_log)::text
        || md5(coalesce((SELECT string_agg(t.tgrelid::regclass::text || '.' || t.tgname || t.tgenabled::text, ',' ORDER BY 1)
                           FROM pg_trigger t WHERE NOT t.tgisinternal), ''))
        || md5(coalesce((SELECT string_agg(p.oid::regprocedure::text, ',' ORDER BY 1)
                           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'), ''))
$$;
CREATE TEMP TABLE before AS SELECT pg_temp.state() AS state;

-- migrate_start: tables and keys it cannot migrate

SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.nope', 'occurred_at', 'range', '1 month')$$), '42P01 with hint', 'missing table');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.parent_t', 'nope', 'range', '1 month')$$), '42703 with hint', 'missing column');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.no_pk', 'occurred_at', 'range', '1 month')$$), '55000 with hint', 'no primary key');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.parent_t', 'occurred_at', 'range', '1 month')$$), '55000 with hint',
          'referenced by a foreign key');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.texty', 'label', 'range', '1 month')$$), '42804 with hint',
          'a text key cannot be range-partitioned by interval');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.texty', 'pos', 'hash', p_partitions => 4)$$), '42804 with hint',
          'a point key cannot be hash-partitioned');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.nullable_key', 'occurred_at', 'range', '1 month')$$), '55000 with hint',
          'a key column holding NULLs');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.already', 'k', 'range', '10')$$), '42809 with hint', 'already partitioned');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.texty', 'id', 'list')$$), '22023 with hint', 'unknown strategy');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.texty', 'id', 'range', '1 month')$$), '22023 with hint',
          'a time interval for an integer key');

-- migrate_start
SELECT is(pg_temp.error_of($$SELECT part.migrate_start(NULL, 'created_at', 'range', '1 month')$$), '22023 with hint', 'migrate_start of NULL: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.a_view', 'created_at', 'range', '1 month')$$), '42809 with hint', 'migrate_start of a view: 42809');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', NULL, 'range', '1 month')$$), '22023 with hint', 'NULL key column: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', NULL, '1 month')$$), '22023 with hint', 'NULL strategy: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', 'range')$$), '22023 with hint', 'range without an interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', 'range', 'fortnightly')$$), '22023 with hint', 'a bad interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', 'range', '1 month', p_premake => -1)$$), '22023 with hint', 'negative premake: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', 'range', '1 month', p_premake => NULL)$$), '22023 with hint', 'NULL premake: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', 'range', '1 month', p_batch_size => 0)$$), '22023 with hint', 'zero batch size: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', 'range', '1 month', p_retention => 'forever')$$), '22023 with hint', 'a bad retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', 'range', '1 month', p_retention_mode => 'shred')$$), '22023 with hint', 'a bad retention mode: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'created_at', 'range', '1 month', p_partitions => 4)$$), '22023 with hint', 'a partition count for range: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'id', 'hash')$$), '22023 with hint', 'hash without a partition count: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'id', 'hash', p_partitions => 0)$$), '22023 with hint', 'zero hash partitions: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'id', 'hash', '1 month', p_partitions => 4)$$), '22023 with hint', 'an interval for hash: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.plain_table', 'id', 'hash', p_partitions => 4, p_default_partition => true)$$), '22023 with hint', 'a default partition for hash: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.revenues', 'org_id', 'hash', p_partitions => 4)$$), '55000 with hint', 'a table already moving, by another key: 55000');

-- migrate_refresh
SELECT is(pg_temp.error_of($$SELECT part.migrate_refresh(NULL)$$), '22023 with hint', 'migrate_refresh of NULL: 22023');
SELECT is(pg_temp.error_of($$SELECT part.migrate_refresh('public.nope')$$), '42P01 with hint', 'migrate_refresh of a missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.migrate_refresh('public.plain_table')$$), '55000 with hint', 'migrate_refresh without a migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.migrate_refresh('public.done')$$), '55000 with hint', 'migrate_refresh of a finalized migration: 55000');

-- backfill (a procedure that COMMITs: refused before its first COMMIT)
SELECT is(pg_temp.error_of($$CALL part.backfill(NULL)$$), '22023 with hint', 'backfill of NULL: 22023');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.nope')$$), '42P01 with hint', 'backfill of a missing table: 42P01');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.plain_table')$$), '55000 with hint', 'backfill without a migration: 55000');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.revenues', -5)$$), '22023 with hint', 'negative batch size: 22023');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.revenues', NULL)$$), '22023 with hint', 'NULL batch size: 22023');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.revenues', 10, NULL)$$), '22023 with hint', 'NULL sleep: 22023');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.revenues', 10, '0', 0)$$), '22023 with hint', 'zero batches: 22023');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.revenues', p_check => NULL)$$), '22023 with hint', 'NULL p_check: 22023');
SELECT is(pg_temp.error_of($$CALL part.backfill('public.revenues', p_commit => NULL)$$), '22023 with hint', 'NULL p_commit: 22023 (it ran without committing)');

-- check_parity, parity_diff
SELECT is(pg_temp.error_of($$SELECT part.check_parity(NULL)$$), '22023 with hint', 'check_parity of NULL: 22023');
SELECT is(pg_temp.error_of($$SELECT part.check_parity('public.nope')$$), '42P01 with hint', 'check_parity of a missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.check_parity('public.plain_table')$$), '55000 with hint', 'check_parity without a migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.check_parity('public.done')$$), '55000 with hint', 'check_parity of a finalized migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.parity_diff(NULL)$$), '22023 with hint', 'parity_diff of NULL: 22023');
SELECT is(pg_temp.error_of($$SELECT part.parity_diff('public.nope')$$), '42P01 with hint', 'parity_diff of a missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.parity_diff('public.plain_table')$$), '55000 with hint', 'parity_diff without a migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.parity_diff('public.done')$$), '55000 with hint', 'parity_diff of a finalized migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.parity_diff('public.revenues', 0)$$), '22023 with hint', 'parity_diff limit 0: 22023');
SELECT is(pg_temp.error_of($$SELECT part.parity_diff('public.revenues', NULL)$$), '22023 with hint', 'parity_diff limit NULL: 22023');

-- switch_reads, rollback, finalize
SELECT is(pg_temp.error_of($$SELECT part.switch_reads(NULL)$$), '22023 with hint', 'switch_reads of NULL: 22023');
SELECT is(pg_temp.error_of($$SELECT part.switch_reads('public.nope')$$), '42P01 with hint', 'switch_reads of a missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.switch_reads('public.plain_table')$$), '55000 with hint', 'switch_reads without a migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.switch_reads('public.done')$$), '55000 with hint', 'switch_reads of a finalized migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.rollback(NULL)$$), '22023 with hint', 'rollback of NULL: 22023');
SELECT is(pg_temp.error_of($$SELECT part.rollback('public.nope')$$), '42P01 with hint', 'rollback of a missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.rollback('public.plain_table')$$), '55000 with hint', 'rollback without a migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.finalize(NULL)$$), '22023 with hint', 'finalize of NULL: 22023');
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.nope')$$), '42P01 with hint', 'finalize of a missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.plain_table')$$), '55000 with hint', 'finalize without a migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.half')$$), '55000 with hint', 'finalize of a backfilled (not switched) migration: 55000');
SELECT is(pg_temp.error_of($$SELECT part.finalize('public.half', NULL)$$), '22023 with hint', 'finalize with p_keep_legacy NULL: 22023');

-- phase
SELECT is(pg_temp.error_of($$SELECT part.phase(NULL)$$), '22023 with hint', 'phase of NULL: 22023');
SELECT is(pg_temp.error_of($$SELECT part.phase('public.nope')$$), '42P01 with hint', 'phase of a missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.phase('public.a_view')$$), '42809 with hint', 'phase of a view: 42809');
SELECT is(part.phase('public.plain_table'), NULL, 'phase of a table without migration: NULL');

SELECT is(pg_temp.state(), (SELECT state FROM before), 'none of these changed anything');
SELECT * FROM finish();
ROLLBACK;
