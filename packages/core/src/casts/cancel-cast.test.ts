import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { createDb, events, generationSessions } from "@spellcast/db";

import { testEnv } from "../../../../tooling/test/env";
import { getBalance } from "../credits/read-credits";
import { createUserWithCredits, openTestDb } from "../credits/test-support";
import { withEventsLast } from "../events/append-event";
import { completeSessionsInTx } from "../sessions/batch-transitions";
import { completeSession, markSessionRunning } from "../sessions/transitions";
import { createSpell } from "../spells/manage-spells";
import { cancelCast } from "./cancel-cast";
import { createCast } from "./create-cast";
import { getCast } from "./read-casts";

const { db, close } = openTestDb(10);
// cancelCast runs on connections of its own, so the test can see when it waits for a lock.
const cancelAppName = `cancel-cast-test-${randomBytes(4).toString("hex")}`;
const canceller = createDb(testEnv().databaseUrl, { max: 2, appName: cancelAppName });
afterAll(async () => {
  await canceller.close();
  await close();
});

const options = { maxAttempts: 3, holdMs: 3_600_000 };
const text = (t: string) => ({ kind: "text" as const, text: t });

const userWith = (credits: number) => createUserWithCredits(db, credits);

let spellCount = 0;

/** A cast of two paid chat steps (1 credit each), each on a spell of its own name; its first step is queued and held. */
async function twoStepCast(userId: string) {
  const spell = await createSpell(db, {
    userId,
    spell: { name: `Twice ${++spellCount}`, steps: [{ tool: "chatgpt", params: { prompt: "first {{input}}" } }, { tool: "chatgpt", params: { prompt: "second {{input}}" } }] },
  });
  const { cast, jobs } = await createCast(db, { userId, spellId: spell.id, input: text("a fox") }, options);
  const first = jobs[0];
  if (!first) throw new Error("no first step");
  return { cast, first };
}

async function stepsOf(castId: string) {
  return db.select().from(generationSessions).where(eq(generationSessions.castId, castId)).orderBy(asc(generationSessions.stepIndex));
}

async function castEvents(castId: string) {
  const rows = await db.select({ payload: events.payload }).from(events).where(and(eq(events.subjectId, castId), eq(events.type, "cast_updated"))).orderBy(asc(events.id));
  return rows.map((r) => (r.payload as { cast: { status: string } }).cast.status);
}

/** Waits until one of cancelCast's connections is blocked on a lock. */
async function waitForCancelToBlock() {
  for (let i = 0; i < 500; i++) {
    const [row] = await db.execute<{ n: number }>(
      sql`select count(*)::int as n from pg_stat_activity where application_name = ${cancelAppName} and wait_event_type = 'Lock'`,
    );
    if ((row?.n ?? 0) > 0) return;
    await sleep(10);
  }
  throw new Error("cancelCast never waited for the step's lock");
}

describe("cancelCast", () => {
  it("the step completes while the cancel waits for it, creating the next step: that new step is canceled too", async () => {
    const userId = await userWith(10);
    const { cast, first } = await twoStepCast(userId);
    await markSessionRunning(db, { sessionId: first.sessionId, attempt: 1, leaseMs: 60_000 });
    let canceling: ReturnType<typeof cancelCast> | undefined;
    // The worker's completion holds the step's row lock; the cancel has read the cast and waits for that lock.
    await db.transaction(async (tx) => {
      await tx.select({ id: generationSessions.id }).from(generationSessions).where(eq(generationSessions.id, first.sessionId)).for("update");
      canceling = cancelCast(canceller.db, { userId, castId: cast.id });
      await waitForCancelToBlock();
      const [done] = await withEventsLast(tx, () => completeSessionsInTx(tx, [{ sessionId: first.sessionId, outputs: text("a red fox") }]));
      expect(done?.chain.next).toHaveLength(1);
    });
    const result = await canceling;
    const steps = await stepsOf(cast.id);
    expect(steps.map((s) => [s.stepIndex, s.status])).toEqual([
      [0, "completed"],
      [1, "canceled"],
    ]);
    expect(result?.cast).toMatchObject({ id: cast.id, status: "canceled" });
    expect(result?.canceled).toEqual([{ sessionId: steps[1]?.id, previousStatus: "queued", jobId: `gen_${steps[1]?.id}` }]);
    // Step 1 was done and paid for; step 2's hold went back.
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 9, held: 0 });
    expect(await castEvents(cast.id)).toEqual(["running", "canceled"]);
  });

  it("racing the step's completion (20 rounds): the cast always ends canceled with nothing held and no open step", async () => {
    const userId = await userWith(100);
    for (let round = 0; round < 20; round++) {
      const { cast, first } = await twoStepCast(userId);
      await markSessionRunning(db, { sessionId: first.sessionId, attempt: 1, leaseMs: 60_000 });
      const [completed, result] = await Promise.all([
        completeSession(db, { sessionId: first.sessionId, outputs: text("a red fox") }),
        cancelCast(canceller.db, { userId, castId: cast.id }),
      ]);
      expect(result.cast.status).toBe("canceled");
      const steps = await stepsOf(cast.id);
      expect(steps.filter((s) => s.status === "queued" || s.status === "running")).toEqual([]);
      // The completion either won (step 1 charged, step 2 created then canceled) or found the step canceled.
      expect(steps.map((s) => s.status)).toEqual(completed.completed ? ["completed", "canceled"] : ["canceled"]);
      expect((await getBalance(db, { userId })).held).toBe(0);
    }
  });

  it("a step running in the job of the step before it is reported with that job, not gen_<its id>", async () => {
    const userId = await userWith(10);
    const { cast, first } = await twoStepCast(userId);
    await markSessionRunning(db, { sessionId: first.sessionId, attempt: 1, leaseMs: 60_000 });
    const done = await completeSession(db, { sessionId: first.sessionId, outputs: text("one"), continueAs: { jobId: "gen_owner", leaseMs: 60_000 } });
    const second = done.chain.continued?.job.sessionId;
    expect(second).toBeDefined();
    const result = await cancelCast(db, { userId, castId: cast.id });
    expect(result.canceled).toEqual([{ sessionId: second, previousStatus: "running", jobId: "gen_owner" }]);
    expect((await getBalance(db, { userId })).held).toBe(0);
  });

  it("an active cast with no open step (nothing to cancel through a session) ends canceled with its event", async () => {
    const userId = await userWith(10);
    const { cast, first } = await twoStepCast(userId);
    // A state no transition leaves behind: the step ended without moving the cast on.
    await db.update(generationSessions).set({ status: "failed", completedAt: new Date() }).where(eq(generationSessions.id, first.sessionId));
    const result = await cancelCast(db, { userId, castId: cast.id });
    expect(result).toMatchObject({ cast: { status: "canceled" }, canceled: [] });
    expect(await castEvents(cast.id)).toEqual(["running", "canceled"]);
  });

  it("a malformed id or another user's cast is NOT_FOUND, and the cast goes on", async () => {
    const userId = await userWith(10);
    const stranger = await userWith(10);
    const { cast } = await twoStepCast(userId);
    await expect(cancelCast(db, { userId, castId: "not-a-uuid" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(cancelCast(db, { userId: stranger, castId: cast.id })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Cast not found" });
    expect(await getCast(db, { userId, castId: cast.id })).toMatchObject({ status: "running" });
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 10, held: 1 });
  });
});
