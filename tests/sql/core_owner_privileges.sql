-- New partitions get the parent's owner and privileges.
BEGIN;
\ir _helpers.psql
SELECT plan(4);
CREATE ROLE part_test_owner;
CREATE ROLE part_test_reader;
CREATE TABLE public.bookings (id bigint NOT NULL, starts_on date NOT NULL) PARTITION BY RANGE (starts_on);
ALTER TABLE public.bookings OWNER TO part_test_owner;
GRANT SELECT ON public.bookings TO part_test_reader;
SELECT part.create_partitioned('public.bookings', 'starts_on', 'range', '1 month', p_premake => 1);
SELECT is((SELECT count(*)::int FROM part.partitions), 3, 'default + 2 partitions');
SELECT ok((SELECT bool_and(pg_get_userbyid(c.relowner) = 'part_test_owner') FROM part.partitions p
             JOIN pg_class c ON c.oid = p.partition_name::regclass), 'owned by the parent''s owner');
SELECT ok((SELECT bool_and(has_table_privilege('part_test_reader', p.partition_name, 'SELECT')) FROM part.partitions p),
          'the reader may read every partition');
SELECT ok((SELECT NOT bool_or(has_table_privilege('part_test_reader', p.partition_name, 'INSERT')) FROM part.partitions p),
          'and nothing more');
SELECT * FROM finish();
ROLLBACK;
