-- part 0.1.0 (extension install), rendered from templates/: do not edit
\echo Use "CREATE EXTENSION part" to load this file. \quit
SET LOCAL check_function_bodies = off;

-- tables

-- tables/config.sql
-- part.config: one row per managed partitioned table.
CREATE TABLE part.config (
    parent_table      text PRIMARY KEY,
    strategy          text NOT NULL CHECK (strategy IN ('range', 'hash')),
    key_column        text NOT NULL,
    key_type          text NOT NULL,
    "interval"        text,
    partitions        integer CHECK (partitions > 0),
    premake           integer NOT NULL DEFAULT 3 CHECK (premake >= 0),
    retention         text,
    retention_mode    text NOT NULL DEFAULT 'detach'
                      CHECK (retention_mode IN ('drop', 'detach', 'archive')),
    default_partition boolean,
    partition_prefix  text,
    batch_size        integer NOT NULL DEFAULT 10000 CHECK (batch_size > 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (strategy <> 'range' OR ("interval" IS NOT NULL AND partitions IS NULL)),
    CHECK (strategy <> 'hash' OR (partitions IS NOT NULL AND "interval" IS NULL
                                   AND retention IS NULL AND NOT coalesce(default_partition, false)))
);
COMMENT ON TABLE part.config IS
    'part: one row per managed partitioned table (part.create_partitioned adds it)';
SELECT pg_catalog.pg_extension_config_dump('part.config', '');

-- tables/maintenance_log.sql
-- part.maintenance_log: one row per maintenance action, and a heartbeat row
-- (action = 'run') per maintenance run.
CREATE TABLE part.maintenance_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id         bigint,
    logged_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    parent_table   text,
    action         text NOT NULL,
    partition_name text,
    rows_moved     bigint,
    duration       interval,
    outcome        text NOT NULL CHECK (outcome IN ('ok', 'skipped', 'failed')),
    detail         text
);
CREATE INDEX maintenance_log_run ON part.maintenance_log (run_id);
CREATE INDEX maintenance_log_heartbeat ON part.maintenance_log (logged_at) WHERE action = 'run';
-- run ids of part.run_maintenance (one per run; the actions of a run share it)
CREATE SEQUENCE part.maintenance_run_id_seq;
CREATE INDEX maintenance_log_logged_at ON part.maintenance_log (logged_at);
CREATE INDEX maintenance_log_parent ON part.maintenance_log (parent_table, logged_at);
COMMENT ON TABLE part.maintenance_log IS
    'part: one row per maintenance action; action = ''run'' rows are heartbeats';
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_log', '');
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_run_id_seq', '');

-- tables/migration.sql
-- part.migration: one row per table being moved into a partitioned table,
-- named by the application's table name, which stays the same across the switch.
CREATE TABLE part.migration (
    table_name            text PRIMARY KEY,
    legacy_table          text NOT NULL,
    partitioned_table     text NOT NULL,
    strategy              text NOT NULL CHECK (strategy IN ('range', 'hash')),
    key_column            text NOT NULL,
    phase                 text NOT NULL DEFAULT 'dual_write'
                          CHECK (phase IN ('dual_write', 'backfilled', 'partitioned', 'finalized')),
    backfill_last_key     text,
    backfill_rows         bigint NOT NULL DEFAULT 0,
    backfill_started_at   timestamptz,
    backfill_finished_at  timestamptz,
    parity_checked_at     timestamptz,
    parity_clean          boolean,
    started_at            timestamptz NOT NULL DEFAULT now(),
    dual_write_at         timestamptz NOT NULL DEFAULT now(),
    backfilled_at         timestamptz,
    partitioned_at        timestamptz,
    rolled_back_at        timestamptz,
    finalized_at          timestamptz
);
COMMENT ON TABLE part.migration IS
    'part: one row per table being moved online (part.migrate_start adds it)';
SELECT pg_catalog.pg_extension_config_dump('part.migration', '');

-- tables/settings.sql
-- part.settings: key/value settings. `version` is the installed version;
-- the flags steer maintenance and logging (see part.set_setting).
CREATE TABLE part.settings (
    key         text PRIMARY KEY,
    value       text,
    description text
);
COMMENT ON TABLE part.settings IS
    'part settings: version and flags; change flags with part.set_setting(key, value)';
SELECT pg_catalog.pg_extension_config_dump('part.settings', $$WHERE key <> 'version'$$);

-- tables/split_log.sql
-- part.split_log: keys written into a hash partition while part.split_hash
-- copies it, so that the short locked step re-copies only those keys.
CREATE UNLOGGED TABLE part.split_log (
    partition_oid oid NOT NULL,
    key_value     text          -- NULL: the partition was truncated
);
CREATE INDEX split_log_partition ON part.split_log (partition_oid);
COMMENT ON TABLE part.split_log IS
    'part: keys changed in a hash partition during part.split_hash (transient)';

-- functions

-- functions/_bound_ordinal.sql
CREATE FUNCTION part._bound_ordinal(p_value text, p_key_type regtype)
    RETURNS numeric
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A bound or key value as a number, to compare bounds of any key type:
 * epoch seconds (UTC) for time keys, the value itself for integers;
 * MINVALUE / MAXVALUE (and -infinity / infinity) far below / above any value.
 */
    IF p_value IS NULL THEN
        RETURN NULL;
    ELSIF pg_catalog.upper(p_value) IN ('MINVALUE', '-INFINITY') THEN
        RETURN -1e30;
    ELSIF pg_catalog.upper(p_value) IN ('MAXVALUE', 'INFINITY') THEN
        RETURN 1e30;
    ELSIF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        RETURN p_value::numeric;
    END IF;
    RETURN extract(epoch FROM part._to_utc(p_value, p_key_type));
END
$$;

-- functions/_check_retention.sql
CREATE FUNCTION part._check_retention(p_retention text, p_key_type regtype)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_iv interval;
BEGIN
/*
 * A retention is an interval with a unit for time keys ('24 months') and a
 * positive integer for integer keys; anything else is 22023.
 */
    IF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        IF p_retention !~ '^\s*[0-9]+\s*$' OR btrim(p_retention)::numeric <= 0 THEN
            RAISE EXCEPTION 'invalid retention "%" for an integer key', p_retention
                USING ERRCODE = '22023', HINT = 'Give how far below the largest key to keep, as a positive integer.';
        END IF;
        RETURN;
    END IF;
    BEGIN
        v_iv := p_retention::interval;
    EXCEPTION WHEN others THEN
        v_iv := NULL;
    END;
    IF v_iv IS NULL OR p_retention ~ '^\s*[0-9.]+\s*$' OR v_iv <= interval '0' THEN
        RAISE EXCEPTION 'invalid retention "%"', p_retention
            USING ERRCODE = '22023', HINT = 'Write a positive interval with its unit, e.g. ''24 months'' or ''90 days''.';
    END IF;
END
$$;

-- functions/_compatible_locks.sql
CREATE FUNCTION part._compatible_locks(p_mode text)
    RETURNS text[]
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* the pg_locks modes that do not conflict with a table lock in p_mode (to name real blockers) */
    SELECT CASE p_mode
        WHEN 'ACCESS SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
                                       'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock']
        WHEN 'ROW SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock',
                                    'ShareLock', 'ShareRowExclusiveLock']
        WHEN 'ROW EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock']
        WHEN 'SHARE UPDATE EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'RowExclusiveLock']
        WHEN 'SHARE' THEN ARRAY['AccessShareLock', 'RowShareLock', 'ShareLock']
        WHEN 'SHARE ROW EXCLUSIVE' THEN ARRAY['AccessShareLock', 'RowShareLock']
        WHEN 'EXCLUSIVE' THEN ARRAY['AccessShareLock']
        ELSE ARRAY[]::text[]
    END
$$;

-- functions/_config_row.sql
CREATE FUNCTION part._config_row(p_parent regclass)
    RETURNS part.config
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_row part.config;
BEGIN
/*
 * The part.config row of a table; 55000 with a HINT when part does not manage it.
 */
    SELECT * INTO v_row FROM part.config c WHERE c.parent_table = part._qualified(p_parent);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'table % is not managed by part', part._qualified(p_parent)
            USING ERRCODE = '55000',
                  HINT = 'Register it first with part.create_partitioned(table, key, strategy, ...) or in pginstall.toml.';
    END IF;
    RETURN v_row;
END
$$;

-- functions/_copy_owner_and_grants.sql
CREATE FUNCTION part._copy_owner_and_grants(p_from regclass, p_to regclass)
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
 * gets those of its parent).
 */
    SELECT c.relowner INTO v_owner FROM pg_catalog.pg_class c WHERE c.oid = p_from;
    IF v_owner <> (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = p_to) THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s OWNER TO %I', p_to, pg_catalog.pg_get_userbyid(v_owner));
    END IF;
    FOR v_acl IN
        SELECT a.grantee, a.privilege_type, a.is_grantable
          FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
         WHERE c.oid = p_from AND a.grantee <> c.relowner
    LOOP
        EXECUTE pg_catalog.format('GRANT %s ON TABLE %s TO %s%s', v_acl.privilege_type, p_to,
            CASE WHEN v_acl.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.quote_ident(pg_catalog.pg_get_userbyid(v_acl.grantee)) END,
            CASE WHEN v_acl.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
    END LOOP;
END
$$;

-- functions/_create_range_partition.sql
CREATE FUNCTION part._create_range_partition(p_parent regclass, p_from text, p_to text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg      part.config := part._config_row(p_parent);
    v_type     regtype := v_cfg.key_type::regtype;
    v_schema   text;
    v_name     text;
    v_new      regclass;
    v_default  regclass;
    v_cols     text;
    v_moved    bigint := 0;
    v_lo       numeric := part._bound_ordinal(p_from, v_type);
    v_hi       numeric := part._bound_ordinal(p_to, v_type);
BEGIN
/*
 * Create the range partition [p_from, p_to) of p_parent, or return NULL when
 * a partition already covers (part of) that range.
 *
 * The partition is made as a standalone table and attached: ATTACH takes
 * only SHARE UPDATE EXCLUSIVE on the parent, so without a default partition
 * writers go on. With a default partition, writers are held at the parent
 * (EXCLUSIVE: reads go on) for this one step, the rows the default holds for
 * the new range move into the new table, then ATTACH: creating a partition
 * never fails because of rows in the default, and no concurrent insert fails
 * either. Locks are taken with short timeouts and retries (part._lock). The new partition gets the parent's indexes (by ATTACH), owner
 * and privileges.
 */
    IF v_lo >= v_hi THEN
        RAISE EXCEPTION 'empty range [%, %) for %', p_from, p_to, v_cfg.parent_table
            USING ERRCODE = '22023', HINT = 'The lower bound must be below the upper bound.';
    END IF;
    IF EXISTS (SELECT 1 FROM part._partition_bounds(p_parent) b
                WHERE NOT b.is_default
                  AND part._bound_ordinal(b.bound_from, v_type) < v_hi
                  AND part._bound_ordinal(b.bound_to, v_type) > v_lo) THEN
        RETURN NULL;
    END IF;

    SELECT n.nspname INTO v_schema
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_parent;
    v_name := part._partition_name(
        coalesce(v_cfg.partition_prefix, (SELECT c.relname FROM pg_catalog.pg_class c WHERE c.oid = p_parent)),
        part._range_suffix(p_from, v_type, v_cfg."interval"));
    IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_schema, v_name)) IS NOT NULL THEN
        RAISE EXCEPTION 'cannot create partition %.%: a relation with that name exists', v_schema, v_name
            USING ERRCODE = '42P07',
                  HINT = 'Rename or drop that relation, or attach it yourself as the partition for this range.';
    END IF;

    SELECT b.partition_oid::regclass INTO v_default
      FROM part._partition_bounds(p_parent) b WHERE b.is_default;

    IF v_default IS NULL THEN
        PERFORM part._lock(p_parent, 'SHARE UPDATE EXCLUSIVE');
    ELSE
        -- Writers must wait at the parent, not at the default: a writer that
        -- routed a row to the default before the ATTACH would fail on the
        -- default's new constraint instead of going to the new partition.
        -- EXCLUSIVE blocks writers (only for this short step) but not readers.
        PERFORM part._lock(p_parent, 'EXCLUSIVE');
        PERFORM part._lock(v_default, 'ACCESS EXCLUSIVE');
    END IF;

    EXECUTE pg_catalog.format(
        'CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED INCLUDING COMMENTS)',
        v_schema, v_name, p_parent);
    v_new := pg_catalog.format('%I.%I', v_schema, v_name)::regclass;

    IF v_default IS NOT NULL THEN
        SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = p_parent AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';
        EXECUTE pg_catalog.format(
            'WITH moved AS (DELETE FROM %1$s WHERE %2$I >= %3$L::%5$s AND %2$I < %4$L::%5$s RETURNING %6$s) '
            'INSERT INTO %7$s (%6$s) SELECT %6$s FROM moved',
            v_default, v_cfg.key_column, p_from, p_to, v_type, v_cols, v_new);
        GET DIAGNOSTICS v_moved = ROW_COUNT;
    END IF;

    PERFORM part._copy_owner_and_grants(p_parent, v_new);
    EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES FROM (%L) TO (%L)',
                              p_parent, v_new, p_from, p_to);
    PERFORM part._notice(pg_catalog.format('created partition %s [%s, %s)%s', v_new, p_from, p_to,
        CASE WHEN v_moved > 0 THEN pg_catalog.format(', moved %s rows from %s', v_moved, v_default) ELSE '' END));
    RETURN part._qualified(v_new);
END
$$;

-- functions/_cron_period.sql
CREATE FUNCTION part._cron_period(p_schedule text)
    RETURNS interval
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_expr    text := pg_catalog.lower(pg_catalog.btrim(p_schedule));
    v_fields  text[];
    v_lo      integer[] := ARRAY[0, 0, 1, 1, 0];
    v_hi      integer[] := ARRAY[59, 23, 31, 12, 7];
    v_sets    integer[][];
    v_set     integer[];
    v_item    text;
    v_range   text;
    v_step    integer;
    v_a       integer;
    v_b       integer;
    v_times   integer[];
    v_max     integer;
BEGIN
/*
 * The longest time between two runs of a pg_cron (1.4) schedule: five
 * fields (minute hour day-of-month month day-of-week, with lists, ranges,
 * steps and month/day names) or @hourly, @daily, @weekly, @monthly,
 * @yearly. part.verify() calls maintenance stale after twice this period.
 * Day-of-month and day-of-week combine as in cron: when both are
 * restricted, a day matching either runs. 22023 when invalid or when the
 * schedule never runs.
 */
    v_expr := CASE v_expr
        WHEN '@hourly' THEN '0 * * * *'
        WHEN '@daily' THEN '0 0 * * *'
        WHEN '@midnight' THEN '0 0 * * *'
        WHEN '@weekly' THEN '0 0 * * 0'
        WHEN '@monthly' THEN '0 0 1 * *'
        WHEN '@yearly' THEN '0 0 1 1 *'
        WHEN '@annually' THEN '0 0 1 1 *'
        ELSE v_expr END;
    v_fields := pg_catalog.regexp_split_to_array(v_expr, '\s+');
    IF v_expr IS NULL OR v_expr = '' OR pg_catalog.cardinality(v_fields) <> 5 THEN
        RAISE EXCEPTION 'invalid cron schedule "%"', p_schedule
            USING ERRCODE = '22023',
                  HINT = 'Write five fields (minute hour day-of-month month day-of-week), e.g. ''0 2 * * *'' (02:00 UTC daily), or @daily.';
    END IF;
    -- names of months and week days
    FOR i IN 1 .. 12 LOOP
        v_fields[4] := pg_catalog.replace(v_fields[4],
            (ARRAY['jan','feb','mar','apr','may','jun','jul','aug','sep','oct','nov','dec'])[i], i::text);
    END LOOP;
    FOR i IN 0 .. 6 LOOP
        v_fields[5] := pg_catalog.replace(v_fields[5], (ARRAY['sun','mon','tue','wed','thu','fri','sat'])[i + 1], i::text);
    END LOOP;

    v_sets := pg_catalog.array_fill(0, ARRAY[5, 60]);
    FOR f IN 1 .. 5 LOOP
        FOREACH v_item IN ARRAY pg_catalog.string_to_array(v_fields[f], ',') LOOP
            IF v_item !~ '^(\*|[0-9]+(-[0-9]+)?)(/[0-9]+)?$' THEN
                RAISE EXCEPTION 'invalid cron schedule "%": cannot read "%"', p_schedule, v_item
                    USING ERRCODE = '22023',
                          HINT = 'Each field is *, a number, a range a-b, a list a,b or a step */n; e.g. ''0 2 * * *''.';
            END IF;
            v_range := pg_catalog.split_part(v_item, '/', 1);
            v_step := coalesce(nullif(pg_catalog.split_part(v_item, '/', 2), '')::integer, 1);
            IF v_range = '*' THEN
                v_a := v_lo[f];
                v_b := v_hi[f];
            ELSE
                v_a := pg_catalog.split_part(v_range, '-', 1)::integer;
                v_b := coalesce(nullif(pg_catalog.split_part(v_range, '-', 2), '')::integer,
                                CASE WHEN v_item LIKE '%/%' THEN v_hi[f] ELSE v_a END);
            END IF;
            IF v_a < v_lo[f] OR v_b > v_hi[f] OR v_a > v_b OR v_step < 1 THEN
                RAISE EXCEPTION 'invalid cron schedule "%": "%" is out of range %-%', p_schedule, v_item, v_lo[f], v_hi[f]
                    USING ERRCODE = '22023', HINT = 'Fields: minute 0-59, hour 0-23, day 1-31, month 1-12, week day 0-7 (0 and 7: Sunday).';
            END IF;
            FOR v IN v_a .. v_b BY v_step LOOP
                v_sets[f][CASE WHEN f = 5 THEN v % 7 ELSE v END + 1] := 1;
            END LOOP;
        END LOOP;
    END LOOP;

    SELECT pg_catalog.array_agg(h * 60 + m ORDER BY h * 60 + m) INTO v_times
      FROM pg_catalog.generate_series(0, 23) h, pg_catalog.generate_series(0, 59) m
     WHERE v_sets[2][h + 1] = 1 AND v_sets[1][m + 1] = 1;

    -- Within a day: the gaps between its run times. Between two run days d1 < d2
    -- (over eight years, so leap days count): from the last run of d1 to the
    -- first of d2.
    SELECT pg_catalog.max(g.gap) INTO v_max
      FROM (SELECT pg_catalog.lead(t) OVER (ORDER BY t) - t AS gap FROM pg_catalog.unnest(v_times) t) g;
    WITH days AS (
        SELECT (d::date - date '2024-01-01') AS n
          FROM pg_catalog.generate_series(date '2024-01-01', date '2031-12-31', interval '1 day') d
         WHERE v_sets[4][pg_catalog.date_part('month', d)::int + 1] = 1
           AND CASE WHEN pg_catalog.left(v_fields[3], 1) = '*' OR pg_catalog.left(v_fields[5], 1) = '*'
                    THEN v_sets[3][pg_catalog.date_part('day', d)::int + 1] = 1
                         AND v_sets[5][pg_catalog.date_part('dow', d)::int + 1] = 1
                    ELSE v_sets[3][pg_catalog.date_part('day', d)::int + 1] = 1
                         OR v_sets[5][pg_catalog.date_part('dow', d)::int + 1] = 1 END
    )
    SELECT greatest(v_max, pg_catalog.max(g.gap)) INTO v_max
      FROM (SELECT (pg_catalog.lead(days.n) OVER (ORDER BY days.n) - days.n) * 1440
                   - v_times[pg_catalog.cardinality(v_times)] + v_times[1] AS gap
              FROM days) g
     WHERE v_times IS NOT NULL;
    IF v_max IS NULL THEN
        RAISE EXCEPTION 'cron schedule "%" never runs', p_schedule
            USING ERRCODE = '22023', HINT = 'Check the day and month fields (e.g. 30 2 never comes).';
    END IF;
    RETURN pg_catalog.make_interval(mins => v_max);
END
$$;

-- functions/_drain_default.sql
CREATE FUNCTION part._drain_default(p_parent regclass, p_max_partitions integer DEFAULT NULL)
    RETURNS TABLE(partition_name text, rows_moved bigint)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg     part.config := part._config_row(p_parent);
    v_type    regtype := v_cfg.key_type::regtype;
    v_int     boolean := v_cfg.key_type IN ('smallint', 'integer', 'bigint');
    v_default regclass;
    v_start   text;
    v_min     text;
    v_from    text;
    v_to      text;
    v_made    text;
    v_count   integer := 0;
BEGIN
/*
 * Move the rows waiting in p_parent's default partition into partitions
 * made for them: for each interval that holds rows (smallest first), the
 * aligned partition is created by part._create_range_partition, which moves
 * that interval's rows out of the default before attaching it. At most
 * p_max_partitions intervals per call, so that a caller that commits
 * between calls (part.run_maintenance) holds the default's lock for one
 * interval's rows at a time.
 *
 * Rows older than the retention (whose partition part.drop_old would retire
 * at once) stay where they are, as do rows with a NULL key and rows of an
 * interval a differently-bounded partition already overlaps; part.verify()
 * reports them. Returns each partition made and the rows moved into it.
 */
    IF v_cfg.strategy <> 'range' THEN
        RETURN;
    END IF;
    SELECT b.partition_oid::regclass INTO v_default
      FROM part._partition_bounds(p_parent) b WHERE b.is_default;
    IF v_default IS NULL THEN
        RETURN;
    END IF;

    IF v_cfg.retention IS NOT NULL THEN
        IF v_int THEN
            EXECUTE pg_catalog.format('SELECT (pg_catalog.max(%I) - %s)::text FROM %s',
                                      v_cfg.key_column, v_cfg.retention::bigint, p_parent) INTO v_start;
        ELSE
            v_start := part._literal((pg_catalog.now() AT TIME ZONE 'UTC') - v_cfg.retention::interval, v_type);
        END IF;
        IF v_start IS NOT NULL THEN
            v_start := part._range_floor(v_start, v_type, v_cfg."interval");
        END IF;
    END IF;

    LOOP
        EXIT WHEN p_max_partitions IS NOT NULL AND v_count >= p_max_partitions;
        EXECUTE pg_catalog.format('SELECT pg_catalog.min(%1$I)::text FROM ONLY %2$s WHERE %1$I >= $1::%3$s',
                                  v_cfg.key_column, v_default, v_type)
           INTO v_min USING coalesce(v_start, CASE WHEN v_int THEN '-9223372036854775808' ELSE '-infinity' END);
        EXIT WHEN v_min IS NULL;
        IF NOT v_int THEN
            v_min := part._literal(part._to_utc(v_min, v_type), v_type);
        END IF;
        v_from := part._range_floor(v_min, v_type, v_cfg."interval");
        v_to := part._range_next(v_from, v_type, v_cfg."interval");
        v_made := part._create_range_partition(p_parent, v_from, v_to);
        IF v_made IS NOT NULL THEN
            partition_name := v_made;
            EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', v_made) INTO rows_moved;
            v_count := v_count + 1;
            RETURN NEXT;
        ELSE
            PERFORM part._notice(pg_catalog.format(
                'rows of %s [%s, %s) stay in %s: a partition with other bounds overlaps that range',
                v_cfg.parent_table, v_from, v_to, v_default));
        END IF;
        v_start := v_to;
    END LOOP;
END
$$;

-- functions/_ensure_range_partitions.sql
CREATE FUNCTION part._ensure_range_partitions(p_parent regclass, p_low text, p_high text)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_cfg   part.config := part._config_row(p_parent);
    v_type  regtype := v_cfg.key_type::regtype;
    v_from  text;
    v_to    text;
    v_stop  numeric;
    v_made  text;
    v_count integer := 0;
BEGIN
/*
 * Make sure aligned partitions exist for every interval from the one holding
 * p_low to the one holding p_high; returns the names of those it created.
 */
    IF v_cfg.strategy <> 'range' THEN
        RAISE EXCEPTION 'table % is hash-partitioned', v_cfg.parent_table
            USING ERRCODE = '42809', HINT = 'Range partitions apply to range-partitioned tables only.';
    END IF;
    v_from := part._range_floor(p_low, v_type, v_cfg."interval");
    v_stop := part._bound_ordinal(p_high, v_type);
    WHILE part._bound_ordinal(v_from, v_type) <= v_stop LOOP
        v_count := v_count + 1;
        IF v_count > 10000 THEN
            RAISE EXCEPTION 'refusing to create more than 10000 partitions of % in one call', v_cfg.parent_table
                USING ERRCODE = '22023',
                      DETAIL = pg_catalog.format('Asked for %s to %s with interval %s.', p_low, p_high, v_cfg."interval"),
                      HINT = 'Use a larger interval, or check the key values (a stray far-future or far-past value?).';
        END IF;
        v_to := part._range_next(v_from, v_type, v_cfg."interval");
        v_made := part._create_range_partition(p_parent, v_from, v_to);
        IF v_made IS NOT NULL THEN
            RETURN NEXT v_made;
        END IF;
        v_from := v_to;
    END LOOP;
END
$$;

-- functions/_interval_spec.sql
CREATE FUNCTION part._interval_spec(p_interval text, p_key_type regtype,
                                            OUT kind text, OUT months integer, OUT days integer,
                                            OUT seconds numeric, OUT width bigint)
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_iv interval;
BEGIN
/*
 * Parse and check a range interval for a key type. kind is one of
 * 'months' (months = n), 'weeks' (days = 7n), 'days' (days = n),
 * 'subdaily' (seconds = n), 'integer' (width = n). Bad values: 22023;
 * a key type that range partitioning by interval cannot use: 42804.
 */
    IF p_key_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
        IF p_interval IS NULL OR p_interval !~ '^\s*[0-9]+\s*$' THEN
            RAISE EXCEPTION 'invalid interval "%" for an integer key', p_interval
                USING ERRCODE = '22023', HINT = 'Give the width of each partition as a positive integer, e.g. ''100000''.';
        END IF;
        width := btrim(p_interval)::numeric;
        IF width <= 0 THEN
            RAISE EXCEPTION 'invalid interval "%": the width must be positive', p_interval
                USING ERRCODE = '22023', HINT = 'Give the width of each partition as a positive integer, e.g. ''100000''.';
        END IF;
        kind := 'integer';
        RETURN;
    END IF;
    IF p_key_type NOT IN ('timestamp without time zone'::regtype, 'timestamp with time zone'::regtype, 'date'::regtype) THEN
        RAISE EXCEPTION 'a column of type % cannot be range-partitioned by part', p_key_type
            USING ERRCODE = '42804',
                  HINT = 'Range partitions need a timestamp, timestamptz, date, smallint, integer or bigint key; use hash for other types.';
    END IF;
    IF p_interval IS NULL OR p_interval ~ '^\s*[0-9.]+\s*$' THEN
        RAISE EXCEPTION 'invalid interval "%" for a % key', p_interval, p_key_type
            USING ERRCODE = '22023', HINT = 'Write an interval with its unit: ''1 month'', ''3 months'', ''1 week'', ''1 day'', ''6 hours''.';
    END IF;
    BEGIN
        v_iv := p_interval::interval;
    EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR interval_field_overflow OR syntax_error THEN
        RAISE EXCEPTION 'invalid interval "%"', p_interval
            USING ERRCODE = '22023', HINT = 'Write an interval with its unit: ''1 month'', ''3 months'', ''1 week'', ''1 day'', ''6 hours''.';
    END;
    months := pg_catalog.date_part('year', v_iv) * 12 + pg_catalog.date_part('month', v_iv);
    days := pg_catalog.date_part('day', v_iv);
    seconds := extract(epoch FROM (v_iv - pg_catalog.make_interval(months => months, days => days)));
    IF months < 0 OR days < 0 OR seconds < 0 OR (months = 0 AND days = 0 AND seconds = 0) THEN
        RAISE EXCEPTION 'invalid interval "%": it must be positive', p_interval
            USING ERRCODE = '22023', HINT = 'Use a positive interval such as ''1 month''.';
    END IF;
    IF (months > 0)::int + (days > 0)::int + (seconds > 0)::int > 1 THEN
        RAISE EXCEPTION 'invalid interval "%": mixes months, days and hours', p_interval
            USING ERRCODE = '22023', HINT = 'Use a whole number of months, of days (or weeks), or of hours/minutes, e.g. ''3 months'' or ''14 days''.';
    END IF;
    IF months > 0 THEN
        kind := 'months';
    ELSIF days > 0 THEN
        kind := CASE WHEN days % 7 = 0 THEN 'weeks' ELSE 'days' END;
    ELSE
        IF p_key_type = 'date'::regtype THEN
            RAISE EXCEPTION 'interval "%" is shorter than a day, which a date key cannot use', p_interval
                USING ERRCODE = '22023', HINT = 'Use an interval of at least ''1 day'' for a date column.';
        END IF;
        IF 86400 % seconds <> 0 AND seconds % 86400 <> 0 THEN
            RAISE EXCEPTION 'invalid interval "%": a sub-daily interval must divide a day', p_interval
                USING ERRCODE = '22023', HINT = 'Use e.g. ''1 hour'', ''6 hours'', ''30 minutes''.';
        END IF;
        kind := 'subdaily';
    END IF;
END
$$;

-- functions/_key_type.sql
CREATE FUNCTION part._key_type(p_rel regclass, p_key text)
    RETURNS regtype
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_type regtype;
BEGIN
/*
 * The type of column p_key of p_rel; 42703 with a HINT when there is none.
 */
    SELECT a.atttypid::regtype INTO v_type
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = p_rel AND a.attname = p_key AND a.attnum > 0 AND NOT a.attisdropped;
    IF v_type IS NULL THEN
        RAISE EXCEPTION 'column "%" of table % does not exist', p_key, part._qualified(p_rel)
            USING ERRCODE = '42703',
                  HINT = pg_catalog.format('Use one of its columns: %s.',
                      (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum)
                         FROM pg_catalog.pg_attribute a
                        WHERE a.attrelid = p_rel AND a.attnum > 0 AND NOT a.attisdropped));
    END IF;
    RETURN v_type;
END
$$;

-- functions/_literal.sql
CREATE FUNCTION part._literal(p_utc timestamp, p_key_type regtype)
    RETURNS text
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* a UTC wall-clock time written as a literal of the key type, independent of TimeZone */
    SELECT CASE p_key_type
        WHEN 'timestamp with time zone'::regtype THEN pg_catalog.to_char(p_utc, 'YYYY-MM-DD HH24:MI:SS') || '+00'
        WHEN 'timestamp without time zone'::regtype THEN pg_catalog.to_char(p_utc, 'YYYY-MM-DD HH24:MI:SS')
        WHEN 'date'::regtype THEN pg_catalog.to_char(p_utc, 'YYYY-MM-DD')
    END
$$;

-- functions/_lock.sql
CREATE FUNCTION part._lock(p_rel regclass, p_mode text, p_attempts integer DEFAULT NULL)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_timeout_ms integer := 100;
    v_saved      text := pg_catalog.current_setting('lock_timeout');
    v_blockers   text;
    v_attempts   integer := coalesce(p_attempts, nullif(pg_catalog.current_setting('part.lock_attempts', true), '')::integer, 10);
BEGIN
/*
 * LOCK TABLE p_rel IN p_mode MODE without queueing behind a long
 * transaction: each attempt waits at most a short lock_timeout (100 ms,
 * doubling up to 1 s), so writers queued behind us wait at most that long;
 * between attempts we sleep a little (jittered). After p_attempts (default:
 * the setting part.lock_attempts, else 10, about 10 s in all): 55P03 naming
 * the sessions that hold the table.
 *
 * Only p_rel itself is locked (LOCK TABLE ONLY): for a partitioned table,
 * writers and readers take the parent's lock first, and its partitions are
 * left to autovacuum.
 */
    IF p_mode NOT IN ('ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE',
                      'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE') THEN
        RAISE EXCEPTION 'invalid lock mode: %', p_mode USING ERRCODE = '22023',
            HINT = 'Use a PostgreSQL table lock mode such as ACCESS EXCLUSIVE.';
    END IF;
    FOR v_attempt IN 1 .. greatest(v_attempts, 1) LOOP
        BEGIN
            PERFORM pg_catalog.set_config('lock_timeout', v_timeout_ms || 'ms', true);
            EXECUTE pg_catalog.format('LOCK TABLE ONLY %s IN %s MODE', p_rel, p_mode);
            PERFORM pg_catalog.set_config('lock_timeout', v_saved, true);
            RETURN;
        EXCEPTION WHEN lock_not_available THEN
            PERFORM pg_catalog.set_config('lock_timeout', v_saved, true);
            IF v_attempt < v_attempts THEN
                PERFORM pg_catalog.pg_sleep(v_timeout_ms / 1000.0 * (0.5 + pg_catalog.random()));
            END IF;
            v_timeout_ms := least(v_timeout_ms * 2, 1000);
        END;
    END LOOP;
    SELECT pg_catalog.string_agg(DISTINCT pg_catalog.format('pid %s (user %s, application %L, %s since %s: %s)',
               a.pid, a.usename, a.application_name, a.state,
               pg_catalog.to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS'),
               pg_catalog.left(a.query, 80)), '; ')
      INTO v_blockers
      FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'relation' AND l.relation = p_rel AND l.granted AND l.pid <> pg_catalog.pg_backend_pid()
       AND NOT l.mode = ANY (part._compatible_locks(p_mode))
    ;
    RAISE EXCEPTION 'could not lock table % in % mode after % attempts', part._qualified(p_rel), p_mode, v_attempts
        USING ERRCODE = '55P03',
              DETAIL = 'Blocked by ' || coalesce(v_blockers, 'a session that has since finished') || '.',
              HINT = 'End or wait for the blocking transaction (pg_terminate_backend(pid) if it is stuck), then retry.';
END
$$;

-- functions/_maintenance_plan.sql
CREATE FUNCTION part._maintenance_plan(p_parent regclass DEFAULT NULL)
    RETURNS TABLE(parent_table text, rel regclass, strategy text, key_type text,
                  needs_ahead boolean, missing text[], default_partition regclass,
                  default_nonempty boolean, retention text, retire_due boolean,
                  migration_phase text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * What maintenance has to do, for every managed table (or p_parent), read
     * in ONE pass over the catalog, so that a run with nothing to do costs
     * one query whatever the number of tables:
     *   needs_ahead: a partition is missing for now or one of the premake
     *     intervals ahead (time keys); NULL for integer keys, whose "now" is
     *     the largest key, which only a query on the table itself can tell;
     *   missing: the starts of the missing intervals;
     *   default_nonempty: the default partition has pages (it may hold rows);
     *   retire_due: a partition lies wholly before now - retention (time keys;
     *     NULL for integer keys);
     *   migration_phase: the phase of a migration this table takes part in.
     * rel is NULL when the table no longer exists.
     */
    WITH cfg AS (
        SELECT c.parent_table, c.strategy, c.key_type, c."interval", c.premake, c.retention,
               pg_catalog.to_regclass(c.parent_table) AS rel,
               c.key_type IN ('smallint', 'integer', 'bigint') AS int_key,
               (pg_catalog.now() AT TIME ZONE 'UTC') AS now_utc
          FROM part.config c
         WHERE p_parent IS NULL OR c.parent_table = part._qualified(p_parent)
    ), parts AS (
        SELECT i.inhparent AS rel, k.oid,
               pg_catalog.pg_get_expr(k.relpartbound, k.oid) = 'DEFAULT' AS is_default,
               pg_catalog.regexp_match(pg_catalog.pg_get_expr(k.relpartbound, k.oid),
                                       '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') AS m
          FROM pg_catalog.pg_inherits i
          JOIN pg_catalog.pg_class k ON k.oid = i.inhrelid
         WHERE i.inhparent IN (SELECT cfg.rel FROM cfg WHERE cfg.rel IS NOT NULL)
    ), bounds AS (
        SELECT p.rel, p.oid, p.is_default, v.side, v.lit
          FROM parts p
         CROSS JOIN LATERAL (VALUES ('from', pg_catalog.replace(pg_catalog.regexp_replace(p.m[1], '^''(.*)''$', '\1'), '''''', '''')),
                                    ('to', pg_catalog.replace(pg_catalog.regexp_replace(p.m[2], '^''(.*)''$', '\1'), '''''', '''')))
                    AS v(side, lit)
    ), ords AS (
        SELECT b.rel, b.oid, b.is_default,
               pg_catalog.max(CASE WHEN b.side = 'from' THEN o.ord END) AS lo,
               pg_catalog.max(CASE WHEN b.side = 'to' THEN o.ord END) AS hi
          FROM bounds b
          JOIN cfg c ON c.rel = b.rel
         CROSS JOIN LATERAL (SELECT CASE
                    WHEN b.lit IS NULL THEN NULL
                    WHEN pg_catalog.upper(b.lit) IN ('MINVALUE', '-INFINITY') THEN -1e30
                    WHEN pg_catalog.upper(b.lit) IN ('MAXVALUE', 'INFINITY') THEN 1e30
                    WHEN c.int_key THEN b.lit::numeric
                    WHEN c.key_type = 'timestamp with time zone' THEN extract(epoch FROM b.lit::timestamptz)
                    WHEN c.key_type = 'timestamp without time zone' THEN extract(epoch FROM b.lit::timestamp)
                    ELSE extract(epoch FROM b.lit::date) END AS ord) o
         GROUP BY b.rel, b.oid, b.is_default
    ), points AS (
        SELECT c.rel, c.key_type, c."interval", c.now_utc + k * c."interval"::interval AS at
          FROM cfg c
         CROSS JOIN LATERAL pg_catalog.generate_series(0, c.premake) k
         WHERE c.strategy = 'range' AND NOT c.int_key AND c.rel IS NOT NULL
    ), ahead AS (
        SELECT pt.rel,
               pg_catalog.array_agg(part._range_floor(part._literal(pt.at, pt.key_type::regtype),
                                                              pt.key_type::regtype, pt."interval") ORDER BY pt.at)
                   FILTER (WHERE NOT pt.covered) AS missing
          FROM (SELECT p.*, EXISTS (SELECT 1 FROM ords o
                                     WHERE o.rel = p.rel AND NOT o.is_default
                                       AND o.lo <= extract(epoch FROM p.at) AND extract(epoch FROM p.at) < o.hi) AS covered
                  FROM points p) pt
         GROUP BY pt.rel
    )
    SELECT c.parent_table, c.rel, c.strategy, c.key_type,
           CASE WHEN c.rel IS NULL OR c.strategy <> 'range' THEN false
                WHEN c.int_key THEN NULL
                ELSE a.missing IS NOT NULL END,
           a.missing,
           d.oid::regclass,
           coalesce(pg_catalog.pg_relation_size(d.oid) > 0, false),
           c.retention,
           CASE WHEN c.rel IS NULL OR c.retention IS NULL OR c.strategy <> 'range' THEN false
                WHEN c.int_key THEN NULL
                ELSE EXISTS (SELECT 1 FROM ords o
                              WHERE o.rel = c.rel AND NOT o.is_default
                                AND o.hi <= extract(epoch FROM c.now_utc - c.retention::interval)) END,
           (SELECT m.phase FROM part.migration m
             WHERE c.parent_table IN (m.table_name, m.partitioned_table, m.legacy_table)
             ORDER BY m.phase = 'finalized' LIMIT 1)
      FROM cfg c
      LEFT JOIN ahead a ON a.rel = c.rel
      LEFT JOIN ords d ON d.rel = c.rel AND d.is_default
     ORDER BY c.parent_table
$$;

-- functions/_maintenance_txn.sql
CREATE FUNCTION part._maintenance_txn(p_run_id bigint)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * Settings of one transaction of part.run_maintenance (they end with it):
 * the run id that part.drop_old writes into its log rows, and a lock_timeout
 * of 2 s for any lock part._lock does not take itself, so that maintenance
 * never queues unbounded behind a long transaction.
 */
    PERFORM pg_catalog.set_config('part.run_id', p_run_id::text, true);
    PERFORM pg_catalog.set_config('lock_timeout', '2s', true);
END
$$;

-- functions/_normalize_bound.sql
CREATE FUNCTION part._normalize_bound(p_value text, p_key_type regtype)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A bound as read from the catalog (in the session's TimeZone for
 * timestamptz) rewritten in UTC, so that bounds read the same for everyone.
 */
    IF p_value IS NULL OR pg_catalog.upper(p_value) IN ('MINVALUE', 'MAXVALUE')
       OR p_key_type NOT IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype, 'date'::regtype) THEN
        RETURN p_value;
    END IF;
    RETURN part._literal(part._to_utc(p_value, p_key_type), p_key_type);
END
$$;

-- functions/_notice.sql
CREATE FUNCTION part._notice(p_message text)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A NOTICE about a routing or maintenance decision, when the flag
 * log_partition_routing is on.
 */
    IF coalesce((SELECT s.value FROM part.settings s WHERE s.key = 'log_partition_routing'), 'false')::boolean THEN
        RAISE NOTICE 'part: %', p_message;
    END IF;
END
$$;

-- functions/_partition_bounds.sql
CREATE FUNCTION part._partition_bounds(p_parent regclass)
    RETURNS TABLE(partition_oid oid, partition_name text, is_default boolean,
                  bound_from text, bound_to text, modulus integer, remainder integer)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * The direct partitions of p_parent with their bounds, read from the
     * catalog: range bounds as literals of the key type (quotes removed;
     * MINVALUE/MAXVALUE as such), hash modulus and remainder.
     */
    SELECT c.oid,
           pg_catalog.format('%I.%I', n.nspname, c.relname),
           b.expr = 'DEFAULT',
           pg_catalog.replace(pg_catalog.regexp_replace(r.m[1], '^''(.*)''$', '\1'), '''''', ''''),
           pg_catalog.replace(pg_catalog.regexp_replace(r.m[2], '^''(.*)''$', '\1'), '''''', ''''),
           h.m[1]::int,
           h.m[2]::int
      FROM pg_catalog.pg_inherits i
      JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     CROSS JOIN LATERAL (SELECT pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS expr) b
      LEFT JOIN LATERAL (SELECT pg_catalog.regexp_match(b.expr, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') AS m) r ON true
      LEFT JOIN LATERAL (SELECT pg_catalog.regexp_match(b.expr, '^FOR VALUES WITH \(modulus (\d+), remainder (\d+)\)$') AS m) h ON true
     WHERE i.inhparent = p_parent
$$;

-- functions/_partition_name.sql
CREATE FUNCTION part._partition_name(p_table_name text, p_suffix text)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_name   text := p_table_name || '_' || p_suffix;
    v_hash   text;
    v_room   integer;
    v_prefix text := p_table_name;
BEGIN
/*
 * `<table>_<suffix>`; when that passes PostgreSQL's 63-byte limit, the table
 * part is cut (on a character boundary) and a short hash of the full name is
 * added, so that names stay unique and the suffix stays readable.
 */
    IF pg_catalog.octet_length(v_name) <= 63 THEN
        RETURN v_name;
    END IF;
    v_hash := pg_catalog.left(pg_catalog.md5(v_name), 6);
    v_room := 63 - pg_catalog.octet_length('_' || v_hash || '_' || p_suffix);
    WHILE pg_catalog.octet_length(v_prefix) > v_room LOOP
        v_prefix := pg_catalog.left(v_prefix, -1);
    END LOOP;
    RETURN v_prefix || '_' || v_hash || '_' || p_suffix;
END
$$;

-- functions/_qualified.sql
CREATE FUNCTION part._qualified(p_rel regclass)
    RETURNS text
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /* schema.table of a relation, quoted where needed, whatever the search_path */
    SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_rel
$$;

-- functions/_range_floor.sql
CREATE FUNCTION part._range_floor(p_value text, p_key_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec  record := part._interval_spec(p_interval, p_key_type);
    v_ts    timestamp;
    v_n     bigint;
BEGIN
/*
 * The aligned start of the interval holding p_value: days at 00:00 UTC,
 * weeks on ISO Mondays, months on January 1st (quarters on Jan/Apr/Jul/Oct),
 * sub-daily intervals on the Unix epoch, integers on multiples of the width.
 */
    IF v_spec.kind = 'integer' THEN
        RETURN (pg_catalog.floor(p_value::numeric / v_spec.width) * v_spec.width)::bigint::text;
    END IF;
    v_ts := part._to_utc(p_value, p_key_type);
    IF v_spec.kind = 'months' THEN
        v_n := (pg_catalog.date_part('year', v_ts) * 12 + pg_catalog.date_part('month', v_ts) - 1)::bigint;
        v_n := pg_catalog.floor(v_n::numeric / v_spec.months)::bigint * v_spec.months;
        v_ts := pg_catalog.make_timestamp((pg_catalog.floor(v_n / 12.0))::int, (v_n - pg_catalog.floor(v_n / 12.0) * 12)::int + 1, 1, 0, 0, 0);
    ELSIF v_spec.kind IN ('weeks', 'days') THEN
        v_n := (pg_catalog.date_trunc('day', v_ts)::date
                - CASE v_spec.kind WHEN 'weeks' THEN date '1970-01-05' ELSE date '1970-01-01' END);
        v_n := pg_catalog.floor(v_n::numeric / v_spec.days)::bigint * v_spec.days;
        v_ts := (CASE v_spec.kind WHEN 'weeks' THEN date '1970-01-05' ELSE date '1970-01-01' END + v_n::int)::timestamp;
    ELSE
        v_ts := pg_catalog.to_timestamp(pg_catalog.floor(extract(epoch FROM v_ts) / v_spec.seconds) * v_spec.seconds)
                AT TIME ZONE 'UTC';
    END IF;
    RETURN part._literal(v_ts, p_key_type);
END
$$;

-- functions/_range_next.sql
CREATE FUNCTION part._range_next(p_from text, p_key_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := part._interval_spec(p_interval, p_key_type);
    v_ts   timestamp;
BEGIN
/*
 * The start of the interval after the one starting at p_from (an aligned start).
 */
    IF v_spec.kind = 'integer' THEN
        RETURN (p_from::bigint + v_spec.width)::text;
    END IF;
    v_ts := part._to_utc(p_from, p_key_type);
    v_ts := v_ts + pg_catalog.make_interval(months => v_spec.months, days => v_spec.days, secs => v_spec.seconds::double precision);
    RETURN part._literal(v_ts, p_key_type);
END
$$;

-- functions/_range_suffix.sql
CREATE FUNCTION part._range_suffix(p_from text, p_key_type regtype, p_interval text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_spec record := part._interval_spec(p_interval, p_key_type);
    v_ts   timestamp;
BEGIN
/*
 * The name suffix of the partition starting at p_from: YYYY_MM (months),
 * YYYY_qN (quarters), YYYY (years), IYYY_wIW (weeks), YYYY_MM_DD (days),
 * YYYY_MM_DD_HH24MI (sub-daily), the lower bound (integers; m for minus).
 */
    IF v_spec.kind = 'integer' THEN
        RETURN pg_catalog.replace(p_from, '-', 'm');
    END IF;
    v_ts := part._to_utc(p_from, p_key_type);
    RETURN CASE
        WHEN v_spec.kind = 'months' AND v_spec.months = 12 THEN pg_catalog.to_char(v_ts, 'YYYY')
        WHEN v_spec.kind = 'months' AND v_spec.months = 3 THEN pg_catalog.to_char(v_ts, 'YYYY_"q"Q')
        WHEN v_spec.kind = 'months' THEN pg_catalog.to_char(v_ts, 'YYYY_MM')
        WHEN v_spec.kind = 'weeks' THEN pg_catalog.to_char(v_ts, 'IYYY_"w"IW')
        WHEN v_spec.kind = 'days' THEN pg_catalog.to_char(v_ts, 'YYYY_MM_DD')
        ELSE pg_catalog.to_char(v_ts, 'YYYY_MM_DD_HH24MI')
    END;
END
$$;

-- functions/_resolve_table.sql
CREATE FUNCTION part._resolve_table(p_table text)
    RETURNS regclass
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_parts  text[];
    v_oid    oid;
    v_found  text[];
BEGIN
/*
 * Resolve a table name written as in SQL ('public.revenues', 'revenues',
 * 'public."Daily Balances"') to its oid. An unqualified name must name
 * exactly one table among the user's schemas. Missing: 42P01 with a HINT.
 */
    IF p_table IS NULL OR btrim(p_table) = '' THEN
        RAISE EXCEPTION 'a table name is required'
            USING ERRCODE = '22023', HINT = 'Pass the table as schema.table, e.g. ''public.revenues''.';
    END IF;
    BEGIN
        v_parts := pg_catalog.parse_ident(p_table);
    EXCEPTION WHEN invalid_parameter_value OR syntax_error THEN
        RAISE EXCEPTION 'invalid table name: %', p_table
            USING ERRCODE = '22023',
                  HINT = 'Write the name as in SQL: schema.table, with double quotes around names that need them.';
    END;
    IF cardinality(v_parts) = 2 THEN
        SELECT c.oid INTO v_oid
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = v_parts[1] AND c.relname = v_parts[2] AND c.relkind IN ('r', 'p');
    ELSIF cardinality(v_parts) = 1 THEN
        SELECT pg_catalog.array_agg(pg_catalog.format('%I.%I', n.nspname, c.relname) ORDER BY n.nspname),
               pg_catalog.min(c.oid::bigint)::oid
          INTO v_found, v_oid
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relname = v_parts[1] AND c.relkind IN ('r', 'p')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'part', 'part_archive')
           AND n.nspname !~ '^pg_(toast|temp)';
        IF cardinality(v_found) > 1 THEN
            RAISE EXCEPTION 'table name "%" is ambiguous', p_table
                USING ERRCODE = '22023',
                      DETAIL = pg_catalog.format('Tables with that name: %s.', pg_catalog.array_to_string(v_found, ', ')),
                      HINT = 'Qualify the name with its schema.';
        END IF;
    ELSE
        RAISE EXCEPTION 'invalid table name: %', p_table
            USING ERRCODE = '22023', HINT = 'Write the name as schema.table (no database part).';
    END IF;
    IF v_oid IS NULL THEN
        RAISE EXCEPTION 'table % does not exist', p_table
            USING ERRCODE = '42P01',
                  HINT = 'Check the spelling and the schema (names are case-sensitive when quoted), or create the table first.';
    END IF;
    RETURN v_oid::regclass;
END
$$;

-- functions/_setting_keys.sql
CREATE FUNCTION part._setting_keys()
    RETURNS TABLE(key text, kind text, read_only boolean, default_value text, description text)
    LANGUAGE sql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Every key part.settings knows, with its kind (how set_setting checks a
     * value), whether it is read-only, its default and what it does. The one
     * list that part.setting, part.set_setting and pginstall flags read.
     */
    VALUES
        ('version', 'text', true, NULL,
         'installed version of part (read-only: changed by pginstall apply or ALTER EXTENSION part UPDATE)'),
        ('use_partitioned_tables', 'boolean', true, NULL,
         'derived, read-only: true when every migration of this database is in partitioned or finalized'),
        ('enable_partition_maintenance', 'boolean', false, 'true',
         'false: maintenance runs are logged no-ops'),
        ('log_partition_routing', 'boolean', false, 'false',
         'true: NOTICEs for sync and maintenance decisions'),
        ('maintenance_schedule', 'cron', false, '',
         'pg_cron schedule of part.run_maintenance() for this database (written by pginstall apply; '''' = not scheduled)'),
        ('retention_schedule', 'cron', false, '',
         'separate pg_cron schedule of part.drop_old(); when set, run_maintenance leaves retention to it'),
        ('parity_max_age', 'interval', false, '1 day',
         'part.verify() calls parity stale when the last parity check of a migration is older than this')
$$;

-- functions/_settings_restore.sql
CREATE FUNCTION part._settings_restore()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * BEFORE INSERT on part.settings: an insert of a key that exists updates its
 * value instead. pg_dump saves the flags a user changed (extension config
 * table); on restore CREATE EXTENSION has already inserted the defaults, and
 * the dumped rows must replace them rather than fail on the primary key.
 */
    UPDATE part.settings s SET value = NEW.value
     WHERE s.key = NEW.key AND s.value IS DISTINCT FROM NEW.value;
    IF FOUND OR EXISTS (SELECT 1 FROM part.settings s WHERE s.key = NEW.key) THEN
        RETURN NULL;
    END IF;
    RETURN NEW;
END
$$;

-- functions/_split_capture.sql
CREATE FUNCTION part._split_capture()
    RETURNS trigger
    LANGUAGE plpgsql
    SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * Trigger on a hash partition being split: records the partition key of
 * every row written (TG_ARGV[0] names the key column), or NULL for a
 * TRUNCATE, so that part.split_hash re-copies those keys under its lock.
 */
    IF TG_OP = 'TRUNCATE' THEN
        INSERT INTO part.split_log VALUES (TG_RELID, NULL);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO part.split_log VALUES (TG_RELID, pg_catalog.to_jsonb(OLD) ->> TG_ARGV[0]);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO part.split_log VALUES (TG_RELID, pg_catalog.to_jsonb(NEW) ->> TG_ARGV[0]);
    END IF;
    RETURN NULL;
END
$$;

-- functions/_to_utc.sql
CREATE FUNCTION part._to_utc(p_value text, p_key_type regtype)
    RETURNS timestamp
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * A time key value (text in the key's type) as a UTC wall-clock timestamp.
 * timestamp and date keys are taken as UTC already; a timestamptz literal
 * carries its offset, so the session's TimeZone never shifts a bound.
 */
    RETURN CASE p_key_type
        WHEN 'timestamp with time zone'::regtype THEN p_value::timestamptz AT TIME ZONE 'UTC'
        WHEN 'timestamp without time zone'::regtype THEN p_value::timestamp
        WHEN 'date'::regtype THEN p_value::date::timestamp
    END;
END
$$;

-- functions/create_ahead.sql
CREATE FUNCTION part.create_ahead(p_count integer DEFAULT NULL, p_parent text DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only    regclass;
    v_t       record;
    v_type    regtype;
    v_current text;
    v_from    text;
    v_to      text;
    v_made    text;
    v_lo      numeric;
    v_hi      numeric;
BEGIN
/*
 * For every managed range table (or only p_parent): make sure partitions
 * exist for the current interval and p_count more (default: the table's
 * premake), whether or not data arrived. Idempotent: returns the qualified
 * names it created, none on a second call. "Current" is now() in UTC for
 * time keys, and the interval holding the largest key (0 when empty) for
 * integer keys. Rows waiting in the default partition for a partition being
 * created move into it (see part._create_range_partition).
 *
 * Existing bounds are read in one catalog pass per table, so a call that
 * creates nothing costs almost nothing.
 */
    IF p_count IS NOT NULL AND p_count < 0 THEN
        RAISE EXCEPTION 'count must be zero or more, not %', p_count
            USING ERRCODE = '22023', HINT = 'Pass how many intervals ahead of the current one to create, e.g. 3.';
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        IF (part._config_row(v_only)).strategy <> 'range' THEN
            RAISE EXCEPTION 'table % is hash-partitioned: it has no partitions to create ahead', p_parent
                USING ERRCODE = '42809', HINT = 'Use part.split_hash to change the number of hash partitions.';
        END IF;
    END IF;

    FOR v_t IN
        SELECT c.parent_table, c.key_column, c.key_type, c."interval", c.premake,
               pg_catalog.to_regclass(c.parent_table) AS rel,
               coalesce(pg_catalog.array_agg(part._bound_ordinal(b.bound_from, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS froms,
               coalesce(pg_catalog.array_agg(part._bound_ordinal(b.bound_to, c.key_type::regtype))
                            FILTER (WHERE NOT b.is_default), '{}') AS tos
          FROM part.config c
          LEFT JOIN LATERAL part._partition_bounds(pg_catalog.to_regclass(c.parent_table)) b ON true
         WHERE c.strategy = 'range'
           AND (v_only IS NULL OR c.parent_table = part._qualified(v_only))
           AND pg_catalog.to_regclass(c.parent_table) IS NOT NULL
         GROUP BY c.parent_table, c.key_column, c.key_type, c."interval", c.premake
         ORDER BY c.parent_table
    LOOP
        v_type := v_t.key_type::regtype;
        IF v_type IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype) THEN
            EXECUTE pg_catalog.format('SELECT coalesce(pg_catalog.max(%I), 0)::text FROM %s', v_t.key_column, v_t.rel)
               INTO v_current;
        ELSE
            v_current := part._literal((pg_catalog.now() AT TIME ZONE 'UTC')::timestamp, v_type);
        END IF;
        v_from := part._range_floor(v_current, v_type, v_t."interval");
        FOR i IN 0 .. coalesce(p_count, v_t.premake) LOOP
            v_to := part._range_next(v_from, v_type, v_t."interval");
            v_lo := part._bound_ordinal(v_from, v_type);
            v_hi := part._bound_ordinal(v_to, v_type);
            IF NOT EXISTS (SELECT 1 FROM unnest(v_t.froms, v_t.tos) AS x(f, t)
                            WHERE x.f < v_hi AND x.t > v_lo) THEN
                v_made := part._create_range_partition(v_t.rel, v_from, v_to);
                IF v_made IS NOT NULL THEN
                    RETURN NEXT v_made;
                END IF;
            END IF;
            v_from := v_to;
        END LOOP;
    END LOOP;
END
$$;

-- functions/create_partitioned.sql
CREATE FUNCTION part.create_partitioned(
    p_parent            text,
    p_key               text,
    p_strategy          text,
    p_interval          text DEFAULT NULL,
    p_partitions        integer DEFAULT NULL,
    p_premake           integer DEFAULT 3,
    p_retention         text DEFAULT NULL,
    p_retention_mode    text DEFAULT 'detach',
    p_default_partition boolean DEFAULT NULL,
    p_partition_prefix  text DEFAULT NULL
)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel       regclass := part._resolve_table(p_parent);
    v_name      text := part._qualified(v_rel);
    v_strategy  text := pg_catalog.lower(p_strategy);
    v_type      regtype;
    v_pstrat    "char";
    v_pkey      text;
    v_old       part.config;
    v_default   boolean;
    v_prefix    text;
    v_schema    text;
    v_moduli    integer[];
    v_made      text;
BEGIN
/*
 * Manage a table that already exists as PARTITION BY RANGE|HASH (p_key):
 * check everything first (a bad argument changes nothing), record it in
 * part.config (or update its settings when it is already managed), make the
 * default partition (range, unless p_default_partition is false) and the
 * first partitions: the current interval and p_premake more (range), or
 * p_partitions hash partitions <table>_0 .. <table>_N-1. Returns the
 * qualified names of the partitions it created; calling it again with the
 * same arguments changes nothing.
 */
    IF v_strategy IS NULL OR v_strategy NOT IN ('range', 'hash') THEN
        RAISE EXCEPTION 'invalid strategy "%"', p_strategy
            USING ERRCODE = '22023', HINT = 'Use ''range'' (time or integer intervals) or ''hash'' (e.g. by org_id).';
    END IF;
    v_type := part._key_type(v_rel, p_key);

    SELECT pt.partstrat,
           (SELECT a.attname FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0])
      INTO v_pstrat, v_pkey
      FROM pg_catalog.pg_partitioned_table pt WHERE pt.partrelid = v_rel;
    IF v_pstrat IS NULL THEN
        RAISE EXCEPTION 'table % is not partitioned', v_name
            USING ERRCODE = '42809',
                  HINT = pg_catalog.format('Create it with PARTITION BY %s (%I), or move a live table with part.migrate_start(%L, %L, %L).',
                                           pg_catalog.upper(v_strategy), p_key, v_name, p_key, v_strategy);
    END IF;
    IF v_pstrat <> pg_catalog.left(v_strategy, 1) OR v_pkey IS DISTINCT FROM p_key THEN
        RAISE EXCEPTION 'table % is partitioned by % (%), not by % (%)', v_name,
                CASE v_pstrat WHEN 'r' THEN 'RANGE' WHEN 'h' THEN 'HASH' ELSE 'LIST' END,
                coalesce(pg_catalog.quote_ident(v_pkey), 'an expression or several columns'),
                pg_catalog.upper(v_strategy), pg_catalog.quote_ident(p_key)
            USING ERRCODE = '42809',
                  HINT = 'Pass the table''s own partition strategy and key column (part manages single-column keys).';
    END IF;
    IF p_premake IS NULL OR p_premake < 0 THEN
        RAISE EXCEPTION 'premake must be zero or more, not %', coalesce(p_premake::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass how many intervals ahead to keep, e.g. 3.';
    END IF;
    IF p_partition_prefix IS NOT NULL AND (p_partition_prefix = '' OR pg_catalog.octet_length(p_partition_prefix) > 63) THEN
        RAISE EXCEPTION 'invalid partition name prefix "%"', p_partition_prefix
            USING ERRCODE = '22023', HINT = 'A prefix is a table name: 1 to 63 bytes.';
    END IF;
    IF p_retention_mode IS NULL OR p_retention_mode NOT IN ('drop', 'detach', 'archive') THEN
        RAISE EXCEPTION 'invalid retention mode "%"', p_retention_mode
            USING ERRCODE = '22023', HINT = 'Use ''drop'', ''detach'' or ''archive''.';
    END IF;

    IF v_strategy = 'hash' THEN
        IF p_partitions IS NULL OR p_partitions < 1 THEN
            RAISE EXCEPTION 'a hash-partitioned table needs a partition count of 1 or more, not %', coalesce(p_partitions::text, 'NULL')
                USING ERRCODE = '22023', HINT = 'Pass p_partitions => 16, for example.';
        END IF;
        IF p_interval IS NOT NULL OR p_retention IS NOT NULL THEN
            RAISE EXCEPTION 'hash partitions have no interval and no retention'
                USING ERRCODE = '22023', HINT = 'Leave p_interval and p_retention NULL for a hash table.';
        END IF;
        IF p_default_partition THEN
            RAISE EXCEPTION 'a hash-partitioned table cannot have a default partition'
                USING ERRCODE = '22023', HINT = 'PostgreSQL does not allow it: leave p_default_partition unset for a hash table.';
        END IF;
    ELSE
        IF p_partitions IS NOT NULL THEN
            RAISE EXCEPTION 'a range-partitioned table has no partition count'
                USING ERRCODE = '22023', HINT = 'Leave p_partitions NULL and give p_interval, e.g. ''1 month''.';
        END IF;
        PERFORM part._interval_spec(p_interval, v_type);   -- raises 22023 / 42804
        IF p_retention IS NOT NULL THEN
            PERFORM part._check_retention(p_retention, v_type);
        END IF;
        v_default := coalesce(p_default_partition, true);
    END IF;

    SELECT * INTO v_old FROM part.config c WHERE c.parent_table = v_name;
    SELECT n.nspname, coalesce(p_partition_prefix, c.relname) INTO v_schema, v_prefix
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = v_rel;

    IF v_strategy = 'hash' THEN
        SELECT pg_catalog.array_agg(DISTINCT b.modulus) INTO v_moduli FROM part._partition_bounds(v_rel) b;
        IF v_moduli IS NOT NULL AND v_moduli <> ARRAY[p_partitions] THEN
            RAISE EXCEPTION 'table % already has hash partitions with modulus %, not %', v_name,
                    pg_catalog.array_to_string(v_moduli, ', '), p_partitions
                USING ERRCODE = '42809',
                      HINT = pg_catalog.format('Register it with p_partitions => %s, then grow it with part.split_hash.', v_moduli[1]);
        END IF;
    ELSIF v_old.parent_table IS NOT NULL AND v_old."interval"::text IS DISTINCT FROM p_interval
          AND EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE NOT b.is_default)
          AND (SELECT x::text FROM part._interval_spec(v_old."interval", v_type) x)
              IS DISTINCT FROM (SELECT x::text FROM part._interval_spec(p_interval, v_type) x) THEN
        RAISE EXCEPTION 'cannot change the interval of % from % to % while it has partitions', v_name, v_old."interval", p_interval
            USING ERRCODE = '0A000',
                  HINT = 'Changing the interval of existing partitions is not supported; keep the old interval, or migrate into a new table.';
    END IF;

    -- Everything is checked: record the table.
    IF v_old.parent_table IS NULL THEN
        INSERT INTO part.config (parent_table, strategy, key_column, key_type, "interval", partitions, premake,
                                         retention, retention_mode, default_partition, partition_prefix)
        VALUES (v_name, v_strategy, p_key, v_type::text, p_interval, p_partitions, p_premake,
                p_retention, p_retention_mode, v_default, p_partition_prefix);
    ELSIF (v_old."interval", v_old.partitions, v_old.premake, v_old.retention, v_old.retention_mode,
           v_old.default_partition, v_old.partition_prefix)
          IS DISTINCT FROM (p_interval, p_partitions, p_premake, p_retention, p_retention_mode, v_default, p_partition_prefix) THEN
        UPDATE part.config c
           SET "interval" = p_interval, partitions = p_partitions, premake = p_premake, retention = p_retention,
               retention_mode = p_retention_mode, default_partition = v_default,
               partition_prefix = p_partition_prefix, updated_at = pg_catalog.now()
         WHERE c.parent_table = v_name;
    END IF;

    IF v_strategy = 'hash' THEN
        IF EXISTS (SELECT 1 FROM part._partition_bounds(v_rel))
           AND (SELECT pg_catalog.count(*) FROM part._partition_bounds(v_rel)) = p_partitions THEN
            RETURN;
        END IF;
        PERFORM part._lock(v_rel, 'ACCESS EXCLUSIVE');
        FOR i IN 0 .. p_partitions - 1 LOOP
            CONTINUE WHEN EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE b.remainder = i);
            v_made := part._partition_name(v_prefix, i::text);
            EXECUTE pg_catalog.format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                                      v_schema, v_made, v_rel, p_partitions, i);
            PERFORM part._copy_owner_and_grants(v_rel, pg_catalog.format('%I.%I', v_schema, v_made)::regclass);
            RETURN NEXT pg_catalog.format('%I.%I', v_schema, v_made);
        END LOOP;
        RETURN;
    END IF;

    IF v_default AND NOT EXISTS (SELECT 1 FROM part._partition_bounds(v_rel) b WHERE b.is_default) THEN
        v_made := part._partition_name(v_prefix, 'default');
        PERFORM part._lock(v_rel, 'ACCESS EXCLUSIVE');
        EXECUTE pg_catalog.format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT', v_schema, v_made, v_rel);
        PERFORM part._copy_owner_and_grants(v_rel, pg_catalog.format('%I.%I', v_schema, v_made)::regclass);
        RETURN NEXT pg_catalog.format('%I.%I', v_schema, v_made);
    END IF;
    RETURN QUERY SELECT * FROM part.create_ahead(p_premake, v_name);
END
$$;

-- functions/drop_old.sql
CREATE FUNCTION part.drop_old(p_retention text DEFAULT NULL, p_parent text DEFAULT NULL)
    RETURNS SETOF text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_only    regclass;
    v_t       record;
    v_p       record;
    v_type    regtype;
    v_ret     text;
    v_cut     numeric;
    v_cutlit  text;
    v_parts   regclass[];
    v_names   text[];
    v_default regclass;
    v_schema  text;
    v_name    text;
    v_target  text;
    v_phase   text;
    v_newer   boolean;
    v_run     bigint := nullif(pg_catalog.current_setting('part.run_id', true), '')::bigint;
    v_started timestamptz;
    v_failed  text[] := '{}';
    v_done    text[];
BEGIN
/*
 * Retire the range partitions wholly older than the retention (p_retention,
 * else each table's own; tables without one keep everything), for every
 * managed range table or only p_parent, by the table's retention mode:
 *   drop:    detach, then drop the table;
 *   detach:  detach and leave the table where it is;
 *   archive: detach and move it into schema part_archive (created on
 *            demand; never an extension member, so uninstalling part never
 *            drops archived data).
 * A partition is retired only when its upper bound is at or below
 * now() - retention (time keys, UTC) or max(key) - retention (integer
 * keys), and it is checked to hold no newer row; the default partition never
 * is. Tables taking part in an unfinished migration are left alone (the
 * other copy still holds those rows). Inside a function PostgreSQL allows
 * only a plain DETACH, which needs ACCESS EXCLUSIVE on the parent: the locks
 * are taken with short timeouts and retries (part._lock), and held only until
 * the caller commits. Each action is logged in part.maintenance_log; a table
 * that fails is logged and the others still run (a warning names them).
 * Returns the qualified names of the partitions retired.
 */
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        IF (part._config_row(v_only)).strategy <> 'range' THEN
            RAISE EXCEPTION 'table % is hash-partitioned: it has no old partitions to retire', p_parent
                USING ERRCODE = '42809', HINT = 'Retention applies to range-partitioned tables only.';
        END IF;
    END IF;
    IF p_retention IS NOT NULL THEN   -- check it against every table it will apply to, before touching any
        FOR v_t IN SELECT c.key_type FROM part.config c
                    WHERE c.strategy = 'range' AND (v_only IS NULL OR c.parent_table = part._qualified(v_only))
        LOOP
            PERFORM part._check_retention(p_retention, v_t.key_type::regtype);
        END LOOP;
    END IF;

    FOR v_t IN
        SELECT c.parent_table, c.key_column, c.key_type, c.retention_mode,
               coalesce(p_retention, c.retention) AS retention, pg_catalog.to_regclass(c.parent_table) AS rel
          FROM part.config c
         WHERE c.strategy = 'range' AND coalesce(p_retention, c.retention) IS NOT NULL
           AND (v_only IS NULL OR c.parent_table = part._qualified(v_only))
         ORDER BY c.parent_table
    LOOP
        v_started := pg_catalog.clock_timestamp();
        v_done := '{}';
        BEGIN
            IF v_t.rel IS NULL THEN
                RAISE EXCEPTION 'table % does not exist', v_t.parent_table
                    USING ERRCODE = '42P01', HINT = 'Remove it from part.config (pginstall apply does) or recreate it.';
            END IF;
            SELECT m.phase INTO v_phase FROM part.migration m
             WHERE v_t.parent_table IN (m.table_name, m.partitioned_table, m.legacy_table)
               AND m.phase <> 'finalized' LIMIT 1;
            IF v_phase IS NOT NULL THEN
                INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail)
                VALUES (v_run, v_t.parent_table, 'retire', 'skipped',
                        pg_catalog.format('migration in phase %s: retention waits for part.finalize', v_phase));
                CONTINUE;
            END IF;

            v_type := v_t.key_type::regtype;
            v_ret := v_t.retention;
            IF v_t.key_type IN ('smallint', 'integer', 'bigint') THEN
                EXECUTE pg_catalog.format('SELECT pg_catalog.max(%I) - %s FROM %s', v_t.key_column,
                                          pg_catalog.btrim(v_ret)::bigint, v_t.rel) INTO v_cut;
                v_cutlit := v_cut::text;
            ELSE
                v_cutlit := part._literal((pg_catalog.now() AT TIME ZONE 'UTC') - v_ret::interval, v_type);
                v_cut := part._bound_ordinal(v_cutlit, v_type);
            END IF;
            CONTINUE WHEN v_cut IS NULL;

            SELECT pg_catalog.array_agg(b.partition_oid::regclass ORDER BY part._bound_ordinal(b.bound_from, v_type)),
                   pg_catalog.array_agg(b.partition_name ORDER BY part._bound_ordinal(b.bound_from, v_type))
              INTO v_parts, v_names
              FROM part._partition_bounds(v_t.rel) b
             WHERE NOT b.is_default AND part._bound_ordinal(b.bound_to, v_type) <= v_cut;
            CONTINUE WHEN v_parts IS NULL;

            -- never a partition holding a row newer than the retention (the bounds say so; check anyway)
            FOR i IN 1 .. pg_catalog.cardinality(v_parts) LOOP
                EXECUTE pg_catalog.format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1::%s)',
                                          v_parts[i], v_t.key_column, v_type)
                   INTO v_newer USING v_cutlit;
                IF v_newer THEN
                    RAISE EXCEPTION 'partition % holds rows newer than the retention cutoff %', v_names[i], v_cutlit
                        USING ERRCODE = '55000', HINT = 'Its bounds and contents disagree: check the partition by hand.';
                END IF;
            END LOOP;

            -- lock order as PostgreSQL's own: parent, partitions, default
            PERFORM part._lock(v_t.rel, 'ACCESS EXCLUSIVE');
            FOR i IN 1 .. pg_catalog.cardinality(v_parts) LOOP
                PERFORM part._lock(v_parts[i], 'ACCESS EXCLUSIVE');
            END LOOP;
            SELECT b.partition_oid::regclass INTO v_default
              FROM part._partition_bounds(v_t.rel) b WHERE b.is_default;
            IF v_default IS NOT NULL THEN
                PERFORM part._lock(v_default, 'ACCESS EXCLUSIVE');
            END IF;

            FOR i IN 1 .. pg_catalog.cardinality(v_parts) LOOP
                EXECUTE pg_catalog.format('ALTER TABLE %s DETACH PARTITION %s', v_t.rel, v_parts[i]);
                v_target := NULL;
                IF v_t.retention_mode = 'drop' THEN
                    EXECUTE pg_catalog.format('DROP TABLE %s', v_parts[i]);
                ELSIF v_t.retention_mode = 'archive' THEN
                    IF pg_catalog.to_regnamespace('part_archive') IS NULL THEN
                        CREATE SCHEMA IF NOT EXISTS part_archive;
                        COMMENT ON SCHEMA part_archive IS
                            'part: partitions retired by part.drop_old in archive mode (not part of the extension: uninstall keeps them)';
                    END IF;
                    SELECT n.nspname, c.relname INTO v_schema, v_name
                      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                     WHERE c.oid = v_parts[i];
                    IF pg_catalog.to_regclass(pg_catalog.format('part_archive.%I', v_name)) IS NOT NULL THEN
                        v_name := part._partition_name(v_name, v_schema);
                        IF pg_catalog.to_regclass(pg_catalog.format('part_archive.%I', v_name)) IS NOT NULL THEN
                            RAISE EXCEPTION 'cannot archive %: part_archive already holds % and %', v_names[i],
                                    pg_catalog.format('part_archive.%I', pg_catalog.split_part(v_names[i], '.', 2)),
                                    pg_catalog.format('part_archive.%I', v_name)
                                USING ERRCODE = '42P07', HINT = 'Rename or drop the archived copies first.';
                        END IF;
                        EXECUTE pg_catalog.format('ALTER TABLE %s RENAME TO %I', v_parts[i], v_name);
                    END IF;
                    EXECUTE pg_catalog.format('ALTER TABLE %s SET SCHEMA part_archive', v_parts[i]);
                    v_target := part._qualified(v_parts[i]);
                    EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', v_parts[i],
                        pg_catalog.format('part: partition %s of %s, archived by part.drop_old on %s (retention %s)',
                                          v_names[i], v_t.parent_table,
                                          pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), v_ret));
                END IF;
                INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, duration, outcome, detail)
                VALUES (v_run, v_t.parent_table, v_t.retention_mode, v_names[i],
                        pg_catalog.clock_timestamp() - v_started, 'ok',
                        pg_catalog.format('older than %s (retention %s)%s', v_cutlit, v_ret,
                                          CASE WHEN v_target IS NOT NULL THEN ', now ' || v_target ELSE '' END));
                PERFORM part._notice(pg_catalog.format('retired %s of %s (%s, older than %s)',
                                                               v_names[i], v_t.parent_table, v_t.retention_mode, v_cutlit));
                v_done := v_done || v_names[i];
            END LOOP;
        EXCEPTION WHEN others THEN
            v_done := '{}';
            IF v_only IS NOT NULL THEN
                RAISE;
            END IF;
            v_failed := v_failed || v_t.parent_table;
            INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
            VALUES (v_run, v_t.parent_table, 'retire', pg_catalog.clock_timestamp() - v_started,
                    CASE WHEN SQLSTATE = '55P03' THEN 'skipped' ELSE 'failed' END,
                    SQLSTATE || ': ' || SQLERRM);
        END;
        RETURN QUERY SELECT pg_catalog.unnest(v_done);
    END LOOP;
    IF pg_catalog.cardinality(v_failed) > 0 THEN
        RAISE WARNING 'part.drop_old could not retire old partitions of %', pg_catalog.array_to_string(v_failed, ', ')
            USING HINT = 'See part.maintenance_log for the errors; the other tables were handled.';
    END IF;
END
$$;

-- functions/set_setting.sql
CREATE FUNCTION part.set_setting(p_key text, p_value text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key   record;
    v_value text := pg_catalog.btrim(p_value);
BEGIN
/*
 * Set one flag in part.settings and return the value stored (booleans are
 * written 'true' / 'false'). Unknown keys, read-only keys and values of the
 * wrong kind are refused with 22023 and nothing changes.
 */
    SELECT * INTO v_key FROM part._setting_keys() k WHERE k.key = p_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown setting "%"', p_key
            USING ERRCODE = '22023',
                  HINT = 'Settable keys: ' || (SELECT pg_catalog.string_agg(k.key, ', ' ORDER BY k.key)
                                                 FROM part._setting_keys() k WHERE NOT k.read_only) || '.';
    END IF;
    IF v_key.read_only THEN
        RAISE EXCEPTION 'setting "%" is read-only', p_key
            USING ERRCODE = '22023',
                  HINT = CASE p_key
                      WHEN 'use_partitioned_tables' THEN
                          'It is derived from the migrations: switch them with part.switch_reads(table) or pginstall migrate TABLE --to partitioned.'
                      ELSE 'The version changes with pginstall apply or ALTER EXTENSION part UPDATE.' END;
    END IF;
    IF v_value IS NULL THEN
        RAISE EXCEPTION 'setting "%" cannot be NULL', p_key
            USING ERRCODE = '22023', HINT = 'Pass a value; the default is ' || coalesce(pg_catalog.quote_literal(v_key.default_value), 'none') || '.';
    END IF;

    IF v_key.kind = 'boolean' THEN
        IF pg_catalog.lower(v_value) NOT IN ('true', 'false', 't', 'f', 'on', 'off', 'yes', 'no', '1', '0') THEN
            RAISE EXCEPTION 'invalid value "%" for setting "%"', p_value, p_key
                USING ERRCODE = '22023', HINT = 'Use true or false.';
        END IF;
        v_value := v_value::boolean::text;
    ELSIF v_key.kind = 'interval' THEN
        BEGIN
            IF v_value::interval <= interval '0' THEN
                RAISE invalid_parameter_value;
            END IF;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'invalid value "%" for setting "%"', p_value, p_key
                USING ERRCODE = '22023', HINT = 'Use a positive interval with its unit, e.g. ''1 day''.';
        END;
    ELSIF v_key.kind = 'cron' AND v_value <> '' THEN
        PERFORM part._cron_period(v_value);   -- 22023 with a HINT when invalid
    END IF;

    INSERT INTO part.settings AS s (key, value, description)
    VALUES (p_key, v_value, v_key.description)
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value
     WHERE s.value IS DISTINCT FROM EXCLUDED.value;
    RETURN v_value;
END
$$;

-- functions/setting.sql
CREATE FUNCTION part.setting(p_key text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key record;
BEGIN
/*
 * The value of one setting (flag), or its default when it was never set.
 * use_partitioned_tables is derived from part.migration: true when every
 * migration of the database is in partitioned or finalized (also when
 * there is none: nothing reads a legacy table then).
 */
    SELECT * INTO v_key FROM part._setting_keys() k WHERE k.key = p_key;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown setting "%"', p_key
            USING ERRCODE = '22023',
                  HINT = 'Known settings: ' || (SELECT pg_catalog.string_agg(k.key, ', ' ORDER BY k.key)
                                                  FROM part._setting_keys() k) || '.';
    END IF;
    IF p_key = 'use_partitioned_tables' THEN
        RETURN (NOT EXISTS (SELECT 1 FROM part.migration m
                             WHERE m.phase NOT IN ('partitioned', 'finalized')))::text;
    END IF;
    RETURN coalesce((SELECT s.value FROM part.settings s WHERE s.key = p_key), v_key.default_value);
END
$$;

-- procedures

-- procedures/run_maintenance.sql
CREATE PROCEDURE part.run_maintenance(p_parent text DEFAULT NULL, p_commit boolean DEFAULT true)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_only     regclass;
    v_run      bigint;
    v_t        record;
    v_r        record;
    v_made     text;
    v_started  timestamptz := pg_catalog.clock_timestamp();
    v_t0       timestamptz;
    v_holder   text;
    v_broken   boolean;
    v_n        bigint;
    v_sep_ret  boolean;
    v_tables   integer := 0;
    v_created  integer := 0;
    v_drained  integer := 0;
    v_moved    bigint := 0;
    v_retired  integer := 0;
    v_failed   text[] := '{}';
    v_skipped  text[] := '{}';
    v_state    text;
    v_msg      text;
    v_detail   text;
    v_step     text;
    c_lock_a   CONSTANT integer := 1885434484;   -- 'part' as an integer: advisory lock (c_lock_a, 1)
    c_drain_max CONSTANT integer := 100;         -- intervals drained per table and run
BEGIN
/*
 * Maintenance of every managed table (or only p_parent), for pg_cron
 * (`CALL part.run_maintenance()` as the whole job command):
 *   1. create ahead: partitions for the current interval and premake more;
 *   2. drain the default partition: rows sitting there get the partitions
 *      they belong to, one interval per transaction (rows older than the
 *      retention stay: part.verify() reports them);
 *   3. retire old partitions (part.drop_old), unless the setting
 *      retention_schedule says a separate job does it;
 *   4. ANALYZE the partitions it created.
 * What needs doing is read for all tables in one catalog pass
 * (part._maintenance_plan), so a run with nothing to do costs one query.
 * Each step of each table runs in its own subtransaction and is committed
 * at once: a table that fails is logged (outcome 'failed', with the error)
 * and the others still run; a lock not obtained within part._lock's short
 * timeouts makes it give up on that table for this run (logged 'skipped')
 * instead of stalling the writers queued behind it. A session-level
 * advisory lock makes a concurrent second run skip (logged). Every run
 * writes a heartbeat row (action 'run') that part.verify() reads. With
 * enable_partition_maintenance = false a run is a logged no-op; on a
 * standby it does nothing and says why.
 *
 * It COMMITs, so call it outside a transaction block (PostgreSQL forbids a
 * SET clause on such a procedure: it sets search_path itself and qualifies
 * every name). p_commit => false runs it without committing (inside a
 * transaction, as tests do). If the run is cancelled mid-way, the advisory
 * lock stays with that session until it ends.
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'part.run_maintenance: this server is a standby (in recovery): nothing done'
            USING HINT = 'Maintenance runs on the primary; its changes reach the standby by replication.';
        RETURN;
    END IF;
    IF p_parent IS NOT NULL THEN
        v_only := part._resolve_table(p_parent);
        PERFORM part._config_row(v_only);
    END IF;
    v_run := pg_catalog.nextval('part.maintenance_run_id_seq');

    IF NOT part.setting('enable_partition_maintenance')::boolean THEN
        INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
        VALUES (v_run, part._qualified(v_only), 'run', pg_catalog.clock_timestamp() - v_started, 'skipped',
                'enable_partition_maintenance is false: nothing done');
        RAISE NOTICE 'part.run_maintenance: enable_partition_maintenance is false: nothing done'
            USING HINT = 'SELECT part.set_setting(''enable_partition_maintenance'', ''true'') turns it back on.';
        IF p_commit THEN
            COMMIT;
        END IF;
        RETURN;
    END IF;

    IF NOT pg_catalog.pg_try_advisory_lock(c_lock_a, 1) THEN
        SELECT pg_catalog.string_agg(l.pid::text, ', ') INTO v_holder
          FROM pg_catalog.pg_locks l
         WHERE l.locktype = 'advisory' AND l.granted AND l.classid = c_lock_a AND l.objid = 1 AND l.objsubid = 2
           AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database());
        INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
        VALUES (v_run, part._qualified(v_only), 'run', pg_catalog.clock_timestamp() - v_started, 'skipped',
                pg_catalog.format('another part.run_maintenance is running (pid %s): this run skipped', coalesce(v_holder, '?')));
        RAISE NOTICE 'part.run_maintenance: another run is in progress (pid %): skipped', coalesce(v_holder, '?');
        IF p_commit THEN
            COMMIT;
        END IF;
        RETURN;
    END IF;

    v_sep_ret := part.setting('retention_schedule') <> '';
    FOR v_t IN SELECT * FROM part._maintenance_plan(v_only) LOOP
        v_tables := v_tables + 1;
        PERFORM part._maintenance_txn(v_run);
        v_broken := false;

        IF v_t.rel IS NULL THEN
            v_failed := v_failed || v_t.parent_table;
            INSERT INTO part.maintenance_log (run_id, parent_table, action, outcome, detail)
            VALUES (v_run, v_t.parent_table, 'check', 'failed',
                    '42P01: table does not exist (remove it from part.config, or recreate it)');
            CONTINUE;
        END IF;

        -- 1. create ahead (and analyze what was created)
        IF v_t.strategy = 'range' AND v_t.needs_ahead IS DISTINCT FROM false THEN
            v_t0 := pg_catalog.clock_timestamp();
            v_step := 'create';
            BEGIN
                FOR v_made IN SELECT x FROM part.create_ahead(NULL, v_t.parent_table) x LOOP
                    EXECUTE pg_catalog.format('ANALYZE %s', v_made);
                    INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, duration, outcome)
                    VALUES (v_run, v_t.parent_table, 'create', v_made, pg_catalog.clock_timestamp() - v_t0, 'ok');
                    v_created := v_created + 1;
                    v_t0 := pg_catalog.clock_timestamp();
                END LOOP;
            EXCEPTION WHEN others THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
                v_broken := true;
            END;
            IF v_broken THEN
                INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
                VALUES (v_run, v_t.parent_table, v_step, pg_catalog.clock_timestamp() - v_t0,
                        CASE WHEN v_state = '55P03' THEN 'skipped' ELSE 'failed' END,
                        v_state || ': ' || v_msg || coalesce(' ' || v_detail, ''));
            END IF;
            IF p_commit THEN
                COMMIT;
                PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                PERFORM part._maintenance_txn(v_run);
            END IF;
        END IF;

        -- 2. drain the default partition, one interval per transaction
        IF NOT v_broken AND v_t.default_nonempty THEN
            v_step := 'drain';
            FOR i IN 1 .. c_drain_max LOOP
                v_t0 := pg_catalog.clock_timestamp();
                v_n := 0;
                BEGIN
                    FOR v_r IN SELECT * FROM part._drain_default(v_t.rel, 1) LOOP
                        EXECUTE pg_catalog.format('ANALYZE %s', v_r.partition_name);
                        INSERT INTO part.maintenance_log (run_id, parent_table, action, partition_name, rows_moved,
                                                                  duration, outcome, detail)
                        VALUES (v_run, v_t.parent_table, 'drain', v_r.partition_name, v_r.rows_moved,
                                pg_catalog.clock_timestamp() - v_t0, 'ok', 'rows moved out of the default partition');
                        v_n := v_n + 1;
                        v_drained := v_drained + 1;
                        v_moved := v_moved + v_r.rows_moved;
                    END LOOP;
                EXCEPTION WHEN others THEN
                    GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
                    v_broken := true;
                END;
                IF v_broken THEN
                    INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
                    VALUES (v_run, v_t.parent_table, v_step, pg_catalog.clock_timestamp() - v_t0,
                            CASE WHEN v_state = '55P03' THEN 'skipped' ELSE 'failed' END,
                            v_state || ': ' || v_msg || coalesce(' ' || v_detail, ''));
                END IF;
                IF p_commit THEN
                    COMMIT;
                    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                    PERFORM part._maintenance_txn(v_run);
                END IF;
                EXIT WHEN v_n = 0 OR v_broken;
            END LOOP;
        END IF;

        -- 3. retire old partitions (part.drop_old logs each one)
        IF NOT v_broken AND v_t.retention IS NOT NULL AND v_t.retire_due IS DISTINCT FROM false AND NOT v_sep_ret THEN
            v_t0 := pg_catalog.clock_timestamp();
            v_step := 'retire';
            BEGIN
                SELECT pg_catalog.count(*) INTO v_n FROM part.drop_old(NULL, v_t.parent_table);
                v_retired := v_retired + v_n;
            EXCEPTION WHEN others THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_msg = MESSAGE_TEXT, v_detail = PG_EXCEPTION_DETAIL;
                v_broken := true;
            END;
            IF v_broken THEN
                INSERT INTO part.maintenance_log (run_id, parent_table, action, duration, outcome, detail)
                VALUES (v_run, v_t.parent_table, v_step, pg_catalog.clock_timestamp() - v_t0,
                        CASE WHEN v_state = '55P03' THEN 'skipped' ELSE 'failed' END,
                        v_state || ': ' || v_msg || coalesce(' ' || v_detail, ''));
            END IF;
            IF p_commit THEN
                COMMIT;
                PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
                PERFORM part._maintenance_txn(v_run);
            END IF;
        END IF;

        IF v_broken THEN
            IF v_state = '55P03' THEN
                v_skipped := v_skipped || v_t.parent_table;
            ELSE
                v_failed := v_failed || v_t.parent_table;
            END IF;
            RAISE WARNING 'part.run_maintenance: % of % %: %', v_step, v_t.parent_table,
                CASE WHEN v_state = '55P03' THEN 'given up for this run' ELSE 'failed' END, v_msg
                USING DETAIL = coalesce(v_detail, ''), HINT = 'See part.maintenance_log; the other tables were maintained.';
        END IF;
    END LOOP;

    PERFORM pg_catalog.pg_advisory_unlock(c_lock_a, 1);
    INSERT INTO part.maintenance_log (run_id, parent_table, action, rows_moved, duration, outcome, detail)
    VALUES (v_run, part._qualified(v_only), 'run', v_moved, pg_catalog.clock_timestamp() - v_started,
            CASE WHEN pg_catalog.cardinality(v_failed) > 0 THEN 'failed' ELSE 'ok' END,
            pg_catalog.format('%s tables: %s partitions created, %s drained (%s rows moved), %s retired%s%s',
                v_tables, v_created, v_drained, v_moved, v_retired,
                CASE WHEN pg_catalog.cardinality(v_failed) > 0
                     THEN '; failed: ' || pg_catalog.array_to_string(v_failed, ', ') ELSE '' END,
                CASE WHEN pg_catalog.cardinality(v_skipped) > 0
                     THEN '; given up (lock not obtained): ' || pg_catalog.array_to_string(v_skipped, ', ') ELSE '' END));
    IF p_commit THEN
        COMMIT;
    END IF;
END
$$;

-- procedures/split_hash.sql
CREATE PROCEDURE part.split_hash(p_parent text, p_new_count integer)
    LANGUAGE plpgsql
AS $$
DECLARE
    v_rel      regclass;
    v_cfg      part.config;
    v_type     regtype;
    v_schema   text;
    v_prefix   text;
    v_old      integer;
    v_moduli   integer[];
    v_part     record;
    v_targets  integer[];
    v_rem      integer;
    v_tmp      text;
    v_keys     text[];
    v_full     boolean;
    v_cols     text;
    v_n_old    bigint;
    v_n_new    bigint;
BEGIN
/*
 * Grow a hash-partitioned table from N to p_new_count partitions (a multiple
 * of N), one old partition at a time, committing between steps so that
 * writers are blocked only during a short step per partition:
 *   1. new tables for the successors of remainder r (r, r+N, r+2N, ... mod
 *      p_new_count) and a capture trigger on the old partition; commit;
 *   2. copy the old partition's rows into them, writers going on; commit;
 *   3. under an ACCESS EXCLUSIVE lock (short timeouts, retries): re-copy the
 *      keys written since step 2, check the row counts, detach and drop the
 *      old partition, attach the new ones; commit.
 * Interrupted, it can be called again and carries on. It commits, so CALL it
 * outside an explicit transaction block. (A procedure that commits cannot
 * have a SET clause: search_path is pinned with set_config after each commit.)
 */
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    v_rel := part._resolve_table(p_parent);
    v_cfg := part._config_row(v_rel);
    IF v_cfg.strategy <> 'hash' THEN
        RAISE EXCEPTION 'table % is range-partitioned, not hash-partitioned', v_cfg.parent_table
            USING ERRCODE = '42809', HINT = 'part.split_hash grows hash-partitioned tables only.';
    END IF;
    v_type := v_cfg.key_type::regtype;
    SELECT pg_catalog.array_agg(DISTINCT b.modulus ORDER BY b.modulus) INTO v_moduli
      FROM part._partition_bounds(v_rel) b;
    v_old := v_moduli[1];
    IF p_new_count IS NULL OR p_new_count <= 0 THEN
        RAISE EXCEPTION 'invalid partition count %', coalesce(p_new_count::text, 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass the new number of partitions, a multiple of the current one.';
    END IF;
    IF cardinality(v_moduli) = 1 AND p_new_count = v_old THEN
        UPDATE part.config c SET partitions = p_new_count, updated_at = pg_catalog.now()
         WHERE c.parent_table = v_cfg.parent_table AND c.partitions IS DISTINCT FROM p_new_count;
        RETURN;   -- already there
    END IF;
    IF cardinality(v_moduli) > 2 OR (cardinality(v_moduli) = 2 AND v_moduli[2] <> p_new_count)
       OR p_new_count <= v_old OR p_new_count % v_old <> 0 THEN
        RAISE EXCEPTION 'cannot split % from % to % partitions', v_cfg.parent_table,
                pg_catalog.array_to_string(v_moduli, ' and '), p_new_count
            USING ERRCODE = '22023',
                  HINT = CASE WHEN cardinality(v_moduli) = 2
                              THEN pg_catalog.format('A split to %s is under way: call part.split_hash(%L, %s) to finish it.', v_moduli[2], p_parent, v_moduli[2])
                              ELSE pg_catalog.format('The new count must be a multiple of %s greater than it, e.g. %s.', v_old, v_old * 2) END;
    END IF;

    SELECT n.nspname, coalesce(v_cfg.partition_prefix, c.relname) INTO v_schema, v_prefix
      FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = v_rel;
    SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO v_cols
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = v_rel AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '';

    FOR v_part IN
        SELECT b.partition_oid::regclass AS rel, b.partition_name, b.remainder
          FROM part._partition_bounds(v_rel) b WHERE b.modulus = v_old ORDER BY b.remainder
    LOOP
        v_targets := ARRAY(SELECT v_part.remainder + j * v_old FROM pg_catalog.generate_series(0, p_new_count / v_old - 1) j);

        -- 1. new tables and the capture trigger (dropping leftovers of an interrupted run)
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', v_schema, v_tmp)) IS NOT NULL THEN
                EXECUTE pg_catalog.format('DROP TABLE %I.%I', v_schema, v_tmp);
            END IF;
            EXECUTE pg_catalog.format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING GENERATED)',
                                      v_schema, v_tmp, v_rel);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I))',
                                      v_schema, v_tmp, 'part_split_check', v_rel::oid, p_new_count, v_rem, v_cfg.key_column);
            PERFORM part._copy_owner_and_grants(v_rel, pg_catalog.format('%I.%I', v_schema, v_tmp)::regclass);
        END LOOP;
        DELETE FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        PERFORM part._lock(v_part.rel, 'SHARE ROW EXCLUSIVE');
        FOR v_tmp IN SELECT t.tgname FROM pg_catalog.pg_trigger t
                      WHERE t.tgrelid = v_part.rel AND t.tgname IN ('part_split_capture', 'part_split_capture_truncate') LOOP
            EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', v_tmp, v_part.rel);
        END LOOP;
        EXECUTE pg_catalog.format('CREATE TRIGGER part_split_capture AFTER INSERT OR UPDATE OR DELETE ON %s '
                                  'FOR EACH ROW EXECUTE FUNCTION part._split_capture(%L)', v_part.rel, v_cfg.key_column);
        EXECUTE pg_catalog.format('CREATE TRIGGER part_split_capture_truncate AFTER TRUNCATE ON %s '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION part._split_capture(%L)', v_part.rel, v_cfg.key_column);
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

        -- 2. copy, writers going on
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            EXECUTE pg_catalog.format('INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                                      v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_rel::oid, p_new_count, v_rem, v_cfg.key_column);
        END LOOP;
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

        -- 3. the short locked step
        PERFORM part._lock(v_rel, 'ACCESS EXCLUSIVE');
        PERFORM part._lock(v_part.rel, 'ACCESS EXCLUSIVE');   -- also writers that bypass the parent
        SELECT pg_catalog.bool_or(l.key_value IS NULL), pg_catalog.array_agg(DISTINCT l.key_value) FILTER (WHERE l.key_value IS NOT NULL)
          INTO v_full, v_keys
          FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            IF v_full THEN
                EXECUTE pg_catalog.format('TRUNCATE %I.%I', v_schema, v_tmp);
                EXECUTE pg_catalog.format('INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                                          v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_rel::oid, p_new_count, v_rem, v_cfg.key_column);
            ELSIF v_keys IS NOT NULL THEN
                EXECUTE pg_catalog.format('DELETE FROM %I.%I WHERE %I = ANY (%L::%s[])', v_schema, v_tmp, v_cfg.key_column, v_keys, v_type);
                EXECUTE pg_catalog.format('INSERT INTO %I.%I (%s) SELECT %s FROM %s WHERE %I = ANY (%L::%s[]) AND pg_catalog.satisfies_hash_partition(%s::oid, %s, %s, %I)',
                                          v_schema, v_tmp, v_cols, v_cols, v_part.rel, v_cfg.key_column, v_keys, v_type,
                                          v_rel::oid, p_new_count, v_rem, v_cfg.key_column);
            END IF;
        END LOOP;
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s', v_part.rel) INTO v_n_old;
        EXECUTE (SELECT 'SELECT sum(n)::bigint FROM (' || pg_catalog.string_agg(pg_catalog.format('SELECT pg_catalog.count(*) AS n FROM %I.%I', v_schema,
                            part._partition_name(v_prefix, 'split_' || r)), ' UNION ALL ') || ') s'
                   FROM pg_catalog.unnest(v_targets) r)
            INTO v_n_new;
        IF v_n_old IS DISTINCT FROM v_n_new THEN
            RAISE EXCEPTION 'split of % stopped: % rows in the old partition, % in the new ones', v_part.partition_name, v_n_old, v_n_new
                USING ERRCODE = 'XX000', HINT = 'Nothing was changed in this step; call part.split_hash again.';
        END IF;
        EXECUTE pg_catalog.format('ALTER TABLE %s DETACH PARTITION %s', v_rel, v_part.rel);
        EXECUTE pg_catalog.format('DROP TABLE %s', v_part.rel);
        DELETE FROM part.split_log l WHERE l.partition_oid = v_part.rel;
        FOREACH v_rem IN ARRAY v_targets LOOP
            v_tmp := part._partition_name(v_prefix, 'split_' || v_rem);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I RENAME TO %I', v_schema, v_tmp, part._partition_name(v_prefix, v_rem::text));
            EXECUTE pg_catalog.format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES WITH (MODULUS %s, REMAINDER %s)',
                                      v_rel, v_schema, part._partition_name(v_prefix, v_rem::text), p_new_count, v_rem);
            EXECUTE pg_catalog.format('ALTER TABLE %I.%I DROP CONSTRAINT part_split_check', v_schema, part._partition_name(v_prefix, v_rem::text));
        END LOOP;
        PERFORM part._notice(pg_catalog.format('split %s into %s partitions (%s rows)', v_part.partition_name, cardinality(v_targets), v_n_old));
        COMMIT;
        PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);
    END LOOP;
    UPDATE part.config c SET partitions = p_new_count, updated_at = pg_catalog.now()
     WHERE c.parent_table = v_cfg.parent_table;
    COMMIT;
END
$$;

-- views

-- views/partitions.sql
-- part.partitions: every partition of every managed table, with its bounds and size.
CREATE VIEW part.partitions AS
SELECT c.parent_table,
       b.partition_name,
       c.strategy,
       CASE WHEN b.modulus IS NOT NULL THEN pg_catalog.format('modulus %s, remainder %s', b.modulus, b.remainder)
            ELSE part._normalize_bound(b.bound_from, c.key_type::regtype) END AS bound_from,
       part._normalize_bound(b.bound_to, c.key_type::regtype) AS bound_to,
       b.is_default,
       greatest(r.reltuples, 0)::bigint AS estimated_rows,
       pg_catalog.pg_total_relation_size(b.partition_oid) AS total_bytes
  FROM part.config c
 CROSS JOIN LATERAL part._partition_bounds(pg_catalog.to_regclass(c.parent_table)) b
  JOIN pg_catalog.pg_class r ON r.oid = b.partition_oid
 ORDER BY c.parent_table, b.is_default, part._bound_ordinal(b.bound_from, c.key_type::regtype), b.remainder;
COMMENT ON VIEW part.partitions IS
    'part: partitions of the managed tables (bounds as literals of the key type; hash: modulus and remainder)';

-- data

-- data/settings.sql
-- Default settings. `version` is the installed version.
INSERT INTO part.settings (key, value, description) VALUES
    ('version', '0.1.0', 'installed version of part'),
    ('enable_partition_maintenance', 'true', 'false: maintenance runs are logged no-ops'),
    ('log_partition_routing', 'false', 'true: NOTICEs for sync and maintenance decisions')
ON CONFLICT (key) DO NOTHING;

-- data/settings_restore_trigger.sql
-- Restoring a dump replaces default settings instead of failing (see part._settings_restore).
CREATE TRIGGER settings_restore BEFORE INSERT ON part.settings
    FOR EACH ROW EXECUTE FUNCTION part._settings_restore();
