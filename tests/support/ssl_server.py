"""A PostgreSQL server with SSL, for the one scenario the embedded server cannot run (it has no SSL).

Debian's PostgreSQL 15 packages put their binaries in /usr/lib/postgresql/15/bin. They refuse to
run as root, so as root they run as the ``postgres`` user through ``runuser``. The certificate is
self-signed (``openssl req -x509``), made fresh in the data directory. Loopback only.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
USER = "postgres"


def unavailable() -> str | None:
    """Why the SSL server cannot run here, or None when it can."""
    if not (BIN / "initdb").exists():
        return f"no PostgreSQL with SSL at {BIN} (the embedded server is built without SSL)"
    if shutil.which("openssl") is None:
        return "openssl is not installed, so no certificate for the SSL server"
    if os.geteuid() == 0 and (shutil.which("runuser") is None or _uid(USER) is None):
        return f"running as root, and no runuser or no {USER!r} user to run {BIN}/postgres as"
    return None


def _uid(user: str) -> int | None:
    import pwd

    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class SslServer:
    port: int
    user: str

    def url(self, database: str, port: int | None = None) -> str:
        """A libpq-style URL over TCP that requires SSL (``port`` for a proxy in front)."""
        return f"postgresql://{self.user}@127.0.0.1:{port or self.port}/{database}?sslmode=require"

    def env(self, database: str) -> dict[str, str]:
        """PG* variables, DATABASE_URL, and PATH with this server's client tools first (built with SSL)."""
        return {
            "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
            "PGHOST": "127.0.0.1", "PGPORT": str(self.port), "PGUSER": self.user, "PGDATABASE": database,
            "PGSSLMODE": "require", "DATABASE_URL": self.url(database),
        }


@contextmanager
def ssl_server() -> Iterator[SslServer]:
    """Start a throwaway SSL server (trust authentication on 127.0.0.1); stop and delete it after."""
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", USER, "--"] if as_root else []
    owner = USER if as_root else None
    top = Path(tempfile.mkdtemp(prefix="mrp-ssl-"))
    data, port = top / "data", _free_port()
    if owner:
        shutil.chown(top, owner)

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, timeout=60)

    try:
        run(str(BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        run(
            "openssl", "req", "-x509", "-nodes", "-newkey", "rsa:2048", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-keyout", str(data / "server.key"), "-out", str(data / "server.crt"),
        )
        options = f"-p {port} -k {top} -c listen_addresses=127.0.0.1 -c ssl=on -c fsync=off"
        run(str(BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(top / "log"), "-w", "-t", "30", "start")
        try:
            yield SslServer(port, "postgres")
        finally:
            run(str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(top, ignore_errors=True)
