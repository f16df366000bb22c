"""Creates the PostgreSQL database named in a URL when it does not exist yet (`make run`, benchmarks).

Exits with status 1 and the server's reason on stderr when PostgreSQL cannot be reached.
"""

import sys
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import sql

url = urlparse(sys.argv[1])
name = unquote(url.path.lstrip("/"))
try:
    with psycopg.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 5432,
        user=unquote(url.username or "postgres"),
        password=unquote(url.password) if url.password else None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=5,
    ) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
except psycopg.OperationalError as error:
    sys.exit(f"PostgreSQL at {url.hostname or '127.0.0.1'}:{url.port or 5432}: {str(error).strip()}")
