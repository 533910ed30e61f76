-- verify(): a hash table whose split_hash was interrupted (partitions of two
-- moduli) fails partitions_ahead with what to call; whole again it is ok.
BEGIN;
\ir _helpers.psql
SELECT plan(4);
CREATE TABLE public.dcb (id bigint NOT NULL, org_id int NOT NULL) PARTITION BY HASH (org_id);
SELECT part.create_partitioned('public.dcb', 'org_id', 'hash', p_partitions => 2);
INSERT INTO public.dcb SELECT g, g FROM generate_series(1, 100) g;
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'partitions_ahead'), 'ok', 'two of two hash partitions: ok');

-- what an interrupted CALL part.split_hash('public.dcb', 4) leaves: remainder 1 of 2 split into 1 and 3 of 4, remainder 0 not yet
CREATE TEMP TABLE keep AS SELECT * FROM public.dcb_1;
ALTER TABLE public.dcb DETACH PARTITION public.dcb_1;
DROP TABLE public.dcb_1;
CREATE TABLE public.dcb_1 PARTITION OF public.dcb FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE public.dcb_3 PARTITION OF public.dcb FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO public.dcb SELECT * FROM keep;
SELECT is((SELECT status FROM part.verify() WHERE check_name = 'partitions_ahead'), 'fail', 'half split: fail');
SELECT matches((SELECT detail FROM part.verify() WHERE check_name = 'partitions_ahead'),
               'unfinished .*CALL part\.split_hash\(''public\.dcb'', 4\)', 'the detail says how to finish it');
SELECT is((SELECT count(*)::int FROM public.dcb), 100, 'no row lost in the staging');
SELECT * FROM finish();
ROLLBACK;
