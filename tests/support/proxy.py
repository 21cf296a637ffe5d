"""A small TCP proxy for tests: listens on 127.0.0.1, forwards to a PostgreSQL server, cuts on demand.

``cut()`` closes both sockets of every connection it carries, the way a dropped VPN, a load
balancer's idle timeout or a failed-over address cuts a migration's connection: the client sees
the server go away, and the server sees the client go away. Loopback only; threads are daemons and
every loop ends when the proxy closes.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from pathlib import Path
from types import TracebackType

Target = Path | tuple[str, int]


class Proxy:
    """Forward ``127.0.0.1:<port>`` to ``target``: a unix socket path or a ``(host, port)`` pair."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self.connections = 0

    @property
    def port(self) -> int:
        return int(self._listener.getsockname()[1])

    def __enter__(self) -> Proxy:
        self._spawn(self._accept)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def cut(self) -> int:
        """Close both sides of every open connection; returns how many connections were cut."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        return len(sockets) // 2

    def close(self) -> None:
        """Stop listening, cut what is open, and wait (bounded) for the threads to end."""
        self._closed.set()
        self._listener.close()
        self.cut()
        for thread in self._threads:
            thread.join(timeout=2)

    def _spawn(self, target: object, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)  # type: ignore[arg-type]
        thread.start()
        self._threads.append(thread)

    def _connect(self) -> socket.socket:
        if isinstance(self.target, Path):
            upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            upstream.connect(str(self.target))
            return upstream
        return socket.create_connection(self.target, timeout=5)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # the listener was closed
            client.settimeout(None)
            upstream = self._connect()
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
                self.connections += 1
            self._spawn(self._pump, client, upstream)
            self._spawn(self._pump, upstream, client)

    @staticmethod
    def _pump(source: socket.socket, destination: socket.socket) -> None:
        while True:
            try:
                data = source.recv(65536)
                if not data:
                    break
                destination.sendall(data)
            except OSError:
                break
        for sock in (source, destination):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
