-- part.pause: work of part that is pausing for production right now (part._yield_wait writes a
-- row when a pause starts and deletes it when the work resumes); a row whose session has ended
-- (killed while paused) is ignored by its readers and replaced by the next pause.
CREATE TABLE part.pause (
    table_name    text NOT NULL,            -- the table the work is for (a migration's table_name, a managed parent)
    work          text NOT NULL,            -- 'backfill', 'drain', 'split', ...
    since         timestamptz NOT NULL,
    reason        text NOT NULL,            -- why: replay lag or a lock queue, with the numbers
    pid           integer NOT NULL,         -- the session that pauses
    backend_start timestamptz,
    checked_at    timestamptz NOT NULL,     -- last time the reason was read again
    PRIMARY KEY (table_name, work)
);
COMMENT ON TABLE part.pause IS
    'part: backfills and drains pausing for production now (replay lag, lock queue): see part.migrations and part.verify()';
