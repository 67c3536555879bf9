"""Services of the tests' own, on free ports, that a test may stop and start: never the machine's
shared PostgreSQL or Redis."""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing, suppress
from http.cookiejar import CookieJar
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
    """A PostgreSQL cluster of the test's own (initdb and pg_ctl, as the postgres user), in a
    folder of its own that user can reach."""

    def __init__(self):
        if not (POSTGRES_BIN / "initdb").exists():
            pytest.skip(f"PostgreSQL's binaries are not in {POSTGRES_BIN}")
        if os.geteuid() != 0 and not os.access(POSTGRES_BIN / "pg_ctl", os.X_OK):
            pytest.skip("pg_ctl cannot be run here")
        self.directory = Path(tempfile.mkdtemp(prefix="magazine-postgres-"))
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command):
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, timeout=60)

    def create(self):
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        data = self.directory / "data"
        self._run(str(POSTGRES_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
        return self

    def start(self):
        data = self.directory / "data"
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        log = str(self.directory / "postgres.log")  # not our pipes, which it would hold open
        self._run(
            str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start"
        )
        return self

    def stop(self):
        data = self.directory / "data"
        self._run(str(POSTGRES_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    def close(self):
        with suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Behind a load balancer every server sees the site's one public name, whatever its own address.
PUBLIC_HOST = "magazine.test"


def production_env(**overrides):
    """The environment of an app server with production settings (HTTP, for the tests)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_URL"))},
        "DJANGO_SETTINGS_MODULE": "magazine.settings",
        "DEBUG": "false",
        "SECRET_KEY": "app-server-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": f"{PUBLIC_HOST},127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "TASK_BACKEND": "immediate",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "ERROR",
        "EDITIONS_ROOT": tempfile.mkdtemp(prefix="editions-"),  # the demo's PDFs, not the repo's
        **overrides,
    }


def manage(env, *command, timeout=300):
    """`python manage.py …` as another process would run it (a deploy, an operator)."""
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


class AppServers:
    """`count` gunicorn processes of one worker each, on one database and cache."""

    def __init__(self, env, count=2):
        self.env = env
        self.ports = [free_port() for _ in range(count)]
        self.processes = []

    def start(self):
        for port in self.ports:
            command = ["gunicorn", "magazine.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}",
                       "--log-level", "warning"]  # fmt: skip
            self.processes.append(
                subprocess.Popen([sys.executable, "-m", *command], cwd=ROOT, env=self.env)
            )
        for port in self.ports:
            wait_for_port(port, seconds=60)
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def close(self):
        for process in self.processes:
            process.terminate()
            process.wait(timeout=30)


class Browser:
    """Just enough of a browser behind the load balancer: the public host name, cookies, forms
    with their CSRF token."""

    def __init__(self):
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, url, data=None):
        """(status, body) of a GET (or a POST of `data`), errors included."""
        encoded = None if data is None else urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(url, encoded, headers={"Host": PUBLIC_HOST})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, url):
        return self.open(url)[1]

    def post(self, url, data, *, form_page=None):
        html = self.get(form_page or url)
        return self.open(url, {"csrfmiddlewaretoken": TOKEN.search(html).group(1), **data})[1]

    def log_in(self, server, email, password):
        return self.post(
            f"{server}/accounts/login/",
            {"login": email, "password": password, "next": "/accounts/"},
        )
