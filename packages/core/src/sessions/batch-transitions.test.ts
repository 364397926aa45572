import { randomUUID } from "node:crypto";

import { afterAll, describe, expect, it } from "vitest";

import { createCast } from "../casts/create-cast";
import { getBalance } from "../credits/read-credits";
import { createUserWithCredits, openTestDb } from "../credits/test-support";
import { createSpell } from "../spells/manage-spells";
import { withEventsLast } from "../events/append-event";
import type { CompleteInput } from "./batch-transitions";
import { completeSessionsInTx } from "./batch-transitions";
import { createGenerationSession } from "./create-session";
import { markSessionRunning } from "./transitions";

const { db, close } = openTestDb(10);
afterAll(close);

const options = { maxAttempts: 3, holdMs: 3_600_000 };
const imageOutputs = { kind: "image" as const, storageKey: "sessions/x.png", contentType: "image/png" as const, bytes: 10 };
const text = (t: string) => ({ kind: "text" as const, text: t });

const userWith = (credits: number) => createUserWithCredits(db, credits);

/** One batch in one transaction, without the deadlock retry `completeSessions` adds: a deadlock throws. */
const completeOnce = (items: CompleteInput[]) => db.transaction((tx) => withEventsLast(tx, () => completeSessionsInTx(tx, items)));

/** A running paid single generation of `userId`. */
async function runningGeneration(userId: string) {
  const { session } = await createGenerationSession(db, userId, { prompt: "batch", clientKey: randomUUID() }, options);
  await markSessionRunning(db, { sessionId: session.id, attempt: 1, leaseMs: 60_000 });
  return session.id;
}

/** The running first step of a two-step chat cast of `userId` (1 credit a step). */
async function runningCastStep(userId: string) {
  const spell = await createSpell(db, {
    userId,
    spell: { name: "Twice", steps: [{ tool: "chatgpt", params: { prompt: "a {{input}}" } }, { tool: "chatgpt", params: { prompt: "b {{input}}" } }] },
  });
  const { jobs } = await createCast(db, { userId, spellId: spell.id, input: text("a fox") }, options);
  const first = jobs[0];
  if (!first) throw new Error("no first step");
  await markSessionRunning(db, { sessionId: first.sessionId, attempt: 1, leaseMs: 60_000 });
  return first.sessionId;
}

describe("completeSessions batches", () => {
  it("two batches over the same two accounts in crossed roles (one's generation, the other's cast step) both commit", async () => {
    // Each batch holds a paid generation of one user and a cast step of the other. Locking the
    // cast users' accounts first and the capture's accounts after would let each batch hold one
    // account while waiting for the other's: a deadlock Postgres breaks by failing one of them
    // (40P01; completeSessions would then run that batch again, a second later).
    for (let round = 0; round < 5; round++) {
      const a = await userWith(100);
      const b = await userWith(100);
      const [genA, genB, stepA, stepB] = await Promise.all([runningGeneration(a), runningGeneration(b), runningCastStep(a), runningCastStep(b)]);
      const results = await Promise.all([
        completeOnce([
          { sessionId: genA, outputs: imageOutputs },
          { sessionId: stepB, outputs: text("one") },
        ]),
        completeOnce([
          { sessionId: genB, outputs: imageOutputs },
          { sessionId: stepA, outputs: text("one") },
        ]),
      ]);
      expect(results.flat().map((r) => r?.completed)).toEqual([true, true, true, true]);
      // Each user: the generation captured, the cast's step 1 captured and its step 2 held.
      for (const userId of [a, b]) {
        const { balance, held } = await getBalance(db, { userId });
        expect(balance - held).toBeLessThan(100);
        expect(held).toBe(1);
      }
    }
  });
});
