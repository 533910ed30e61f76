-- part.maintenance_log: one row per maintenance action, and a heartbeat row
-- (action = 'run') per maintenance run.
CREATE TABLE part.maintenance_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    run_id         bigint,
    logged_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    parent_table   text,
    action         text NOT NULL,
    partition_name text,
    rows_moved     bigint,
    duration       interval,
    outcome        text NOT NULL CHECK (outcome IN ('ok', 'skipped', 'failed')),
    detail         text,
    error_code     text            -- the SQLSTATE of a step that did not complete (55P03: lock not obtained, given up for this run)
);
CREATE INDEX maintenance_log_run ON part.maintenance_log (run_id);
CREATE INDEX maintenance_log_heartbeat ON part.maintenance_log (logged_at) WHERE action = 'run';
-- run ids of part.run_maintenance (one per run; the actions of a run share it)
CREATE SEQUENCE part.maintenance_run_id_seq;
CREATE INDEX maintenance_log_logged_at ON part.maintenance_log (logged_at);
CREATE INDEX maintenance_log_parent ON part.maintenance_log (parent_table, logged_at);
COMMENT ON TABLE part.maintenance_log IS
    'part: one row per maintenance action; action = ''run'' rows are heartbeats';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_log', '');
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_log_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('part.maintenance_run_id_seq', '');
{% endif %}
