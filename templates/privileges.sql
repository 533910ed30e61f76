{#-
  Who may run what (README: "Security model"). Included last by install.sql.j2.
  Nothing of part is executable by PUBLIC except the WHEN condition of the
  sync triggers (every writer of a migrating table evaluates it; it returns
  true and is not SECURITY DEFINER). Superusers run part; the predefined role
  pg_monitor may run verify() and metrics() and read the views, nothing else.
  part._sync_function_create grants the owners of tables under migration
  EXECUTE on _parity_mark and _sync_state, which their sync functions call.
  The functions pginstall calls (check_schedule, qualified_name,
  list_settings, prepare_uninstall, and the rest of the API) are for the
  administrator who installs part, as pginstall is: no grant here.
  part.create_index and part.attach_index (online index builds) stay with
  superusers like the rest: an administrator who grants them to a table's
  owner grants USAGE on the schema, EXECUTE on part's routines and
  SELECT, INSERT, UPDATE on part.index_build (and SELECT on part.settings for
  pginstall) too; they refuse a caller who is neither
  a superuser nor a member of the table owner's role (42501).
-#}
REVOKE ALL ON SCHEMA part FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA part FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA part FROM PUBLIC;
REVOKE ALL ON ALL ROUTINES IN SCHEMA part FROM PUBLIC;
GRANT EXECUTE ON FUNCTION part._sync_active() TO PUBLIC;

GRANT USAGE ON SCHEMA part TO pg_monitor;
GRANT EXECUTE ON FUNCTION part.verify(), part.metrics(boolean) TO pg_monitor;
-- the view part.partitions calls these (a view's functions run with the reader's rights); all read only
GRANT EXECUTE ON FUNCTION part._partition_bounds(regclass), part._normalize_bound(text, regtype),
                          part._bound_ordinal(text, regtype), part._to_utc(text, regtype),
                          part._literal(timestamp, regtype), part._managed_rel(text) TO pg_monitor;
GRANT SELECT ON part.partitions, part.migrations, part.parity TO pg_monitor;
