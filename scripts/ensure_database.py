"""Creates the PostgreSQL database named in a URL when it does not exist yet (for benchmarks)."""

import sys
from urllib.parse import urlparse

import psycopg
from psycopg import sql

url = urlparse(sys.argv[1])
name = url.path.lstrip("/")
with psycopg.connect(
    host=url.hostname or "127.0.0.1", port=url.port or 5432, user=url.username or "postgres", dbname="postgres", autocommit=True
) as connection:
    if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        print(f"created database {name}")
