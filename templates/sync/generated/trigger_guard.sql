{#- The guard of the legacy and the partitioned table: enabled on the one the application does not write, it refuses direct writes and TRUNCATE there (part._sync_guard; see triggers_dml.sql). @lit:owner@: the oid of the table's owner when the trigger was made, the guard's shortcut for part's own writes (part._sync_guard checks the catalog when it does not match). -#}
CREATE OR REPLACE TRIGGER part_sync_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @rel:table@
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION part._sync_guard(@lit:owner@);
