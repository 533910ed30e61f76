{#- The AFTER TRUNCATE sync trigger of the legacy and the partitioned table (see triggers_dml.sql). -#}
CREATE OR REPLACE TRIGGER part_sync_truncate AFTER TRUNCATE ON @rel:table@
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
