// Ballots for homomorphic questions, made in the voter's browser (spec §4.11–4.15).
//
// This is urne's Python reference (src/urne/crypto/ballot.py make_ballot, proofs.py, elgamal.py)
// in JavaScript, so that the voter's choice is encrypted on the voter's device and never reaches
// the server in clear. The text it produces is what urne's `dumps` writes, byte for byte.
//
// - `readElection(text, {tables})`: the election as the page received it (its exact text: the
//   fingerprint φ is H_JSON of it), with its group and key checked.
// - `voteFor(question, choice)`: the plaintext of one question for the booth's choice: the index
//   of an answer, or "blank" (`[1, 0, ..., 0]` when blank is allowed, else one 1 at the answer).
// - `makeBallot(election, credential, vote)`: {text, tracker}; `vote` has one array of 0/1 per
//   question, led by the blank flag when the question allows blank. Throws `InvalidCredential`
//   for a mistyped identifier and `InvalidVote` for a vote the question does not allow.

import { deriveSecret } from "./credentials.js";
import { BELENIOS_2048, Group } from "./group.js";
import { hashJson, hashMod, joinNumbers } from "./hashing.js";
import { dumps } from "./jsonio.js";

export class InvalidVote extends Error {
  constructor(message) {
    super(message);
    this.name = "InvalidVote";
  }
}

export async function readElection(text, { tables = true } = {}) {
  const value = JSON.parse(text);
  if (value.group !== BELENIOS_2048.name) {
    throw new Error(`unsupported group ${value.group}`);
  }
  const group = new Group(BELENIOS_2048, { tables });
  const y = BigInt(value.public_key);
  if (!group.isElement(y)) throw new Error("the election key is not a group element");
  return {
    text,
    uuid: value.uuid,
    fingerprint: await hashJson(text),
    group,
    y,
    yBase: group.fixedBase(y),
    questions: value.questions.map((question) => ({
      answers: question.answers,
      blank: question.blank === true,
      min: question.min,
      max: question.max,
    })),
  };
}

export function voteFor(question, choice) {
  const vote = new Array(question.answers.length + (question.blank ? 1 : 0)).fill(0);
  if (choice === "blank") {
    if (!question.blank) throw new InvalidVote("this question does not allow a blank vote");
    vote[0] = 1;
  } else {
    vote[choice + (question.blank ? 1 : 0)] = 1;
  }
  return vote;
}

function checkVote(question, vote) {
  const count = question.answers.length + (question.blank ? 1 : 0);
  if (vote.length !== count) throw new InvalidVote(`expected ${count} numbers`);
  if (vote.some((m) => m !== 0 && m !== 1)) throw new InvalidVote("each choice is 0 or 1");
  if (question.blank && vote[0] === 1) {
    if (vote.slice(1).some((m) => m)) throw new InvalidVote("a blank vote selects no answer");
    return;
  }
  const selected = (question.blank ? vote.slice(1) : vote).reduce((a, b) => a + b, 0);
  if (selected < question.min || selected > question.max) {
    throw new InvalidVote(`select between ${question.min} and ${question.max} answers`);
  }
}

function proofJson(proof) {
  return { challenge: proof.challenge.toString(), response: proof.response.toString() };
}

function ciphertextJson(ciphertext) {
  return { alpha: ciphertext.alpha.toString(), beta: ciphertext.beta.toString() };
}

// Disjunctive Chaum-Pedersen proof: statement `real` (α, β') has α = g^r and β' = y^r; the
// other branches are simulated, and the challenges add up to SHA256(prefix + commitments) mod q.
async function disjunctiveProof(election, prefix, statements, real, r) {
  const { group, yBase } = election;
  const proofs = [];
  const commitments = [];
  const w = group.randomExponent();
  statements.forEach(([alpha, beta], j) => {
    if (j === real) {
      proofs.push(null);
      commitments.push(group.pow_g(w), yBase.pow(w));
    } else {
      const challenge = group.randomExponent();
      const response = group.randomExponent();
      proofs.push({ challenge, response });
      commitments.push(
        group.mul(group.pow_g(response), group.pow(alpha, challenge)),
        group.mul(yBase.pow(response), group.pow(beta, challenge)),
      );
    }
  });
  const total = await hashMod(prefix + joinNumbers(commitments), group.q);
  const others = proofs.reduce((sum, proof) => (proof ? sum + proof.challenge : sum), 0n);
  const challenge = group.exponent(total - others);
  proofs[real] = { challenge, response: group.exponent(w - r * challenge) };
  return proofs;
}

// (α, β / g^M) for each allowed M: g^-M is g^(q-M), from g's table.
function shifted(group, ciphertext, values) {
  return values.map((value) => [
    ciphertext.alpha,
    group.mul(ciphertext.beta, group.pow_g(group.exponent(-BigInt(value)))),
  ]);
}

function intervalProof(election, s, ciphertext, r, message, values) {
  const prefix = `prove|${s}|${ciphertext.alpha},${ciphertext.beta}|`;
  const statements = shifted(election.group, ciphertext, values);
  return disjunctiveProof(election, prefix, statements, values.indexOf(message), r);
}

function product(group, ciphertexts) {
  return ciphertexts.reduce(
    (acc, c) => ({ alpha: group.mul(acc.alpha, c.alpha), beta: group.mul(acc.beta, c.beta) }),
    { alpha: 1n, beta: 1n },
  );
}

function range(min, max) {
  const values = [];
  for (let v = min; v <= max; v++) values.push(v);
  return values;
}

async function makeAnswer(election, s0, question, vote) {
  const { group, yBase } = election;
  const randomness = vote.map(() => group.randomExponent());
  const choices = vote.map((m, i) => ({
    alpha: group.pow_g(randomness[i]),
    beta: group.mul(yBase.pow(randomness[i]), group.pow_g(BigInt(m))),
  }));
  const individual = [];
  for (let i = 0; i < vote.length; i++) {
    individual.push(await intervalProof(election, s0, choices[i], randomness[i], vote[i], [0, 1]));
  }
  const s = s0 + "|" + choices.map((c) => `${c.alpha},${c.beta}`).join(",");
  const values = range(question.min, question.max);
  const answer = {
    choices: choices.map(ciphertextJson),
    individual_proofs: individual.map((proofs) => proofs.map(proofJson)),
  };
  const sum = (numbers) => numbers.reduce((a, b) => a + b, 0);
  if (!question.blank) {
    const total = product(group, choices);
    const rTotal = group.exponent(randomness.reduce((a, b) => a + b, 0n));
    answer.overall_proof = (
      await intervalProof(election, s, total, rTotal, sum(vote), values)
    ).map(proofJson);
    return answer;
  }
  const blank = choices[0];
  const total = product(group, choices.slice(1));
  const rTotal = group.exponent(randomness.slice(1).reduce((a, b) => a + b, 0n));
  const isBlank = vote[0] === 1;
  // blank_proof: m0 = 0 or mΣ = 0; overall_proof: m0 = 1 or mΣ in [min, max].
  const blankStatements = [
    [blank.alpha, blank.beta],
    [total.alpha, total.beta],
  ];
  const blankProof = isBlank
    ? await disjunctiveProof(election, `bproof0|${s}|`, blankStatements, 1, rTotal)
    : await disjunctiveProof(election, `bproof0|${s}|`, blankStatements, 0, randomness[0]);
  const overallStatements = [...shifted(group, blank, [1]), ...shifted(group, total, values)];
  const overall = isBlank
    ? await disjunctiveProof(election, `bproof1|${s}|`, overallStatements, 0, randomness[0])
    : await disjunctiveProof(
        election,
        `bproof1|${s}|`,
        overallStatements,
        1 + values.indexOf(sum(vote.slice(1))),
        rTotal,
      );
  answer.overall_proof = overall.map(proofJson);
  answer.blank_proof = blankProof.map(proofJson);
  return answer;
}

export async function makeBallot(election, credential, vote) {
  const { group } = election;
  if (vote.length !== election.questions.length) {
    throw new InvalidVote(`expected ${election.questions.length} answers`);
  }
  election.questions.forEach((question, i) => checkVote(question, vote[i]));
  const secret = await deriveSecret(credential, election.uuid, group.q);
  const publicCredential = group.pow_g(secret);
  const s0 = `${election.fingerprint}|${publicCredential}`;
  const answers = [];
  for (let i = 0; i < vote.length; i++) {
    answers.push(await makeAnswer(election, s0, election.questions[i], vote[i]));
  }
  const unsigned = {
    election_uuid: election.uuid,
    election_hash: election.fingerprint,
    credential: publicCredential.toString(),
    answers,
  };
  const hash = await hashJson(dumps(unsigned));
  // Schnorr signature of the hash with the credential's secret (spec §4.14: "sig|H|A").
  const w = group.randomExponent();
  const commitment = group.pow_g(w);
  const challenge = await hashMod(`sig|${hash}|${commitment}`, group.q);
  const response = group.exponent(w - secret * challenge);
  const text = dumps({ ...unsigned, signature: { hash, proof: proofJson({ challenge, response }) } });
  return { text, tracker: await hashJson(text) };
}
