{#- The BEFORE TRUNCATE sync trigger of the partitioned table and of each partition: one partition truncated alone is refused (see triggers_dml.sql). -#}
CREATE OR REPLACE TRIGGER part_sync_truncate_guard BEFORE TRUNCATE ON @rel:table@
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
