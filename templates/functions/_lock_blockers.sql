CREATE FUNCTION {{ schema }}._lock_blockers(p_rel regclass, p_mode text)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The sessions holding a lock on p_rel that conflicts with p_mode, as one
     * line each joined by '; ' (pid, user, application, state, since when,
     * the start of the query), or NULL when there is none.
     */
    SELECT pg_catalog.string_agg(DISTINCT pg_catalog.format('pid %s (user %s, application %L, %s since %s: %s)',
               a.pid, a.usename, a.application_name, a.state,
               pg_catalog.to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'),
               pg_catalog.left(a.query, 80)), '; ')
      FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'relation' AND l.relation = p_rel AND l.granted
       AND l.pid <> pg_catalog.pg_backend_pid()
       AND NOT l.mode = ANY ({{ schema }}._compatible_locks(p_mode))
$$;
