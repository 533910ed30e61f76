CREATE FUNCTION part._copy_owner_and_grants(p_from regclass, p_to regclass, p_partition boolean DEFAULT true)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_owner oid;
    v_acl   record;
BEGIN
/*
 * Give p_to the owner and the table privileges of p_from (a new partition
 * gets those of its parent). A partition of a table with row-level security
 * gets the owner only: its grants would let a role read or write the
 * partition directly, where the parent's policies do not apply (PostgreSQL
 * checks only the parent's privileges for access through the parent).
 *
 * plpgsql_check (tests/py/test_plpgsql_check.py): no SQL injection check here, as
 * its EXECUTEs format() with %s names part read as regclass or format_type text, or fragments built with %I / %L;
 * test_template_rules.py checks how its EXECUTEs are composed.
 * @plpgsql_check_options: security_warnings = false
 */
    SELECT c.relowner INTO v_owner FROM pg_class c WHERE c.oid = p_from;
    IF v_owner <> (SELECT c.relowner FROM pg_class c WHERE c.oid = p_to) THEN
        EXECUTE format('ALTER TABLE %s OWNER TO %I', p_to, pg_get_userbyid(v_owner));
    END IF;
    IF p_partition AND (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = p_from) THEN
        RETURN;
    END IF;
    FOR v_acl IN
        SELECT a.grantee, a.privilege_type, a.is_grantable
          FROM pg_class c, aclexplode(c.relacl) a
         WHERE c.oid = p_from AND a.grantee <> c.relowner
    LOOP
        EXECUTE format('GRANT %s ON TABLE %s TO %s%s', v_acl.privilege_type, p_to,
            CASE WHEN v_acl.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(v_acl.grantee)) END,
            CASE WHEN v_acl.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;
