"""Under gunicorn with two worker processes (deploy/gunicorn.conf.py) and
PROMETHEUS_MULTIPROC_DIR, every scrape gives the same totals, whichever worker answers it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
TOKEN = "gunicorn-supervision-token-" + "y" * 20
HEALTH_COUNT = re.compile(
    r'^django_http_requests_latency_seconds_by_view_method_count\{method="GET",'
    r'view="operations:health"\} (\S+)$',
    re.MULTILINE,
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port}")


def get(port: int, path: str, token: str = "") -> str:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            return str(answer.read().decode())
    except urllib.error.HTTPError as error:  # /sante/ may be 503 here: counted all the same
        return str(error.read().decode())


def test_two_workers_counts_add_up_in_every_scrape(tmp_path: Path) -> None:
    port = free_port()
    metrics_dir = tmp_path / "metrics"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "urne.settings",
            "URNE_DATA_DIR": str(tmp_path / "data"),
            "URNE_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "URNE_METRICS_TOKEN": TOKEN,
        }
    )
    metrics_dir.mkdir()
    (metrics_dir / "counter_1.db").write_bytes(b"stale")  # an earlier run's: removed at start
    server = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(REPOSITORY / "deploy" / "gunicorn.conf.py"),
            "urne.wsgi:application",
        ],
        env=env,
        cwd=REPOSITORY,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(port)
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda _n: get(port, "/sante/"), range(40)))
        scrapes = [get(port, "/metrics", TOKEN) for _ in range(6)]
        files = {path.name for path in metrics_dir.glob("counter_*.db")}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    counts = {float(HEALTH_COUNT.search(text).group(1)) for text in scrapes}  # type: ignore[union-attr]
    assert counts == {40.0}
    assert "counter_1.db" not in files
    assert len(files) == 2  # one file per worker: both served and both are read
