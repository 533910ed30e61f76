-- Demo schema of `hospitality`: the origin's tables, created PARTITION BY so
-- that part manages them (pginstall apply registers them and makes partitions).
CREATE TABLE IF NOT EXISTS public.revenues (
    id           bigserial,
    org_id       integer       NOT NULL,
    occurred_at  timestamptz   NOT NULL,
    amount       numeric(12,2) NOT NULL,
    currency     char(3)       NOT NULL DEFAULT 'EUR',
    category     text          NOT NULL,
    description  text,
    source       text          NOT NULL DEFAULT 'pos',
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX IF NOT EXISTS revenues_org_occurred ON public.revenues (org_id, occurred_at);

CREATE TABLE IF NOT EXISTS public.expenses (
    id           bigserial,
    org_id       integer       NOT NULL,
    occurred_at  timestamptz   NOT NULL,
    amount       numeric(12,2) NOT NULL,
    currency     char(3)       NOT NULL DEFAULT 'EUR',
    category     text          NOT NULL,
    vendor       text,
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE INDEX IF NOT EXISTS expenses_org_occurred ON public.expenses (org_id, occurred_at);

CREATE TABLE IF NOT EXISTS public.daily_cash_balances (
    org_id           integer       NOT NULL,
    balance_date     date          NOT NULL,
    opening_balance  numeric(14,2) NOT NULL,
    closing_balance  numeric(14,2) NOT NULL,
    currency         char(3)       NOT NULL DEFAULT 'EUR',
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, balance_date)
) PARTITION BY HASH (org_id);
