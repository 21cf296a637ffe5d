"""Working copies of the example project, as the pages run it, and bringing a database to a revision."""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa

from tests.support import drivers, ordinary
from tests.support.paths import PROJECT, SNIPPETS


def project_with(tmp_path: Path, *added: Path | str, name: str = "security", stock_env: bool = False) -> Path:
    """Copy snippets/project to ``tmp_path/name`` and add each revision file to its versions/.

    A ``str`` is a path under snippets/; the file keeps its name (``0010_add_camera_serial.py``).
    ``stock_env``: with the ``env.py`` that ``alembic init`` writes instead of the project's (the URL
    from ``DATABASE_URL``), as most readers' projects have it: ``-t async`` under an async driver.
    """
    workdir = tmp_path / name
    shutil.copytree(PROJECT, workdir, ignore=shutil.ignore_patterns("__pycache__"))
    if stock_env:
        ordinary.stock_env(workdir, "async" if drivers.is_async() else "generic")
    for file in added:
        source = SNIPPETS / file if isinstance(file, str) else file
        shutil.copy(source, workdir / "versions" / source.name)
    return workdir


def upgrade(url: sa.URL | str, revision: str, workdir: Path = PROJECT) -> None:
    """Bring a database to ``revision`` through the project's env.py, in this process.

    ``empty``: nothing at all; ``base``: the version table Alembic creates, with no revision in it.
    """
    if revision == "empty":
        return
    from alembic import command
    from alembic.config import Config

    config = Config(str(workdir / "alembic.ini"))
    config.attributes["configure_logger"] = False
    engine = drivers.engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            if revision == "base":
                command.stamp(config, "base")
            else:
                command.upgrade(config, revision)
    finally:
        engine.dispose()
