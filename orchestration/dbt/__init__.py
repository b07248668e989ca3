"""Helpers around the dbt project: manifest, partition vars, asset keys. Unit-tested, Dagster-free."""
