"""docs/failures/server-faults.md: the server itself breaks in the middle of ``alembic upgrade head``.

Each test starts a PostgreSQL container of its own (tests/support/faults.py; never the suite's
shared server), runs the example project's migration, breaks the server while a revision runs,
and checks what the migration printed, that the database holds exactly what it held before
(fingerprint: schema, row counts, alembic_version), and that the retry reaches head. The faults:
SIGKILL and ``docker start`` (crash recovery), the OOM killer under a memory limit, a failed
allocation under an address-space limit (53200), a full data disk (53100) and a full WAL disk
(PANIC), a network partition (iptables DROP on the published port) with and without libpq's TCP
settings, and a frozen server (``docker pause``). Every fault is bounded in time and cleaned up
when a test fails. Marked ``faults``: ``nox -s faults`` runs them, the other sessions leave them out.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import psycopg
import pytest

from tests.support import faults, sessions
from tests.support.database import Database, server
from tests.support.faults import FaultServer
from tests.support.paths import page, snippet_dir
from tests.support.scenario import Captures
from tests.support.snapshots import check_file
from tests.support.transcript import Background, run

PAGE = page("failures/server-faults")
FILES = snippet_dir(PAGE)
BLOCKER = snippet_dir(page("failures/lock-timeout")) / "blocker.sql"
MIGRATION = "%ALTER TABLE %cameras%"
HEAD = "0009"
#: One backend sorts alone (no parallel workers), in a small buffer pool: the OOM cases are its doing.
SMALL_SERVER = ["postgres", "-c", "shared_buffers=32MB", "-c", "max_parallel_maintenance_workers=0"]
#: The fix the page gives for both out-of-memory cases: a modest maintenance_work_mem for the run.
LOWER_MEMORY = "PGOPTIONS='-c maintenance_work_mem=64MB' alembic upgrade head"
#: Data and WAL on size-limited disks of their own; WAL segments removed, not recycled, at checkpoints.
DISK_SERVER = {
    "command": ["postgres", "-c", "wal_recycle=off"],
    "environment": {"PGDATA": "/pgdata/data", "POSTGRES_INITDB_ARGS": "--waldir=/pgwal/wal"},
    "disks": {"/pgdata": "256m", "/pgwal": "160m"},
}

#: Slow (a container per test, faults that last seconds): `nox -s faults` runs them, the other sessions do not.
fault = pytest.mark.faults


@pytest.fixture
def major() -> int:
    """The PostgreSQL major of this run (the fault servers match the suite's server), or a skip."""
    if reason := faults.unavailable():
        pytest.skip(reason)
    return server().major


@pytest.fixture(scope="module", autouse=True)
def _figures(request: pytest.FixtureRequest) -> Iterator[None]:
    """Print what each fault left behind and how long it took to reach head again (the run's figures)."""
    yield from faults.figures(request.config)


@pytest.fixture
def partitions() -> None:
    if reason := faults.iptables_usable():
        pytest.skip(reason)


@pytest.fixture
def disks() -> None:
    if reason := faults.disks_usable():
        pytest.skip(reason)


def prepare(db: Database) -> None:
    """The connection-lost scenario's starting point: revision 0007, one user, two cameras."""
    assert db.alembic("upgrade", "0007").returncode == 0
    db.sql("INSERT INTO users (id, email, name) VALUES (1, 'ann@example.com', 'Ann')")
    db.sql("INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'Front door'), (2, 1, 'Garage')")


def started(db: Database, command: str) -> Background:
    """``command`` typed into bash against ``db``, left running."""
    background = Background(["bash", "-c", command], env=db.env)
    background.display = command
    return background


def wait_for(check: object, what: str, timeout: float = 20) -> None:
    """Return once ``check()`` is true; fail naming ``what`` after ``timeout`` seconds."""
    assert callable(check)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout}s")


def active(db: Database, query_like: str) -> int | None:
    """The pid of a session of ``db`` whose last statement matches ``query_like``."""
    pid = db.scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE :q "
        "AND pid <> pg_backend_pid() LIMIT 1",
        q=query_like,
    )
    return int(pid) if isinstance(pid, int) else None


def assert_unchanged_then_retry(
    srv: FaultServer, captures: Captures, before: object, fault: str, since: float, retry_name: str,
    retry: str = "alembic upgrade head",
) -> Database:
    """After recovery: the fingerprint is ``before`` (nothing lost, nothing half-applied), and the
    retry reaches head; records the fault with the seconds from ``since`` to head."""
    db = srv.database()
    after = db.fingerprint()
    current = db.alembic("current")
    retried = captures.check(retry_name, db.shell(retry))
    faults.record(fault, srv.major, before, after, time.monotonic() - since)
    assert after == before
    assert current.returncode == 0 and "(head)" not in current.output
    assert retried.returncode == 0, retried.output
    assert f"{HEAD} (head)" in db.alembic("current").output
    return db


# -- 1. The server crashes ------------------------------------------------------------------------


@fault
def test_crash_recovery_throws_the_migration_away(major: int, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    with FaultServer(major) as srv:
        db = srv.database()
        prepare(db)
        with sessions.blocker(db, BLOCKER):
            before = db.fingerprint()
            with started(db, "alembic -x lock_timeout=1min upgrade head") as migration:
                sessions.wait_until_waiting(db, MIGRATION)
                log_start = len(srv.log_lines())
                srv.kill()
                crashed = captures.check("crash.txt", migration.finish(30))
        assert crashed.returncode == 1
        assert "ERROR - Migration failed due to lost connection: " in crashed.output
        assert "server closed the connection unexpectedly" in crashed.output

        restarted = time.monotonic()
        srv.restart_after_crash()  # the published port may change: wait_ready reads it again
        log = faults.log_excerpt(
            srv.log_lines()[log_start:],
            ["database system was interrupted", "not properly shut down", "ready to accept connections"],
        )
        check_file(FILES / "crash-log.txt", log, update_snapshots, major=major)
        assert "automatic recovery in progress" in log
        db = srv.database()
        captures.check("crash-current.txt", db.alembic("current"))
        assert_unchanged_then_retry(srv, captures, before, "crash (SIGKILL, docker start)", restarted, "retry.txt")


# -- 2. Out of memory -----------------------------------------------------------------------------


def big_index(db: Database, captures: Captures) -> None:
    """Revision 0003, three million users, maintenance_work_mem 1GB (big-index.sql): 0004 sorts in memory."""
    assert db.alembic("upgrade", "0003").returncode == 0
    loaded = captures.psql(db, "-v", "ON_ERROR_STOP=1", "-q", "-f", "big-index.sql")
    assert loaded.returncode == 0, loaded.output


@fault
def test_the_oom_killer_restarts_the_server(major: int, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    with FaultServer(major, command=SMALL_SERVER, memory="160m") as srv:
        db = srv.database()
        big_index(db, captures)
        before = db.fingerprint()
        notices: list[str | None] = []
        idle = srv.connect()  # an idle session of the application: what it is told before its connection closes
        idle.add_notice_handler(lambda diag: notices.append(diag.sqlstate))
        with started(db, "psql -c 'SELECT pg_sleep(60)'") as bystander:
            wait_for(lambda: active(db, "SELECT pg_sleep(60)") is not None, "the other session's pg_sleep")
            log_start = len(srv.log_lines())
            killed = captures.check("oom-killed.txt", db.alembic("upgrade", "head"))
            crashed = time.monotonic()
            too_soon = None
            deadline = crashed + 30
            while too_soon is None and time.monotonic() < deadline:
                attempt = db.alembic("current")
                if attempt.returncode == 0:
                    break
                if "not yet accepting connections" in attempt.output:  # redo under way (57P03)
                    too_soon = attempt
            other = captures.check("oom-other-session.txt", bystander.finish(30))
        assert killed.returncode == 1
        assert "ERROR - Migration failed due to lost connection: " in killed.output
        assert "server closed the connection unexpectedly" in killed.output
        assert "WARNING:  terminating connection because of crash of another server process" in other.output
        with pytest.raises(psycopg.OperationalError):
            idle.execute("SELECT 1")  # reading the warning, then the end of the connection
        idle.close()
        assert notices == ["57P02"]  # a warning, not an error: the client's exception carries no SQLSTATE
        assert too_soon is not None, "no `alembic current` landed in crash recovery (57P03)"
        captures.check("oom-too-soon.txt", too_soon)
        assert "ERROR - Migration failed due to lost connection: " in too_soon.output

        srv.wait_ready()
        lines = srv.log_lines()[log_start:]
        log = faults.log_excerpt(
            lines,
            [
                "was terminated by signal 9",
                "Failed process was running",
                "terminating any other active server processes",
                "all server processes terminated; reinitializing",
                "57P03 FATAL:  the database system is not yet accepting connections",
                "ready to accept connections",
            ],
            first_only=True,
        )
        check_file(FILES / "oom-log.txt", log, update_snapshots, major=major)
        assert "terminated by signal 9: Killed" in log
        # The container's own OOM flag stays false: the kernel killed a backend, not the container's first process.
        srv.container.reload()
        assert srv.container.attrs["State"]["OOMKilled"] is False
        assert_unchanged_then_retry(srv, captures, before, "out of memory (OOM killer)", crashed, "oom-retry.txt",
                                    retry=LOWER_MEMORY)


@fault
def test_a_failed_allocation_is_53200_and_the_server_stays_up(major: int, update_snapshots: bool) -> None:
    captures = Captures(PAGE, update_snapshots)
    # RLIMIT_AS, like vm.overcommit_memory=2 on a whole machine: malloc fails instead of the OOM killer. Debian's 19
    # maps 12 MB more than its 17 before any work (227.6 against 215.1 MB of VmSize, default settings): the same
    # room for the sort above the server's own size, so 64MB fits on the retry there too.
    room = 12_500 if major >= 19 else 0
    with FaultServer(major, command=SMALL_SERVER, address_space_kb=200_000 + room) as srv:
        db = srv.database()
        big_index(db, captures)
        before = db.fingerprint()
        log_start = len(srv.log_lines())
        failed = captures.check("out-of-memory.txt", db.alembic("upgrade", "head"))
        ended = time.monotonic()
        assert failed.returncode == 1
        assert "ERROR - Migration failed due to out of memory: out of memory" in failed.output
        assert "ROLLBACK: Transaction has been rolled back." in failed.output
        assert "53200 ERROR:  out of memory" in "\n".join(srv.log_lines()[log_start:])
        assert "terminating any other active server processes" not in "\n".join(srv.log_lines()[log_start:])
        assert_unchanged_then_retry(srv, captures, before, "out of memory (53200)", ended, "oom-retry.txt",
                                    retry=LOWER_MEMORY)


# -- 3. The disk fills ----------------------------------------------------------------------------


def users(db: Database, count: int, padding: int = 0) -> None:
    """Revision 0003 and ``count`` users whose emails are ``padding`` characters longer than usual."""
    assert db.alembic("upgrade", "0003").returncode == 0
    db.sql(
        "INSERT INTO users (id, email, name) SELECT g, 'user' || g || repeat('x', :pad) || '@example.com', "
        "'User ' || g FROM generate_series(1, :n) AS g",
        n=count,
        pad=padding,
    )
    db.sql("CHECKPOINT")


@fault
def test_a_full_data_disk_is_53100_and_the_server_stays_up(
    major: int, disks: None, update_snapshots: bool
) -> None:
    captures = Captures(PAGE, update_snapshots)
    with FaultServer(major, **DISK_SERVER) as srv:  # type: ignore[arg-type]
        db = srv.database()
        users(db, 50_000)
        ballast = srv.fill("/pgdata", leave_kb=1024)
        before = db.fingerprint()
        failed = captures.check("disk-full.txt", db.alembic("upgrade", "head"))
        assert failed.returncode == 1
        assert "ERROR - Migration failed due to disk full: could not extend file" in failed.output
        assert "HINT: Check free disk space." in failed.output
        assert "53100 ERROR:  could not extend file" in "\n".join(srv.log_lines())
        assert db.scalar("SELECT 1") == 1  # still up: the error ended one transaction, not the server
        ballast.unlink()  # what the reader does: free space (here, the file that filled the disk)
        freed = time.monotonic()
        assert_unchanged_then_retry(srv, captures, before, "data disk full (53100)", freed, "disk-retry.txt")


@fault
def test_a_full_wal_disk_panics_and_the_server_waits_for_space(
    major: int, disks: None, update_snapshots: bool
) -> None:
    captures = Captures(PAGE, update_snapshots)
    with FaultServer(major, **DISK_SERVER) as srv:  # type: ignore[arg-type]
        db = srv.database()
        users(db, 200_000, padding=200)  # the unique index on email writes about 50MB of WAL
        before = db.fingerprint()  # first: reading fresh rows sets hint bits, which writes WAL with checksums on (18)
        db.sql("CHECKPOINT")  # the WAL written so far is removed (wal_recycle=off)
        ballast = srv.fill("/pgwal", leave_kb=1024)  # room for no new 16MB WAL segment
        log_start = len(srv.log_lines())
        failed = captures.check("wal-full.txt", db.alembic("upgrade", "head"))
        assert failed.returncode == 1
        assert "ERROR - Migration failed due to disk full: could not write to file" in failed.output
        wait_for(lambda: srv.status() == "exited", "the server stopping", timeout=60)
        log = faults.log_excerpt(
            srv.log_lines()[log_start:],
            [
                "PANIC:",
                "was terminated by signal 6",
                "terminating any other active server processes",
                "automatic recovery in progress",
                "FATAL:  could not write to file",
                "startup process",
                "shutting down due to startup process failure",
                "database system is shut down",
            ],
            first_only=True,
        )
        check_file(FILES / "wal-full-log.txt", log, update_snapshots, major=major)
        assert "53100 PANIC:  could not write to file" in log
        ballast.unlink()  # free space on the WAL disk; the files in pg_wal stay where they are
        freed = time.monotonic()
        srv.restart_after_crash()
        assert_unchanged_then_retry(srv, captures, before, "WAL disk full (PANIC)", freed, "disk-retry.txt")


# -- 4. A network partition -----------------------------------------------------------------------


KERNEL = (
    "sysctl net.ipv4.tcp_keepalive_time net.ipv4.tcp_keepalive_intvl net.ipv4.tcp_keepalive_probes "
    "net.ipv4.tcp_retries2 net.ipv4.tcp_syn_retries"
)


def settle() -> None:
    """Let the waiting migration's last packets be acknowledged: from here on it has nothing to send."""
    time.sleep(1)


@fault
def test_a_partition_hangs_a_waiting_migration_and_tcp_user_timeout_ends_a_sending_one(
    major: int, partitions: None, update_snapshots: bool
) -> None:
    captures = Captures(PAGE, update_snapshots)
    kernel = captures.check("kernel-defaults.txt", run(KERNEL.split()))
    assert "net.ipv4.tcp_keepalive_time = 7200" in kernel.output
    with FaultServer(major) as srv:
        db = srv.database()
        prepare(db)
        with sessions.blocker(db, BLOCKER):
            before = db.fingerprint()
            first_command = 'timeout 20 alembic -x lock_timeout=2min upgrade head; echo "exit status $?"'
            second_command = 'DATABASE_URL="$DATABASE_URL?tcp_user_timeout=5000" alembic upgrade head'
            with started(db, first_command) as first:
                pid = sessions.wait_until_waiting(db, MIGRATION)
                # A second deploy, polling for the migration lock the first run holds.
                with faults.Watched(second_command, db.env) as second:
                    second.seconds_until("Another migration run holds the migration lock", time.monotonic())
                    settle()
                    with srv.partitioned(limit=90):
                        cut = time.monotonic()
                        second_took = second.seconds_until("ERROR - Migration failed", cut)
                        second_run = second.finish(60)
                        first_run = first.finish(60)
            captures.check("partition-default.txt", first_run)
            captures.check("partition-user-timeout.txt", second_run)
            assert first_run.output.rstrip().endswith("exit status 124")  # still waiting when timeout ended it
            assert "Another migration run holds the migration lock" in second_run.output
            assert "could not receive data from server: Connection timed out" in second_run.output
            # tcp_user_timeout=5000 (ms); the kernel's defaults would take minutes. Margin: a loaded machine.
            assert 4.5 <= second_took <= 20, second_took
            # Healed: the server never noticed; the first run's session still waits, holding its locks.
            assert db.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid", pid=pid) == 1
            healed = time.monotonic()
            sessions.terminate(db, pid)
        assert_unchanged_then_retry(srv, captures, before, "network partition (defaults)", healed, "retry.txt")


@fault
def test_keepalives_end_a_waiting_migration_and_connect_timeout_a_new_connection(
    major: int, partitions: None, update_snapshots: bool
) -> None:
    captures = Captures(PAGE, update_snapshots)
    with FaultServer(major) as srv:
        db = srv.database()
        prepare(db)
        with sessions.blocker(db, BLOCKER):
            before = db.fingerprint()
            # connect_timeout too: a run that lost its connection may open a new one on its way out.
            keepalives = "keepalives_idle=5&keepalives_interval=2&keepalives_count=3&connect_timeout=3"
            command = f'DATABASE_URL="$DATABASE_URL?{keepalives}" alembic -x lock_timeout=2min upgrade head'
            with started(db, command) as migration:
                pid = sessions.wait_until_waiting(db, MIGRATION)
                settle()
                with srv.partitioned(limit=90):
                    cut = time.monotonic()
                    retry = db.shell('DATABASE_URL="$DATABASE_URL?connect_timeout=3" alembic current')
                    retry_took = time.monotonic() - cut
                    ended = migration.finish(60)
                    took = time.monotonic() - cut
            captures.check("partition-keepalives.txt", ended)
            captures.check("connect-timeout.txt", retry)
            assert "Migration failed due to lost connection: " in ended.output
            assert "could not receive data from server: Connection timed out" in ended.output
            # 5s idle after the last packet, then 3 probes 2s apart: 11s after the run began waiting. The upper
            # bounds are margins for a loaded machine (the fault runs go side by side); the kernel's defaults: 2 hours.
            failed_after = float(re.findall(r"failed after (\d+\.\d+)s", ended.output)[0])
            assert 10.5 <= failed_after <= 30, failed_after
            assert took <= 45, took
            assert "timeout expired" in retry.output
            assert 2.5 <= retry_took <= 20, retry_took
            assert db.scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid", pid=pid) == 1
            healed = time.monotonic()
            sessions.terminate(db, pid)
        assert_unchanged_then_retry(srv, captures, before, "network partition (keepalives)", healed,
                                    "retry.txt")


# -- 5. A frozen server ---------------------------------------------------------------------------


@fault
def test_a_frozen_server_defeats_tcp_settings_and_server_side_timeouts(
    major: int, update_snapshots: bool
) -> None:
    captures = Captures(PAGE, update_snapshots)
    with FaultServer(major) as srv:
        db = srv.database()
        prepare(db)
        with sessions.blocker(db, BLOCKER):
            before = db.fingerprint()
            tcp = "keepalives_idle=2&keepalives_interval=1&keepalives_count=2&tcp_user_timeout=3000"
            command = f'DATABASE_URL="$DATABASE_URL?{tcp}" alembic -x lock_timeout=5s upgrade head'
            with started(db, command) as migration:
                sessions.wait_until_waiting(db, MIGRATION)
                with srv.paused(limit=60):
                    frozen = time.monotonic()
                    connect = db.shell('DATABASE_URL="$DATABASE_URL?connect_timeout=3" alembic current')
                    connect_took = time.monotonic() - frozen
                    # lock_timeout (5s), keepalives and tcp_user_timeout (2-3s) have all passed: nothing fired.
                    assert faults.still_running(migration, 12 - (time.monotonic() - frozen))
                    thawed = time.monotonic()
                ended = migration.finish(30)
                after_thaw = time.monotonic() - thawed
            captures.check("connect-timeout.txt", connect)
            captures.check("pause-lock-timeout.txt", ended)
            # connect_timeout=3, alembic's start-up included (seconds under load); without it, the pause (60 s).
            assert "timeout expired" in connect.output and 2.5 <= connect_took <= 20, connect_took
            assert "ERROR - Migration failed due to lock timeout: canceling statement due to lock timeout" in (
                ended.output
            )
            assert after_thaw < 4.5, after_thaw  # the timer had expired while frozen: it fires on the thaw, not 5s on

            # What does bound it: a timeout around the command, on the client's side.
            bounded_command = (
                "PGOPTIONS='-c statement_timeout=5s' timeout 10 alembic -x lock_timeout=1min upgrade head; "
                'echo "exit status $?"'
            )
            begun = time.monotonic()
            with started(db, bounded_command) as bounded:
                pid = sessions.wait_until_waiting(db, MIGRATION)
                with srv.paused(limit=60):
                    outer = bounded.finish(30)
                    lasted = time.monotonic() - begun
                thawed = time.monotonic()
            captures.check("pause-outer-timeout.txt", outer)
            assert outer.output.rstrip().endswith("exit status 124")  # timeout ended it, not statement_timeout
            # timeout's 10 s from the start, not statement_timeout's 5 (from the start of a statement: the time to
            # the freeze, seconds under load, is part of both)
            assert lasted >= 9.5, lasted
            sessions.wait_until_gone(db, pid, timeout=20)  # thawed, it times out, finds its client gone, and ends
        assert_unchanged_then_retry(srv, captures, before, "frozen server (docker pause)", thawed, "retry.txt")
