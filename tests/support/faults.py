"""Faults for real: a PostgreSQL server in a container of its own, broken on purpose and brought back.

Each fault gets a dedicated throwaway container (never the suite's shared ``server()``): killed
with SIGKILL and started again, run under a memory limit the OOM killer enforces, given a
size-limited tmpfs for its data or its WAL, frozen (``docker pause``), or cut off from its
clients (iptables DROP on the published loopback port and in the container, both directions).
Every fault is bounded: a watchdog heals it after ``limit`` seconds even when the test is stuck, and the container (its
tmpfs with it) and the firewall rules are removed in ``finally``, when the test fails too.
Containers and rules left by a process that died without cleaning up are swept on the next start.

The client tools (``psql``, ``pg_dump``) of a fault server run inside its container, so their
version is the server's; the repository is mounted at its own path so ``psql -f FILE`` works.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shlex
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa

from helpers.tools.shared.database import libpq_env
from tests.support import images
from tests.support.database import Database
from tests.support.normalize import normalize
from tests.support.paths import PROJECT, ROOT
from tests.support.transcript import Background, Run

LABEL = "mrp-faults"
USER, PASSWORD, DBNAME = "postgres", "fault-password", "security"
#: How long a fault server may take to answer after a start or a crash-restart.
READY_TIMEOUT = 120.0
_names = itertools.count(1)
#: Every fault server logs each line's SQLSTATE (``%e``) after the time and pid.
LOG_SETTINGS = ["-c", "log_line_prefix=%m [%p] %e "]
_LOG_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? \S+ \[\d+\] ")
ENTRYPOINT = "/usr/local/bin/docker-entrypoint.sh"
_TOOLS = ("psql", "pg_dump", "pg_isready")
_WRAPPER = """#!/bin/sh
# {tool} of fault container {name}, run inside it (the server's own version).
case "$PWD" in {root}*) dir=$PWD ;; *) dir=/ ;; esac
exec docker exec -i -w "$dir" -e PGHOST=127.0.0.1 -e PGPORT=5432 -e PGUSER -e PGPASSWORD -e PGDATABASE \\
  -e PGOPTIONS -e PGAPPNAME -e PGCONNECT_TIMEOUT -e PAGER {name} {tool} "$@"
"""


@dataclass(frozen=True)
class Record:
    """One fault injected: what the database held after recovery, and how long it took to reach head."""

    fault: str
    major: int
    lost_or_half_applied: int
    fingerprint_mismatch: bool
    restart_to_head: float


#: The faults this process injected, printed at the end of the run (tests/conftest.py).
RECORDS: list[Record] = []


def record(fault: str, major: int, before: object, after: object, restart_to_head: float) -> Record:
    """Note one fault; ``before``/``after`` are fingerprints, equal when nothing was lost or half-applied."""
    mismatch = before != after
    entry = Record(fault, major, int(mismatch), mismatch, restart_to_head)
    RECORDS.append(entry)
    return entry


def summary(records: Sequence[Record]) -> list[str]:
    """The figures of ``records``, one line each, then the totals."""
    lines = [
        f"PostgreSQL {r.major} {r.fault}: lost or half-applied {r.lost_or_half_applied}, "
        f"fingerprint mismatch {int(r.fingerprint_mismatch)}, restart to head {r.restart_to_head:.1f}s"
        for r in records
    ]
    lines.append(
        f"{len(records)} faults injected, {sum(r.lost_or_half_applied for r in records)} runs lost or half-applied "
        f"committed data, {sum(r.fingerprint_mismatch for r in records)} fingerprint mismatches after recovery"
    )
    return lines


def figures(config: Any) -> Iterator[None]:
    """A module fixture's body: after the module's tests, print the figures of the faults they injected."""
    first = len(RECORDS)
    yield
    records = RECORDS[first:]
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if records and reporter is not None:
        with capture.global_and_fixture_disabled() if capture is not None else contextlib.nullcontext():
            reporter.write_line("")
            for line in summary(records):
                reporter.write_line(f"faults: {line}")


class Watched:
    """A command typed into bash and left running, its output going to a file the test can watch.

    ``seconds_until(text)`` says when a line appeared (a failure, say), however long the command
    takes to exit afterwards; ``finish`` gives the transcript ``Background.finish`` would.
    """

    def __init__(self, command: str, env: dict[str, str], cwd: Path = PROJECT) -> None:
        self.display = command
        handle, name = tempfile.mkstemp(prefix="mrp-faults-output-")
        os.close(handle)
        self._path = Path(name)
        full = {**env, "PYTHONUNBUFFERED": "1", "PSQLRC": os.devnull, "PAGER": "cat"}
        full["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{full.get('PATH', '')}"
        with self._path.open("a") as out:  # O_APPEND: the command's writes always go to the end
            self.process = subprocess.Popen(
                ["bash", "-c", command], cwd=cwd, env=full, stdout=out, stderr=subprocess.STDOUT, text=True
            )

    def output(self) -> str:
        return self._path.read_text(errors="replace")

    def seconds_until(self, text: str, since: float, timeout: float = 60) -> float:
        """Seconds from ``since`` (a ``time.monotonic()``) until ``text`` is in the output; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return time.monotonic() - since
            time.sleep(0.05)
        raise AssertionError(f"{self.display} did not print {text!r} within {timeout}s:\n{self.output()}")

    def finish(self, timeout: float = 60) -> Run:
        """Wait (bounded) for the command to end; its transcript."""
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"{self.display} still ran after {timeout}s:\n{self.output()}") from None
        return Run(self.display, self.process.returncode, self.output())

    def __enter__(self) -> Watched:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._path.unlink(missing_ok=True)


def still_running(command: Background | Watched, seconds: float) -> bool:
    """True when ``command`` is still running ``seconds`` from now (it is left running)."""
    try:
        command.process.wait(seconds)
    except subprocess.TimeoutExpired:
        return True
    return False


def log_excerpt(lines: Sequence[str], keep: Sequence[str], first_only: bool = False) -> str:
    """The server log ``lines`` that contain one of ``keep`` (with ``first_only``, each one's first such
    line), in log order, time and pid prefix dropped, normalised."""
    if first_only:
        firsts = {next((i for i, line in enumerate(lines) if k in line), None) for k in keep}
        chosen = sorted(i for i in firsts if i is not None)
    else:
        chosen = [i for i, line in enumerate(lines) if any(k in line for k in keep)]
    picked = [_LOG_PREFIX.sub("", lines[i]) for i in chosen]
    return normalize("\n".join(picked)).rstrip() + "\n"


def unavailable() -> str | None:
    """Why fault tests cannot run here (one line), or None when a Docker engine answers."""
    driver = os.environ.get("PG_DRIVER", "").strip() or "psycopg"
    if driver != "psycopg":
        return f"the fault tests set libpq's TCP settings in DATABASE_URL and run through psycopg 3, not {driver}"
    if not images.engine_answers():
        return "no Docker engine answers: the fault tests need containers (sudo bash containers/engine.sh)"
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep() -> None:
    """Remove fault containers and firewall rules whose test process is gone (a run killed mid-fault)."""
    client = images.docker_client(timeout=30)
    # sparse: no inspect of each container, which a run side by side may remove meanwhile (404)
    for container in client.containers.list(all=True, filters={"label": LABEL}, sparse=True):
        owner = (container.attrs.get("Labels") or {}).get(LABEL, "")
        if not (owner.isdigit() and _alive(int(owner))):
            with contextlib.suppress(Exception):
                container.remove(force=True, v=True)
    for mount in _our_mounts():
        owner = mount.name.split("-")[2]
        if not (owner.isdigit() and _alive(int(owner))):
            _unmount(mount)
    for rule in _our_rules():
        words = shlex.split(rule)
        owner = next(w for w in words if w.startswith(f"{LABEL}-")).split("-")[2]
        if not (owner.isdigit() and _alive(int(owner))):
            _iptables("-D", *words[1:])


@dataclass
class FaultServer:
    """PostgreSQL ``major`` in a container made for one fault; see the module."""

    major: int
    command: list[str] = field(default_factory=list)
    memory: str | None = None
    #: RLIMIT_AS of every server process, in kB (``ulimit -v``): malloc fails instead of the OOM killer.
    address_space_kb: int | None = None
    #: Size-limited file systems for the server: container path -> size (``96m``). Each is a tmpfs
    #: mounted on the host and bound in, so it outlives a stopped container (a PANIC stops it).
    disks: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    name: str = ""
    container: Any = None
    port: int = 0
    _bin: Path | None = None
    _mounts: dict[str, Path] = field(default_factory=dict)
    _engines: list[sa.Engine] = field(default_factory=list)

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> FaultServer:
        """Create and start the container, then wait until the server answers."""
        sweep()
        client = images.docker_client(timeout=60)
        self.name = f"{LABEL}-{os.getpid()}-{next(_names)}"
        options: dict[str, Any] = {}
        if self.memory:
            options.update(mem_limit=self.memory, memswap_limit=self.memory)
        if self.address_space_kb:
            # docker has no --ulimit for the address space: the shell sets it, then runs the entrypoint.
            limit = int(self.address_space_kb)
            options["entrypoint"] = ["/bin/sh", "-c", f'ulimit -v {limit} && exec /bin/sh {ENTRYPOINT} "$@"', "sh"]
        volumes = {str(ROOT): {"bind": str(ROOT), "mode": "ro"}}
        for inside, size in self.disks.items():
            host = _mount_tmpfs(f"{self.name}{inside.replace('/', '-')}", size)
            self._mounts[inside] = host
            volumes[str(host)] = {"bind": inside, "mode": "rw"}
        self.container = client.containers.run(
            images.image_for(self.major),
            [*(self.command or ["postgres"]), *LOG_SETTINGS],
            name=self.name,
            detach=True,
            labels={LABEL: str(os.getpid())},
            environment={
                "POSTGRES_USER": USER,
                "POSTGRES_PASSWORD": PASSWORD,
                "POSTGRES_DB": DBNAME,
                **self.environment,
            },
            ports={"5432/tcp": ("127.0.0.1", None)},
            volumes=volumes,
            **options,
        )
        self._bin = Path(tempfile.mkdtemp(prefix=f"{self.name}-bin-"))
        for tool in _TOOLS:
            script = self._bin / tool
            script.write_text(_WRAPPER.format(tool=tool, name=self.name, root=ROOT))
            script.chmod(0o755)
        self.wait_ready()
        return self

    def remove(self) -> None:
        """Heal what is left (paused, cut off) and remove the container with its tmpfs mounts."""
        for engine in self._engines:
            engine.dispose()
        self._engines.clear()
        _drop_rules_for(self.name)
        if self.container is not None:
            with contextlib.suppress(Exception):
                self.container.reload()
                if self.container.status == "paused":
                    self.container.unpause()
            with contextlib.suppress(Exception):
                self.container.remove(force=True, v=True)
        for host in self._mounts.values():
            _unmount(host)
        self._mounts.clear()
        if self._bin is not None:
            for tool in self._bin.iterdir():
                tool.unlink()
            self._bin.rmdir()
            self._bin = None

    def __enter__(self) -> FaultServer:
        try:
            return self.start()
        except BaseException:
            self.remove()
            raise

    def __exit__(self, *exc: object) -> None:
        self.remove()

    # -- reaching it --------------------------------------------------------------------------

    def _read_port(self) -> int:
        self.container.reload()
        bindings = (self.container.attrs["NetworkSettings"]["Ports"] or {}).get("5432/tcp") or []
        if not bindings:
            raise RuntimeError(f"container {self.name} publishes no port (status {self.container.status})")
        return int(bindings[0]["HostPort"])

    def url(self, database: str = DBNAME, **query: str) -> sa.URL:
        """The server's SQLAlchemy URL (psycopg), with libpq parameters in the query string."""
        return sa.URL.create("postgresql+psycopg", USER, PASSWORD, "127.0.0.1", self.port, database, query=query)

    def database_url(self, database: str = DBNAME, **query: str) -> str:
        """``DATABASE_URL`` as a reader exports it (``postgresql://...``), with libpq parameters."""
        return self.url(database, **query).set(drivername="postgresql").render_as_string(hide_password=False)

    def env(self, database: str = DBNAME, **query: str) -> dict[str, str]:
        """The environment a command against this server runs with: DATABASE_URL, PG*, its client tools."""
        url = self.url(database)
        path = f"{self._bin}{os.pathsep}{os.environ['PATH']}"
        return {**os.environ, **libpq_env(url), "DATABASE_URL": self.database_url(database, **query), "PATH": path}

    def database(self, database: str = DBNAME) -> Database:
        """The suite's ``Database`` for this server (engine, environment); rebuilt after a restart."""
        engine = sa.create_engine(self.url(database), poolclass=sa.NullPool)
        self._engines.append(engine)
        return Database(database, engine, self.env(database))

    def connect(self, **params: Any) -> psycopg.Connection:
        """A psycopg connection (autocommit) to the fault database; ``params`` are libpq's."""
        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, password=PASSWORD, dbname=DBNAME, autocommit=True, **params
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> float:
        """Wait until a connection runs ``SELECT 1``; the seconds it took. Re-reads the published port."""
        started = time.monotonic()
        last = ""
        while time.monotonic() - started < timeout:
            try:
                self.port = self._read_port()
                with self.connect(connect_timeout=2) as conn:
                    conn.execute("SELECT 1")
                return time.monotonic() - started
            except Exception as exc:
                last = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                if self.container.status in ("exited", "dead"):
                    raise RuntimeError(f"{self.name} exited: {self.logs()[-2000:]}") from exc
                time.sleep(0.1)
        raise AssertionError(f"{self.name} did not answer within {timeout:.0f}s (last: {last})")

    def status(self) -> str:
        """The container's status now: running, paused, exited ..."""
        self.container.reload()
        return str(self.container.status)

    def logs(self) -> str:
        """The server's log (the container's stderr and stdout)."""
        return str(self.container.logs().decode(errors="replace"))

    def fill(self, inside: str, leave_kb: int) -> Path:
        """Fill the file system at ``inside`` with a ballast file until ``leave_kb`` kB are free."""
        host = self._mounts[inside]
        stats = os.statvfs(host)
        free = stats.f_bavail * stats.f_frsize
        ballast = host / "ballast"
        with ballast.open("wb") as out:
            os.posix_fallocate(out.fileno(), 0, max(free - leave_kb * 1024, 0))
        return ballast

    def log_lines(self) -> list[str]:
        """The server log, one entry a line, as it stands now (for ``log_excerpt`` later)."""
        return self.logs().splitlines()

    # -- the faults ---------------------------------------------------------------------------

    def kill(self) -> None:
        """SIGKILL to every process of the container (the postmaster first): a crash, no shutdown."""
        self.container.kill(signal="SIGKILL")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.container.reload()
            if self.container.status in ("exited", "dead"):
                return
            time.sleep(0.05)
        raise AssertionError(f"{self.name} still ran 30s after SIGKILL")

    def restart_after_crash(self) -> float:
        """``docker start`` after ``kill``: crash recovery runs; the seconds until it answers."""
        self.container.start()
        return self.wait_ready()

    @contextlib.contextmanager
    def paused(self, limit: float) -> Iterator[None]:
        """The container frozen (cgroup freezer, ``freeze``) for the block, at most ``limit`` seconds."""
        freeze(self.container)
        watchdog = _Watchdog(limit, self._unpause)
        try:
            yield
        finally:
            watchdog.cancel()
            self._unpause()

    def _unpause(self) -> None:
        with contextlib.suppress(Exception):
            self.container.reload()
            if self.container.status == "paused":
                self.container.unpause()

    @contextlib.contextmanager
    def partitioned(self, limit: float) -> Iterator[None]:
        """Every packet between the clients and the server dropped for the block, at most ``limit`` seconds.

        Clients reach the published port on 127.0.0.1 through docker-proxy where the engine runs one (Docker's
        default), else straight into the container (NAT; ``containers/engine.sh`` starts dockerd so). Both are cut:
        on loopback, the packets to the port and the proxy's replies from it; in the container's own network,
        the server's port both ways.
        """
        for rule in _partition_rules(self.name, self.port):
            _iptables("-I", *rule)
        self.container.reload()
        inside = _InsideRules(int(self.container.attrs["State"]["Pid"]))
        inside.insert()

        def heal() -> None:
            _drop_rules_for(self.name)
            inside.delete()

        watchdog = _Watchdog(limit, heal)
        try:
            yield
        finally:
            watchdog.cancel()
            heal()


#: ``docker pause`` tries, and the wait before the second (doubled each time: 0.1 + 0.2 + ... + 1.6 s in all).
FREEZE_ATTEMPTS = 6
FREEZE_FIRST_WAIT = 0.1


def freeze(container: Any, attempts: int = FREEZE_ATTEMPTS, first_wait: float = FREEZE_FIRST_WAIT) -> int:
    """``docker pause`` until the engine says the container is paused; the attempts it took.

    The cgroup freezer can refuse: runc writes FROZEN, polls the cgroup, and when a process has not stopped in
    time (one in the middle of a fork or an exit, on a loaded machine) thaws it again and answers ``OCI runtime
    pause failed: unable to freeze: unknown``. A try a moment later freezes it. Retried rather than replaced by
    SIGSTOP to each of the container's processes (their host pids): the freezer stops the whole container at
    once, where signals go one process at a time (a backend the postmaster forks between the listing and the
    signals runs on), and it is what the page shows a reader (``docker pause``, a VM or a host frozen whole).
    Each try is judged by the container's state, not by pause's answer: an error after which the container is
    paused anyway (an answer that timed out, "already paused") counts as frozen.
    """
    import docker

    why = "no answer"
    for attempt in range(1, attempts + 1):
        try:
            container.pause()
        except docker.errors.APIError as exc:
            why = str(getattr(exc, "explanation", None) or exc).strip()
        container.reload()
        if container.status == "paused":
            return attempt
        if attempt < attempts:
            time.sleep(first_wait * 2 ** (attempt - 1))
    raise RuntimeError(f"docker pause of {container.name} failed {attempts} times, the last: {why}")


class _Watchdog:
    """Run ``heal`` after ``limit`` seconds unless cancelled: a fault never outlives its bound."""

    def __init__(self, limit: float, heal: Callable[[], None]) -> None:
        self._timer = threading.Timer(limit, heal)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()


def _mount_tmpfs(name: str, size: str) -> Path:
    host = Path(tempfile.gettempdir()) / name
    host.mkdir(mode=0o755)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=1777", "tmpfs", str(host)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if done.returncode != 0:
        host.rmdir()
        raise RuntimeError(f"cannot mount a {size} tmpfs at {host}: {done.stderr.strip()}")
    return host


def _unmount(host: Path) -> None:
    subprocess.run(["umount", "-l", str(host)], capture_output=True, timeout=30, check=False)
    with contextlib.suppress(OSError):
        host.rmdir()


def _our_mounts() -> list[Path]:
    with open("/proc/self/mounts") as mounts:
        return [Path(line.split()[1]) for line in mounts if f"/{LABEL}-" in line.split()[1]]


def disks_usable() -> str | None:
    """Why size-limited file systems cannot be made here (one line), or None."""
    if os.geteuid() != 0:
        return "the disk-full tests mount a small tmpfs, which needs root"
    return None


def _iptables(*args: str, netns_of: int | None = None) -> None:
    """iptables ARGS on this machine, or in the network namespace of process ``netns_of`` (a container's)."""
    enter = [] if netns_of is None else ["nsenter", "--target", str(netns_of), "--net", "--"]
    done = subprocess.run([*enter, "iptables", "-w", "5", *args], capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"iptables {' '.join(args)} failed: {done.stderr.strip()}")


def _partition_rules(name: str, port: int) -> list[list[str]]:
    comment = ["-m", "comment", "--comment", name]
    return [
        ["INPUT", "-i", "lo", "-p", "tcp", "--dport", str(port), *comment, "-j", "DROP"],
        ["INPUT", "-i", "lo", "-p", "tcp", "--sport", str(port), *comment, "-j", "DROP"],
    ]


_INSIDE_RULES = (
    ("INPUT", "-p", "tcp", "--dport", "5432", "-j", "DROP"),
    ("OUTPUT", "-p", "tcp", "--sport", "5432", "-j", "DROP"),
)


@dataclass
class _InsideRules:
    """The server's port cut both ways in the network namespace of the container whose first process is ``pid``.

    Gone with the container, so nothing is left to sweep.
    """

    pid: int
    inserted: bool = False

    def insert(self) -> None:
        for rule in _INSIDE_RULES:
            _iptables("-I", *rule, netns_of=self.pid)
        self.inserted = True

    def delete(self) -> None:
        if self.inserted:
            self.inserted = False
            for rule in _INSIDE_RULES:
                with contextlib.suppress(RuntimeError):  # the container has gone (and its rules with it)
                    _iptables("-D", *rule, netns_of=self.pid)


def _our_rules() -> list[str]:
    done = subprocess.run(["iptables", "-w", "5", "-S", "INPUT"], capture_output=True, text=True, timeout=30)
    return [line for line in done.stdout.splitlines() if f"{LABEL}-" in line] if done.returncode == 0 else []


def _drop_rules_for(name: str) -> None:
    for mount in _our_mounts():
        owner = mount.name.split("-")[2]
        if not (owner.isdigit() and _alive(int(owner))):
            _unmount(mount)
    for rule in _our_rules():
        words = shlex.split(rule)
        if name in words:
            _iptables("-D", *words[1:])


def iptables_usable() -> str | None:
    """Why loopback packets cannot be dropped here (one line), or None."""
    try:
        done = subprocess.run(["iptables", "-w", "5", "-S", "INPUT"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"iptables cannot run here ({exc}); the partition tests need it, as root"
    if done.returncode != 0:
        return f"iptables cannot list rules here ({done.stderr.strip()}); the partition tests need root"
    return None
