"""The frame of every page in a real browser: the site's icon is the static SVG the page links
(browsers then do not guess /favicon.ico, a 404), and every request a page makes succeeds."""

from __future__ import annotations

from typing import Any

from urne.campaign.models import Elector


def test_a_page_loads_its_icon_and_nothing_fails(
    live_server: Any, page: Any, elector_bob: Elector
) -> None:
    answers: list[tuple[str, int]] = []
    page.on("response", lambda response: answers.append((response.url, response.status)))

    page.goto(f"{live_server.url}/compte/connexion/")
    icon = page.evaluate(
        "async () => { const link = document.querySelector('link[rel=icon]');"
        " const answer = await fetch(link.href);"
        " return [answer.status, answer.headers.get('content-type'), await answer.text()]; }"
    )
    page.wait_for_load_state("networkidle")

    assert icon[0] == 200
    assert icon[1].startswith("image/svg+xml")
    assert icon[2].startswith("<svg ")
    assert [(url, status) for url, status in answers if status >= 400] == []
