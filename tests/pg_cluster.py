"""A throwaway PostgreSQL/PostGIS cluster for the tests: initdb, pg_ctl on a private socket, dropped at the end.

Debian's ``postgresql-15`` and ``postgresql-15-postgis-3`` provide the binaries
(``.ci/run`` installs them). The cluster listens on a Unix socket in a temporary
folder only (``listen_addresses=''``), runs as the ``postgres`` user when the
tests run as root (PostgreSQL refuses root), with ``fsync=off`` (it is thrown
away). Where no server can be started the PostGIS tests skip with the reason,
except when ``CI=true``: then they must run.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

PG_BIN_DIRS = [Path(f"/usr/lib/postgresql/{v}/bin") for v in (17, 16, 15, 14)]
INSTALL_HINT = "install with: apt-get install -y postgresql-15 postgresql-15-postgis-3"


def pg_bin() -> Path | None:
    """The folder holding initdb and pg_ctl, if PostgreSQL is installed."""
    env = os.environ.get("ONEMAP_TEST_PG_BIN")
    for d in ([Path(env)] if env else []) + PG_BIN_DIRS:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


def _skip_or_fail(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostGIS tests must run in CI: {reason}")
    pytest.skip(reason)


class Cluster:
    """One running cluster; :meth:`url` gives a database URL, :meth:`new_database` a fresh database."""

    def __init__(self, bin_dir: Path, root: Path, port: int = 55433):
        self.bin = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = port
        self._as_postgres = os.geteuid() == 0
        self._n = 0

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = list(args)
        if self._as_postgres:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        if self._as_postgres:
            uid = pwd.getpwnam("postgres").pw_uid
            os.chown(self.root, uid, -1)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "--no-locale", "-E", "UTF8")
        opts = f"-k {self.root} -c listen_addresses='' -p {self.port} -c fsync=off -c synchronous_commit=off " \
               "-c max_connections=200"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-l", str(self.root / "server.log"),
                  "-w", "-t", "60", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop", check=False)

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@/{database}?host={self.root}&port={self.port}"

    def copy_database(self, url: str, prefix: str = "c") -> str:
        """A new database copied from the one at ``url`` (PostgreSQL's ``TEMPLATE``; nothing may be connected to it)."""
        import psycopg

        self._n += 1
        source = url.split("/")[3].split("?")[0]
        name = f"{prefix}{self._n}_{int(time.time() * 1000) % 100000}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.split("/")[3].split("?")[0]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def new_database(self, prefix: str = "t", postgis: bool = True) -> str:
        """A new empty database (with PostGIS), returned as a URL for the superuser ``postgres``."""
        import psycopg

        self._n += 1
        name = f"{prefix}{self._n}_{int(time.time() * 1000) % 100000}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        if postgis:
            with psycopg.connect(self.url(name), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)


def start_cluster() -> tuple[Cluster, Path]:
    """Start a cluster in a new temporary folder (skip or fail with the reason when that is impossible)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _skip_or_fail("the Python package psycopg is not installed: pip install -r requirements.txt")
    bin_dir = pg_bin()
    if bin_dir is None:
        _skip_or_fail(f"PostgreSQL is not installed; {INSTALL_HINT}")
    if not any(Path(f"/usr/share/postgresql/{v}/extension/postgis.control").exists() for v in (17, 16, 15, 14)):
        _skip_or_fail(f"PostGIS is not installed; {INSTALL_HINT}")
    root = Path(tempfile.mkdtemp(prefix="onemap-pg-"))
    os.chmod(root, 0o755)
    with socket.socket() as sock:  # a port number for the socket file's name (nothing listens on TCP)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cluster = Cluster(bin_dir, root, port=port)
    try:
        cluster.start()
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        shutil.rmtree(root, ignore_errors=True)
        _skip_or_fail(f"could not start a PostgreSQL cluster: {detail.strip()[:400]}")
    return cluster, root
