-- part.parity_range: the result of the last parity check of each range of a
-- migration: rows and a content hash (sum of a 64-bit hash of every row) on
-- each side, computed for both sides in one snapshot. Ranges are the
-- partition intervals (range) or hash remainders (hash); part.check_parity
-- refreshes the ranges marked since, or all of them.
CREATE TABLE part.parity_range (
    table_name       text NOT NULL,
    range_from       text NOT NULL,
    range_to         text,
    range_order      numeric NOT NULL,
    partition_name   text,
    legacy_rows      bigint NOT NULL,
    partitioned_rows bigint NOT NULL,
    legacy_hash      numeric NOT NULL,
    partitioned_hash numeric NOT NULL,
    status           text NOT NULL CHECK (status IN ('ok', 'differs')),
    checked_at       timestamptz NOT NULL,
    PRIMARY KEY (table_name, range_from)
);
COMMENT ON TABLE part.parity_range IS
    'part: per-range result of the last parity check of each migration (see part.check_parity)';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('part.parity_range', '');
{% endif %}
