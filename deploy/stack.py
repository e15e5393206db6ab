"""urne's production stack on one machine, on loopback: `make stack`, `make stack-stop`.

    .venv/bin/python deploy/stack.py start     # or: make stack
    .venv/bin/python deploy/stack.py status
    .venv/bin/python deploy/stack.py stop      # or: make stack-stop

What runs (docs/deployment.md, « The stack on one machine »), each process in a session of its
own, its log in var/stack/logs/:

- PostgreSQL: the server of URNE_STACK_DATABASE_URL (default: the local server on
  127.0.0.1:5432, database `urne_stack`, made at first start), through Django's connection
  pool (URNE_DB_POOL_SIZE);
- Redis of the stack's own (redis-server on a free port, append-only file in var/stack/redis/):
  the cache, the sessions' cache, the rate limits (database 0) and Celery's broker (database 1);
- two web nodes: gunicorn with deploy/gunicorn.conf.py, URNE_PRODUCTION=1 (urne.wsgi runs the
  production checks: a node that fails them does not start);
- one Celery worker (default queue: mailings, receipts, imports);
- HAProxy (deploy/haproxy.cfg) in front, on 127.0.0.1:8080 (URNE_STACK_PORT), with the answer
  « Le service est très sollicité » beyond capacity (deploy/busy.html).

The secrets (Django's secret key, the pseudonyms' key, the metrics token) are drawn at the
first start into var/stack/secrets/ (mode 600, git-ignored with var/) and read by the processes
through URNE_SECRET_KEY_FILE, URNE_PSEUDONYM_KEY_FILE and URNE_METRICS_TOKEN_FILE; they are
kept between starts, since sessions and the ballot box's pseudonyms depend on them. Mail goes
to files (var/stack/data/mail/): there is no SMTP relay on loopback.

The tests (tests/operations/) drive the same class, `Stack`, against a PostgreSQL of their own.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPOSITORY = Path(__file__).resolve().parents[1]
DEPLOY = REPOSITORY / "deploy"
BIN = Path(sys.executable).parent
DEFAULT_FOLDER = REPOSITORY / "var" / "stack"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/urne_stack"
NODES = ("web1", "web2")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(
    port: int, timeout: float = 120, process: subprocess.Popen[bytes] | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackError(f"the process meant to listen on {port} ended ({process.returncode})")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise StackError(f"nothing listens on port {port} after {timeout:.0f} s")


class StackError(Exception):
    """The stack could not start: the message says which part and where its log is."""


@dataclass
class Settings:
    """What a stack is made of; every field has the value `make stack` uses."""

    folder: Path = DEFAULT_FOLDER
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 8080
    web_workers: int = 2
    """gunicorn workers per node (WEB_CONCURRENCY)."""
    pool_size: int = 2
    """Connections each process's pool keeps at most (a sync worker uses one at a time)."""
    max_queue: int = 32
    """Requests waiting in HAProxy beyond which the overload answer is given at once: about
    1.5 s of waiting at the 20 requests a second two nodes serve on 2 loaded cores."""
    queue_timeout: float = 5.0
    """Seconds a request may wait in HAProxy's queue before the overload answer."""
    retry_after: int = 10
    """The seconds said in the overload answer (Retry-After and the page)."""
    extra_env: Mapping[str, str] = field(default_factory=dict)
    """More settings for every process (e.g. the rate limits of a test)."""


class Stack:
    """The processes of one stack; its state (ports, process ids) in FOLDER/run/state.json, so
    that `stop` finds them from another command."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.folder = settings.folder
        self.state_file = self.folder / "run" / "state.json"
        self.state: dict[str, object] = {}
        if self.state_file.exists():
            self.state = json.loads(self.state_file.read_text())

    # --- paths, ports, environment ------------------------------------------------------------

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def mail(self) -> Path:
        return self.data / "mail"

    def _ports(self) -> dict[str, int]:
        ports = self.state.get("ports")
        if isinstance(ports, dict):
            return {str(k): int(v) for k, v in ports.items()}
        chosen = {
            "lb": self.settings.port or free_port(),
            "redis": free_port(),
            **{node: free_port() for node in NODES},
        }
        self.state["ports"] = chosen
        return chosen

    @property
    def ports(self) -> dict[str, int]:
        return self._ports()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['lb']}"

    def _secret(self, name: str, length: int) -> Path:
        folder = self.folder / "secrets"
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o700)
        path = folder / name
        if not path.exists():
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_urlsafe(length))
        return path

    def env(self) -> dict[str, str]:
        """urne's production settings for every process of the stack."""
        keep = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("URNE_", "DJANGO_", "CELERY_", "DATABASE_", "REDIS_", "WEB_"))
        }
        redis = f"redis://127.0.0.1:{self.ports['redis']}"
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "urne.settings",
            "URNE_PRODUCTION": "1",
            "URNE_SECRET_KEY_FILE": str(self._secret("secret_key", 50)),
            "URNE_PSEUDONYM_KEY_FILE": str(self._secret("pseudonym_key", 32)),
            # The supervision's token (docs/supervision.md): /metrics and /sante/'s details.
            "URNE_METRICS_TOKEN_FILE": str(self._secret("metrics_token", 32)),
            "URNE_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "URNE_SITE_URL": f"https://127.0.0.1:{self.ports['lb']}",
            "URNE_DATA_DIR": str(self.data),
            "DATABASE_URL": self.settings.database_url,
            "URNE_DB_POOL_SIZE": str(self.settings.pool_size),
            "REDIS_URL": f"{redis}/0",
            "CELERY_BROKER_URL": f"{redis}/1",
            "URNE_RATELIMIT_IP_META_KEY": "HTTP_X_REAL_IP",
            # No SMTP relay on loopback: the messages are files, one per message.
            "URNE_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "URNE_LOG_LEVEL": "WARNING",
            **self.settings.extra_env,
        }

    # --- processes ----------------------------------------------------------------------------

    def _spawn(
        self, name: str, command: list[str], env: Mapping[str, str]
    ) -> subprocess.Popen[bytes]:
        self.logs.mkdir(parents=True, exist_ok=True)
        with (self.logs / f"{name}.log").open("ab") as log:
            started = subprocess.Popen(  # noqa: S603 - our own programs and arguments
                command,
                env=dict(env),
                cwd=REPOSITORY,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._pids()[name] = started.pid
        self._save()
        return started

    def _save(self) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(self.state, indent=1))

    def _pids(self) -> dict[str, int]:
        pids = self.state.setdefault("pids", {})
        if not isinstance(pids, dict):
            raise StackError(f"{self.state_file}: unreadable state")
        return pids

    def pid(self, name: str) -> int | None:
        value = self._pids().get(name)
        return int(value) if value is not None else None

    def alive(self, name: str) -> bool:
        pid = self.pid(name)
        if pid is None:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        # A process of ours that ended but was not waited for yet is a zombie: not alive.
        try:
            return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
        except (OSError, IndexError):
            return False

    def signal(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send `sig` to the process group of `name` (the process and its children: gunicorn's
        workers, Celery's pool)."""
        pid = self.pid(name)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, sig)

    def kill(self, name: str) -> None:
        """SIGKILL to `name` and its children, as a machine lost: nothing runs its shutdown."""
        pid = self.pid(name)
        self.signal(name, signal.SIGKILL)
        if pid is not None:
            deadline = time.monotonic() + 10
            while self._group_alive(pid) and time.monotonic() < deadline:
                self._reap(pid)
                time.sleep(0.05)
            self._reap(pid)

    def end(self, name: str, timeout: float = 30) -> None:
        """Stop `name` (SIGTERM, SIGKILL after `timeout` seconds) and forget it."""
        pid = self.pid(name)
        if pid is None:
            return
        self.signal(name, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self._group_alive(pid):
            self._reap(pid)
            time.sleep(0.2)
        if self._group_alive(pid):
            self.signal(name, signal.SIGKILL)
            time.sleep(0.5)
        self._reap(pid)
        self._pids().pop(name, None)
        self._save()

    @staticmethod
    def _reap(pid: int) -> None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True

    def _urne(self, *args: str) -> None:
        done = subprocess.run(  # noqa: S603 - our own command
            [str(BIN / "urne"), *args],
            env=self.env(),
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise StackError(f"urne {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    # --- the parts ----------------------------------------------------------------------------

    def ensure_database(self) -> None:
        """Make the stack's database if its server does not have it (never drops one)."""
        import psycopg

        parts = urlsplit(self.settings.database_url)
        name = parts.path.lstrip("/")
        admin = parts._replace(path="/postgres").geturl()
        with psycopg.connect(admin, autocommit=True) as connection:
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')

    def start_redis(self) -> None:
        folder = self.folder / "redis"
        folder.mkdir(parents=True, exist_ok=True)
        port = self.ports["redis"]
        redis = self._spawn(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--dir",
                str(folder),
                "--save",
                "",
                # The broker's messages survive a restart of Redis.
                "--appendonly",
                "yes",
            ],
            os.environ,
        )
        wait_for_port(port, 30, redis)

    def start_node(self, node: str) -> None:
        env = {
            **self.env(),
            "URNE_BIND": f"127.0.0.1:{self.ports[node]}",
            # Prometheus' multiprocess folder, one per gunicorn server (emptied at its start).
            "PROMETHEUS_MULTIPROC_DIR": str(self.folder / "run" / f"metrics-{node}"),
            "WEB_CONCURRENCY": str(self.settings.web_workers),
        }
        gunicorn = [
            str(BIN / "gunicorn"),
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "--name",
            f"urne-{node}",
            "urne.wsgi:application",
        ]
        wait_for_port(self.ports[node], 120, self._spawn(node, gunicorn, env))

    def start_worker(self) -> None:
        self._spawn(
            "celery",
            [
                str(BIN / "celery"),
                "-A",
                "urne",
                "worker",
                "--queues",
                "celery",
                "--concurrency",
                "1",
                "--hostname",
                f"urne-stack-{os.getpid()}@%h",
                "--loglevel",
                "WARNING",
            ],
            self.env(),
        )

    def busy_page(self) -> Path:
        """The overload answer as HAProxy sends it: status line, headers, the French page."""
        seconds = self.settings.retry_after
        body = (
            (DEPLOY / "busy.html")
            .read_text(encoding="utf-8")
            .replace("{retry_after}", str(seconds))
            .encode()
        )
        head = (
            "HTTP/1.1 503 Service Unavailable\r\n"
            f"Retry-After: {seconds}\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            f"Content-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        path = self.folder / "run" / "busy.http"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(head + body)
        return path

    def start_balancer(self) -> None:
        env = {
            **os.environ,
            "URNE_LB_BIND": f"127.0.0.1:{self.ports['lb']}",
            "URNE_WEB1": f"127.0.0.1:{self.ports['web1']}",
            "URNE_WEB2": f"127.0.0.1:{self.ports['web2']}",
            "URNE_WEB_MAXCONN": str(self.settings.web_workers),
            "URNE_LB_MAX_QUEUE": str(self.settings.max_queue),
            "URNE_LB_QUEUE_TIMEOUT": f"{int(self.settings.queue_timeout * 1000)}ms",
            "URNE_LB_BUSY_PAGE": str(self.busy_page()),
        }
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        if not Path(haproxy).exists():
            raise StackError("HAProxy is missing: `make deps` installs Debian's haproxy")
        config = str(DEPLOY / "haproxy.cfg")
        checked = subprocess.run(  # noqa: S603
            [haproxy, "-c", "-q", "-f", config],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if checked.returncode:
            raise StackError(f"deploy/haproxy.cfg refused:\n{checked.stdout}{checked.stderr}")
        # -db: in the foreground, so that this process id is HAProxy's own.
        wait_for_port(
            self.ports["lb"], 30, self._spawn("haproxy", [haproxy, "-db", "-f", config], env)
        )

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the balancer serves the login page (a node seen healthy by its check)."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/compte/connexion/", timeout=10) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError) as failure:
                last = str(failure)
            time.sleep(0.5)
        raise StackError(f"the balancer does not serve the login page: {last}")

    def start(self) -> None:
        if any(self.alive(name) for name in self._pids()):
            raise StackError(f"a stack already runs from {self.folder}: stop it first")
        self.state = {"ports": self.state.get("ports")} if self.state.get("ports") else {}
        self._ports()
        for sub in ("logs", "data", "run"):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        try:
            self.ensure_database()
            self.start_redis()
            self._urne("migrate", "--noinput")
            self._urne("collectstatic", "--noinput", "--verbosity", "0")
            for node in NODES:
                self.start_node(node)
            self.start_worker()
            self.start_balancer()
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Everything this stack started, by process id: the balancer first, Redis last."""
        for name in ("haproxy", *NODES, "celery", "redis"):
            self.end(name)
        for name in list(self._pids()):
            self.end(name)

    def status(self) -> dict[str, bool]:
        return {name: self.alive(name) for name in self._pids()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="urne's production stack on loopback")
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument(
        "--folder", type=Path, default=Path(os.environ.get("URNE_STACK_DIR", DEFAULT_FOLDER))
    )
    options = parser.parse_args(argv)
    settings = Settings(
        folder=options.folder,
        database_url=os.environ.get("URNE_STACK_DATABASE_URL", DEFAULT_DATABASE_URL),
        port=int(os.environ.get("URNE_STACK_PORT", "8080")),
        web_workers=int(os.environ.get("URNE_STACK_WEB_WORKERS", "2")),
        max_queue=int(os.environ.get("URNE_STACK_MAX_QUEUE", "32")),
    )
    stack = Stack(settings)
    if options.action == "start":
        try:
            stack.start()
        except StackError as problem:
            print(f"The stack did not start: {problem}\nLogs: {stack.logs}", file=sys.stderr)
            return 1
        print(f"urne's stack runs: {stack.url}/ (logs in {stack.logs}; `make stack-stop` stops it)")
        for name, alive in stack.status().items():
            print(f"  {name}: pid {stack.pid(name)}{'' if alive else ' (ended!)'}")
    elif options.action == "stop":
        stack.stop()
        print("urne's stack is stopped.")
    else:
        for name, alive in stack.status().items():
            print(f"{name}: {'running' if alive else 'ended'} (pid {stack.pid(name)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
