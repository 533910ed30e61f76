-- part.split_log: keys written into a hash partition while part.split_hash
-- copies it, so that the short locked step re-copies only those keys.
CREATE UNLOGGED TABLE part.split_log (
    partition_oid oid NOT NULL,
    key_value     text          -- NULL: the partition was truncated
);
CREATE INDEX split_log_partition ON part.split_log (partition_oid);
COMMENT ON TABLE part.split_log IS
    'part: keys changed in a hash partition during part.split_hash (transient)';
