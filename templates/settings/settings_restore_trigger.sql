-- Restoring a dump replaces default settings instead of failing (see part._settings_restore).
CREATE TRIGGER settings_restore BEFORE INSERT ON part.settings
    FOR EACH ROW EXECUTE FUNCTION part._settings_restore();
