{#-
  The sync triggers every table of a migration gets (part._sync_triggers
  renders them with part._render): INSERT, UPDATE and DELETE, statement-level
  with transition tables, calling the sync function @ident:function_schema@.@ident:function_name@
  with @lit:argument@ ('table', or 'partition' on each partition of the
  partitioned table). Their WHEN condition (always true) makes them depend on
  part: it names part's type part.migration, so DROP EXTENSION part (or DROP
  SCHEMA part) refuses while a migration syncs, and with CASCADE drops the
  triggers too. It costs nothing per statement: PostgreSQL folds it to true
  when it prepares the condition. (part._sync_active(), the condition of
  triggers created by part 0.1.0, is a function call each writer paid for,
  about a tenth of a single-row INSERT's time; migrate_refresh replaces it.)
-#}
CREATE OR REPLACE TRIGGER part_sync_insert AFTER INSERT ON @rel:table@
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
CREATE OR REPLACE TRIGGER part_sync_update AFTER UPDATE ON @rel:table@
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
CREATE OR REPLACE TRIGGER part_sync_delete AFTER DELETE ON @rel:table@
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT WHEN (NULL::part.migration IS NULL)
    EXECUTE FUNCTION @ident:function_schema@.@ident:function_name@(@lit:argument@);
