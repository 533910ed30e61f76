-- part.drop_old: a retention given in the call applies to the table named in the call only
-- (refused without one); without one each table keeps its own (NULL: everything). p_dry_run
-- lists what would be retired and how, changing nothing; the result says what was done.
BEGIN;
\ir _helpers.psql
SELECT plan(14);

CREATE FUNCTION pg_temp.make_table(p_name text, p_retention text, p_mode text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE public.%I (id int, occurred_at timestamptz NOT NULL, PRIMARY KEY (id, occurred_at))
                    PARTITION BY RANGE (occurred_at)', p_name);
    PERFORM part.create_partitioned('public.' || p_name, 'occurred_at', 'range', '1 month',
                                    p_retention => p_retention, p_retention_mode => p_mode);
    PERFORM part._ensure_range_partitions(('public.' || p_name)::regclass, (now() - interval '12 months')::text, now()::text);
    EXECUTE format('INSERT INTO public.%I SELECT g, now() - g * interval ''1 day'' FROM generate_series(0, 364) g', p_name);
END
$$;
SELECT pg_temp.make_table('keep_all', NULL, 'drop');        -- no retention: keeps everything
SELECT pg_temp.make_table('long_kept', '24 months', 'drop'); -- keeps more than 30 days
SELECT pg_temp.make_table('short_kept', '6 months', 'detach');
SELECT pg_temp.make_table('archived', '6 months', 'archive');

-- a retention without a table is refused: it would retire partitions of tables that keep more
SELECT pg_temp.catalog_state() AS before \gset
SELECT is(pg_temp.error_of($$SELECT part.drop_old('30 days')$$), '22023 with hint', 'drop_old(''30 days'') without a table: 22023');
SELECT is(pg_temp.error_of($$SELECT part.drop_old(p_dry_run => NULL)$$), '22023 with hint', 'a NULL p_dry_run: 22023');
SELECT is(pg_temp.catalog_state(), :'before', 'nothing changed');
SELECT is((SELECT count(*)::int FROM public.keep_all), 365, 'no row of the table without retention went');

-- the preview: what would be retired and how, nothing changed, nothing logged
SELECT results_eq(
    $$SELECT partition_name, parent_table, action, kept_as FROM part.drop_old(p_dry_run => true) ORDER BY 2, 1$$,
    $$SELECT 'public.archived_' || pg_temp.month_suffix(s), 'public.archived', 'would archive', 'part_archive.archived_' || pg_temp.month_suffix(s)
        FROM generate_series(-12, -7) s
      UNION ALL
      SELECT 'public.short_kept_' || pg_temp.month_suffix(s), 'public.short_kept', 'would detach', 'public.short_kept_' || pg_temp.month_suffix(s)
        FROM generate_series(-12, -7) s ORDER BY 2, 1$$,
    'the dry run lists the partitions each table''s own retention retires, and how');
SELECT is(pg_temp.catalog_state(), :'before', 'the dry run changes nothing');
SELECT is((SELECT count(*)::int FROM part.maintenance_log), 0, 'and logs nothing');
SELECT results_eq(
    $$SELECT partition_name, action FROM part.drop_old('1 month', 'public.keep_all', p_dry_run => true) ORDER BY 1 LIMIT 1$$,
    $$VALUES ('public.keep_all_' || pg_temp.month_suffix(-12), 'would drop')$$,
    'a dry run with a retention for one table');
SELECT is(pg_temp.catalog_state(), :'before', 'changes nothing either');

-- the real run: each table by its own retention, the result says what was done
SELECT results_eq(
    $$SELECT parent_table, action, count(*)::int FROM part.drop_old() GROUP BY 1, 2 ORDER BY 1$$,
    $$VALUES ('public.archived', 'archived', 6), ('public.short_kept', 'detached', 6)$$,
    'drop_old() retires by each table''s own retention and says what it did');
SELECT is((SELECT count(*)::int FROM public.keep_all), 365, 'the table without retention keeps all its rows');
SELECT is((SELECT count(*)::int FROM public.long_kept), 365, 'the table with a longer retention keeps all its rows');
SELECT results_eq(
    $$SELECT action, kept_as FROM part.drop_old('11 months', 'public.long_kept')$$,
    $$VALUES ('dropped', NULL::text)$$,
    'an explicit retention applies to the table named: dropped, kept nowhere');
SELECT is((SELECT count(*)::int FROM part.maintenance_log WHERE outcome = 'ok' AND action IN ('drop', 'detach', 'archive')), 13,
          'each retired partition is logged');
SELECT * FROM finish();
ROLLBACK;
