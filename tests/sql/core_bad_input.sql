-- Bad input: one clear error with the SQLSTATE of SPEC.md and a HINT, and
-- nothing changed (the catalog fingerprint is the same before and after).
BEGIN;
\ir _helpers.psql
SELECT plan(27);

CREATE TABLE public.plain_table (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);
CREATE TABLE public.by_id (id bigint NOT NULL, created_at timestamptz NOT NULL, label text) PARTITION BY RANGE (id);
CREATE TABLE public.by_time (id bigint NOT NULL, created_at timestamptz NOT NULL, label text, price numeric) PARTITION BY RANGE (created_at);
CREATE TABLE public.by_label (id bigint NOT NULL, label text NOT NULL) PARTITION BY RANGE (label);
CREATE TABLE public.by_org (id bigint NOT NULL, org_id int NOT NULL) PARTITION BY HASH (org_id);
SELECT part.create_partitioned('public.by_org', 'org_id', 'hash', p_partitions => 4);
CREATE TEMP TABLE before AS SELECT pg_temp.catalog_state() AS state;

SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.nope', 'created_at', 'range', '1 month')$$), '42P01 with hint', 'missing table: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('nope.by_time', 'created_at', 'range', '1 month')$$), '42P01 with hint', 'missing schema: 42P01');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.plain_table', 'created_at', 'range', '1 month')$$), '42809 with hint', 'not partitioned: 42809');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_id', 'created_at', 'range', '1 month')$$), '42809 with hint', 'partitioned on another key: 42809');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'hash', p_partitions => 4)$$), '42809 with hint', 'partitioned by another strategy: 42809');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created', 'range', '1 month')$$), '42703 with hint', 'missing key column: 42703');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_label', 'label', 'range', '1 month')$$), '42804 with hint', 'key of a type range cannot use: 42804');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'list', '1 month')$$), '22023 with hint', 'unknown strategy: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', 'fortnightly')$$), '22023 with hint', 'invalid interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '1000')$$), '22023 with hint', 'a bare number on a time key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '-1 month')$$), '22023 with hint', 'negative interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '1 month 3 days')$$), '22023 with hint', 'mixed interval: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_id', 'id', 'range', '1 month')$$), '22023 with hint', 'a time interval on an integer key: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_id', 'id', 'range', '0')$$), '22023 with hint', 'zero width: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '1 month', p_premake => -1)$$), '22023 with hint', 'negative premake: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '1 month', p_retention => 'forever')$$), '22023 with hint', 'invalid retention: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '1 month', p_retention_mode => 'shred')$$), '22023 with hint', 'invalid retention mode: 22023');
SELECT is(pg_temp.error_of(format($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '1 month', p_partition_prefix => %L)$$, repeat('x', 64))),
          '22023 with hint', 'a user-supplied name over 63 bytes: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_time', 'created_at', 'range', '1 month', p_batch_size => 0)$$), '22023 with hint', 'zero batch size: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_org', 'org_id', 'hash', p_partitions => 0)$$), '22023 with hint', 'zero hash partitions: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_partitioned('public.by_org', 'org_id', 'hash', p_partitions => -4)$$), '22023 with hint', 'negative hash partitions: 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(-1)$$), '22023 with hint', 'create_ahead(-1): 22023');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(3, 'public.by_time')$$), '55000 with hint', 'create_ahead on an unmanaged table: 55000');
SELECT is(pg_temp.error_of($$SELECT part.create_ahead(3, 'public.missing')$$), '42P01 with hint', 'create_ahead on a missing table: 42P01');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.by_org', 6)$$), '22023 with hint', 'split_hash to a non-multiple: 22023');
SELECT is(pg_temp.error_of($$CALL part.split_hash('public.by_org', 0)$$), '22023 with hint', 'split_hash to zero: 22023');

SELECT is(pg_temp.catalog_state(), (SELECT state FROM before), 'none of these changed anything');
SELECT * FROM finish();
ROLLBACK;
