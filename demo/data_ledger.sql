-- Generated rows for revenues, expenses and daily_cash_balances of many
-- organizations (psql variables: orgs, months). Repeatable: fixed seed.
SELECT setseed(0.42);

INSERT INTO public.revenues (org_id, occurred_at, amount, category, description, source)
SELECT 1 + floor(random() * :orgs)::int,
       date_trunc('second', now() - random() * (:months * interval '1 month')),
       round((5 + random() * 995)::numeric, 2),
       (ARRAY['rooms', 'food', 'beverage', 'spa', 'events'])[1 + floor(random() * 5)::int],
       'booking ' || g,
       (ARRAY['pos', 'web', 'ota'])[1 + floor(random() * 3)::int]
  FROM generate_series(1, :orgs * :months * 40) g;

INSERT INTO public.expenses (org_id, occurred_at, amount, category, vendor)
SELECT 1 + floor(random() * :orgs)::int,
       date_trunc('second', now() - random() * (:months * interval '1 month')),
       round((10 + random() * 2990)::numeric, 2),
       (ARRAY['payroll', 'supplies', 'utilities', 'maintenance', 'marketing'])[1 + floor(random() * 5)::int],
       'vendor ' || (1 + floor(random() * 300)::int)
  FROM generate_series(1, :orgs * :months * 15) g;

INSERT INTO public.daily_cash_balances (org_id, balance_date, opening_balance, closing_balance)
SELECT o, d::date, b, b + round(((random() - 0.45) * 5000)::numeric, 2)
  FROM generate_series(1, :orgs) o,
       generate_series(current_date - 364, current_date, interval '1 day') d,
       LATERAL (SELECT round((10000 + random() * 90000)::numeric, 2) AS b) x;

ANALYZE public.revenues, public.expenses, public.daily_cash_balances;
