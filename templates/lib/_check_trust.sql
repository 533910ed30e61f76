CREATE FUNCTION part._check_trust()
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_bad text;
BEGIN
/*
 * Refuse to act when a role with fewer rights than the caller could have
 * changed what part is about to trust (called first by run_maintenance,
 * drop_old and create_ahead, which superusers run from pg_cron): schema part
 * and every object in it must be owned by a superuser or by the caller, and
 * no other role may create in schema part or write into part's tables (the
 * rows of part.config say which partitions to create and which to drop).
 */
    SELECT string_agg(x.what, ', ') INTO v_bad FROM (
        SELECT format('schema part (owner %s)', pg_get_userbyid(n.nspowner)) AS what
          FROM pg_namespace n
         WHERE n.nspname = 'part'
           AND n.nspowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
           AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = n.nspowner)
        UNION ALL
        SELECT format('%s (owner %s)', c.oid::regclass, pg_get_userbyid(c.relowner))
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'part' AND c.relkind IN ('r', 'v', 'S', 'p')
           AND c.relowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
           AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = c.relowner)
        UNION ALL
        SELECT format('%s (owner %s)', p.oid::regprocedure, pg_get_userbyid(p.proowner))
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = 'part'
           AND p.proowner <> (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user)
           AND NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = p.proowner)
        UNION ALL
        SELECT DISTINCT format('%s (%s may %s)', c.oid::regclass,
                                          CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END,
                                          a.privilege_type)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(c.relacl) a
         WHERE n.nspname = 'part' AND a.grantee <> c.relowner
           AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER')
           AND NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.oid = a.grantee), false)
        UNION ALL
        SELECT format('schema part (%s may CREATE)', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END)
          FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
         WHERE n.nspname = 'part' AND a.grantee <> n.nspowner AND a.privilege_type = 'CREATE'
           AND NOT coalesce((SELECT r.rolsuper FROM pg_roles r WHERE r.oid = a.grantee), false)
    ) x;
    IF v_bad IS NOT NULL THEN
        RAISE EXCEPTION 'part refuses to run: objects it trusts could have been changed by a role other than % or a superuser: %',
                        current_user, v_bad
            USING ERRCODE = '42501',
                  HINT = 'Give them back to a superuser (ALTER ... OWNER TO, REVOKE), or reinstall part as a superuser; see the README''s security model.';
    END IF;
END
$$;
