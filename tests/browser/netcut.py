"""A TCP proxy between the browser and the app that a test can cut and restore: a real connection drop.

Playwright's ``context.set_offline(True)`` leaves an open websocket alone, so
it cannot show what a dropped mobile connection does to Streamlit. Here the
browser talks to the proxy; :meth:`NetCut.cut` closes every open connection
(the websocket included) and refuses new ones until :meth:`NetCut.restore`.
"""

from __future__ import annotations

import socket
import threading


class NetCut:
    """Forward ``127.0.0.1:<port>`` to ``127.0.0.1:<target_port>`` until stopped."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://localhost:{self.port}"
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._down = False
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                refuse = self._down
            if refuse:
                _close(client)
                continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with self._lock:
                    self._open.discard(s)
                _close(s)

    def cut(self) -> None:
        """Drop every open connection and refuse new ones (as when a tablet loses the network)."""
        with self._lock:
            self._down = True
            sockets, self._open = list(self._open), set()
        for s in sockets:
            _close(s)

    def restore(self) -> None:
        """Accept connections again."""
        with self._lock:
            self._down = False

    def stop(self) -> None:
        self._stopped = True
        self.cut()
        _close(self._listener)


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass
