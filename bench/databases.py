"""The databases the benchmark runs on: SQLite files, and PostgreSQL databases of its own.

``DATABASE_URL`` names the PostgreSQL server; the benchmark defaults to
``postgres://postgres@127.0.0.1:5432/`` when it names none, the run across servers to SQLite.
"""

import contextlib
import os
import urllib.parse

import dj_database_url

DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/"


def postgres_url() -> str | None:
    """``DATABASE_URL`` when it names a PostgreSQL server, else None."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def server_url() -> str:
    """The PostgreSQL server the benchmark uses: ``DATABASE_URL``'s, or the default."""
    return postgres_url() or DEFAULT_POSTGRES_URL


def django_databases(url: str | None, sqlite_path) -> dict:
    """Django's ``DATABASES``: the database at ``url``, or a SQLite file at ``sqlite_path``
    that several server processes may write to."""
    if url:
        return {"default": dj_database_url.parse(url)}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(sqlite_path),
            "OPTIONS": {"timeout": 20},
        }
    }


def _admin_url(url: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))


def postgres_answers(url: str, timeout: int = 3) -> str | None:
    """Why the server at ``url`` cannot be used (None when it answers)."""
    try:
        import psycopg
    except ImportError:
        return "the psycopg package is not installed"
    try:
        with psycopg.connect(_admin_url(url), connect_timeout=timeout) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"{type(error).__name__}: {str(error).strip()}"
    return None


@contextlib.contextmanager
def own_database(name: str, url: str | None = None):
    """A PostgreSQL database of this run's own on ``url``'s server (by default
    ``DATABASE_URL``'s), created fresh and dropped afterwards; yields its URL, or None (SQLite)
    when there is no server."""
    url = url or postgres_url()
    if url is None:
        yield None
        return
    import psycopg

    def execute(sql: str) -> None:
        with psycopg.connect(_admin_url(url), autocommit=True) as connection:
            connection.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urllib.parse.urlsplit(url)
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
