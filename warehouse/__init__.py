"""The DuckDB warehouse: schema, migrations, idempotent loads, analyst views."""
