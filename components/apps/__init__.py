"""The applications: Dremio, Airbyte, Superset, dbt (namespace `data-platform`)."""
