CREATE FUNCTION part.set_setting(p_key text, p_value text)
    RETURNS text
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_key   record;
    v_value text := btrim(p_value);
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
                  HINT = 'Settable keys: ' || (SELECT string_agg(k.key, ', ' ORDER BY k.key)
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
            USING ERRCODE = '22023', HINT = 'Pass a value; the default is ' || coalesce(quote_literal(v_key.default_value), 'none') || '.';
    END IF;

    IF v_key.kind = 'boolean' THEN
        IF lower(v_value) NOT IN ('true', 'false', 't', 'f', 'on', 'off', 'yes', 'no', '1', '0') THEN
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
        IF p_key = 'yield_max_wait' AND NOT v_value::interval BETWEEN interval '1 second' AND interval '1 day' THEN
            RAISE EXCEPTION 'invalid value "%" for setting "%"', p_value, p_key
                USING ERRCODE = '22023', HINT = 'Use an interval from 1 second to 1 day, e.g. ''5 minutes''.';
        END IF;
    ELSIF v_key.kind = 'size' AND v_value <> '' THEN
        BEGIN
            IF NOT pg_size_bytes(v_value) BETWEEN 1024 AND 1099511627776 THEN
                RAISE invalid_parameter_value;
            END IF;
        EXCEPTION WHEN others THEN
            RAISE EXCEPTION 'invalid value "%" for setting "%"', p_value, p_key
                USING ERRCODE = '22023', HINT = 'Use a size from 1kB to 1TB with its unit, e.g. ''256MB'', or '''' to turn it off.';
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
COMMENT ON FUNCTION part.set_setting IS
    'part: set a flag or setting of part.settings (enable_partition_maintenance, log_partition_routing, ...); refuses unknown and read-only keys and bad values. Returns the value set.';
