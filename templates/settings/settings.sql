-- part.settings: key/value settings. `version` is the installed version;
-- the flags steer maintenance and logging (see part.set_setting).
CREATE TABLE part.settings (
    key         text PRIMARY KEY,
    value       text,
    description text
);
COMMENT ON TABLE part.settings IS
    'part settings: version and flags; change flags with part.set_setting(key, value)';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('part.settings', $$WHERE key <> 'version'$$);
{% endif %}
