"""The voters of the opening surge, for locust (bench/surge_locust.py runs it; not alone).

Each locust user takes the next elector of the file SURGE_DATA (one JSON line each: email,
password, and the ballots made for their scrutins) and goes through the opening hour as a voter
does: the login page, ACCÉDER, « Mes scrutins » (the espace électeur), then a ballot in each of
their 1 to 3 scrutins through the ballot box's API; then the next elector, until none is left.
A step answered « Le service est très sollicité » (503) is tried again after its Retry-After, as
the page asks (each 503 counted as a failure of its own, under the step's name followed by
"(503)", so that a step's figures are those of the requests it got answered); a ballot keeps its
submission key.

The stack runs production settings behind plain HTTP on loopback (HAProxy says
X-Forwarded-Proto: https): Django's cookies are `Secure`, which an HTTP client keeps to itself,
so the cookies are carried by hand here, as a browser would over HTTPS.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from typing import Any

from locust import HttpUser, between, task
from locust.exception import StopUser

# A voter told « réessayez dans N secondes » does so, this many times at most for one step.
BUSY_RETRIES = 5
BUSY_SUFFIX = "(503)"
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

    def _step(self, method: str, path: str, name: str, **kwargs: Any) -> Any:
        """One request; answered « très sollicité » (503), tried again after Retry-After, as
        the page asks. Each 503 counts as a failure of its own; any other status than
        `expect` fails the step."""
        expect = kwargs.pop("expect", 200)
        for _ in range(BUSY_RETRIES):
            with self.client.request(
                method,
                path,
                name=name,
                allow_redirects=False,
                catch_response=True,
                **{**kwargs, "headers": self._headers(kwargs.get("headers"))},
            ) as response:
                if response.status_code == 503:
                    # Counted under a name of its own: the endpoint's latencies are those of
                    # the requests it answered, not lowered by the balancer's immediate refusals.
                    response.request_meta["name"] = f"{name} {BUSY_SUFFIX}"
                    response.failure("503 très sollicité")
                    time.sleep(  # cooperative: locust patches the standard library with gevent
                        int(response.headers.get("Retry-After", "10"))
                    )
                    continue
                self._keep(response)
                if response.status_code != expect:
                    response.failure(f"{name} answered {response.status_code}")
                    return None
                return response
        return None

    @task
    def vote(self) -> None:
        try:
            elector = next(ELECTORS)
        except StopIteration:
            raise StopUser from None
        self.cookies = {}
        page = self._step("GET", "/compte/connexion/", "connexion (page)")
        token = CSRF_FIELD.search(page.text or "") if page is not None else None
        if token is None:
            return
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "email": elector["email"],
            "password": elector["password"],
        }
        referer = {"Referer": f"{self.host}/compte/connexion/"}
        if (
            self._step(
                "POST", "/compte/connexion/", "connexion", data=form, headers=referer, expect=302
            )
            is None
        ):
            return
        self.wait()  # type: ignore[no-untyped-call]  # the pause of wait_time
        if self._step("GET", "/espace/", "mes scrutins") is None:
            return
        for uuid, ballot in elector["votes"]:
            self.wait()  # type: ignore[no-untyped-call]  # the pause of wait_time
            body = json.dumps({"ballot": ballot, "submission": secrets.token_urlsafe(18)})
            headers = {
                "Content-Type": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": f"{self.host}/espace/",
            }
            # The same submission key when tried again: at most one ballot (docs/api.md).
            self._step(
                "POST",
                f"/api/v1/scrutins/{uuid}/bulletins",
                "bulletin",
                data=body,
                headers=headers,
                expect=201,
            )
