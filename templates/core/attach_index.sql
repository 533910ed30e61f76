CREATE FUNCTION part.attach_index(p_index text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_index  regclass;
    v_itext  text;
    v_rel    regclass;
    v_b      record;
    v_part   regclass;
    v_child  regclass;
    v_done   bigint;
    v_total  bigint;
    v_valid  boolean;
BEGIN
/*
 * A step of an online index build planned by part.create_index, run after
 * each CREATE INDEX CONCURRENTLY: attaches to the parent's index p_index
 * every partition index of the build that is built and valid (ALTER INDEX
 * ... ATTACH PARTITION, under part's lock discipline), and records it in
 * part.index_build. When the last partition is attached, PostgreSQL marks
 * p_index valid. Returns where the build stands, e.g.
 * 'public.events_org_id_idx: 5 of 12 partitions'.
 */
    v_index := to_regclass(p_index);
    IF v_index IS NULL THEN
        RAISE EXCEPTION 'index % does not exist', p_index
            USING ERRCODE = '42P01',
                  HINT = 'Name the parent''s index that part.create_index made (see part.index_build), or plan the build again with part.create_index.';
    END IF;
    v_itext := part._qualified(v_index);
    IF NOT EXISTS (SELECT 1 FROM part.index_build b WHERE b.parent_index = v_itext) THEN
        RAISE EXCEPTION '% is not an index part.create_index builds', v_itext
            USING ERRCODE = '22023',
                  HINT = 'Plan the build with SELECT * FROM part.create_index(''<schema.table>'', ''<definition>''), then run what it returns.';
    END IF;
    SELECT i.indrelid::regclass INTO v_rel FROM pg_index i WHERE i.indexrelid = v_index;
    PERFORM part._index_lock(v_rel);
    FOR v_b IN SELECT * FROM part.index_build b
                WHERE b.parent_index = v_itext AND b.state = 'pending' ORDER BY b.partition_name LOOP
        v_part := to_regclass(v_b.partition_name);
        IF v_part IS NULL OR NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = v_rel AND i.inhrelid = v_part) THEN
            UPDATE part.index_build b SET state = 'gone'
             WHERE b.parent_index = v_itext AND b.partition_name = v_b.partition_name;
            CONTINUE;
        END IF;
        SELECT h.inhrelid::regclass INTO v_child
          FROM pg_inherits h JOIN pg_index ci ON ci.indexrelid = h.inhrelid
         WHERE h.inhparent = v_index AND ci.indrelid = v_part;
        IF v_child IS NULL THEN
            SELECT ci.indexrelid::regclass INTO v_child
              FROM pg_index ci
             WHERE ci.indexrelid = to_regclass(v_b.index_name) AND ci.indrelid = v_part
               AND ci.indisvalid AND ci.indisready AND ci.indislive;
            CONTINUE WHEN v_child IS NULL;   -- not built yet
            PERFORM part._index_attach(v_index, v_child);
        END IF;
        UPDATE part.index_build b
           SET state = 'attached', index_name = part._qualified(v_child), attached_at = now()
         WHERE b.parent_index = v_itext AND b.partition_name = v_b.partition_name;
    END LOOP;
    SELECT count(*), count(*) FILTER (WHERE EXISTS (
               SELECT 1 FROM pg_inherits h JOIN pg_index ci ON ci.indexrelid = h.inhrelid
                WHERE h.inhparent = v_index AND ci.indrelid = i.inhrelid))
      INTO v_total, v_done
      FROM pg_inherits i WHERE i.inhparent = v_rel;
    SELECT i.indisvalid INTO v_valid FROM pg_index i WHERE i.indexrelid = v_index;
    RETURN format('%s: %s of %s partitions%s', v_itext, v_done, v_total,
                             CASE WHEN v_valid THEN ', valid' ELSE '' END);
END
$$;
COMMENT ON FUNCTION part.attach_index IS
    'part: attach the partition indexes of an online build (part.create_index) that are built and valid to their parent index; returns the build''s progress.';
