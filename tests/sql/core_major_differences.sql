-- Where PostgreSQL majors differ, part's behaviour on each (this file runs on every major
-- of `make test`):
-- * MAINTAIN (17+) is a table privilege like the others: a new partition gets it from the
--   parent; before 17 it does not exist (42601 on GRANT).
-- * DETACH ... CONCURRENTLY cannot run inside a transaction block (so not inside a function
--   either, on any major): drop_old detaches with a plain DETACH and short lock timeouts.
BEGIN;
\ir _helpers.psql
SELECT plan(5);
CREATE ROLE part_test_maint;
CREATE TABLE public.bookings (id bigint NOT NULL, starts_on date NOT NULL) PARTITION BY RANGE (starts_on);
SELECT is(pg_temp.error_of('GRANT MAINTAIN ON public.bookings TO part_test_maint'),
          CASE WHEN current_setting('server_version_num')::int >= 170000 THEN 'no error' ELSE '42601 without hint' END,
          'GRANT MAINTAIN exists from 17 on (server ' || current_setting('server_version_num') || ')');
SELECT part.create_partitioned('public.bookings', 'starts_on', 'range', '1 month', p_premake => 1,
                               p_retention => '1 month', p_retention_mode => 'detach');
SELECT ok((SELECT bool_and(CASE WHEN current_setting('server_version_num')::int >= 170000
                                THEN has_table_privilege('part_test_maint', p.partition_name, 'MAINTAIN')
                                ELSE NOT has_table_privilege('part_test_maint', p.partition_name, 'SELECT') END)
             FROM part.partitions p WHERE p.parent_table = 'public.bookings'),
          'new partitions carry MAINTAIN where it exists');
CREATE TABLE public.bookings_old PARTITION OF public.bookings FOR VALUES FROM ('2001-01-01') TO ('2001-02-01');
SELECT is(pg_temp.error_of('ALTER TABLE public.bookings DETACH PARTITION public.bookings_old CONCURRENTLY'),
          '25001 without hint', 'DETACH ... CONCURRENTLY is refused inside a transaction block');
SELECT is((SELECT array_agg(d.partition_name) FROM part.drop_old() d), ARRAY['public.bookings_old'], 'drop_old detaches it (plain DETACH)');
SELECT is((SELECT count(*)::int FROM pg_inherits WHERE inhrelid = 'public.bookings_old'::regclass), 0,
          'and it is no partition any more');
SELECT * FROM finish();
ROLLBACK;
