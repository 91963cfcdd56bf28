"""A dbt-duckdb plugin that hands the email salt to DuckDB without writing it into any file dbt keeps.

Rendered into a model with env_var(), the salt of `email_hash` would be written in plain text into the compiled and
run SQL under target/, into dbt's debug log and into partial_parse.msgpack, which records the value of every
environment variable a model reads. Instead, this plugin (listed under `plugins` in profiles/profiles.yml) reads
SEGMART_EMAIL_SALT itself and sets it as the DuckDB variable `segmart_email_salt` on every connection dbt opens;
macro `hashed_email` reads it back with getvariable(). The statement is executed on the DuckDB connection directly,
so dbt neither logs nor records it. An unset or empty salt sets nothing: the hashing model then stops with an
explanation (macros/customers/profile.sql). Other engines render the salt into the SQL (DECISIONLOG.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from dbt.adapters.duckdb.plugins import BasePlugin

from segmart.config import email_salt

# The name macro hashed_email reads with getvariable(); keep the two in step.
SALT_DUCKDB_VARIABLE = "segmart_email_salt"


def set_email_salt(connection, environment: Mapping[str, str] | None = None) -> bool:
    """Set the DuckDB variable of the salt on one connection (or cursor) from the environment (default: the
    process's); whether a salt was set. The value is a bound parameter, so no quoting can break it."""
    salt = email_salt(environment)
    if not salt:
        return False
    connection.execute(f"set variable {SALT_DUCKDB_VARIABLE} = ?", [salt])
    return True


class Plugin(BasePlugin):
    """dbt-duckdb calls configure_connection on the database connection it opens and configure_cursor on each
    thread's cursor; a DuckDB variable belongs to one of them only, so both set it."""

    def configure_connection(self, conn) -> None:
        set_email_salt(conn)

    def configure_cursor(self, cursor) -> None:
        set_email_salt(cursor)
