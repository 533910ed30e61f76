-- part.settings: key/value settings. `version` is the installed version;
-- the flags steer maintenance and logging (see part.set_setting).
CREATE TABLE {{ schema }}.settings (
    key         text PRIMARY KEY,
    value       text,
    description text
);
COMMENT ON TABLE {{ schema }}.settings IS
    'part settings: version and flags; change flags with part.set_setting(key, value)';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('{{ schema }}.settings', $$WHERE key <> 'version'$$);
{% endif %}
