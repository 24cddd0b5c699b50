"""The SQLite store: schema, migrations, every query, and the one-run-per-database lock."""
