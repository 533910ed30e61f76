{#-
  The sync triggers on one table (@table@), all statement-level, calling
  @function@(@argument@); their WHEN condition makes them depend on part
  (see part._sync_active). Every table gets the three DML triggers with
  transition tables; then, as part._sync_install chooses:
  the legacy table and the partitioned table an AFTER TRUNCATE trigger,
  the partitioned table and each of its partitions a BEFORE TRUNCATE one,
  the legacy table and the partitioned table the guard that refuses direct
  writes (enabled only on the table the application does not write, whose
  DML triggers are disabled instead: a disabled trigger costs its table
  nothing, an enabled one with transition tables keeps every row written).
-#}
CREATE OR REPLACE TRIGGER part_sync_insert AFTER INSERT ON @table@
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active()) EXECUTE FUNCTION @function@(@argument@);
CREATE OR REPLACE TRIGGER part_sync_update AFTER UPDATE ON @table@
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active()) EXECUTE FUNCTION @function@(@argument@);
CREATE OR REPLACE TRIGGER part_sync_delete AFTER DELETE ON @table@
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active()) EXECUTE FUNCTION @function@(@argument@);
--after-truncate
CREATE OR REPLACE TRIGGER part_sync_truncate AFTER TRUNCATE ON @table@
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active()) EXECUTE FUNCTION @function@(@argument@);
--before-truncate
CREATE OR REPLACE TRIGGER part_sync_truncate_guard BEFORE TRUNCATE ON @table@
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active()) EXECUTE FUNCTION @function@(@argument@);
--guard
CREATE OR REPLACE TRIGGER part_sync_guard BEFORE INSERT OR UPDATE OR DELETE ON @table@
    FOR EACH STATEMENT WHEN ({{ schema }}._sync_active()) EXECUTE FUNCTION @function@(@argument@);
