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
