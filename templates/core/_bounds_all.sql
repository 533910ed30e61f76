CREATE FUNCTION part._bounds_all(p_parent regclass DEFAULT NULL)
    RETURNS TABLE(parent_table text, rel regclass, partition_oid oid, is_default boolean, lo float8, hi float8)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Every partition of every managed table (or of p_parent) with its range
     * bounds as epoch seconds (UTC; integer keys: the value), as
     * part._bound_ordinal computes them, read in ONE pass over the catalog:
     * the base of maintenance, verify and metrics, which must not query each
     * table. Hash partitions and the default have NULL bounds; MINVALUE and
     * MAXVALUE are -1e30 and 1e30. Managed tables that no longer exist have no row.
     */
    WITH parts AS MATERIALIZED (
        SELECT c.parent_table, i.inhparent AS rel, k.oid, c.key_type,
               c.key_type IN ('smallint', 'integer', 'bigint') AS int_key,
               k.relpartbound::text LIKE '%:is_default true%' AS is_default,
               CASE WHEN c.strategy = 'range' THEN pg_get_expr(k.relpartbound, k.oid) END AS expr
          FROM part.config c
          JOIN pg_inherits i ON i.inhparent = part._managed_rel(c.parent_table)
          JOIN pg_class k ON k.oid = i.inhrelid
         WHERE p_parent IS NULL OR i.inhparent = p_parent
    ), lits AS (
        -- "FOR VALUES FROM ('x') TO ('y')": the two literals, unquoted
        SELECT p.*,
               btrim(split_part(split_part(p.expr, 'FROM (', 2), ') TO (', 1), '''') AS lo_lit,
               btrim(rtrim(split_part(p.expr, ') TO (', 2), ')'), '''') AS hi_lit
          FROM parts p
    )
    SELECT l.parent_table, l.rel::regclass, l.oid, l.is_default,
           CASE WHEN l.lo_lit = '' THEN NULL
                WHEN l.lo_lit IN ('MINVALUE', '-infinity') THEN -1e30
                WHEN l.lo_lit IN ('MAXVALUE', 'infinity') THEN 1e30
                WHEN l.int_key THEN l.lo_lit::float8
                WHEN l.key_type = 'timestamp with time zone' THEN date_part('epoch', l.lo_lit::timestamptz)
                WHEN l.key_type = 'timestamp without time zone' THEN date_part('epoch', l.lo_lit::timestamp)
                ELSE date_part('epoch', l.lo_lit::date::timestamp) END,
           CASE WHEN l.hi_lit = '' THEN NULL
                WHEN l.hi_lit IN ('MINVALUE', '-infinity') THEN -1e30
                WHEN l.hi_lit IN ('MAXVALUE', 'infinity') THEN 1e30
                WHEN l.int_key THEN l.hi_lit::float8
                WHEN l.key_type = 'timestamp with time zone' THEN date_part('epoch', l.hi_lit::timestamptz)
                WHEN l.key_type = 'timestamp without time zone' THEN date_part('epoch', l.hi_lit::timestamp)
                ELSE date_part('epoch', l.hi_lit::date::timestamp) END
      FROM lits l
$$;
