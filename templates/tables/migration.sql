-- part.migration: one row per table being moved into a partitioned table,
-- named by the application's table name, which stays the same across the switch.
CREATE TABLE {{ schema }}.migration (
    table_name            text PRIMARY KEY,
    legacy_table          text NOT NULL,
    partitioned_table     text NOT NULL,
    strategy              text NOT NULL CHECK (strategy IN ('range', 'hash')),
    key_column            text NOT NULL,
    phase                 text NOT NULL DEFAULT 'dual_write'
                          CHECK (phase IN ('dual_write', 'backfilled', 'partitioned', 'finalized')),
    backfill_last_key     text,
    backfill_rows         bigint NOT NULL DEFAULT 0,
    backfill_started_at   timestamptz,
    backfill_finished_at  timestamptz,
    parity_checked_at     timestamptz,
    parity_clean          boolean,
    started_at            timestamptz NOT NULL DEFAULT now(),
    dual_write_at         timestamptz NOT NULL DEFAULT now(),
    backfilled_at         timestamptz,
    partitioned_at        timestamptz,
    rolled_back_at        timestamptz,
    finalized_at          timestamptz
);
COMMENT ON TABLE {{ schema }}.migration IS
    'part: one row per table being moved online (part.migrate_start adds it)';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('{{ schema }}.migration', '');
{% endif %}
