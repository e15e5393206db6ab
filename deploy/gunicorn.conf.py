"""gunicorn's configuration for urne's web servers (docs/deployment.md).

    gunicorn -c deploy/gunicorn.conf.py urne.wsgi:application

Every value can be changed from the environment without editing this file:

- `URNE_BIND` (default `127.0.0.1:8000`): where gunicorn listens; the reverse proxy in front of
  it (TLS) forwards there.
- `WEB_CONCURRENCY` (gunicorn's own variable): worker processes. Default: two per core this
  process may run on. The work of a request is mostly the crypto core's check of a ballot, pure
  computation holding one core: more processes than cores only queue inside the machine, but a
  few more cover the time each request waits for PostgreSQL (docs/benchmarks.md, « Urne :
  bulletins par seconde »).
- `URNE_GUNICORN_TIMEOUT` (default 30 s): a worker silent that long is killed and replaced.
- `URNE_GUNICORN_MAX_REQUESTS` (default 0: never): replace a worker after that many requests.
- `PROMETHEUS_MULTIPROC_DIR`: the folder where the workers keep their metrics (below).

Sync workers: one request at a time per process, which is what a CPU-bound request wants.
The proxy buffers the slow clients, so that a worker never waits for a client's network.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


bind = os.environ.get("URNE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores())
worker_class = "sync"
timeout = int(os.environ.get("URNE_GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
max_requests = int(os.environ.get("URNE_GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The backlog of connections waiting for a worker: a burst of voters queues here.
backlog = 2048
# Behind the proxy only: it sets X-Forwarded-Proto (trusted by urne in production) and the
# client's address (URNE_RATELIMIT_IP_META_KEY).
forwarded_allow_ips = os.environ.get("URNE_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None
errorlog = "-"
loglevel = "warning"


# Prometheus' multiprocess mode (docs/supervision.md): with PROMETHEUS_MULTIPROC_DIR set (one
# folder per gunicorn server, on local disk, that the workers may write), each worker keeps its
# counters in files there and /metrics adds them up, whichever worker answers.
def on_starting(server: object) -> None:
    """The files of an earlier run go: the counters start from zero with the server, as
    Prometheus' rate() expects of a restart."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server: object, worker: Any) -> None:
    """A worker replaced: its counters stay counted; its live gauges, if any, go."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]
