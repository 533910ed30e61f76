CREATE FUNCTION part._index_lock(p_rel regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_owner oid;
    v_pid   integer;
BEGIN
/*
 * Before part.create_index or part.attach_index acts on p_rel's indexes:
 * the caller must be a superuser or a member of the table owner's role (the
 * steps it runs, CREATE INDEX CONCURRENTLY among them, run as the caller:
 * PostgreSQL evaluates index expressions as the table owner). Then the
 * build's session-level advisory lock (1885434486, the table's oid): one
 * session at a time builds indexes on a table, so that no runner drops an
 * invalid index another one is still building. It stays with the session
 * that runs the steps (psql's \gexec, pginstall index) until it ends.
 */
    SELECT c.relowner INTO v_owner FROM pg_class c WHERE c.oid = p_rel;
    IF NOT (SELECT r.rolsuper FROM pg_roles r WHERE r.rolname = current_user)
       AND NOT pg_has_role(current_user, v_owner, 'MEMBER') THEN
        RAISE EXCEPTION 'part builds indexes on % with the rights of its owner %, and % is not a member of that role',
                        p_rel, pg_get_userbyid(v_owner), current_user
            USING ERRCODE = '42501',
                  HINT = format('Run it as %I (or a member of that role) or as a superuser.', pg_get_userbyid(v_owner));
    END IF;
    IF NOT pg_try_advisory_lock(1885434486, (p_rel::oid::bigint - CASE WHEN p_rel::oid::bigint > 2147483647 THEN 4294967296 ELSE 0 END)::integer) THEN
        SELECT l.pid INTO v_pid FROM pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 1885434486 AND l.objid = p_rel::oid AND l.objsubid = 2
           AND l.database = (SELECT d.oid FROM pg_database d WHERE d.datname = current_database())
         LIMIT 1;
        RAISE EXCEPTION 'another session (pid %) is building an index on %', coalesce(v_pid::text, '?'), p_rel
            USING ERRCODE = '55P03',
                  HINT = format('Wait for it to finish (pg_stat_progress_create_index shows it), or end it (SELECT pg_terminate_backend(%s)) and run the build again: it resumes.', coalesce(v_pid::text, 'pid'));
    END IF;
END
$$;
