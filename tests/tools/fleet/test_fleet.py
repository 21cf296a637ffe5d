"""helpers/tools/fleet/: ``python -m helpers fleet`` on real fleets, faults included.

The cheap tests (bad input, waves) run in the default session. The ones marked ``fleet`` make
fleets (50 databases over two servers, 50 tenant schemas, Dask clusters) and break them: a canary
failing on one tenant's data, a server stopped mid-rollout, an unreachable target, the coordinator
killed and the command run again, two coordinators at once, a Dask worker killed mid-target. Each
ends with nothing lost: every target is at its start or at head, its schema what its
``alembic_version`` says, and every move has its ledger entry; no target was migrated twice.
``nox -s fleet`` runs them (a Docker engine for the second server; ``[fleet]`` for Dask).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers.tools.errors import BadInputError
from helpers.tools.fleet.rollout import wave_sizes
from tests.support import images
from tests.support.cli import Exit, cli
from tests.support.database import Database, server, wait_until_alone
from tests.support.paths import PROJECT, SNIPPETS
from tests.support.project import project_with, upgrade

DUPLICATES = SNIPPETS / "failures" / "duplicate-key" / "bad-data.sql"
KEEP_OLDEST = SNIPPETS / "failures" / "duplicate-key" / "keep-oldest.sql"
SLOW = '''"""A revision that takes a moment: the faults need runs in progress.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("SELECT pg_sleep(0.8)")
    op.execute("CREATE TABLE slow_marker (id integer)")


def downgrade() -> None:
    op.execute("DROP TABLE slow_marker")
'''


def one_sentence(result: Exit) -> str:
    assert result.status == 2, (result.out, result.err)
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    return lines[0]


# -- bad input ------------------------------------------------------------------------------------


def test_bad_input_is_one_sentence_and_exit_2(tmp_path: Path) -> None:
    good = tmp_path / "targets.txt"
    good.write_text("# tenants\nacme postgresql://u@127.0.0.1:1/acme\npostgresql://u@127.0.0.1:1/globex\n")
    cases = {
        ("fleet", "status"): "Name the targets one way",
        ("fleet", "status", "--targets", str(tmp_path / "none.txt")): "cannot be read",
        ("fleet", "upgrade", "--targets", str(good), "--waves", "1,ten%"): "'ten%' is not a wave",
        ("fleet", "upgrade", "--targets", str(good), "--waves", "10,1"): "cannot come after a larger one",
        ("fleet", "upgrade", "--targets", str(good), "--canary", "1", "--waves", "1,100%"): "give one",
        ("fleet", "upgrade", "--targets", str(good), "--canary", "0"): "'0' is not a number of targets",
        ("fleet", "upgrade", "--targets", str(good), "--on-error", "panic"): "'panic' is not a policy",
        ("fleet", "upgrade", "nosuch", "--targets", str(good)): "Unknown revision 'nosuch'",
        ("fleet", "status", "--targets-sql", "SELECT 1"): "--targets-sql needs the database to ask",
    }
    bad_lines = {
        "a b c": "is not a target",
        "acme mysql://u@h/acme": "is not a PostgreSQL URL",
        "acme postgresql://u@h/acme\nacme postgresql://u@h/other": "Two targets",
    }
    for number, (text, expected) in enumerate(bad_lines.items()):
        bad = tmp_path / f"bad{number}.txt"
        bad.write_text(text + "\n")
        cases[("fleet", "status", "--targets", str(bad))] = expected
    for argv, expected in cases.items():
        error = one_sentence(cli(*argv))
        assert expected in error, (argv, error)


def test_waves_are_cumulative_sizes() -> None:
    assert wave_sizes("1,10%,50%,100%", None, 200) == [1, 20, 100, 200]
    assert wave_sizes(None, 3, 50) == [3, 50]
    assert wave_sizes("5", None, 50) == [5, 50]  # the rest is the last wave
    assert wave_sizes(None, None, 7) == [7]
    with pytest.raises(BadInputError):
        wave_sizes("0", None, 10)


def test_status_of_targets_from_a_tenants_table(database: Database) -> None:
    """--targets-sql against --control-url: the rows name the targets; each answers for itself, or is unreachable."""
    database.sql("CREATE TABLE tenants (name text, url text, active boolean)")
    assert database.alembic("upgrade", "head").returncode == 0
    here = sa.make_url(database.url).render_as_string(hide_password=False)
    database.sql(
        "INSERT INTO tenants VALUES ('self', :url, true), ('gone', 'postgresql://nobody@127.0.0.1:9/x', true),"
        " ('old', 'postgresql://nobody@127.0.0.1:9/y', false)",
        url=here,
    )
    found = cli(
        "fleet",
        "status",
        "--targets-sql",
        "SELECT name, url FROM tenants WHERE active ORDER BY name",
        "--control-url",
        here,
        "--json",
    )
    assert found.status == 1, found.err
    report = json.loads(found.out)
    states = {t["name"]: (t["state"], t["revision"]) for t in report["targets"]}
    assert states == {"gone": ("unreachable", "-"), "self": ("at head", "0009")}
    assert report["targets"][1]["last_attempt"]["outcome"] == "succeeded"
    assert report["targets"][0]["reason"].startswith("connection")


# -- fleets of real databases --------------------------------------------------------------------


@dataclass
class Fleet:
    """Databases named in a targets file; ``urls`` by target name."""

    folder: Path
    urls: dict[str, sa.URL] = field(default_factory=dict)
    engines: dict[str, sa.Engine] = field(default_factory=dict)

    @property
    def file(self) -> Path:
        path = self.folder / "targets.txt"
        path.write_text(
            "".join(f"{name} {url.render_as_string(hide_password=False)}\n" for name, url in self.urls.items())
        )
        return path

    def engine(self, name: str) -> sa.Engine:
        if name not in self.engines:
            self.engines[name] = sa.create_engine(self.urls[name], poolclass=sa.NullPool)
        return self.engines[name]

    def sql(self, name: str, statement: str) -> None:
        with self.engine(name).begin() as conn:
            conn.exec_driver_sql(statement)

    def whole(self, name: str, schema: str | None = None) -> str:
        """The target's revision, after checking that its schema is what that revision builds (nothing half-done)."""
        return whole(self.engine(name), schema)

    def attempts(self, name: str, schema: str | None = None) -> list[dict[str, object]]:
        return attempts(self.engine(name), schema)

    def dispose(self) -> None:
        for engine in self.engines.values():
            engine.dispose()
        self.engines.clear()


def whole(engine: sa.Engine, schema: str | None = None) -> str:
    where = schema or "public"
    with engine.connect() as conn:
        versions = (
            conn.execute(sa.text("SELECT version_num FROM " + (f'"{schema}".' if schema else "") + "alembic_version"))
            .scalars()
            .all()
        )
        tables = set(
            conn.execute(
                sa.text("SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = :s"), {"s": where}
            ).scalars()
        )
        phone = conn.execute(
            sa.text(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = :s AND table_name = 'users' "
                "AND column_name = 'phone'"
            ),
            {"s": where},
        ).scalar()
    assert len(versions) == 1, versions
    version = versions[0]
    base = {"users", "cameras", "events"}
    built = {
        "0003": (base, 0),
        "0005": (base, 0),
        "0009": (base | {"audit_log"}, 1),
        "0010": (base | {"audit_log", "slow_marker"}, 1),
    }[version]
    assert (tables - {"alembic_version", "alembic_history"}, phone) == built, (version, tables, phone)
    return version


def attempts(engine: sa.Engine, schema: str | None = None) -> list[dict[str, object]]:
    table = (f'"{schema}".' if schema else "") + "alembic_history"
    with engine.connect() as conn:
        rows = (
            conn.execute(
                sa.text(f"SELECT command, from_revision, to_revision, outcome, rollout, note FROM {table} ORDER BY id")
            )
            .mappings()
            .all()
        )
    return [dict(row) for row in rows]


def clone(admin: sa.Engine, seed: str, names: Sequence[str]) -> None:
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{seed}" STRATEGY FILE_COPY')


def embedded_fleet(folder: Path, prefix: str, count: int, revision: str) -> tuple[Fleet, list[str]]:
    """``count`` databases at ``revision`` on the suite's server, cloned from one; their names to drop."""
    srv = server()
    seed = srv.create_database()
    upgrade(srv.url(seed), revision)
    wait_until_alone(seed)
    names = [f"{seed}_{prefix}{i:02d}" for i in range(1, count + 1)]
    clone(srv.admin, seed, names)
    fleet = Fleet(folder)
    for i, name in enumerate(names, 1):
        fleet.urls[f"{prefix}{i:02d}"] = srv.url(name).set(drivername="postgresql+psycopg")
    return fleet, [seed, *names]


def drop(admin: sa.Engine, names: Sequence[str]) -> None:
    with admin.connect() as conn:
        for name in names:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fleet_cli(*argv: str, cwd: Path = PROJECT) -> subprocess.Popen[str]:
    """``python -m helpers fleet ARGV`` as a process of its own (to be killed, or run twice at once)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "helpers", "fleet", *argv],
        cwd=cwd,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_for_lines(process: subprocess.Popen[str], count: int, timeout: float = 120) -> list[str]:
    """Read the process's stderr until ``count`` progress lines (``[n/N] ...``) went by."""
    assert process.stderr is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while sum(line.startswith("[") for line in seen) < count:
        assert time.monotonic() < deadline, seen
        line = process.stderr.readline()
        assert line, f"the process ended first: {seen}"
        seen.append(line)
    return seen


@pytest.mark.fleet
def test_fifty_databases_on_two_servers_canary_stop_resume_rollback(tmp_path: Path) -> None:
    """The page's story on 50 databases: 25 on the embedded server, 25 on a container server, and one of the
    container's stopped mid-rollout. Canary fails on one tenant's data and halts; resumed with --on-error continue
    while the second server stops; the fix; resumed again under the same rollout id; rolled back."""
    if not images.engine_answers():
        pytest.skip("no Docker engine answers: the second server is a container")
    from tests.support.faults import FaultServer

    embedded, embedded_names = embedded_fleet(tmp_path, "e", 25, "0003")
    with FaultServer(major=17) as other:
        admin = sa.create_engine(other.url("postgres"), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool)
        try:
            upgrade(other.url(), "0003")
            names = [f"c{i:02d}" for i in range(1, 26)]
            clone(admin, "security", names)
            fleet = Fleet(tmp_path)
            for i in range(25):  # interleaved: a wave has targets on both servers
                fleet.urls[f"e{i + 1:02d}"] = embedded.urls[f"e{i + 1:02d}"]
                fleet.urls[names[i]] = other.url(names[i])
            _story(fleet, other, names)
        finally:
            fleet.dispose()
            admin.dispose()
    embedded.dispose()
    drop(server().admin, embedded_names)


def _story(fleet: Fleet, other: object, container_names: list[str]) -> None:
    from tests.support.faults import FaultServer

    assert isinstance(other, FaultServer)
    with fleet.engine("c01").begin() as conn:  # the tenant whose data 0004 fails on
        conn.exec_driver_sql(DUPLICATES.read_text())
    upgrade(fleet.urls["e25"], "head")  # a target already at head: no rollout moves it
    targets = str(fleet.file)

    status = cli("fleet", "status", "--targets", targets, "--json")
    assert status.status == 1, status.err
    found = json.loads(status.out)
    assert found["revisions"] == {"0003": 49, "0009": 1}
    assert found["states"]["behind"] == 49 and found["states"]["at head"] == 1

    # The canary: e01, c01 (duplicates), e02. c01 fails, the rest never start.
    canary = cli("fleet", "upgrade", "--targets", targets, "--canary", "3", "--parallel", "3", "--json")
    assert canary.status == 1, canary.err
    report = json.loads(canary.out)
    rollout = report["rollout"]
    outcomes = {t["name"]: t for t in report["targets"]}
    assert report["failed"] == ["c01"] and "canary" in report["halted"]
    assert outcomes["c01"]["reason"].startswith("Migration failed due to ")  # the diagnosis's first line
    assert 'could not create unique index "ix_users_email"' in outcomes["c01"]["reason"]
    assert outcomes["c01"]["page"].startswith("http")  # and its page
    assert {outcomes["e01"]["outcome"], outcomes["e02"]["outcome"]} == {"succeeded"}
    assert Counter(t["outcome"] for t in report["targets"]) == {"not started": 47, "succeeded": 2, "failed": 1}
    assert {fleet.whole(n) for n in fleet.urls if n not in ("e01", "e02", "e25")} == {"0003"}
    assert fleet.attempts("c01")[-1]["outcome"] == "failed" and fleet.attempts("c01")[-1]["rollout"] == rollout

    # Resumed under the same id, --on-error continue; the second server stops (fast shutdown) mid-rollout.
    resumed = fleet_cli(
        "upgrade", "--targets", targets, "--rollout-id", rollout, "--on-error", "continue", "--parallel", "4", "--json"
    )
    wait_for_lines(resumed, 12)
    other.container.kill(signal="SIGINT")  # PostgreSQL's fast shutdown: sessions ended, transactions rolled back
    out, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 1, err
    report = json.loads(out)
    failed = set(report["failed"])
    assert "c01" in failed and all(n.startswith("c") for n in failed), report["failed"]
    assert all(fleet.whole(n) == "0009" for n in fleet.urls if n.startswith("e"))
    other.restart_after_crash()  # a new port, maybe
    fleet.dispose()
    for name in container_names:
        fleet.urls[name] = other.url(name)
    targets = str(fleet.file)
    for name in container_names:  # nothing half-applied on the stopped server: each at its start or at head
        assert fleet.whole(name) in ("0003", "0009"), name

    # The fix (the duplicate-key page's), then the rollout resumed once more: everyone at head.
    with fleet.engine("c01").begin() as conn:
        conn.exec_driver_sql(KEEP_OLDEST.read_text().replace("BEGIN;", "").replace("COMMIT;", ""))
    done = cli("fleet", "upgrade", "--targets", targets, "--rollout-id", rollout, "--parallel", "4", "--json")
    assert done.status == 0, done.out + done.err
    assert cli("fleet", "status", "--targets", targets).status == 0
    # A target whose COMMIT landed just as its server stopped is at head with its attempt left open (the end was
    # never recorded): this rerun found it there and closed that attempt as succeeded, with a note. Only on the
    # stopped server; none, or one or two, depending on when the stop came.
    closed = {t["name"] for t in json.loads(done.out)["targets"] if "closed as succeeded" in t["reason"]}
    assert all(n.startswith("c") for n in closed), closed
    for name in fleet.urls:
        moved = [a for a in fleet.attempts(name) if a["outcome"] == "succeeded" and a["to_revision"] == "0009"]
        if name == "e25":
            assert [a["rollout"] for a in moved] == [None]
            continue
        # once, and from where it started: no target migrated twice, none skipped
        assert [(a["from_revision"], a["to_revision"], a["rollout"]) for a in moved] == [("0003", "0009", rollout)]
        if name in closed:
            assert str(moved[0]["note"]).startswith(f"closed by a rerun of rollout {rollout}: "), moved
        else:
            assert moved[0]["note"] is None, moved

    # Rollback: every target the rollout moved goes back to 0003; e25 (moved by no rollout) stays.
    back = cli("fleet", "rollback", rollout, "--targets", targets, "--parallel", "4", "--json")
    assert back.status == 0, back.out + back.err
    assert "49 target(s) it moved, 1 left alone" in back.err
    assert {n: fleet.whole(n) for n in fleet.urls} == {n: "0009" if n == "e25" else "0003" for n in fleet.urls}
    last = fleet.attempts("c07")[-1]
    assert (last["command"], last["outcome"]) == ("downgrade", "succeeded")
    assert last["note"] == f"rollback of rollout {rollout}"


def test_an_attempt_cut_off_after_its_commit_counts_as_moved(tmp_path: Path) -> None:
    """The fifty databases' race on purpose: a target whose COMMIT landed as its server stopped is at 0009 with its
    ledger row of the rollout still ``running`` (the closing write never came). The rollout rerun finds it at head,
    skips it, and closes that row as succeeded with a note; a rollback, rerun or not, takes it back to 0003. A row
    left open by an attempt whose COMMIT did not land (its target still at 0003) moved nothing, and stays so."""
    from helpers.tools.fleet.targets import from_file
    from helpers.tools.fleet.worker import Job, apply

    rollout = "race-1"
    fleet, names = embedded_fleet(tmp_path, "r", 3, "0003")
    try:
        direct, resumed, stuck = fleet.urls  # rolled back with no rerun first; rerun, then rolled back; never moved
        for target in from_file(fleet.file)[:2]:  # the rollout's real attempts, 0003 -> 0009 ...
            assert apply(Job(target, str(PROJECT / "alembic.ini"), "upgrade", "head", rollout)).outcome == "succeeded"
        for name in (direct, resumed):  # ... whose end the server never got to record
            with fleet.engine(name).begin() as conn:
                conn.execute(
                    sa.text(
                        "UPDATE alembic_history SET outcome = 'running', to_revision = NULL, ended_at = NULL, "
                        "duration_seconds = NULL WHERE rollout = :rollout"
                    ),
                    {"rollout": rollout},
                )
        with fleet.engine(stuck).connect() as conn:  # what start() wrote for an attempt whose COMMIT never came
            conn.exec_driver_sql("ALTER TABLE alembic_history ADD COLUMN IF NOT EXISTS rollout text")
            conn.exec_driver_sql(
                "INSERT INTO alembic_history (command, target, from_revision, outcome, pid, backend_start, rollout) "
                "SELECT 'upgrade', '0009', '0003', 'running', pid, backend_start, %(rollout)s "
                "FROM pg_catalog.pg_stat_activity WHERE pid = pg_backend_pid()",
                {"rollout": rollout},
            )
            conn.commit()
        fleet.dispose()
        for name in names[1:]:  # every session of those attempts gone, as after the server's restart
            wait_until_alone(name)
        assert [fleet.whole(n) for n in fleet.urls] == ["0009", "0009", "0003"]
        status = json.loads(cli("fleet", "status", "--targets", str(fleet.file), "--json").out)
        assert [t["last_attempt"]["outcome"] for t in status["targets"]] == ["interrupted"] * 3

        # The rollout rerun on one of them: at head, skipped, and its ledger row closed as what it was.
        only = tmp_path / "resumed.txt"
        only.write_text(f"{resumed} {fleet.urls[resumed].render_as_string(hide_password=False)}\n")
        rerun = cli("fleet", "upgrade", "--targets", str(only), "--rollout-id", rollout, "--json")
        assert rerun.status == 0, rerun.out + rerun.err
        (result,) = json.loads(rerun.out)["targets"]
        assert result["outcome"] == "skipped" and "closed as succeeded" in result["reason"], result
        ours = [a for a in fleet.attempts(resumed) if a["rollout"] == rollout]
        assert [(a["command"], a["from_revision"], a["to_revision"], a["outcome"]) for a in ours] == [
            ("upgrade", "0003", "0009", "succeeded")
        ]
        assert str(ours[0]["note"]).startswith(f"closed by a rerun of rollout {rollout}: ")
        ledger = fleet.attempts(resumed)
        again = cli("fleet", "upgrade", "--targets", str(only), "--rollout-id", rollout, "--json")
        assert json.loads(again.out)["targets"][0]["reason"] == "already at 0009"  # nothing left open to close
        assert fleet.attempts(resumed) == ledger

        # The rollback: the two it moved go back, the closed one and the one never closed alike; not the third.
        back = cli("fleet", "rollback", rollout, "--targets", str(fleet.file), "--parallel", "2", "--json")
        assert back.status == 0, back.out + back.err
        assert "2 target(s) it moved, 1 left alone" in back.err
        assert [fleet.whole(n) for n in fleet.urls] == ["0003", "0003", "0003"]
        for name in (direct, resumed):
            last = fleet.attempts(name)[-1]
            assert (last["command"], last["from_revision"], last["to_revision"], last["outcome"]) == (
                "downgrade",
                "0009",
                "0003",
                "succeeded",
            )
        assert [a["command"] for a in fleet.attempts(stuck)] == ["upgrade", "upgrade"]  # no downgrade there
    finally:
        fleet.dispose()
        drop(server().admin, names)


@pytest.mark.fleet
def test_fifty_tenant_schemas_in_one_database(tmp_path: Path) -> None:
    """--schemas 'tenant_*': each schema handed to env_tenant.py as -x tenant=NAME, its own alembic_version."""
    workdir = project_with(tmp_path)
    (workdir / "env.py").write_text((PROJECT / "env_tenant.py").read_text())
    srv = server()
    name = srv.create_database()
    url = srv.url(name).set(drivername="postgresql+psycopg")
    engine = sa.create_engine(url, poolclass=sa.NullPool)
    try:
        with engine.begin() as conn:
            for i in range(1, 51):
                conn.exec_driver_sql(f"CREATE SCHEMA tenant_{i:02d}")
            conn.exec_driver_sql("CREATE SCHEMA billing")  # not a tenant: the pattern leaves it out
        shown = url.render_as_string(hide_password=False)
        ini = str(workdir / "alembic.ini")
        before = cli("fleet", "status", "-c", ini, "--schemas", "tenant_*", "--url", shown, "--json")
        assert before.status == 1 and json.loads(before.out)["revisions"] == {"base": 50}
        up = cli("fleet", "upgrade", "-c", ini, "--schemas", "tenant_*", "--url", shown, "--parallel", "2", "--json")
        assert up.status == 0, up.out + up.err
        rollout = json.loads(up.out)["rollout"]
        after = cli("fleet", "status", "-c", ini, "--schemas", "tenant_*", "--url", shown, "--json")
        assert after.status == 0 and json.loads(after.out)["revisions"] == {"0009": 50}
        for i in (1, 50):
            schema = f"tenant_{i:02d}"
            assert whole(engine, schema) == "0009"
            assert [(a["command"], a["outcome"], a["rollout"]) for a in attempts(engine, schema)] == [
                ("upgrade", "succeeded", rollout)
            ]
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT to_regclass('public.users')").scalar() is None  # nothing outside
            assert conn.exec_driver_sql("SELECT to_regclass('billing.alembic_version')").scalar() is None
    finally:
        engine.dispose()
        srv.drop_database(name)


@pytest.mark.fleet
def test_coordinator_killed_and_rerun_and_two_coordinators_at_once(tmp_path: Path) -> None:
    """The coordinator keeps nothing a rerun needs; two rollouts at once never apply a revision twice. An
    unreachable target fails alone (--on-error continue)."""
    workdir = project_with(tmp_path)
    (workdir / "versions" / "0010_slow.py").write_text(SLOW)
    ini = str(workdir / "alembic.ini")
    fleet, names = embedded_fleet(tmp_path, "k", 12, "0009")
    try:
        fleet.urls["gone"] = sa.make_url("postgresql+psycopg://nobody@127.0.0.1:9/nowhere")  # nothing listens
        targets = str(fleet.file)
        first = fleet_cli("upgrade", "-c", ini, "--targets", targets, "--parallel", "2", "--on-error", "continue")
        wait_for_lines(first, 4)
        first.send_signal(signal.SIGKILL)  # the coordinator dies; its pool's runs in progress finish on their own
        first.wait(timeout=60)
        for stream in (first.stdout, first.stderr):
            assert stream is not None
            stream.close()
        again = [
            fleet_cli("upgrade", "-c", ini, "--targets", targets, "--parallel", "2", "--on-error", "continue", "--json")
            for _ in range(2)
        ]
        reports = []
        for process in again:
            out, err = process.communicate(timeout=300)
            assert process.returncode == 1, err  # "gone" fails
            reports.append(json.loads(out))
        for report in reports:
            assert report["failed"] == ["gone"]
            assert report["targets"][-1]["reason"].startswith("unreachable:")
        for name in fleet.urls:
            if name == "gone":
                continue
            assert fleet.whole(name) == "0010"
            moved = [a for a in fleet.attempts(name) if a["outcome"] == "succeeded" and a["to_revision"] == "0010"]
            assert len(moved) == 1, (name, fleet.attempts(name))  # once, whichever coordinator ran it
    finally:
        fleet.dispose()
        drop(server().admin, names)


# -- Dask ----------------------------------------------------------------------------------------


def _dask_fleet(tmp_path: Path, prefix: str) -> tuple[Fleet, list[str], str]:
    workdir = project_with(tmp_path)
    (workdir / "versions" / "0010_slow.py").write_text(SLOW)
    fleet, names = embedded_fleet(tmp_path, prefix, 6, "0009")
    return fleet, names, str(workdir / "alembic.ini")


def _assert_each_once_at(fleet: Fleet, revision: str) -> None:
    for name in fleet.urls:
        assert fleet.whole(name) == revision
        moved = [a for a in fleet.attempts(name) if a["outcome"] == "succeeded" and a["to_revision"] == revision]
        assert len(moved) == 1, (name, fleet.attempts(name))


@pytest.mark.fleet
def test_dask_local_cluster_with_a_worker_killed_mid_target(tmp_path: Path) -> None:
    """A LocalCluster of worker processes, one Alembic run each at a time; a worker killed while it migrates:
    Dask runs the task again elsewhere, and the lock and the target's revision make that safe."""
    distributed = pytest.importorskip("distributed")
    from helpers.tools.fleet import rollout as fleet_rollout
    from helpers.tools.fleet.targets import from_file
    from helpers.tools.fleet.worker import Job

    fleet, names, ini = _dask_fleet(tmp_path, "d")
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = distributed.Client(cluster)
    try:
        jobs = [Job(t, ini, "upgrade", "head", "dask-local") for t in from_file(fleet.file)]
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_mid_target() -> None:
            """Once a target's attempt is running (its revision's pg_sleep), kill the workers that are busy."""
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                for name in fleet.urls:
                    with fleet.engine(name).connect() as conn:
                        running = conn.exec_driver_sql(
                            "SELECT count(*) FROM alembic_history WHERE outcome = 'running'"
                        ).scalar()
                    if running:
                        busy = [address for address, keys in client.processing().items() if keys]
                        for address in busy:
                            killed.append(pids[address])
                            os.kill(pids[address], signal.SIGKILL)
                        return
                time.sleep(0.05)

        killer = threading.Thread(target=kill_mid_target)
        killer.start()
        done = fleet_rollout.run(
            jobs, client.get_executor(pure=False), rollout_id="dask-local", parallel=2, waves=[len(jobs)]
        )
        killer.join()
        assert killed and done.ok, [r.as_json() for r in done.results]
        _assert_each_once_at(fleet, "0010")
        outcomes = [a["outcome"] for n in fleet.urls for a in fleet.attempts(n)]
        # the killed runs: rolled back with their sessions, marked interrupted by the reruns' own records
        assert outcomes.count("interrupted") >= 1 and "running" not in outcomes, outcomes
    finally:
        client.close()
        cluster.close()
        fleet.dispose()
        drop(server().admin, names)


@pytest.mark.fleet
def test_dask_scheduler_and_two_workers_started_apart(tmp_path: Path) -> None:
    """`dask scheduler` and two `dask worker --nthreads 1` processes; the command with --scheduler."""
    pytest.importorskip("distributed")
    fleet, names, ini = _dask_fleet(tmp_path, "s")
    dask = Path(sys.executable).parent / "dask"
    started: list[subprocess.Popen[bytes]] = []
    try:
        scheduler_file = tmp_path / "scheduler.json"
        started.append(
            subprocess.Popen(
                [
                    str(dask),
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(scheduler_file),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            assert time.monotonic() < deadline, "dask scheduler did not start"
            time.sleep(0.2)
        address = json.loads(scheduler_file.read_text())["address"]
        for _ in range(2):
            started.append(
                subprocess.Popen(
                    [str(dask), "worker", address, "--nthreads", "1", "--no-dashboard"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        up = cli(
            "fleet",
            "upgrade",
            "-c",
            ini,
            "--targets",
            str(fleet.file),
            "--scheduler",
            address,
            "--parallel",
            "4",
            "--json",
        )
        assert up.status == 0, up.out + up.err
        report = json.loads(up.out)
        assert len({t["worker"] for t in report["targets"]}) == 2  # both workers ran targets
        _assert_each_once_at(fleet, "0010")
    finally:
        for process in reversed(started):
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        fleet.dispose()
        drop(server().admin, names)


@pytest.mark.fleet
def test_rehearse_a_sample_spread_over_the_revisions(tmp_path: Path) -> None:
    """fleet rehearse --sample 2: one target of each revision found, rehearsed on copies; the failure on one
    tenant's data is found there, and no target moved."""
    fleet, names = embedded_fleet(tmp_path, "r", 3, "0003")
    try:
        with fleet.engine("r01").begin() as conn:
            conn.exec_driver_sql(DUPLICATES.read_text())
        upgrade(fleet.urls["r03"], "0005")
        fleet.dispose()
        for name in names[1:]:
            wait_until_alone(name)
        found = cli("fleet", "rehearse", "--targets", str(fleet.file), "--sample", "2", "--json")
        assert found.status == 1, found.out + found.err
        report = json.loads(found.out)
        rehearsed = {r["name"]: r for r in report["rehearsed"]}
        assert set(rehearsed) == {"r01", "r03"}  # one at 0003, one at 0005
        assert not rehearsed["r01"]["ok"] and "ix_users_email" in rehearsed["r01"]["failure"]
        assert rehearsed["r03"]["ok"] and rehearsed["r03"]["summary"].startswith("OK: 4 revisions")
        assert [fleet.whole(n) for n in ("r01", "r02")] == ["0003", "0003"]
    finally:
        fleet.dispose()
        drop(server().admin, names)
