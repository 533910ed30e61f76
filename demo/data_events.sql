-- Generated events of many organizations over the last :weeks weeks. Fixed seed.
SELECT setseed(0.42);

INSERT INTO public.events (org_id, created_at, event_type, aggregate, payload)
SELECT 1 + floor(random() * :orgs)::int,
       now() - random() * (:weeks * interval '1 week'),
       (ARRAY['booking.created', 'booking.cancelled', 'payment.captured', 'invoice.sent', 'guest.checked_in'])
           [1 + floor(random() * 5)::int],
       'booking-' || (1 + floor(random() * 100000)::int),
       jsonb_build_object('seq', g, 'amount', round((random() * 500)::numeric, 2))
  FROM generate_series(1, :orgs * :weeks * 60) g;

ANALYZE public.events;
