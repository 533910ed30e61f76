-- Bad input to the partition core (create_partitioned, create_ahead, split_hash):
-- missing tables and columns, names that are not a usable table, NULLs, keys,
-- strategies, intervals and settings part refuses, a view where a table is
-- expected. Each is one error with the SQLSTATE of SPEC.md and a HINT, and
-- nothing changes (the catalog fingerprint is the same before and after).
-- split_hash COMMITs: its refusals come before its first COMMIT (else CALL in
-- this transaction would raise 2D000 instead).
BEGIN;
\ir _helpers.psql
SELECT plan(63);

CREATE TABLE public.plain_table (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
CREATE VIEW public.a_view AS SELECT * FROM public.plain_table;
CREATE TABLE public.by_time (id bigint NOT NULL, created_at timestamptz NOT NULL, label text, price numeric) PARTITION BY RANGE (created_at);
CREATE TABLE public.by_id (id bigint NOT NULL, created_at timestamptz NOT NULL, label text) PARTITION BY RANGE (id);
CREATE TABLE public.by_day (id bigint NOT NULL, d date NOT NULL) PARTITION BY RANGE (d);
CREATE TABLE public.by_label (id bigint NOT NULL, label text NOT NULL) PARTITION BY RANGE (label);
CREATE TABLE public.unmanaged (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE public.by_org (id bigint NOT NULL, org_id int NOT NULL) PARTITION BY HASH (org_id);
CREATE SCHEMA s1;
CREATE SCHEMA s2;
CREATE TABLE s1.dup (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
CREATE TABLE s2.dup (id bigint NOT NULL, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);
SELECT count(*) FROM part.create_partitioned('public.by_time', 'created_at', 'range', '1 month', p_premake => 1);
SELECT count(*) FROM part.create_partitioned('public.by_id', 'id', 'range', '100', p_premake => 1);
SELECT count(*) FROM part.create_partitioned('public.by_org', 'org_id', 'hash', p_partitions => 4);
CREATE TEMP TABLE before AS SELECT pg_temp.catalog_state() AS state;

-- create_partitioned: a missing or unusable table, key, strategy; intervals and settings

SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.nope', 'created_at', 'range', '1 month')$$), '42P01 with hint', 'missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('nope.by_time', 'created_at', 'range', '1 month')$$), '42P01 with hint', 'missing schema: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.plain_table', 'created_at', 'range', '1 month')$$), '42809 with hint', 'not partitioned: 42809');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_id', 'created_at', 'range', '1 month')$$), '42809 with hint', 'partitioned on another key: 42809');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'hash', p_partitions => 4)$$), '42809 with hint', 'partitioned by another strategy: 42809');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created', 'range', '1 month')$$), '42703 with hint', 'missing key column: 42703');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_label', 'label', 'range', '1 month')$$), '42804 with hint', 'key of a type range cannot use: 42804');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'list', '1 month')$$), '22023 with hint', 'unknown strategy: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', 'fortnightly')$$), '22023 with hint', 'invalid interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1000')$$), '22023 with hint', 'a bare number on a time key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '-1 month')$$), '22023 with hint', 'negative interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month 3 days')$$), '22023 with hint', 'mixed interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_id', 'id', 'range', '1 month')$$), '22023 with hint', 'a time interval on an integer key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_id', 'id', 'range', '0')$$), '22023 with hint', 'zero width: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_premake => -1)$$), '22023 with hint', 'negative premake: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_retention => 'forever')$$), '22023 with hint', 'invalid retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_retention_mode => 'shred')$$), '22023 with hint', 'invalid retention mode: 22023');
SELECT is(pg_temp.error_of(format($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_partition_prefix => %L)$$, repeat('x', 64))),
          '22023 with hint', 'a user-supplied name over 63 bytes: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_batch_size => 0)$$), '22023 with hint', 'zero batch size: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_org', 'org_id', 'hash', p_partitions => 0)$$), '22023 with hint', 'zero hash partitions: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_org', 'org_id', 'hash', p_partitions => -4)$$), '22023 with hint', 'negative hash partitions: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(-1)$$), '22023 with hint', 'create_ahead(-1): 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(3, 'public.unmanaged')$$), '55000 with hint', 'create_ahead on an unmanaged table: 55000');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(3, 'public.missing')$$), '42P01 with hint', 'create_ahead on a missing table: 42P01');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.by_org', 6)$$), '22023 with hint', 'split_hash to a non-multiple: 22023');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.by_org', 0)$$), '22023 with hint', 'split_hash to zero: 22023');



-- create_partitioned: the table
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned(NULL, 'created_at', 'range', '1 month')$$), '22023 with hint', 'NULL table: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('', 'created_at', 'range', '1 month')$$), '22023 with hint', 'empty table name: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('a.b.c', 'created_at', 'range', '1 month')$$), '22023 with hint', 'a three-part name: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('dup', 'created_at', 'range', '1 month')$$), '22023 with hint', 'an ambiguous unqualified name: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.a_view', 'created_at', 'range', '1 month')$$), '42809 with hint', 'a view: 42809');
-- create_partitioned: key, strategy, interval
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', NULL, 'range', '1 month')$$), '22023 with hint', 'NULL key column: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', NULL, '1 month')$$), '22023 with hint', 'NULL strategy: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range')$$), '22023 with hint', 'range without an interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '7 hours')$$), '22023 with hint', 'a sub-daily interval that does not divide a day: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_day', 'd', 'range', '6 hours')$$), '22023 with hint', 'hours on a date key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '1 week')$$), '0A000 with hint', 'changing the interval of a table with partitions: 0A000');
-- create_partitioned: settings
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_premake => NULL)$$), '22023 with hint', 'NULL premake: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_retention => '-3 months')$$), '22023 with hint', 'negative retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_retention => '0 days')$$), '22023 with hint', 'zero retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_retention => '100')$$), '22023 with hint', 'a bare number as retention of a time key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_id', 'id', 'range', '100', p_retention => '1 month')$$), '22023 with hint', 'an interval as retention of an integer key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_id', 'id', 'range', '100', p_retention => '-5')$$), '22023 with hint', 'a negative integer retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_retention_mode => NULL)$$), '22023 with hint', 'NULL retention mode: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_partitions => 4)$$), '22023 with hint', 'a partition count for a range table: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_partition_prefix => '')$$), '22023 with hint', 'an empty partition prefix: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.unmanaged', 'created_at', 'range', '1 month', p_batch_size => NULL)$$), '22023 with hint', 'NULL batch size: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_org', 'org_id', 'hash', '1 month', p_partitions => 4)$$), '22023 with hint', 'an interval for a hash table: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_org', 'org_id', 'hash')$$), '22023 with hint', 'hash without a partition count: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_org', 'org_id', 'hash', p_partitions => 8)$$), '42809 with hint', 'another hash count than the table has: 42809 (split_hash grows it)');

-- create_ahead
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(NULL, '')$$), '22023 with hint', 'create_ahead on an empty name: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(1, 'public.plain_table')$$), '55000 with hint', 'create_ahead on an unpartitioned table: 55000');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(1, 'public.a_view')$$), '42809 with hint', 'create_ahead on a view: 42809');

-- split_hash, called as a user would (it would COMMIT if it got that far)
SELECT is(pg_temp.error_of($$CALL part.split_hash(NULL, 8)$$), '22023 with hint', 'split_hash of NULL: 22023');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.nope', 8)$$), '42P01 with hint', 'split_hash of a missing table: 42P01');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.a_view', 8)$$), '42809 with hint', 'split_hash of a view: 42809');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.unmanaged', 8)$$), '55000 with hint', 'split_hash of an unmanaged table: 55000');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.plain_table', 8)$$), '55000 with hint', 'split_hash of an unpartitioned table: 55000');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.by_time', 8)$$), '42809 with hint', 'split_hash of a range table: 42809');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.by_org', NULL)$$), '22023 with hint', 'split_hash to NULL: 22023');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.by_org', -8)$$), '22023 with hint', 'split_hash to a negative count: 22023');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.by_org', 2)$$), '22023 with hint', 'split_hash to fewer partitions: 22023');

SELECT is(pg_temp.catalog_state(), (SELECT state FROM before), 'none of these changed anything');
SELECT * FROM finish();
ROLLBACK;
