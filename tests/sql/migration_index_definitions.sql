-- part.migrate_start builds the copy's index definitions from the catalog: a unique index on a
-- column named ref)x gets the partition key as its last column; order, collation, operator
-- class, INCLUDE, NULLS NOT DISTINCT, storage parameters and predicates are kept.
BEGIN;
\ir _helpers.psql
SET client_min_messages = error;
SELECT plan(8);
CREATE TABLE public.orders (id bigint PRIMARY KEY, "ref)x" text NOT NULL, "a, b" text, code text,
                            k int NOT NULL, note text);
CREATE UNIQUE INDEX orders_ref ON public.orders ("ref)x");
-- NULLS NOT DISTINCT exists from PostgreSQL 15 on
SELECT CASE WHEN current_setting('server_version_num')::int >= 150000 THEN 'NULLS NOT DISTINCT ' ELSE '' END AS nnd \gset
CREATE UNIQUE INDEX orders_code ON public.orders (code COLLATE "C" text_pattern_ops DESC NULLS LAST, "a, b")
    INCLUDE (note) :nnd WITH (fillfactor = 70) WHERE ("ref)x" <> ')');
CREATE INDEX orders_lower ON public.orders (lower("a, b") NULLS FIRST) WHERE (k > 0);
CREATE UNIQUE INDEX orders_expr ON public.orders (lower(code));
INSERT INTO public.orders SELECT g, 'r' || g, 'x' || g, 'c' || g, g, 'n' FROM generate_series(1, 50) g;

SELECT is(pg_temp.error_of($$SELECT part.migrate_start('public.orders', 'k', 'range', '10', p_premake => 0)$$), 'no error',
          'migrate_start copies a unique index on a column named ref)x');
CREATE FUNCTION pg_temp.copy_index(p_cols text) RETURNS text LANGUAGE sql AS $$
    -- the definition from USING on, with UNIQUE or not in front
    SELECT CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || substr(d, strpos(d, ' USING ') + 1)
      FROM pg_index i, pg_get_indexdef(i.indexrelid) d
     WHERE i.indrelid = 'public.orders_partitioned'::regclass
       AND substr(d, strpos(d, ' USING ') + 1) LIKE 'USING btree ' || p_cols || '%'
$$;
SELECT is(pg_temp.copy_index('("ref)x"'), 'UNIQUE USING btree ("ref)x", k)',
          'the key is added as the last column, after the whole column name');
SELECT is(pg_temp.copy_index('(code'),
          'UNIQUE USING btree (code COLLATE "C" text_pattern_ops DESC NULLS LAST, "a, b", k) '
          'INCLUDE (note) ' || :'nnd' || 'WITH (fillfactor=''70'') WHERE ("ref)x" <> '')''::text)',
          'collation, operator class, order, INCLUDE, NULLS NOT DISTINCT, WITH and WHERE are kept');
SELECT is(pg_temp.copy_index('(lower("a, b")'),
          'USING btree (lower("a, b") NULLS FIRST) WHERE (k > 0)',
          'an expression index is copied as it is');
SELECT is(pg_temp.copy_index('(lower(code)'),
          'USING btree (lower(code))',
          'a unique expression index without the key becomes a plain index');
SELECT is((SELECT count(*)::int FROM pg_index WHERE indrelid = 'public.orders_partitioned'::regclass), 5, 'every index is copied (primary key included)');
CALL part.backfill('public.orders', p_commit => false);
SELECT is(part.phase('public.orders'), 'backfilled', 'the backfill goes through the copied indexes');
INSERT INTO public.orders VALUES (51, 'r51', 'x51', 'c51', 51, 'n');
SELECT is((SELECT count(*)::int FROM public.orders_partitioned), 51, 'and so does the sync');
SELECT * FROM finish();
ROLLBACK;
