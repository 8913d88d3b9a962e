"""The DuckDB warehouse: schema, migrations, idempotent loads, analyst views.

store.Warehouse is what flows call; query.run_sql / query.export serve people.
Underneath: schema (migrations), batch (ProcessedPage -> Arrow tables), load
(one batch's SQL), mirrors (which copies are one article), connection (short
transactions that wait for other processes), staging (batches kept on disk
while the file is busy). Tables and columns: warehouse/SCHEMA.md.
"""
