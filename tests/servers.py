"""Services of the tests' own, on free ports, that a test may stop and start: never the machine's
shared PostgreSQL or Redis."""

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import closing, suppress
from pathlib import Path

import pytest

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port():
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port, *, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing answers on port {port}")


class RedisServer:
    """A redis-server of the test's own, keeping nothing on disk."""

    def __init__(self):
        if not shutil.which("redis-server"):
            pytest.skip("redis-server is not installed (CI installs it: scripts/ensure-redis)")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for_port(self.port)
        return self

    def stop(self):
        """Stop it: it comes back empty, as a Redis that keeps nothing on disk does."""
        self.process.terminate()
        self.process.wait(timeout=10)

    def pause(self):
        """Freeze it: it stops answering, and when it is resumed it still holds what it held."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def close(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.stop()


class PostgresServer:
    """A PostgreSQL cluster of the test's own (initdb and pg_ctl, as the postgres user)."""

    def __init__(self, directory):
        if not (POSTGRES_BIN / "initdb").exists():
            pytest.skip(f"PostgreSQL's binaries are not in {POSTGRES_BIN}")
        if os.geteuid() != 0 and not os.access(POSTGRES_BIN / "pg_ctl", os.X_OK):
            pytest.skip("pg_ctl cannot be run here")
        self.directory = Path(directory)
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command):
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, timeout=60)

    def create(self):
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = self.directory / "data"
        self._run(str(POSTGRES_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        return self

    def start(self):
        data = self.directory / "data"
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start")
        return self

    def stop(self):
        data = self.directory / "data"
        self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    def close(self):
        with suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
