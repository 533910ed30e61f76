-- part.parity_mark: ranges a write touched since the last parity check, so
-- that part.check_parity re-hashes only those. Written by the sync triggers
-- and the backfill (part._parity_mark): an existing mark is locked FOR KEY
-- SHARE by the writing transaction (like a foreign-key check), a new one is
-- inserted only when none can be locked; part.check_parity deletes the marks
-- no writer holds (FOR UPDATE SKIP LOCKED) and re-hashes their ranges in a
-- later snapshot, so a write is either in that snapshot or still marked.
-- grp is the key's group as text (a UTC day/month/... start, an integer
-- range start, or a hash remainder), '*' after a TRUNCATE (check everything).
CREATE TABLE part.parity_mark (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text NOT NULL,
    grp        text NOT NULL,
    marked_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX parity_mark_table_grp ON part.parity_mark (table_name, grp);
COMMENT ON TABLE part.parity_mark IS
    'part: key groups written since the last parity check of a migration (transient)';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('part.parity_mark', '');
SELECT pg_catalog.pg_extension_config_dump('part.parity_mark_id_seq', '');
{% endif %}
