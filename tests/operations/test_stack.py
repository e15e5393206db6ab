"""The production stack, started by the one command's code (deploy/stack.py, `make stack`): a
voter logs in and votes through the load balancer, and any web node serves their session."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.operations.stack_client import (
    Browser,
    archive_trackers,
    needs_stack,
    private_stack,
    scenario,
)

pytestmark = [pytest.mark.slow, needs_stack]


def test_a_voter_logs_in_and_votes_through_the_load_balancer(tmp_path: Path) -> None:
    with private_stack(tmp_path / "stack") as (stack, _):
        pids = [stack.pid(name) for name in ("haproxy", "web1", "web2", "celery", "redis")]
        assert all(stack.alive(name) for name in ("haproxy", "web1", "web2", "celery", "redis"))
        # Production mode: each node ran urne's production checks at start (urne.wsgi) and
        # serves; the secrets were drawn into the stack's folder, readable by its owner only.
        for name in ("secret_key", "pseudonym_key"):
            mode = (stack.folder / "secrets" / name).stat().st_mode
            assert stat.S_IMODE(mode) == 0o600
        assert stack.env()["URNE_PRODUCTION"] == "1"
        prepared = scenario(stack, "prepare", "1", "0")
        voter = prepared["voters"][0]
        browser = Browser(stack.ports["lb"])

        wrong = browser.login(voter["email"], "Mauvais2014x")
        assert wrong.status == 200
        assert "sessionid" not in browser.cookies
        logged_in = browser.login(voter["email"], prepared["password"])
        assert logged_in.status == 302, logged_in.text[:300]
        assert "sessionid" in browser.cookies
        space = browser.request("GET", "/espace/")
        assert space.status == 200
        assert "CSA ministériel" in space.text

        # Stateless nodes: the session made through the balancer is known to each node alone.
        for node in ("web1", "web2"):
            direct = Browser(stack.ports[node], dict(browser.cookies))
            page = direct.request("GET", "/espace/", headers={"X-Forwarded-Proto": "https"})
            assert page.status == 200, (node, page.status)
            assert "CSA ministériel" in page.text

        answer = browser.cast(prepared["uuid"], voter["ballot"], "stack-test-submission-1")
        assert answer.status == 201, answer.text[:300]
        receipt = answer.json()
        assert receipt["status"] == "accepted"

        stored = scenario(stack, "check")
        assert stored["trackers"] == [receipt["tracker"]]
        assert stored["emargements"] == [voter["email"]]
        assert stored["verified"] == 1
        trackers, report = archive_trackers(browser, prepared["uuid"], tmp_path)
        assert trackers == [receipt["tracker"]]
        assert report["ballots"] == 1
    # Stopped: none of its processes is left.
    for pid in pids:
        assert pid is not None
        proc = Path(f"/proc/{pid}/stat")
        assert not proc.exists() or proc.read_text().split(") ")[1].startswith("Z")


def test_the_connection_pool_is_django_s_own_and_checks_each_connection() -> None:
    """URNE_DB_POOL_SIZE turns on Django's pool (psycopg_pool) in place of persistent
    connections, which Django refuses beside a pool; 0 leaves the persistent connection."""
    import json
    import os
    import subprocess
    import sys

    from deploy.stack import REPOSITORY

    show = (
        "import json, django; from django.conf import settings; django.setup(); "
        "d = settings.DATABASES['default']; "
        "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d['OPTIONS'].get('pool')]))"
    )

    def database(**env: str) -> list[object]:
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-c", show],
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith(("URNE_", "DATABASE_"))},
                "DJANGO_SETTINGS_MODULE": "urne.settings",
                "DATABASE_URL": "postgres://urne@127.0.0.1:5432/urne",
                **env,
            },
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            check=True,
        )
        result: list[object] = json.loads(done.stdout)
        return result

    assert database(URNE_DB_POOL_SIZE="3", URNE_DB_POOL_TIMEOUT="2.5") == [
        0,
        True,
        {"min_size": 1, "max_size": 3, "timeout": 2.5},
    ]
    assert database() == [60, False, None]
