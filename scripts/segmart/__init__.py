"""segmart: orchestration, data generation and validation for the segmart dbt project."""

__version__ = "0.1.0"
