-- part.config: one row per managed partitioned table.
CREATE TABLE part.config (
    parent_table      text PRIMARY KEY,
    strategy          text NOT NULL CHECK (strategy IN ('range', 'hash')),
    key_column        text NOT NULL,
    key_type          text NOT NULL,
    "interval"        text,
    partitions        integer CHECK (partitions > 0),
    premake           integer NOT NULL DEFAULT 3 CHECK (premake >= 0),
    retention         text,
    retention_mode    text NOT NULL DEFAULT 'detach'
                      CHECK (retention_mode IN ('drop', 'detach', 'archive')),
    default_partition boolean,
    partition_prefix  text,
    batch_size        integer NOT NULL DEFAULT 10000 CHECK (batch_size > 0),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    -- the zone whose midnight starts a day, week or month partition (timestamptz keys; 'UTC' else)
    time_zone         text NOT NULL DEFAULT 'UTC',
    CHECK (strategy <> 'range' OR ("interval" IS NOT NULL AND partitions IS NULL)),
    CHECK (strategy <> 'hash' OR (partitions IS NOT NULL AND "interval" IS NULL
                                   AND retention IS NULL AND NOT coalesce(default_partition, false)))
);
COMMENT ON TABLE part.config IS
    'part: one row per managed partitioned table (part.create_partitioned adds it)';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('part.config', '');
{% endif %}
