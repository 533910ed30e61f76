import time, threading, psycopg

def test_measure(fresh_db, connect, dsn_factory):
    conn = connect(fresh_db, autocommit=True)
    conn.execute("CREATE TABLE public.ev (id bigserial, day timestamptz NOT NULL, PRIMARY KEY (id))")
    conn.execute("INSERT INTO public.ev (day) SELECT now() - g * interval '1 day' FROM generate_series(0, 999) g")
    t0 = time.monotonic()
    conn.execute("SELECT part.migrate_start('public.ev', 'day', 'range', '1 day')")
    print("migrate_start 1000 days:", time.monotonic() - t0)
    conn.execute("SELECT part.migrate_cancel('public.ev')")
    conn.execute("CREATE TABLE public.ev2 (id bigserial, day timestamptz NOT NULL, PRIMARY KEY (id))")
    conn.execute("INSERT INTO public.ev2 (day) SELECT now() - g * interval '1 day' FROM generate_series(0, 299) g")
    t0 = time.monotonic()
    conn.execute("SELECT part.migrate_start('public.ev2', 'day', 'range', '1 day')")
    print("migrate_start 300 days:", time.monotonic() - t0)
