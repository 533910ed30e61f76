{#-
  The sync triggers every table of a migration gets (part._sync_triggers
  renders them with part._render): INSERT, UPDATE and DELETE, statement-level
  with transition tables, calling the sync function @ident:function_schema@.@ident:function_name@
  with @lit:argument@ ('table', or 'partition' on each partition of the
  partitioned table). Their WHEN condition makes them depend on part (see
  part._sync_active).
-#}
CREATE OR REPLACE TRIGGER part_sync_insert AFTER INSERT ON @rel:table@
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active())
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
CREATE OR REPLACE TRIGGER part_sync_update AFTER UPDATE ON @rel:table@
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active())
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
CREATE OR REPLACE TRIGGER part_sync_delete AFTER DELETE ON @rel:table@
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active())
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
