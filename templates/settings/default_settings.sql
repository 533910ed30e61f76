-- Default settings. `version` is the installed version.
INSERT INTO part.settings (key, value, description) VALUES
    ('version', '{{ version }}', 'installed version of part'),
    ('enable_partition_maintenance', 'true', 'false: maintenance runs are logged no-ops'),
    ('log_partition_routing', 'false', 'true: NOTICEs for sync and maintenance decisions')
ON CONFLICT (key) DO NOTHING;
