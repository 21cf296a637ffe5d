"""The fault harness's freeze (tests/support/faults.py, ``freeze``): ``docker pause`` holds every time.

The freezer's transient refusal (``OCI runtime pause failed: unable to freeze: unknown``, seen once in a CI run)
cannot be caused on demand, so it is put in front of a real container's ``pause``: the first answers are that
error, the later ones the engine's own; the container's state says whether it froze.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import images
from tests.support.faults import LABEL, freeze

NO_ENGINE = "no Docker engine answers: run `bash containers/engine.sh` (root) to start one"
if not images.engine_answers():
    pytest.skip(NO_ENGINE, allow_module_level=True)

REFUSAL = "OCI runtime pause failed: unable to freeze: unknown"


@pytest.fixture(scope="module")
def container() -> Iterator[Any]:
    """A container of the 18 image that only sleeps (no server needed to be frozen); swept if this process dies."""
    client = images.docker_client(timeout=60)
    started = client.containers.run(
        images.image_for(18), entrypoint=["sleep", "300"], detach=True, labels={LABEL: str(os.getpid())}
    )
    try:
        yield started
    finally:
        started.remove(force=True)


@pytest.fixture
def thawed(container: Any) -> Iterator[Any]:
    yield container
    container.reload()
    if container.status == "paused":
        container.unpause()


class Refusing:
    """``container`` whose first ``refusals`` pauses answer the freezer's refusal without freezing anything."""

    def __init__(self, container: Any, refusals: int) -> None:
        self.container, self.refusals, self.pauses = container, refusals, 0
        self.name = container.name

    def pause(self) -> None:
        import docker

        self.pauses += 1
        if self.pauses <= self.refusals:
            raise docker.errors.APIError(f"500 Server Error: {REFUSAL}", explanation=REFUSAL)
        self.container.pause()

    def reload(self) -> None:
        self.container.reload()

    @property
    def status(self) -> str:
        return str(self.container.status)


def test_a_refused_freeze_is_tried_again_until_the_container_is_paused(thawed: Any) -> None:
    refusing = Refusing(thawed, refusals=2)
    assert freeze(refusing, first_wait=0.01) == 3
    thawed.reload()
    assert thawed.status == "paused"


def test_a_freeze_refused_every_time_fails_naming_the_refusal(thawed: Any) -> None:
    refusing = Refusing(thawed, refusals=99)
    with pytest.raises(RuntimeError, match=f"failed 3 times, the last: {REFUSAL}$"):
        freeze(refusing, attempts=3, first_wait=0.01)
    thawed.reload()
    assert thawed.status == "running"


def test_an_error_after_which_the_container_is_paused_counts_as_frozen(thawed: Any) -> None:
    thawed.pause()  # a second pause answers 409 "is already paused"
    assert freeze(thawed, first_wait=0.01) == 1
