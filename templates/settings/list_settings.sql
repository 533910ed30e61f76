CREATE FUNCTION part.list_settings()
    RETURNS TABLE(key text, value text, kind text, read_only boolean, default_value text, description text)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
AS $$
    /*
     * Every setting part knows with its current value (part.setting: the
     * default when never set, derived ones computed), its kind (boolean,
     * interval, cron: how part.set_setting checks a value; a cron setting
     * records what pginstall apply registered in pg_cron), whether it is
     * read-only, its default and what it does. What `pginstall flags` shows.
     */
    SELECT k.key, part.setting(k.key), k.kind, k.read_only, k.default_value, k.description
      FROM part._setting_keys() k
     ORDER BY k.key
$$;
COMMENT ON FUNCTION part.list_settings() IS
    'part: every setting of part with its value, kind, default and description (pginstall flags)';
