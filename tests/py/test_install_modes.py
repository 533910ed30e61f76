"""Both install modes, each in its own database."""


def test_plain_mode_records_version(fresh_db, connect):
    with connect(fresh_db) as conn:
        assert conn.execute("SELECT value FROM part.settings WHERE key = 'version'").fetchone()[0] == "0.1.0"
        assert conn.execute("SELECT count(*) FROM pg_extension WHERE extname = 'part'").fetchone()[0] == 0


def test_extension_mode_is_an_extension(ext_db, connect):
    with connect(ext_db) as conn:
        assert conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'part'").fetchone()[0] == "0.1.0"
