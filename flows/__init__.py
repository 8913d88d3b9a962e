"""Prefect flows and deployments. They orchestrate; the work lives in extract, transform and warehouse."""
