-- part.index_build: one row per partition of an index part.create_index builds
-- online (CREATE INDEX ON ONLY the parent, CREATE INDEX CONCURRENTLY on each
-- partition, ALTER INDEX ... ATTACH PARTITION): what it planned, and how far it got.
CREATE TABLE part.index_build (
    parent_index   text NOT NULL,          -- the index on the parent (schema.name)
    parent_table   text NOT NULL,
    definition     text NOT NULL,          -- what follows ON <table>, as read back from the catalog
    partition_name text NOT NULL,
    index_name     text NOT NULL,          -- the partition's index (schema.name)
    state          text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'attached', 'gone')),
    reused         boolean NOT NULL DEFAULT false,   -- an index the partition had already, attached as it was
    planned_at     timestamptz NOT NULL DEFAULT now(),
    attached_at    timestamptz,
    PRIMARY KEY (parent_index, partition_name)
);
COMMENT ON TABLE part.index_build IS
    'part: the steps of the online index builds of part.create_index, one row per partition';
{% if mode == 'extension' %}
SELECT pg_catalog.pg_extension_config_dump('part.index_build', '');
{% endif %}
