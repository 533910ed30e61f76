{#- The guard of the legacy and the partitioned table: enabled on the one the application does not write, it refuses direct writes and TRUNCATE there (part._sync_guard; see triggers_dml.sql). -#}
CREATE OR REPLACE TRIGGER part_sync_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON @rel:table@
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION part._sync_guard();
