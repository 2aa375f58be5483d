"""Empty PostgreSQL databases for tests: one database for the whole run, emptied before each test
(dropping its schema is fast; creating and dropping a database per test is not)."""

from __future__ import annotations

import os
from urllib.parse import urlparse, urlunparse

import psycopg


class PostgresServer:
    """The server of a ``postgresql://`` URL, where a run keeps its test database."""

    def __init__(self, url: str) -> None:
        self.admin_url = url
        self.database = f"antq_test_{os.getpid()}"
        self.url = urlunparse(urlparse(url)._replace(path=f"/{self.database}"))
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {self.database}")

    def empty_database(self) -> str:
        """The test database's URL, with nothing in it and nobody else connected."""
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            connection.execute("DROP SCHEMA public CASCADE")
            connection.execute("CREATE SCHEMA public")
        return self.url

    def drop_all(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
