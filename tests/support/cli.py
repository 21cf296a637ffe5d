"""``python -m helpers`` run in this process, as a test calls it: its exit status and what it printed."""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers.tools.cli import main
from tests.support import throwaway
from tests.support.database import server
from tests.support.paths import PROJECT


@dataclass
class Exit:
    status: int
    out: str
    err: str


def cli(*args: str, cwd: Path = PROJECT, env: dict[str, str] | None = None) -> Exit:
    """``python -m helpers ARGS`` in this process, in ``cwd`` with ``env`` (os.environ by default)."""
    out, err = io.StringIO(), io.StringIO()
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(args))
            except SystemExit as exc:  # argparse
                status = int(exc.code or 0)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    return Exit(status, out.getvalue(), err.getvalue())


def throwaway_image() -> dict[str, str]:
    """The variable that names the image of a throwaway server of the tests' major, on a container run.

    ``python -m helpers`` starts ``postgres:<major>`` for a dump or ``--throwaway``; where no
    registry answers, the tests' own image (tests/support/images.py) is the one to use.
    """
    srv = server()
    if srv.major in throwaway.WHEEL_MAJORS and not srv.provider.startswith("testcontainers"):
        pytest.skip(
            f"python -m helpers starts a throwaway PostgreSQL {srv.major} in a container and this run's is the "
            f"{srv.provider} wheel's: MRP_POSTGRES_IMAGE_{srv.major}=IMAGE runs the tests on that image"
        )
    if not srv.provider.startswith("testcontainers"):
        return {}
    from tests.support import images

    return {"HELPERS_POSTGRES_IMAGE": images.image_for(srv.major)}
