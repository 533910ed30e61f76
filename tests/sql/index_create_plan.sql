-- part.create_index: the definition is checked by PostgreSQL and cannot carry a second
-- statement; the plan (ON ONLY the parent, then per partition CREATE INDEX CONCURRENTLY and
-- part.attach_index), deterministic names within 63 bytes, resuming (an index a partition has
-- already is attached, not rebuilt), partitions made later get the index, verify()'s check.
-- CREATE INDEX CONCURRENTLY cannot run in this transaction: the steps run here without
-- CONCURRENTLY (tests/py/test_create_index.py runs them for real, with writers, and kills them).
BEGIN;
\ir _helpers.psql
SELECT plan(37);

-- the steps part.create_index returns, run in this transaction (without CONCURRENTLY)
CREATE FUNCTION pg_temp.run_steps(p_steps text[]) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_s   text;
    v_out text;
BEGIN
    FOREACH v_s IN ARRAY coalesce(p_steps, '{}') LOOP
        v_s := replace(v_s, ' CONCURRENTLY ', ' ');
        IF v_s LIKE 'SELECT %' THEN
            EXECUTE v_s INTO v_out;
        ELSE
            EXECUTE v_s;
        END IF;
    END LOOP;
    RETURN v_out;
END
$$;
-- fingerprint of the indexes of the user's tables and of part.index_build
CREATE FUNCTION pg_temp.index_state() RETURNS text LANGUAGE sql AS $$
    SELECT md5(coalesce((SELECT string_agg(c.oid::regclass::text || ':' || i.indisvalid, ',' ORDER BY 1)
                           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                          WHERE c.relnamespace = 'public'::regnamespace), '')
            || coalesce((SELECT string_agg(b::text, ',' ORDER BY b.parent_index, b.partition_name) FROM part.index_build b), ''))
$$;

CREATE TABLE public.events (id bigint, org_id int NOT NULL, kind text, occurred_at timestamptz NOT NULL)
    PARTITION BY RANGE (occurred_at);
SELECT ok(count(*) > 2, 'a monthly table with a default partition')
  FROM part.create_partitioned('public.events', 'occurred_at', 'range', '1 month', p_premake => 2);
INSERT INTO public.events SELECT g, g % 50, 'k' || g % 3, now() - g * interval '1 hour' FROM generate_series(1, 3000) g;
CREATE TABLE public.victim (x int);
SELECT pg_temp.index_state() AS before \gset

-- hostile and bad definitions: one clear error, nothing changed
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.events', '(org_id); DROP TABLE public.victim')$$),
          '22023 with hint', 'a second statement after the definition is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.events', '(org_id) WHERE kind <> '';'' ')$$),
          '22023 with hint', 'a ";" is refused even inside a literal');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.events', '(org_id)) --')$$),
          '22023 with hint', 'a definition that closes more than it opens is a syntax error (22023)');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.events', '(org_id) /* comment')$$),
          '22023 with hint', 'an unterminated comment is a syntax error (22023)');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.events', '(org_id) WHERE pg_catalog.random() > 0.5')$$),
          '22023 with hint', 'a predicate PostgreSQL refuses (not immutable) is refused (22023)');
SELECT is(pg_temp.error_of($q$SELECT * FROM part.create_index('public.events', $d$(org_id) WHERE kind <> $x$;$x$ $d$)$q$),
          '22023 with hint', 'a dollar-quoted ";" is refused too');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.events', '(nope)')$$),
          '42703 with hint', 'a missing column is 42703, the hint lists the columns');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.events', 'USING nope (org_id)')$$),
          '22023 with hint', 'an unknown access method is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.events', '  ')$$),
          '22023 with hint', 'an empty definition is refused (22023)');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.nope', '(x)')$$),
          '42P01 with hint', 'a missing table is 42P01');
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.victim', '(x)')$$),
          '42809 with hint', 'a plain table is refused (42809): CREATE INDEX CONCURRENTLY does it');
SELECT is(pg_temp.index_state(), :'before', 'after all these refusals: no index made, nothing recorded');
SELECT has_table('public', 'victim', 'the table a definition tried to drop is still there');

-- the plan
SELECT array_agg(s) AS steps FROM part.create_index('public.events', '(org_id, occurred_at)') s \gset
SELECT is((SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.events_org_id_occurred_at_idx'::regclass), false,
          'the parent''s index exists, named <table>_<columns>_idx, not valid yet (ON ONLY the parent)');
SELECT is((SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'public.events_org_id_occurred_at_idx'::regclass), 0,
          'no partition has it yet');
SELECT is(cardinality(:'steps'::text[]), 2 * (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'public.events'::regclass),
          'two steps per partition');
SELECT is((:'steps'::text[])[1:2],
          ARRAY['CREATE INDEX CONCURRENTLY events_2026_12_org_id_occurred_at_idx ON public.events_2026_12 USING btree (org_id pg_catalog.int4_ops, occurred_at pg_catalog.timestamptz_ops)',
                'SELECT part.attach_index(''public.events_org_id_occurred_at_idx'')']
          || ARRAY[]::text[],
          'per partition: CREATE INDEX CONCURRENTLY composed from the catalog''s reading, then part.attach_index')
  WHERE to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM') = '2026_12'
UNION ALL
SELECT ok((:'steps'::text[])[1] LIKE 'CREATE INDEX CONCURRENTLY events_2%_org_id_occurred_at_idx ON public.events_2% USING btree (org_id pg_catalog.int4_ops, occurred_at pg_catalog.timestamptz_ops)'
          AND (:'steps'::text[])[2] = 'SELECT part.attach_index(''public.events_org_id_occurred_at_idx'')',
          'per partition: CREATE INDEX CONCURRENTLY composed from the catalog''s reading, then part.attach_index')
  WHERE to_char(now() AT TIME ZONE 'UTC', 'YYYY_MM') <> '2026_12';
SELECT is((SELECT count(*)::int FROM part.index_build WHERE parent_index = 'public.events_org_id_occurred_at_idx' AND state = 'pending'),
          (SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'public.events'::regclass), 'one pending row per partition in part.index_build');
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'index_build'), 'warn',
          'verify: warn while a session (this one) holds the build lock');

-- a partition that has an index of that shape already: attached as it is when planning again
SELECT (:'steps'::text[])[1] AS first_step \gset
SELECT pg_temp.run_steps(ARRAY[:'first_step']);
SELECT (regexp_match(:'first_step', 'CONCURRENTLY (\S+) ON (\S+)'))[2] AS first_part \gset
SELECT (SELECT i.indexrelid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
         WHERE i.indrelid = :'first_part'::regclass AND c.relname LIKE '%org_id_occurred_at_idx') AS built_oid \gset
SELECT array_agg(s) AS steps2 FROM part.create_index('public.events', '(org_id, occurred_at)') s \gset
SELECT is(cardinality(:'steps2'::text[]), cardinality(:'steps'::text[]) - 1,
          'planned again: one step to attach the partition whose index is built, then the others left to do');
SELECT is((:'steps2'::text[])[1], 'SELECT part.attach_index(''public.events_org_id_occurred_at_idx'')',
          'the first step attaches it (in a transaction of its own, not under the parent''s SHARE lock)');
SELECT is(pg_temp.run_steps((:'steps2'::text[])[1:1]),
          format('public.events_org_id_occurred_at_idx: 1 of %s partitions', (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass)),
          'attach_index says how far the build is');
SELECT is((SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = :built_oid), 'events_org_id_occurred_at_idx',
          'that index was attached, not rebuilt (same oid)');

-- a new partition (maintenance, create_ahead) gets the index natively while the build is unfinished
SELECT ok(count(*) > 0, 'create_ahead makes partitions during the build') FROM part.create_ahead(5, 'public.events');
SELECT is((SELECT count(*)::int FROM pg_inherits h JOIN pg_index i ON i.indexrelid = h.inhrelid
            WHERE h.inhparent = 'public.events_org_id_occurred_at_idx'::regclass),
          3 + 1, 'the new partitions have the index attached (1 built before + 3 new ones)');

-- the rest of the steps: valid on every partition
SELECT is(pg_temp.run_steps(:'steps2'::text[]),
          format('public.events_org_id_occurred_at_idx: %s of %s partitions, valid',
                 (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass),
                 (SELECT count(*) FROM pg_inherits WHERE inhparent = 'public.events'::regclass)),
          'the last attach_index says the index is valid on every partition');
SELECT is((SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.events_org_id_occurred_at_idx'::regclass), true,
          'the parent''s index is valid');
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'index_build'), 'ok', 'verify: index_build ok');
SELECT is_empty($$SELECT * FROM part.create_index('public.events', '(org_id,occurred_at)')$$,
                'the same definition again (spelled differently): nothing to do');

-- long names stay within 63 bytes, deterministic; hash tables; a table without partitions
CREATE TABLE public.a_table_with_a_rather_long_name_for_the_index_naming_rule_xx (id int, org_id int NOT NULL,
    a_column_with_a_long_name_too int) PARTITION BY HASH (org_id);
SELECT ok(count(*) = 4, 'a hash table of 4 partitions')
  FROM part.create_partitioned('public.a_table_with_a_rather_long_name_for_the_index_naming_rule_xx', 'org_id', 'hash', p_partitions => 4);
SELECT array_agg(s) AS steps3 FROM part.create_index('public.a_table_with_a_rather_long_name_for_the_index_naming_rule_xx',
                                                    '(a_column_with_a_long_name_too, org_id)') s \gset
SELECT pg_temp.run_steps(:'steps3'::text[]) IS NOT NULL AS ran \gset
SELECT ok((SELECT bool_and(octet_length(c.relname) <= 63) AND count(*) = 5 AND count(DISTINCT c.relname) = 5
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = 'public.a_table_with_a_rather_long_name_for_the_index_naming_rule_xx'::regclass
               OR i.indrelid IN (SELECT inhrelid FROM pg_inherits
                                  WHERE inhparent = 'public.a_table_with_a_rather_long_name_for_the_index_naming_rule_xx'::regclass)),
          'index names are cut to 63 bytes (a short hash keeps them unique)');
SELECT is((SELECT bool_and(indisvalid) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
            WHERE c.relname LIKE 'a_table_with_a_rather_long_name%' AND i.indkey::text <> '0'), true,
          'hash table: valid on the parent and every partition');
CREATE TABLE public.empty_parent (id int, k int NOT NULL) PARTITION BY RANGE (k);
SELECT is_empty($$SELECT * FROM part.create_index('public.empty_parent', '(id)')$$, 'a table without partitions: nothing to run');
SELECT is((SELECT indisvalid FROM pg_index WHERE indexrelid = 'public.empty_parent_id_idx'::regclass), true,
          '... and its index is valid at once');

-- sub-partitioned tables are not supported; attach_index names
CREATE TABLE public.nested (id int, k int NOT NULL, j int NOT NULL) PARTITION BY RANGE (k);
CREATE TABLE public.nested_1 PARTITION OF public.nested FOR VALUES FROM (0) TO (10) PARTITION BY HASH (j);
SELECT is(pg_temp.error_of($$SELECT * FROM part.create_index('public.nested', '(id)')$$), '0A000 with hint',
          'a partition that is partitioned itself is not supported (0A000)');
SELECT is(pg_temp.error_of($$SELECT part.attach_index('public.nope_idx')$$), '42P01 with hint', 'attach_index: a missing index is 42P01');
SELECT * FROM finish();
ROLLBACK;
