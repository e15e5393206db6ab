// The booth's Web Worker (a module worker): builds the ballot away from the page's thread, so the
// page stays responsive (and its status messages are read out) while the ballot is encrypted.
//
// Message protocol (all messages are plain objects with a `type`):
//   page → worker  {type: "prepare", election: "<election text>", tables?: true}
//                  read the election and build the fixed-base tables of g and y now, while the
//                  voter reads the lists. Answer: {type: "ready", ms}.
//   page → worker  {type: "build", election: "<election text>", vote: [[0|1, ...], ...],
//                   credential: "XXX-XXX-XXX-XXX-XXX", tables?: true}
//                  make the ballot. Answer: {type: "ballot", text, tracker, ms} (text: the ballot
//                  exactly as submitted; tracker: its smart ballot tracker), or
//                  {type: "error", error: "InvalidCredential" | "InvalidVote" | "Error", code,
//                   message}.
// The identifier and the vote never leave the worker and the page except inside the ballot.

import { makeBallot, readElection } from "./ballot.js";

const elections = new Map(); // "tables|text" -> Promise of the read election, with its tables

function electionFor(text, tables) {
  const key = `${tables}|${text}`;
  if (!elections.has(key)) elections.set(key, readElection(text, { tables }));
  return elections.get(key);
}

self.onmessage = async (event) => {
  const message = event.data;
  const tables = message.tables !== false;
  const started = performance.now();
  try {
    if (message.type === "prepare") {
      await electionFor(message.election, tables);
      self.postMessage({ type: "ready", ms: performance.now() - started });
    } else if (message.type === "build") {
      const election = await electionFor(message.election, tables);
      const ballot = await makeBallot(election, message.credential, message.vote);
      self.postMessage({ type: "ballot", ...ballot, ms: performance.now() - started });
    }
  } catch (error) {
    self.postMessage({
      type: "error",
      error: error.name || "Error",
      code: error.code ?? null,
      message: String(error.message),
    });
  }
};
