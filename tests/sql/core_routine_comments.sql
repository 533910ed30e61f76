-- Every public routine of part (a name without a leading underscore) has a COMMENT, so that
-- \df+ part.* explains the API; the internal ones (part._*) are not executable by PUBLIC.
BEGIN;
\ir _helpers.psql
SELECT plan(3);
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
            WHERE p.pronamespace = 'part'::regnamespace AND p.proname !~ '^_'
              AND coalesce(obj_description(p.oid, 'pg_proc'), '') = ''),
          NULL, 'every public routine of part has a COMMENT');
SELECT is((SELECT array_agg(p.oid::regprocedure::text ORDER BY 1) FROM pg_proc p
            WHERE p.pronamespace = 'part'::regnamespace AND p.proname !~ '^_'
              AND obj_description(p.oid, 'pg_proc') NOT LIKE 'part: %'),
          NULL, 'each says it is part''s (''part: ...'')');
SELECT cmp_ok((SELECT count(*) FROM pg_proc p WHERE p.pronamespace = 'part'::regnamespace AND p.proname !~ '^_'),
              '>=', 20::bigint, 'the public API: at least the 20 routines of the SPEC');
SELECT * FROM finish();
ROLLBACK;
