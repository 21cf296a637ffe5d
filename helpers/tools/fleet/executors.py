"""Where the runs happen: a local pool of worker processes, or a Dask cluster, both a ``concurrent.futures.Executor``.

Local: ``ProcessPoolExecutor`` with ``parallel`` processes, each reused across targets, one Alembic
run at a time (forkserver start: the coordinator's threads are never forked). Dask
(``--scheduler tcp://HOST:8786``, ``pip install 'migration-rollback-helpers[fleet]'``): each job a task
through ``distributed.Client.get_executor()``. The workers need, at the same path, the project's
folder (``alembic.ini``, ``env.py``, the revisions: a shared volume, or the same image), and the
``helpers`` package and the application's own packages env.py imports installed; start them with
``dask worker tcp://HOST:8786 --nthreads 1`` so that each worker process runs one Alembic run at a
time (Alembic's context is module level, shared by a process's threads).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from typing import Any

from ..errors import BadInputError
from . import worker


@contextlib.contextmanager
def local(parallel: int) -> Iterator[Executor]:
    context = multiprocessing.get_context("forkserver")
    # By the name this package was imported under: installed, it is migration_rollback_helpers, and a preload
    # that fails to import is skipped without a word (each worker then imports SQLAlchemy and Alembic itself).
    context.set_forkserver_preload([worker.__name__])
    with ProcessPoolExecutor(
        max_workers=parallel, mp_context=context, initializer=worker.init, initargs=(os.getpid(),)
    ) as pool:
        yield pool


@contextlib.contextmanager
def dask(address: str) -> Iterator[Executor]:
    """The cluster's executor; tasks are not pure (a rerun must run again) and may be retried on another worker
    when theirs dies (the target's lock and revision make a retry safe)."""
    try:
        from distributed import Client
    except ImportError:
        raise BadInputError(
            "--scheduler needs Dask's distributed package, which is not installed here: "
            "pip install 'migration-rollback-helpers[fleet]'."
        ) from None
    try:
        client: Any = Client(address, timeout=10)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise BadInputError(f"The Dask scheduler at {address!r} does not answer: {exc}.") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()


def executor(scheduler: str | None, parallel: int) -> contextlib.AbstractContextManager[Executor]:
    return dask(scheduler) if scheduler else local(parallel)
