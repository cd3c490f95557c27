"""Every search test that builds an app runs on both search backends (tests/search/backends.py)."""

from tests.search.backends import (  # noqa: F401 - fixtures and the hook pytest finds by name
    app_config,
    postgres_database,
    postgres_server,
    postgres_url,
    pytest_generate_tests,
    search_backend,
)
