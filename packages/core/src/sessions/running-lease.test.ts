import { randomUUID } from "node:crypto";

import { afterAll, afterEach, describe, expect, it, vi } from "vitest";

import { createCast } from "../casts/create-cast";
import { createUserWithCredits, openTestDb } from "../credits/test-support";
import { createSpell } from "../spells/manage-spells";
import { createGenerationSession } from "./create-session";
import { renewRunningLeases } from "./running-lease";
import { findOverdueRunningSessions } from "./sweep-queries";
import { completeSession, markSessionRunning } from "./transitions";

// A lease is written by a worker and judged by the sweeper, often on other machines. Both use the
// database's clock, so a worker machine whose clock is off neither loses a live call to the
// sweeper nor keeps a dead one's sessions long past their lease.

const { db, close } = openTestDb(4);
afterAll(close);
afterEach(() => {
  vi.useRealTimers();
});

const HOUR = 3_600_000;
const options = { maxAttempts: 3, holdMs: 3_600_000 };

/** This process's clock (`Date`) moved by `offsetMs`, as on a worker machine whose clock is off. */
function skewClock(offsetMs: number): void {
  const real = Date.now();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(real + offsetMs);
}

const overdueOf = async (userId: string) => (await findOverdueRunningSessions(db, { limit: 10, userIds: [userId] })).map((s) => s.id);

async function queuedGeneration(userId: string): Promise<string> {
  const { session } = await createGenerationSession(db, userId, { prompt: "lease", clientKey: randomUUID() }, options);
  return session.id;
}

describe("running leases by the database's clock", () => {
  it("a worker whose clock is an hour behind: the sessions it marks running and renews are not overdue", async () => {
    const userId = await createUserWithCredits(db, 10);
    const sessionId = await queuedGeneration(userId);
    skewClock(-HOUR);
    await markSessionRunning(db, { sessionId, attempt: 1, leaseMs: 30_000 });
    expect(await overdueOf(userId)).toEqual([]);
    expect(await renewRunningLeases(db, { sessionIds: [sessionId], leaseMs: 30_000 })).toBe(1);
    expect(await overdueOf(userId)).toEqual([]);
  });

  it("a worker whose clock is an hour ahead: its session is overdue one lease after it stops renewing, not an hour later", async () => {
    const userId = await createUserWithCredits(db, 10);
    const sessionId = await queuedGeneration(userId);
    skewClock(HOUR);
    await markSessionRunning(db, { sessionId, attempt: 1, leaseMs: 300 });
    expect(await overdueOf(userId)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await overdueOf(userId)).toEqual([sessionId]);
  });

  it("a cast's next step created running for the job that completed the one before is leased by the same clock", async () => {
    const userId = await createUserWithCredits(db, 10);
    const spell = await createSpell(db, {
      userId,
      spell: { name: "Twice", steps: [{ tool: "chatgpt", params: { prompt: "a {{input}}" } }, { tool: "chatgpt", params: { prompt: "b {{input}}" } }] },
    });
    const { jobs } = await createCast(db, { userId, spellId: spell.id, input: { kind: "text", text: "a fox" } }, options);
    const first = jobs[0]?.sessionId;
    if (!first) throw new Error("no first step");
    skewClock(-HOUR);
    await markSessionRunning(db, { sessionId: first, attempt: 1, leaseMs: 30_000 });
    const done = await completeSession(db, { sessionId: first, outputs: { kind: "text", text: "one" }, continueAs: { jobId: "gen_owner", leaseMs: 300 } });
    const second = done.chain.continued?.session.id;
    expect(second).toBeDefined();
    expect(await overdueOf(userId)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await overdueOf(userId)).toEqual([second]);
  });
});
