"""The app started as the README starts it (``streamlit run app.py``), for the browser tests and benchmarks.

On a free port with its own store and log, stopped by process group; and the
streamlit-folium frame of its map once Leaflet is in it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]

__all__ = ["AppServer", "free_port", "map_frame"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """``streamlit run APP`` on a free port; ``url`` once it answers its health check; :meth:`stop` ends it.

    Parameters
    ----------
    store : path, optional
        The store it opens (``ONEMAP_STORE``); None leaves the environment's.
    log : path
        Where its output goes.
    env : dict, optional
        More environment variables.
    app, cwd : path
        The script and its working folder (default the project's ``app.py``).
    timeout : float
        Seconds to wait for it to answer.
    prefix : sequence of str
        A command the server is run under (e.g. ``unshare -m sh -c SCRIPT sh``).
    options : sequence of str
        More ``streamlit run`` options (e.g. ``--server.maxMessageSize 2000``).
    """

    def __init__(self, store: Path | None, log: Path, env: dict | None = None, *, app: Path = ROOT / "app.py",
                 cwd: Path = ROOT, timeout: float = 60, prefix: Sequence[str] = (), options: Sequence[str] = ()):
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **({"ONEMAP_STORE": str(store)} if store else {}),
               **(env or {})}
        self.log = open(log, "w")
        self.proc = subprocess.Popen(
            [*prefix, sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(self.port),
             "--server.headless", "true", "--browser.gatherUsageStats", "false", "--server.address", "127.0.0.1",
             *options],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        try:
            self._wait(timeout)
        except RuntimeError:
            self.stop()
            raise

    def _wait(self, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"streamlit did not answer on {self.url} in {timeout:.0f} s; see {self.log.name}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        """End it and its children (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def map_frame(page, timeout_s: float = 45):
    """The streamlit-folium iframe once its Leaflet map exists."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        for frame in page.frames:
            try:
                if frame.evaluate("() => !!(window.map && window.map.getZoom)"):
                    return frame
            except Exception:  # noqa: BLE001 - frames come and go while Streamlit renders
                pass
        time.sleep(0.3)
    raise AssertionError("the map iframe never got a Leaflet map")
