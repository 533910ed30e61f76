CREATE FUNCTION part._sync_guard()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
/*
 * The guard of a migration's mirror (part_sync_guard, BEFORE INSERT,
 * UPDATE, DELETE or TRUNCATE, statement-level), enabled on the table the
 * application does not write: the copy until the switch, the legacy table
 * after it. A write there would not be mirrored. SECURITY INVOKER, so it
 * sees who writes: only part's own writes pass, which run as the tables'
 * owner (the sync functions are the owner's SECURITY DEFINER, the backfill
 * runs through part._as_owner) with part.syncing on. A role that may write
 * the table (its grants were copied) cannot pass by setting part.syncing
 * itself. No EXECUTE for anyone: firing a trigger needs none.
 */
    -- Every write of part's sync comes here, so the usual case is one simple expression (no
    -- query): the trigger's argument is the oid of the table's owner when part made it
    -- (part._sync_triggers; part._sync_problems reports it when the owner changed since).
    IF TG_NARGS = 1 AND current_setting('part.syncing', true) = 'on'
       AND TG_ARGV[0]::oid = quote_ident(current_user)::regrole::oid THEN
        RETURN NULL;
    END IF;
    IF current_setting('part.syncing', true) = 'on'
       AND (SELECT c.relowner FROM pg_class c WHERE c.oid = TG_RELID)
           = (SELECT r.oid FROM pg_roles r WHERE r.rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '%.% is kept in step by part''s sync during a migration: % here is refused',
                    TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_OP
        USING ERRCODE = '55000',
              HINT = 'Write to the table the application writes (the other table of the migration, see part.migrations): the sync mirrors it here; or finish or roll back the migration first.';
END
$$;
