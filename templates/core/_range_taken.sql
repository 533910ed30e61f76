CREATE FUNCTION part._range_taken(p_parent regclass, p_key_type regtype, p_lo numeric, p_hi numeric)
    RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    /*
     * Whether a range partition of p_parent overlaps [p_lo, p_hi) (ordinals
     * as part._bound_ordinal computes them: epoch seconds for time keys, the
     * value for integer keys), in one query: the bounds read from the catalog
     * and turned into ordinals in SQL, where part._partition_bounds with
     * part._bound_ordinal per bound made four PL/pgSQL calls per partition
     * (what part._create_range_partition's checks, one of them under the
     * parent's lock, cost per partition made). PL/pgSQL, not SQL: it keeps
     * the query's plan for the session, where a SQL function with a SET clause
     * plans it again in every transaction (maintenance makes one partition
     * per transaction). pg_get_expr without the partition's oid: a bound
     * holds constants only, and with it pg_get_expr would open (and lock)
     * every partition to name its columns.
     */
    RETURN EXISTS (
        SELECT 1
          FROM pg_inherits i
          JOIN pg_class k ON k.oid = i.inhrelid
         CROSS JOIN LATERAL (SELECT pg_get_expr(k.relpartbound, 0) AS expr) e
         CROSS JOIN LATERAL (SELECT btrim(split_part(split_part(e.expr, 'FROM (', 2), ') TO (', 1), '''') AS lo,
                                    btrim(rtrim(split_part(e.expr, ') TO (', 2), ')'), '''') AS hi) l
         CROSS JOIN LATERAL (
             SELECT CASE WHEN upper(l.lo) IN ('MINVALUE', '-INFINITY') THEN -1e30
                         WHEN upper(l.lo) IN ('MAXVALUE', 'INFINITY') THEN 1e30
                         WHEN p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN l.lo::numeric
                         WHEN p_key_type = 'timestamp with time zone'::regtype THEN extract(epoch FROM l.lo::timestamptz)
                         WHEN p_key_type = 'timestamp without time zone'::regtype THEN extract(epoch FROM l.lo::timestamp)
                         ELSE extract(epoch FROM l.lo::date::timestamp) END AS lo,
                    CASE WHEN upper(l.hi) IN ('MINVALUE', '-INFINITY') THEN -1e30
                         WHEN upper(l.hi) IN ('MAXVALUE', 'INFINITY') THEN 1e30
                         WHEN p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN l.hi::numeric
                         WHEN p_key_type = 'timestamp with time zone'::regtype THEN extract(epoch FROM l.hi::timestamptz)
                         WHEN p_key_type = 'timestamp without time zone'::regtype THEN extract(epoch FROM l.hi::timestamp)
                         ELSE extract(epoch FROM l.hi::date::timestamp) END AS hi) o
         WHERE i.inhparent = p_parent
           AND e.expr LIKE 'FOR VALUES FROM (%'
           AND o.lo < p_hi AND o.hi > p_lo);
END
$$;
