-- Restoring a dump replaces default settings instead of failing (see part._settings_restore).
CREATE TRIGGER settings_restore BEFORE INSERT ON {{ schema }}.settings
    FOR EACH ROW EXECUTE FUNCTION {{ schema }}._settings_restore();
