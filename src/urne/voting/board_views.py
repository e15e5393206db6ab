"""The public board's pages, under /tableau/: open to anyone, GET only, no personal data.

The HTML pages carry the language form (its CSRF token) and the visitor's navigation, so they are
cached by the browser only, briefly; the machine-readable resources are public: election.json
never changes once sealed, the archive is revalidated by its ETag (the hash of its last event)
and the trackers in JSON live a few seconds.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from urne.counting import closing, decryption
from urne.voting import board
from urne.voting.setup import archive_chunks
from urne.web.errors import NotFound

PAGE_SECONDS = 15
"""How long a browser may keep a board page: the counts are live."""

TRACKERS_SECONDS = 10


def _private(response: HttpResponseBase, seconds: int = PAGE_SECONDS) -> HttpResponseBase:
    patch_cache_control(response, private=True, max_age=seconds)
    return response


@require_safe
def board_index(request: HttpRequest) -> HttpResponseBase:
    campaign = board.board_campaign()
    elections = list(board.board_elections(campaign)) if campaign is not None else []
    rows = [(election, board.vote_state(election.scrutin.campaign)) for election in elections]
    response = render(request, "voting/board_index.html", {"campaign": campaign, "rows": rows})
    return _private(response)


@require_safe
def board_page(request: HttpRequest, uuid: str) -> HttpResponseBase:
    election = board.access_board(uuid)
    # The box closes at its time even without a broker: a later visit closes it.
    if closing.close_if_due(election):
        election = board.access_board(uuid)
    page = board.tracker_page(election, newest_first=True, size=20)
    response = render(
        request,
        "voting/board.html",
        {
            "election": election,
            "facts": board.board_facts(election),
            "state": board.vote_state(election.scrutin.campaign),
            "page": page,
            "archive_name": f"{election.uuid}.bel",
            "counting_closed": closing.is_closed(election),
            "result": decryption.scrutin_result(election),
        },
    )
    return _private(response)


@require_safe
def election_json(request: HttpRequest, uuid: str) -> HttpResponseBase:
    election = board.access_board(uuid)
    # The exact text: its hash is the election's fingerprint, which every ballot carries.
    response = HttpResponse(election.election, content_type="application/json; charset=utf-8")
    patch_cache_control(response, public=True, max_age=86400, immutable=True)
    return response


@require_safe
def archive(request: HttpRequest, uuid: str, name: str) -> HttpResponseBase:
    election = board.access_board(uuid)
    if name != election.uuid:
        raise NotFound
    # `election` was read once: the archive stops at the ballot that was the chain's head then,
    # whatever arrives while it streams (setup.archive_chunks).
    etag = f'"{election.last_event}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        patch_cache_control(not_modified, public=True, no_cache=True)
        return not_modified
    response = StreamingHttpResponse(archive_chunks(election), content_type="application/x-tar")
    response["Content-Disposition"] = f'attachment; filename="{election.uuid}.bel"'
    response["ETag"] = etag
    response["Urne-Fingerprint"] = election.last_event
    patch_cache_control(response, public=True, no_cache=True)
    return response


def _trackers_url(uuid: str, **query: str | int) -> str:
    return f"{reverse('voting:trackers', args=[uuid])}?{urlencode(query)}"


@require_safe
def trackers(request: HttpRequest, uuid: str) -> HttpResponseBase:
    election = board.access_board(uuid)
    oldest_first = request.GET.get("ordre") == "anciens"
    as_json = request.GET.get("format") == "json"
    page = board.tracker_page(
        election,
        newest_first=not oldest_first,
        after=board.read_cursor(request.GET.get("depuis")),
        size=board.PAGE_SIZE,
    )
    next_url = None
    if page.next_cursor is not None:
        query: dict[str, str | int] = {"ordre": "anciens" if oldest_first else "recents"}
        if as_json:
            query["format"] = "json"
        query["depuis"] = page.next_cursor
        next_url = _trackers_url(election.uuid, **query)
    response: HttpResponseBase
    if as_json:
        response = JsonResponse(
            {
                "ballots": [tracker for _number, tracker in page.ballots],
                "count": page.count,
                "next": request.build_absolute_uri(next_url) if next_url else None,
            }
        )
        patch_cache_control(response, public=True, max_age=TRACKERS_SECONDS)
        return response
    response = render(
        request,
        "voting/board_trackers.html",
        {
            "election": election,
            "page": page,
            "next_url": next_url,
            "oldest_first": oldest_first,
            "first_page": request.GET.get("depuis") in (None, ""),
        },
    )
    return _private(response, TRACKERS_SECONDS)


@require_safe
def lookup(request: HttpRequest, uuid: str) -> HttpResponseBase:
    election = board.access_board(uuid)
    typed = request.GET.get("tracker")
    context: dict[str, object] = {"election": election, "typed": typed or ""}
    status = 200
    if typed is not None:
        try:
            context["number"] = board.lookup_tracker(election, typed)
            context["tracker"] = board.check_tracker(typed)
            context["searched"] = True
        except board.BadTracker as refused:
            context["error"] = refused.message
            status = 400
    response = render(request, "voting/board_lookup.html", context, status=status)
    return _private(response, TRACKERS_SECONDS)
