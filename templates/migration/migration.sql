-- part.migration: one row per table being moved into a partitioned table,
-- named by the application's table name, which stays the same across the switch.
CREATE TABLE part.migration (
    table_name            text PRIMARY KEY,
    legacy_table          text NOT NULL,
    partitioned_table     text NOT NULL,
    strategy              text NOT NULL CHECK (strategy IN ('range', 'hash')),
    key_column            text NOT NULL,
    phase                 text NOT NULL DEFAULT 'dual_write'
                          CHECK (phase IN ('dual_write', 'backfilled', 'partitioned', 'finalized', 'preparing', 'prepared')),
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
    finalized_at          timestamptz,
    -- filled by part.migrate_start / part.backfill / part.check_parity:
    key_type              text,               -- type of key_column (regtype text)
    legacy_key            text[],             -- primary-key columns of the legacy table (backfill order)
    partitioned_key       text[],             -- primary-key columns of the partitioned copy (legacy_key + key_column)
    backfill_high_key     text,               -- largest legacy key when the backfill started: it copies up to there
    backfill_total        bigint,             -- rows to copy (estimate when the backfill started), for progress and ETA
    backfill_batches      bigint NOT NULL DEFAULT 0,
    parity_full_at        timestamptz,        -- time of the last full (all ranges) parity check
    parity_ranges         integer,            -- ranges checked
    parity_differ         integer,            -- ranges that differed at the last check
    sync_columns          text[],             -- columns both tables had when the sync was generated
    parity_spec           text,               -- interval / hash partition count the stored parity ranges were made with
    backfill_batch_at     timestamptz,        -- when the last backfill batch committed (a stale ETA is not shown)
    -- p_method => 'attach' (the legacy table becomes the history partition; see part.attach_prepare):
    method                text NOT NULL DEFAULT 'copy' CHECK (method IN ('copy', 'attach')),
    history_table         text,               -- the history partition (the legacy table) after the switch
    history_to            text,               -- its upper bound: the legacy table's CHECK says key < history_to
    history_from          text,               -- its lower bound now (NULL: MINVALUE); the split raises it
    history_rows          bigint,             -- rows in it at the switch (estimate), for progress
    split_intervals       integer NOT NULL DEFAULT 0,   -- intervals split out of it by maintenance
    split_rows            bigint NOT NULL DEFAULT 0,    -- rows moved out of it
    split_started_at      timestamptz,
    prepared_at           timestamptz,
    -- the online split of the history partition (part.split_history): the copy M, kept in step by
    -- triggers on the history partition, swapped in for it, then flattened into the table
    split_phase           text CHECK (split_phase IN ('copying', 'checking', 'flattening')),
    split_table           text,               -- M: the partitioned copy of the history, one partition per interval
    split_copy_key        text,               -- the copy's last primary key (part._sql_columns 'text'), NULL: from the start
    split_checked_to      text,               -- the parity check's progress: intervals below this bound match
    split_sync_xmin       text                -- xmin of the sync trigger's pg_trigger row when the checks began (changed: check again)
);
COMMENT ON TABLE part.migration IS
    'part: one row per table being moved online (part.migrate_start adds it)';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('part.migration', '');
{% endif %}
