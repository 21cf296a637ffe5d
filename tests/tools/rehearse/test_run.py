"""helpers/tools/rehearse/run.py (with trace, report, shared/scratch): ``python -m helpers rehearse`` on real histories.

An ordinary Alembic project no one on this project wrote (``alembic init``, plain ``op.*``:
tests/support/ordinary.py), the example project, and its big-tables revisions. Every test proves
the source database was only read: its fingerprint, attempt history included, is unchanged.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest

from helpers.tools.rehearse.report import lines
from helpers.tools.rehearse.run import rehearse
from helpers.tools.shared.running import WrongDatabaseError
from tests.support.cli import cli, throwaway_image
from tests.support.database import Database, server
from tests.support.ordinary import AUTOCOMMIT_REVISION, BRANCHES, CARELESS_REVISION, REWRITING, ordinary_project
from tests.support.paths import PROJECT, SNIPPETS
from tests.support.project import project_with
from tests.support.transcript import Run, alembic, helpers

BIG_TABLES = SNIPPETS / "big-tables" / "versions"
BRANCH = sorted(BRANCHES)[0]


def helpers_cli(database: Database, cwd: Path, *args: str) -> Run:
    """``python -m helpers ARGS`` in ``cwd`` against ``database`` (DATABASE_URL), as typed (run in this process)."""
    return helpers(*args, env=database.env, cwd=cwd)


@pytest.fixture
def shop(database: Database, tmp_path: Path) -> Path:
    """The ordinary project at its index revision, with 1,000 orders."""
    root = ordinary_project(tmp_path, careless=True)
    assert database.alembic("upgrade", "8a4e6d2c1b05", cwd=root).returncode == 0
    database.sql(
        "INSERT INTO customers (id, name) SELECT g, 'customer ' || g FROM generate_series(1, 10) g;"
        "INSERT INTO orders (customer_id, amount) SELECT 1 + g % 10, g FROM generate_series(1, 1000) g"
    )
    return root


def tables_of(report: dict[str, Any], revision: str) -> dict[str, dict[str, Any]]:
    (found,) = [r for r in report["revisions"] if r["revision"] == revision]
    return {table["table"]: table for table in found["tables"]}


def test_an_ordinary_project_names_the_rewritten_table_and_its_lock(database: Database, shop: Path) -> None:
    before = database.fingerprint(history=True)

    result = helpers_cli(database, shop, "rehearse", REWRITING, "--json")

    assert result.returncode == 0, result.output
    report = json.loads(result.output)
    orders = tables_of(report, REWRITING)["public.orders"]
    assert (orders["lock"], orders["rewritten"], orders["rows"]) == ("ACCESS EXCLUSIVE", True, 1000)
    (blocker,) = [b for b in report["blockers"] if b["revision"] == REWRITING]
    assert blocker["table"] == "public.orders" and blocker["blocks"] == "reads and writes"
    assert "ALTER TABLE orders ALTER COLUMN amount TYPE NUMERIC(12, 2)" in blocker["statement"]
    assert report["round_trip"]["ok"] is True
    assert database.fingerprint(history=True) == before


def test_a_downgrade_that_does_not_undo_its_upgrade_is_named(database: Database, shop: Path) -> None:
    before = database.fingerprint(history=True)

    found = rehearse(shop / "alembic.ini", database.alone())

    shown = lines(found)
    assert not found.ok and found.round_trip is not None
    assert list(found.round_trip.not_undone) == [CARELESS_REVISION]
    assert f"Round trip: the downgrade of {CARELESS_REVISION} does not undo its upgrade:" in shown
    assert (
        "  table public.customers, column nickname: before its upgrade nothing; "
        "after its downgrade character varying(50) NULL"
    ) in shown
    assert shown[-1].startswith("FAILED: ")
    assert database.fingerprint(history=True) == before


def test_an_env_py_that_takes_its_url_elsewhere_is_stopped_before_it_runs_anything(
    database: Database, tmp_path: Path
) -> None:
    """Its env.py reads SHOP_DATABASE_URL: pointed at the source, it would migrate it. It is refused."""
    root = ordinary_project(tmp_path, variable="SHOP_DATABASE_URL")
    env = {**database.env, "SHOP_DATABASE_URL": database.url}
    assert alembic("upgrade", "8a4e6d2c1b05", env=env, cwd=root).returncode == 0
    before = database.fingerprint(history=True)

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHOP_DATABASE_URL", database.url)
        with pytest.raises(WrongDatabaseError) as refused:
            rehearse(root / "alembic.ini", database.alone())

    assert f"env.py connected to database {database.name!r}" in str(refused.value)
    assert "nothing was run there" in str(refused.value)
    assert database.fingerprint(history=True) == before


def test_a_failing_revision_is_diagnosed_as_production_would_see_it(database: Database) -> None:
    """Duplicate emails at 0003: 0004's unique index fails on the copy, with env.py's diagnosis."""
    assert database.alembic("upgrade", "0003").returncode == 0
    database.load(SNIPPETS / "failures" / "duplicate-key" / "bad-data.sql")
    before = database.fingerprint(history=True)

    found = rehearse(PROJECT / "alembic.ini", database.alone())

    assert not found.ok and found.failure is not None
    assert (found.failure.revision, found.failure.diagnosis.sqlstate) == ("0004", "23505")
    text = "\n".join(lines(found))
    assert (
        "0004 Make users.email unique (fails while duplicate emails exist). FAILED:\n"
        "Migration failed due to integrity constraint: could not create unique index"
    ) in text
    assert "DETAIL: Key (email)=(ann@example.com) is duplicated." in text
    assert text.splitlines()[-1].startswith("FAILED: revision 0004 fails (23505, integrity constraint)")
    assert database.fingerprint(history=True) == before


def test_big_tables_helpers_trace_the_concurrent_index_and_commit_early(database: Database, tmp_path: Path) -> None:
    """bt02 runs CREATE INDEX CONCURRENTLY in autocommit_block(): its lock is seen while it runs."""
    workdir = project_with(tmp_path, *sorted(BIG_TABLES.glob("bt0*.py")))
    assert database.alembic("upgrade", "0009", cwd=workdir).returncode == 0
    database.sql(
        "INSERT INTO users (id, email, name) SELECT g, 'u' || g || '@example.com', 'User ' || g "
        "FROM generate_series(1, 3000) g;"
        "INSERT INTO cameras (id, owner_id, name) VALUES (1, 1, 'hall');"
        # enough rows that the concurrent build lasts long enough to be seen from the second connection
        "INSERT INTO events (camera_id, kind) SELECT 1, 'motion' FROM generate_series(1, 100000)"
    )
    before = database.fingerprint(history=True)

    found = rehearse(workdir / "alembic.ini", database.alone(), max_lock=5.0)

    assert found.ok, "\n".join(lines(found))
    by_revision = {revision.revision: revision for revision in found.revisions}
    (events,) = by_revision["bt02"].tables
    assert (events.table, events.mode, events.outside_transaction) == (
        "public.events", "ShareUpdateExclusiveLock", True
    )
    concurrent = [s for s in found.statements if s.sql.startswith("CREATE INDEX CONCURRENTLY")]
    assert concurrent and concurrent[0].outside_transaction
    assert {lock.relation for lock in concurrent[0].locks} >= {"public.events"}
    assert not [b for b in found.blockers if b.table == "public.events"]  # nothing blocks writes to events
    assert database.fingerprint(history=True) == before


def test_the_gates_fail_the_rehearsal(database: Database, shop: Path) -> None:
    found = rehearse(shop / "alembic.ini", database.alone(), target=REWRITING, max_lock=0.0, max_rewrite_rows=999)

    assert not found.ok
    assert [v.split(":")[0] for v in found.violations] == ["--max-lock 0ms", "--max-rewrite-rows 999"]
    assert f"--max-rewrite-rows 999: revision {REWRITING} rewrites public.orders (1000 rows)" in found.violations
    assert lines(found)[-1].endswith("2 gates failed.")


def test_a_copy_through_a_dump_when_someone_else_is_connected(
    database: Database, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for variable, value in throwaway_image().items():
        monkeypatch.setenv(variable, value)
    before = database.fingerprint(history=True)
    with database.engine.connect() as other:
        other.exec_driver_sql("SELECT 1")  # a session of the application, connected to the source
        found = rehearse(shop / "alembic.ini", database.url, target=REWRITING)
        other.rollback()

    assert found.ok, "\n".join(lines(found))
    assert found.copy_method == "dump"
    assert "dumped and restored into a throwaway PostgreSQL" in lines(found)[0]
    assert tables_of_report(found, REWRITING)["public.orders"].rewritten
    assert database.fingerprint(history=True) == before


def test_a_dump_file_is_rehearsed_on_a_throwaway_server(
    database: Database, shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--dump FILE: the reader's own pg_dump (step 1 of the checklist), restored into a throwaway server."""
    for variable, value in throwaway_image().items():
        monkeypatch.setenv(variable, value)
    dump = tmp_path / "backup.sql"
    with dump.open("w") as out:
        subprocess.run(["pg_dump"], env=database.env, stdout=out, check=True)

    private = tmp_path / "tmp"  # this test's own temporary folder: other workers make throwaway servers too
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))

    found = rehearse(shop / "alembic.ini", dump=dump, target=REWRITING)

    assert found.ok, "\n".join(lines(found))
    assert [*private.glob("helpers-pg-*"), *private.glob("helpers-dump-*")] == []  # the server's and the dump's folders
    copied = f"Copy: backup.sql dumped and restored into a throwaway PostgreSQL {server().major} "
    assert lines(found)[0].startswith(copied)
    assert tables_of_report(found, REWRITING)["public.orders"].rows == 1000


def tables_of_report(found: Any, revision: str) -> dict[str, Any]:
    (report,) = [r for r in found.revisions if r.revision == revision]
    return {lock.table: lock for lock in report.tables}


def copies_of(database: Database) -> list[str]:
    like = f"rehearse\\_{database.name}\\_%"
    found = database.sql("SELECT datname FROM pg_database WHERE datname LIKE :like", like=like)
    return [str(name) for name in found.scalars()]


def test_the_copy_is_dropped_unless_kept(database: Database, shop: Path) -> None:
    rehearse(shop / "alembic.ini", database.alone(), target=REWRITING)
    assert copies_of(database) == []

    kept = rehearse(shop / "alembic.ini", database.alone(), target=REWRITING, keep=True, round_trip=False)

    (copy,) = copies_of(database)
    assert kept.kept is not None and copy in kept.kept
    assert f"Kept the copy: {kept.kept}" in lines(kept)
    server().drop_database(copy)


def test_nothing_pending(database: Database, shop: Path) -> None:
    assert database.alembic("upgrade", "head", cwd=shop).returncode == 0
    before = database.fingerprint(history=True)

    found = rehearse(shop / "alembic.ini", database.alone())

    assert found.ok and found.revisions == [] and found.round_trip is None
    assert lines(found)[2] == f"Nothing to run: the database is already at {CARELESS_REVISION}."
    assert database.fingerprint(history=True) == before



@pytest.mark.parametrize(
    ("start", "runs"), [(REWRITING, 2), (BRANCH, 1)], ids=["from the branch point", "from one branch's head"]
)
def test_two_heads_upgrade_and_go_round(database: Database, tmp_path: Path, start: str, runs: int) -> None:
    """``rehearse heads`` on a project with two heads: down each branch and up again, exit 0.

    From one branch's head, ``downgrade START`` would do nothing (START is still a head): the
    other branch's revision goes down on its own (``REV@-1``).
    """
    root = ordinary_project(tmp_path, branched=True)
    assert database.alembic("upgrade", start, cwd=root).returncode == 0
    before = database.fingerprint(history=True)

    result = helpers_cli(database, root, "rehearse", "heads")

    assert result.returncode == 0, result.output
    assert f"OK: {runs} revision" in result.output and "round trip ok" in result.output
    assert f"Round trip: downgrade to {start} gave back the schema" in result.output
    assert database.fingerprint(history=True) == before


def test_head_on_a_project_with_two_heads_is_one_sentence(database: Database, tmp_path: Path) -> None:
    root = ordinary_project(tmp_path, branched=True)
    result = cli("rehearse", cwd=root, env=database.env)
    assert (result.status, result.out) == (2, "")
    assert result.err == (
        "error: This project has 2 heads (a1d5e0b7c9f2, b4f8c2e6a0d3), so 'head' names none: "
        "use heads for all of them, or name one.\n"
    )


@pytest.fixture
def outside(database: Database, tmp_path: Path) -> Path:
    """The ordinary project with a revision that drops a foreign key and builds an index in autocommit_block()."""
    root = ordinary_project(tmp_path, autocommit=True)
    assert database.alembic("upgrade", REWRITING, cwd=root).returncode == 0
    database.sql(
        "INSERT INTO customers (id, name) SELECT g, 'customer ' || g FROM generate_series(1, 10) g;"
        "INSERT INTO orders (customer_id, amount) SELECT 1 + g % 10, g FROM generate_series(1, 1000) g"
    )
    return root


def test_locks_taken_outside_a_transaction_are_observed(database: Database, outside: Path) -> None:
    """DROP CONSTRAINT in autocommit_block() takes ACCESS EXCLUSIVE on both tables for a few ms: reported, gated."""
    before = database.fingerprint(history=True)

    found = rehearse(outside / "alembic.ini", database.alone(), max_lock=0.0)

    tables = tables_of_report(found, AUTOCOMMIT_REVISION)
    assert {name: (lock.mode, lock.outside_transaction) for name, lock in tables.items()} == {
        "public.customers": ("AccessExclusiveLock", True), "public.orders": ("AccessExclusiveLock", True)
    }
    dropped = [b for b in found.blockers if "DROP CONSTRAINT" in b.statement]
    assert {(b.table, b.blocks) for b in dropped} == {
        ("public.customers", "reads and writes"), ("public.orders", "reads and writes")
    }
    assert [v for v in found.violations if "DROP CONSTRAINT" in v] and not found.ok
    # A concurrent build lets its session lock go before the witness runs: seen by the poll, or "not observed".
    (concurrent,) = [s for s in found.statements if s.sql.startswith("CREATE INDEX CONCURRENTLY")]
    seen = {(lock.relation, lock.mode) for lock in concurrent.locks}
    assert ("public.orders", "ShareUpdateExclusiveLock") in seen if concurrent.observed else not seen
    assert database.fingerprint(history=True) == before


def test_locks_the_tracer_could_not_see_read_not_observed(database: Database, outside: Path) -> None:
    """Without the witness (a role that is not superuser) and with the poll too late, a short statement's locks read
    "not observed". The poll is made to see nothing: whether it catches a 2 ms statement depends on the machine's
    load (on a loaded one the DROP CONSTRAINT took 10 ms and the poll, every 2 ms, saw it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("helpers.tools.rehearse.run.install_witness", lambda conn: False)
        patch.setattr("helpers.tools.rehearse.trace._Poll._run", lambda poll: None)
        found = rehearse(outside / "alembic.ini", database.alone(), round_trip=False, max_lock=0.0)

    shown = lines(found)
    assert "  (no lock on a table)" not in shown
    assert any(line.startswith("  not observed: ") and "DROP CONSTRAINT" in line for line in shown), shown
    assert "outside a transaction not observed" in shown[-1]
    assert any("whose locks were not observed: ALTER TABLE orders DROP CONSTRAINT" in v for v in found.violations)


def test_max_lock_counts_a_plain_index_build_held_until_the_final_commit(database: Database, tmp_path: Path) -> None:
    """CREATE INDEX holds SHARE on orders (it blocks writes); the generic env.py runs every revision in one
    transaction, so the lock lasts until the commit after the last revision, and the gate says so."""
    root = ordinary_project(tmp_path)
    assert database.alembic("upgrade", "3f1c2a9b7d10", cwd=root).returncode == 0
    database.sql(
        "INSERT INTO customers (id, name) SELECT g, 'customer ' || g FROM generate_series(1, 10) g;"
        "INSERT INTO orders (customer_id, amount) SELECT 1 + g % 10, g FROM generate_series(1, 1000) g"
    )

    result = helpers_cli(database, root, "rehearse", REWRITING, "--max-lock", "0ms", "--json")

    assert result.returncode == 1, result.output
    report = json.loads(result.output)
    assert report["gates"]["max_lock_counts"] == ["SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"]
    (index,) = [b for b in report["blockers"] if b["statement"].startswith("CREATE INDEX ix_orders_customer_id")]
    assert (index["table"], index["lock"], index["blocks"], index["held_until"]) == (
        "public.orders", "SHARE", "writes", REWRITING
    )
    assert any(
        v.startswith("--max-lock 0ms: revision 8a4e6d2c1b05 holds SHARE (blocks writes) on public.orders (1000 rows)")
        and f"until the commit after {REWRITING}: CREATE INDEX ix_orders_customer_id" in v
        for v in report["gates"]["violations"]
    ), report["gates"]["violations"]


def test_json_names_each_lock_once_on_the_statement_that_took_it(database: Database, tmp_path: Path) -> None:
    """In one transaction every later statement still holds the earlier locks: the JSON does not repeat them."""
    root = ordinary_project(tmp_path, careless=True)
    assert database.alembic("upgrade", "3f1c2a9b7d10", cwd=root).returncode == 0

    result = helpers_cli(database, root, "rehearse", "--json", "--no-round-trip")

    report = json.loads(result.output)
    taken = [(lock["relation"], lock["lock"]) for s in report["statements"] for lock in s["locks"]]
    assert ("public.orders", "SHARE") in taken and ("public.orders", "ACCESS EXCLUSIVE") in taken
    assert len(taken) == len(set(taken)), taken


FAILING = '''"""divide by zero

Revision ID: f00dfacef00d
Revises: c7d93e4f0a21
"""
from alembic import op

revision = "f00dfacef00d"
down_revision = "c7d93e4f0a21"


def upgrade():
    op.execute("SELECT 1 / 0")


def downgrade():
    pass
'''


@pytest.mark.parametrize(
    ("per_revision", "left"),
    [(True, f"Production would be left at {REWRITING}: 2 revisions committed before the failure "
            f"(8a4e6d2c1b05, {REWRITING}); a rerun after the fix starts from there."),
     (False, "Production would stay at 3f1c2a9b7d10: nothing of this run is committed before the failure.")],
    ids=["a transaction per revision", "one transaction"],
)
def test_a_failed_rehearsal_says_where_and_where_production_would_be_left(
    database: Database, tmp_path: Path, per_revision: bool, left: str
) -> None:
    root = ordinary_project(tmp_path, per_revision=per_revision)
    (root / "migrations" / "versions" / "f00dfacef00d_divide_by_zero.py").write_text(FAILING)
    assert database.alembic("upgrade", "3f1c2a9b7d10", cwd=root).returncode == 0
    before = database.fingerprint(history=True)

    found = rehearse(root / "alembic.ini", database.alone())

    shown = lines(found)
    assert found.failure is not None and found.failure.revision == "f00dfacef00d"
    assert 'At migrations/versions/f00dfacef00d_divide_by_zero.py:13, in upgrade: op.execute("SELECT 1 / 0")' in shown
    assert left in shown
    assert database.fingerprint(history=True) == before


def test_a_message_of_several_lines_keeps_the_report_layout(database: Database, shop: Path) -> None:
    script = next((shop / "migrations" / "versions").glob(f"{REWRITING}_*.py"))
    text = script.read_text()
    message = "amounts become decimal\nsee ticket 42"
    script.write_text(text.replace("amounts in cents become decimal amounts", message, 1))

    shown = lines(rehearse(shop / "alembic.ini", database.alone(), target=REWRITING, round_trip=False))

    assert f"{REWRITING} amounts become decimal (2 statements, " in "\n".join(shown)
    assert not [line for line in shown if line.startswith("see ticket 42")]


ONE_WAY = '''"""orders.amount defaults to 0

Revision ID: 0e1a2b3c4d5f
Revises: c7d93e4f0a21
"""
from alembic import op

revision = "0e1a2b3c4d5f"
down_revision = "c7d93e4f0a21"


def upgrade():
    op.execute("ALTER TABLE orders ALTER COLUMN amount SET DEFAULT 0")


def downgrade():
    raise NotImplementedError("no way back")
'''


def test_locks_already_held_and_a_failing_downgrade_are_named(database: Database, shop: Path) -> None:
    """One transaction: the second revision needs ACCESS EXCLUSIVE on orders, held since the first; its downgrade
    fails, and the report names the line."""
    (shop / "migrations" / "versions" / "0e1a2b3c4d5f_one_way.py").write_text(ONE_WAY)
    (shop / "migrations" / "versions" / f"{CARELESS_REVISION}_add_customers_nickname.py").unlink()

    shown = lines(rehearse(shop / "alembic.ini", database.alone()))

    assert "  (no lock it took that an earlier revision of the transaction did not already hold: " in "\n".join(shown)
    assert "At migrations/versions/0e1a2b3c4d5f_one_way.py:17, in downgrade: " in "\n".join(shown)


def test_an_env_py_that_fails_before_any_revision_names_its_line(database: Database, tmp_path: Path) -> None:
    root = ordinary_project(tmp_path)
    env_py = root / "migrations" / "env.py"
    text = env_py.read_text()
    env_py.write_text(text.replace("if context.is_offline_mode():", 'raise RuntimeError("no settings")\n\n'
                                   "if context.is_offline_mode():", 1))
    line = env_py.read_text().splitlines().index('raise RuntimeError("no settings")') + 1

    shown = lines(rehearse(root / "alembic.ini", database.alone()))

    assert f'At migrations/env.py:{line}, in <module>: raise RuntimeError("no settings")' in shown


def test_an_env_py_that_calls_connect_on_the_connection_it_is_handed(database: Database, shop: Path) -> None:
    """JupyterHub's env.py: ``config.attributes.get('connection')`` or its own engine, then ``.connect()`` on it."""
    env_py = shop / "migrations" / "env.py"
    text = env_py.read_text()
    own_engine = "    connectable = engine_from_config("
    assert own_engine in text
    env_py.write_text(text.replace(
        own_engine, '    connectable = config.attributes.get("connection") or engine_from_config(', 1))

    found = rehearse(shop / "alembic.ini", database.alone(), target=REWRITING)

    assert found.ok, "\n".join(lines(found))
