CREATE FUNCTION part._archive_schema()
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_owner oid;
BEGIN
/*
 * Make sure schema part_archive exists and is trusted before part moves a
 * retired partition or a legacy table into it: part creates it (owned by
 * the role running part), and refuses one that a role other than a
 * superuser or the owner of schema part made first, whose owner could
 * otherwise drop what part archives there. It is not an extension member,
 * so uninstalling part keeps what was archived.
 */
    SELECT n.nspowner INTO v_owner FROM pg_namespace n WHERE n.nspname = 'part_archive';
    IF v_owner IS NULL THEN
        CREATE SCHEMA part_archive;
        REVOKE ALL ON SCHEMA part_archive FROM PUBLIC;
        COMMENT ON SCHEMA part_archive IS
            'part: partitions retired by part.drop_old in archive mode and legacy tables archived by part.finalize (not part of the extension: uninstall keeps them)';
        RETURN;
    END IF;
    IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.oid = v_owner)
       AND v_owner <> (SELECT n.nspowner FROM pg_namespace n WHERE n.nspname = 'part') THEN
        RAISE EXCEPTION 'schema part_archive is owned by %, a role that is neither a superuser nor the owner of schema part',
                        pg_get_userbyid(v_owner)
            USING ERRCODE = '42501',
                  HINT = 'Its owner could drop what part archives there: move its tables elsewhere and drop it (part creates it again), or ALTER SCHEMA part_archive OWNER TO a superuser.';
    END IF;
END
$$;
