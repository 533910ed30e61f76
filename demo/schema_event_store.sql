-- Demo schema of `event_store`: an append-mostly event log, partitioned by time.
CREATE TABLE IF NOT EXISTS public.events (
    id          bigserial,
    org_id      integer     NOT NULL,
    created_at  timestamptz NOT NULL,
    event_type  text        NOT NULL,
    aggregate   text        NOT NULL,
    payload     jsonb       NOT NULL DEFAULT '{}',
    PRIMARY KEY (id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX IF NOT EXISTS events_org_created ON public.events (org_id, created_at);
