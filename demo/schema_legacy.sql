-- Demo schema of `finance`: the origin's legacy tables, unpartitioned, as
-- they are before a migration (pginstall migrate moves them online).
CREATE TABLE IF NOT EXISTS public.revenues (
    id           bigserial PRIMARY KEY,
    org_id       integer       NOT NULL,
    occurred_at  timestamptz   NOT NULL,
    amount       numeric(12,2) NOT NULL,
    currency     char(3)       NOT NULL DEFAULT 'EUR',
    category     text          NOT NULL,
    description  text,
    source       text          NOT NULL DEFAULT 'pos',
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS revenues_org_occurred ON public.revenues (org_id, occurred_at);

CREATE TABLE IF NOT EXISTS public.expenses (
    id           bigserial PRIMARY KEY,
    org_id       integer       NOT NULL,
    occurred_at  timestamptz   NOT NULL,
    amount       numeric(12,2) NOT NULL,
    currency     char(3)       NOT NULL DEFAULT 'EUR',
    category     text          NOT NULL,
    vendor       text,
    created_at   timestamptz   NOT NULL DEFAULT now(),
    updated_at   timestamptz   NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS expenses_org_occurred ON public.expenses (org_id, occurred_at);

CREATE TABLE IF NOT EXISTS public.daily_cash_balances (
    id               bigserial PRIMARY KEY,
    org_id           integer       NOT NULL,
    balance_date     date          NOT NULL,
    opening_balance  numeric(14,2) NOT NULL,
    closing_balance  numeric(14,2) NOT NULL,
    currency         char(3)       NOT NULL DEFAULT 'EUR',
    updated_at       timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (org_id, balance_date)
);
