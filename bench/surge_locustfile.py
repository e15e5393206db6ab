"""The voters of the opening surge, for locust (bench/surge_locust.py runs it; not alone).

Each locust user takes the next elector of the file SURGE_DATA (one JSON line each: email,
password, and the ballots made for their scrutins) and goes through the opening hour as a voter
does: the login page, ACCÉDER, « Mes scrutins » (the espace électeur), then a ballot in each of
their 1 to 3 scrutins through the ballot box's API; then the next elector, until none is left.

The stack runs production settings behind plain HTTP on loopback (HAProxy says
X-Forwarded-Proto: https): Django's cookies are `Secure`, which an HTTP client keeps to itself,
so the cookies are carried by hand here, as a browser would over HTTPS.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

from locust import HttpUser, between, task
from locust.exception import StopUser

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _electors() -> Iterator[dict[str, Any]]:
    with open(os.environ["SURGE_DATA"], encoding="utf-8") as lines:
        for line in lines:
            yield json.loads(line)


ELECTORS = _electors()


class Voter(HttpUser):
    # A person reads each page a moment before the next step.
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.cookies: dict[str, str] = {}

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        origin = self.host or ""
        headers = {"Origin": origin.replace("http://", "https://"), **(extra or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep(self, response: Any) -> None:
        for line in response.raw.headers.getlist("Set-Cookie") if response.raw else []:
            cookie = SimpleCookie()
            cookie.load(line)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        self.client.cookies.clear()

    @task
    def vote(self) -> None:
        try:
            elector = next(ELECTORS)
        except StopIteration:
            raise StopUser from None
        self.cookies = {}
        page = self.client.get(
            "/compte/connexion/", headers=self._headers(), name="connexion (page)"
        )
        self._keep(page)
        token = CSRF_FIELD.search(page.text or "")
        if token is None:
            return
        with self.client.post(
            "/compte/connexion/",
            data={
                "csrfmiddlewaretoken": token.group(1),
                "email": elector["email"],
                "password": elector["password"],
            },
            headers=self._headers({"Referer": f"{self.host}/compte/connexion/"}),
            allow_redirects=False,
            name="connexion",
            catch_response=True,
        ) as login:
            self._keep(login)
            if login.status_code != 302:
                login.failure(f"login answered {login.status_code}")
                return
        self.wait()  # type: ignore[no-untyped-call]  # the pause of wait_time
        space = self.client.get("/espace/", headers=self._headers(), name="mes scrutins")
        self._keep(space)
        for uuid, ballot in elector["votes"]:
            self.wait()  # type: ignore[no-untyped-call]  # the pause of wait_time
            with self.client.post(
                f"/api/v1/scrutins/{uuid}/bulletins",
                data=json.dumps({"ballot": ballot, "submission": secrets.token_urlsafe(18)}),
                headers=self._headers(
                    {
                        "Content-Type": "application/json",
                        "X-CSRFToken": self.cookies.get("csrftoken", ""),
                        "Referer": f"{self.host}/espace/",
                    }
                ),
                name="bulletin",
                catch_response=True,
            ) as cast:
                if cast.status_code != 201:
                    cast.failure(f"ballot answered {cast.status_code}")
