// Run the booth's JavaScript modules in Node (20+: BigInt, globalThis.crypto.subtle) for the
// cross-check tests (tests/voting/test_booth_js.py) and the benchmark (bench/booth_ballot.py).
//
// stdin: {"election": "<election text>", "tables": true|false, "ballots": [{"credential": "...",
// "vote": [[0, 1, 0, ...]]}, ...]}
// stdout: one JSON object per ballot asked, in order: {"text", "tracker", "ms"} when made, or
// {"error": "InvalidCredential", "code": ...} / {"error": "InvalidVote", "message": ...}.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = path.resolve(here, "../../../src/urne/static/urne/voting");
const { readElection, makeBallot } = await import(path.join(modules, "ballot.js"));

const request = JSON.parse(readFileSync(0, "utf-8"));
const started = performance.now();
const election = await readElection(request.election, { tables: request.tables !== false });
const setupMs = performance.now() - started;
const results = [];
for (const { credential, vote } of request.ballots) {
  const t0 = performance.now();
  try {
    const ballot = await makeBallot(election, credential, vote);
    results.push({ ...ballot, ms: performance.now() - t0 });
  } catch (error) {
    results.push({ error: error.name, code: error.code ?? null, message: error.message });
  }
}
process.stdout.write(JSON.stringify({ setup_ms: setupMs, results }) + "\n");
