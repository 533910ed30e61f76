CREATE FUNCTION part.check_schedule(p_key text, p_value text DEFAULT NULL)
    RETURNS text
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    -- the defaults of [schedule] live here and nowhere else (pginstall passes NULL for a key the file leaves out)
    v_value text := btrim(coalesce(p_value, CASE p_key WHEN 'maintenance' THEN '0 2 * * *'
                                                                   WHEN 'retention' THEN ''
                                                                   WHEN 'purge_history' THEN '30 3 * * *'
                                                                   WHEN 'history_days' THEN '7' END));
BEGIN
/*
 * Check one key of pginstall's [schedule] (public: pginstall's way in) before anything is changed or a
 * pg_cron job registered (pginstall apply and plan call it in their
 * transaction; part.set_setting checks the recorded schedules the same
 * way, through part._cron_period): maintenance, retention, purge_history
 * are pg_cron schedules of five fields or a macro such as @daily ('' = not
 * scheduled), which must run at some time (not '0 0 31 2 *'; not @reboot);
 * history_days is 1 to 3650. p_value NULL: the key's default (maintenance
 * '0 2 * * *', retention '' = none, purge_history '30 3 * * *',
 * history_days 7). Returns the value as it will be used; 22023 with a HINT
 * otherwise.
 */
    IF p_key IN ('maintenance', 'retention', 'purge_history') THEN
        IF v_value <> '' THEN
            PERFORM part._cron_period(v_value);
        END IF;
        RETURN v_value;
    ELSIF p_key = 'history_days' THEN
        IF v_value !~ '^[0-9]+$' OR v_value::numeric < 1 OR v_value::numeric > 3650 THEN
            RAISE EXCEPTION 'history_days must be a whole number from 1 to 3650, not %', coalesce(p_value, 'NULL')
                USING ERRCODE = '22023', HINT = 'How many days of pg_cron run history to keep, e.g. 7.';
        END IF;
        RETURN v_value::integer::text;
    END IF;
    RAISE EXCEPTION 'unknown schedule key "%"', p_key
        USING ERRCODE = '22023', HINT = 'The [schedule] keys are maintenance, retention, purge_history and history_days.';
END
$$;
COMMENT ON FUNCTION part.check_schedule IS
    'part: check one [schedule] entry of pginstall.toml (maintenance, retention, purge_history, history_days) and return it as it will be used; p_value NULL gives its default.';
