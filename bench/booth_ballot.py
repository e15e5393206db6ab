"""Benchmark: the booth's ballot, made in the browser (headless Chromium) and in Node.

An election made by urne's core with 6 lists + blank (7 encrypted choices a ballot, as the
national CSA), one voting identifier; the booth's own modules (src/urne/static/urne/voting/)
make ballots:

1. in headless Chromium (Playwright, Debian's /usr/bin/chromium with the browser tests' flags),
   through the booth's module Web Worker, served from a local HTTP server: the time of the
   worker's "prepare" (reading the election, building the fixed-base tables of g and y) and of
   each "build" (a ballot: PBKDF2, encryptions, proofs, signature), as the page sees it;
2. the same in Node (tests/voting/js/make_ballots.mjs), for reference;

each with and without the fixed-base tables. The first ballot of each run is checked by
urne's `check_ballot`. Target (issue 7): under 0.5 s for a 7-choice ballot in the browser.

Usage: .venv/bin/python bench/booth_ballot.py [--runs 15]
The figures go to docs/benchmarks.md, section « Bulletin construit dans le navigateur ».
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

from urne.crypto.ballot import check_ballot
from urne.crypto.credentials import (
    PublicCredential,
    PublicCredentials,
    derive_public_credential,
    make_private_credential,
)
from urne.crypto.election import Election, Question, make_election, make_uuid
from urne.crypto.group import BELENIOS_2048
from urne.crypto.trustees import make_trustee_key

ROOT = Path(__file__).resolve().parents[1]
MODULES = ROOT / "src" / "urne" / "static" / "urne" / "voting"
NODE_RUNNER = ROOT / "tests" / "voting" / "js" / "make_ballots.mjs"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VOTE = [[0, 0, 0, 1, 0, 0, 0]]  # the third list of six (blank is the first choice)

PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>bench</title></head>
<body><script type="module">
window.bench = async (election, credential, vote, runs, tables) => {
  const worker = new Worker("voting/worker.js", {type: "module"});
  const ask = (message) => new Promise((resolve) => {
    worker.onmessage = (event) => resolve(event.data);
    worker.postMessage(message);
  });
  let t0 = performance.now();
  await ask({type: "prepare", election, tables});
  const prepare = performance.now() - t0;
  const builds = [];
  let first = null;
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    const answer = await ask({type: "build", election, credential, vote, tables});
    builds.push(performance.now() - t0);
    if (answer.type !== "ballot") throw new Error(answer.message);
    first = first || answer.text;
  }
  worker.terminate();
  return {prepare, builds, first};
};
</script></body></html>
"""


def make_bench_election() -> tuple[Election, str, PublicCredentials]:
    _, trustee = make_trustee_key(BELENIOS_2048)
    uuid = make_uuid()
    election = make_election(
        uuid=uuid,
        name="CSA ministériel (banc d'essai)",
        description="6 listes et le vote blanc",
        group=BELENIOS_2048,
        public_key=trustee.public_key,
        questions=[
            Question(
                "Pour quelle liste votez-vous ?",
                tuple(f"Liste {i}" for i in range(1, 7)),
                1,
                1,
                True,
            )
        ],
    )
    identifier = make_private_credential()
    credentials = PublicCredentials(
        [PublicCredential(derive_public_credential(BELENIOS_2048, identifier, uuid))]
    )
    return election, identifier, credentials


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://localhost:{server.server_address[1]}"


def in_chromium(election: Election, identifier: str, runs: int, tables: bool) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        shutil.copytree(MODULES, folder / "voting")
        (folder / "bench.html").write_text(PAGE, encoding="utf-8")
        server, url = serve(folder)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
                )
                page = browser.new_page()
                page.goto(f"{url}/bench.html")
                page.wait_for_function("window.bench !== undefined")
                result: dict[str, Any] = page.evaluate(
                    "([e, c, v, n, t]) => window.bench(e, c, v, n, t)",
                    [election.text, identifier, VOTE, runs, tables],
                )
                browser.close()
        finally:
            server.shutdown()
    return result


def in_node(election: Election, identifier: str, runs: int, tables: bool) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None, "Node.js is required"
    request = {
        "election": election.text,
        "tables": tables,
        "ballots": [{"credential": identifier, "vote": VOTE}] * runs,
    }
    done = subprocess.run(
        [node, "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", str(NODE_RUNNER)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=True,
    )
    answer = json.loads(done.stdout)
    return {
        "prepare": answer["setup_ms"],
        "builds": [r["ms"] for r in answer["results"]],
        "first": answer["results"][0]["text"],
    }


def report(where: str, tables: bool, result: dict[str, Any]) -> None:
    builds = result["builds"]
    print(
        f"{where:8} tables={'yes' if tables else 'no ':3} prepare {result['prepare']:7.1f} ms | "
        f"ballot median {statistics.median(builds):6.1f} ms, min {min(builds):6.1f}, "
        f"max {max(builds):6.1f} ({len(builds)} runs)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    election, identifier, credentials = make_bench_election()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, CPUs: {os.cpu_count()}")
    for where, run in (("chromium", in_chromium), ("node", in_node)):
        for tables in (True, False):
            result = run(election, identifier, args.runs, tables)
            check_ballot(election, result["first"], credentials)
            report(where, tables, result)
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
