"""PostgreSQL servers in containers, for the majors the tests cover (15, 17, 18, 19).

Which image runs a major (`image_for`), in this order:

1. ``MRP_POSTGRES_IMAGE_<major>`` when set (present locally or pullable, else `ImageUnavailable`);
2. the official ``postgres:<major>``, when present locally or a pull succeeds (a failed pull is
   remembered for an hour, so a machine without a registry asks once);
3. ``mrp-postgres:<major>``, built from Debian packages by ``containers/build.sh`` when missing
   (about a minute, once per machine; its output goes to a log file, not to the test output).

`start_postgres` runs it through testcontainers' ``PostgresContainer`` with fsync,
synchronous_commit, full_page_writes and autovacuum off, its data in memory (a tmpfs), Ryuk off (its image
cannot be pulled without a registry) and the URL's host 127.0.0.1. `exec_in` runs a tool (psql, pg_dump, ...) of the
server's own version inside the container.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import docker
    from sqlalchemy.engine import URL

# Read by testcontainers when it is imported (the host) or first used (Ryuk): set them first.
# An explicit setting wins; the host and connection mode only for a local engine.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")
if os.environ.get("DOCKER_HOST", "unix://").startswith("unix://"):
    os.environ.setdefault("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
    # Inside a container (/.dockerenv) testcontainers would otherwise pick the gateway or bridge
    # address of the engine's network, where no port is published (dockerd runs with --ip 127.0.0.1).
    os.environ.setdefault("TESTCONTAINERS_CONNECTION_MODE", "docker_host")

ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = ROOT / "containers" / "build.sh"
FAST_COMMAND = "postgres -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c autovacuum=off"
#: The server's data folder where an image does not say (its PGDATA): `start_postgres` mounts a tmpfs there.
DEFAULT_PGDATA = "/var/lib/postgresql/data"
#: Seconds a pull may stall (no progress line) before it counts as failed.
PULL_TIMEOUT = float(os.environ.get("MRP_PULL_TIMEOUT", "15"))
#: Seconds a build may take (a first build takes about a minute here).
BUILD_TIMEOUT = float(os.environ.get("MRP_BUILD_TIMEOUT", "900"))
_PULL_FAILURE_TTL = 3600.0
_POLL_INTERVAL = 0.1

_images: dict[int, str] = {}


class ImageUnavailable(RuntimeError):
    """No image can be had for a PostgreSQL major; the message says what to run."""


def docker_client(timeout: float = 2) -> docker.DockerClient:
    """A client of the engine in the environment (DOCKER_HOST or the default socket)."""
    import docker

    return docker.from_env(timeout=timeout)


def engine_answers() -> bool:
    """True when a Docker engine answers a ping within two seconds."""
    try:
        return bool(docker_client().ping())
    except Exception:
        return False


def override_variable(major: int) -> str:
    return f"MRP_POSTGRES_IMAGE_{major}"


def build_log(major: int) -> Path:
    return Path(tempfile.gettempdir()) / f"mrp-build-{major}.log"


def _present(client: docker.DockerClient, image: str) -> bool:
    import docker

    try:
        client.images.get(image)
    except docker.errors.ImageNotFound:
        return False
    return True


def _pull_marker(image: str) -> Path:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in image)
    return Path(tempfile.gettempdir()) / f"mrp-pull-failed-{safe}"


def _pull(image: str, *, remember_failure: bool = True) -> str | None:
    """Pull `image`; None when it worked, else the reason in a few words."""
    marker = _pull_marker(image)
    with contextlib.suppress(OSError):
        if time.time() - marker.stat().st_mtime < _PULL_FAILURE_TTL:
            return marker.read_text().strip() or "pull failed"
    try:
        docker_client(timeout=PULL_TIMEOUT).images.pull(image)
    except Exception as exc:  # APIError, NotFound, ReadTimeout, ConnectionError ...
        reason = str(getattr(exc, "explanation", None) or exc).splitlines()[0][:200]
        if remember_failure:
            with contextlib.suppress(OSError):
                marker.write_text(reason + "\n")
        return reason
    return None


def _build(major: int) -> str | None:
    """Run containers/build.sh MAJOR into the log; None when it worked, else why not."""
    log = build_log(major)
    env = {**os.environ, "MRP_BUILD_LOG": str(log)}
    try:
        with log.open("a") as out:
            done = subprocess.run(
                ["bash", str(BUILD_SCRIPT), str(major)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=BUILD_TIMEOUT,
                check=False,
            )
    except subprocess.TimeoutExpired:
        return f"it took more than {BUILD_TIMEOUT:.0f} s"
    except OSError as exc:
        return str(exc)
    return None if done.returncode == 0 else f"exit status {done.returncode}"


def image_for(major: int) -> str:
    """The image to run PostgreSQL `major` from: override, official, or built here (see the module)."""
    if major in _images:
        return _images[major]
    client = docker_client()
    variable = override_variable(major)
    official = f"postgres:{major}"
    if override := os.environ.get(variable):
        if not _present(client, override) and (why := _pull(override, remember_failure=False)):
            raise ImageUnavailable(
                f"no PostgreSQL {major} image: {variable}={override} is not present and "
                f"`docker pull {override}` failed ({why}); pull or build it, or unset {variable}"
            )
        image = override
    elif _present(client, official) or (pull_failed := _pull(official)) is None:
        image = official
    else:
        local = f"mrp-postgres:{major}"
        build_failed = _build(major)
        if build_failed or not _present(client, local):
            raise ImageUnavailable(
                f"no PostgreSQL {major} image: `docker pull {official}` failed ({pull_failed}) and "
                f"`bash containers/build.sh {major}` failed ({build_failed or 'no image'}, see {build_log(major)}); "
                f"set {variable} to an image you have"
            )
        image = local
    _images[major] = image
    return image


def packaged_version(image: str) -> str | None:
    """The PostgreSQL package an image built by containers/build.sh holds (``19~rc1-1``, ``17.12-1``), else None."""
    labels = docker_client().images.get(image).attrs["Config"].get("Labels") or {}
    return labels.get("mrp.postgres.version") or None


def data_folder(image: str) -> str:
    """The image's PGDATA (the official images: /var/lib/postgresql/data, and /var/lib/postgresql/18/docker from 18)."""
    env = docker_client().images.get(image).attrs["Config"].get("Env") or []
    return next((item.split("=", 1)[1] for item in env if item.startswith("PGDATA=")), DEFAULT_PGDATA)


def _configure_testcontainers() -> None:
    """Apply the settings above even when testcontainers was imported before this module."""
    from testcontainers.core.config import ConnectionMode, testcontainers_config

    if os.environ.get("TESTCONTAINERS_RYUK_DISABLED", "").lower() in ("1", "true", "yes", "y", "t"):
        testcontainers_config.ryuk_disabled = True
    if host := os.environ.get("TESTCONTAINERS_HOST_OVERRIDE"):
        testcontainers_config.tc_host_override = host
    if mode := os.environ.get("TESTCONTAINERS_CONNECTION_MODE"):
        testcontainers_config.connection_mode_override = ConnectionMode(mode)
    if "TC_POOLING_INTERVAL" not in os.environ and testcontainers_config.sleep_time > _POLL_INTERVAL:
        # Ask the server every 0.1 s rather than every second (starts about 1 s sooner), same timeout.
        timeout = testcontainers_config.timeout
        testcontainers_config.sleep_time = _POLL_INTERVAL
        testcontainers_config.max_tries = round(timeout / _POLL_INTERVAL)


def start_postgres(major: int, *, command: str = FAST_COMMAND, shared: Sequence[Path] = ()) -> tuple[URL, Any]:
    """Start PostgreSQL `major` in a container; its SQLAlchemy URL (postgresql+psycopg) and the container.

    The caller stops it with ``container.stop()``. User, password and database are testcontainers'
    (``test``/``test``/``test`` unless POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB are set).
    Each folder in ``shared`` is mounted at the same path inside, so the client tools run there
    (``exec_in``) read and write the files a test names.
    """
    from sqlalchemy.engine import make_url

    image = image_for(major)
    _configure_testcontainers()
    try:
        from testcontainers.community.postgres import PostgresContainer
    except ImportError:  # testcontainers before 4.14
        from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(image, driver="psycopg").with_command(command)
    # The data in memory: a fresh database is 300 files, created about 20 times faster (throwaway.MEMORY).
    if hasattr(container, "with_tmpfs_mount"):
        container.with_tmpfs_mount(data_folder(image))
    else:  # an older testcontainers
        container.with_kwargs(tmpfs={data_folder(image): ""})
    for folder in shared:
        container.with_volume_mapping(str(folder), str(folder), "rw")
    try:
        container.start()
        url = make_url(container.get_connection_url())
    except BaseException:
        if container._container is not None:
            container.stop()
        raise
    return url, container


def exec_in(
    container: Any, *argv: str, user: str | None = None, environment: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run `argv` inside the container (as root, or `user`); its exit status and its stdout and stderr."""
    wrapped = container.get_wrapped_container() if hasattr(container, "get_wrapped_container") else container
    result = wrapped.exec_run(list(argv), user=user or "", environment=environment)
    return result.exit_code, result.output.decode(errors="replace")
