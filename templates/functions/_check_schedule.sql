CREATE FUNCTION {{ schema }}._check_schedule(p_key text, p_value text)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_value text := pg_catalog.btrim(p_value);
BEGIN
/*
 * Check one key of pginstall's [schedule] before anything is changed or a
 * pg_cron job registered (pginstall apply and plan call it in their
 * transaction; part.set_setting checks the recorded schedules the same
 * way, through part._cron_period): maintenance, retention, purge_history
 * are pg_cron schedules of five fields or a macro such as @daily ('' = not
 * scheduled), which must run at some time (not '0 0 31 2 *'; not @reboot);
 * history_days is 1 to 3650. Returns the value as it will be used; 22023
 * with a HINT otherwise.
 */
    IF p_key IN ('maintenance', 'retention', 'purge_history') THEN
        IF v_value IS NOT NULL AND v_value <> '' THEN
            PERFORM {{ schema }}._cron_period(v_value);
        END IF;
        RETURN coalesce(v_value, '');
    ELSIF p_key = 'history_days' THEN
        IF v_value IS NULL OR v_value !~ '^[0-9]+$' OR v_value::numeric < 1 OR v_value::numeric > 3650 THEN
            RAISE EXCEPTION 'history_days must be a whole number from 1 to 3650, not %', coalesce(p_value, 'NULL')
                USING ERRCODE = '22023', HINT = 'How many days of pg_cron run history to keep, e.g. 7.';
        END IF;
        RETURN v_value::integer::text;
    END IF;
    RAISE EXCEPTION 'unknown schedule key "%"', p_key
        USING ERRCODE = '22023', HINT = 'The [schedule] keys are maintenance, retention, purge_history and history_days.';
END
$$;
