import { setTimeout as sleep } from "node:timers/promises";

import { BUILT_IN_CAPTION_SPELL_ID, getCaptionSet } from "@spellcast/core";
import { generationSessions } from "@spellcast/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { deleteKeysWithPrefix } from "../../../tooling/test/redis-keys";
import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";
import { sweepSessions } from "./sweeper";

// Redis here keeps nothing on disk: a restart loses every job, the running ones included.
// Postgres still holds what each job was for, so the work must go on, not fail. (A running step
// whose worker died too is put back by the sweeper: sweeper.test.ts.)

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("queueloss");
  c = captionHarness(h);
});
afterAll(async () => {
  await h.close();
});

/** Later than any running step's deadline: the sweeper looks at the sessions the lost jobs ran. */
const pastEveryDeadline = () => new Date(Date.now() + 10 * 60_000);

async function statuses(userId: string) {
  const rows = await h.db.select({ id: generationSessions.id, status: generationSessions.status }).from(generationSessions).where(eq(generationSessions.userId, userId));
  return new Map(rows.map((r) => [r.id, r.status]));
}
const runningSessions = async (userId: string) => [...(await statuses(userId)).values()].filter((s) => s === "running").length;

describe("Redis loses every job (a restart without persistence)", () => {
  it("a caption run and a generation mid-flight: the work in flight finishes without its jobs, the waiting work goes back on the queue; every image captioned once, nothing run twice or charged twice", { timeout: 90_000 }, async () => {
    await h.startWorker({ WORKER_CONCURRENCY: "4" });
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 10);
    h.sim.setLatency(400);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID, undefined, 4);
    // Some captions landed and some steps are at the provider when Redis forgets them.
    for (;;) {
      const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
      if (set.done >= 2 && (await runningSessions(userId)) > 1) break;
      await sleep(20);
    }
    // A single generation too (interactive: it goes before the run's steps).
    const generation = await h.submit(userId, "a single generation, running when Redis restarts");
    await h.waitForStatus(userId, generation.id, ["running"]);
    await deleteKeysWithPrefix(h.env({}).REDIS_URL, h.prefix);
    const lostRunning = await runningSessions(userId);
    expect(lostRunning).toBeGreaterThan(0);
    // The calls in flight end with their jobs gone. Then the sweeper runs with a clock past every
    // lease, as if no worker renewed them, when no call of theirs is still going.
    h.sim.setLatency(0);
    await sleep(1_500);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
      const generationEnded = ["completed", "failed", "canceled"].includes((await statuses(userId)).get(generation.id) ?? "");
      if ((set.status !== "in_progress" && generationEnded) || Date.now() > deadline) break;
      await sweepSessions(h.sweepDeps(), { queuedAfterMs: 0, userIds: [userId], now: pastEveryDeadline() });
      await sleep(250);
    }
    const { set, captions } = await getCaptionSet(h.db, { userId, setId: started.id });
    expect(set).toMatchObject({ status: "completed", done: 10, failed: 0, spent: 30 });
    expect(captions.every((r) => r.status === "done" && r.creditsCharged === 3)).toBe(true);
    // The generation's call outlived its job: it completed on its first attempt, charged once.
    expect(await h.waitForStatus(userId, generation.id, ["completed"])).toMatchObject({ status: "completed", attempts: 1 });
    expect(await h.balance(userId)).toEqual({ balance: 1000 - 30 - 2, held: 0 });
    // So did every step: those at the provider and the ones their lost jobs ran next finished in
    // this worker; those only waiting in Redis went back on the queue. None needed a second attempt.
    const sessions = await h.db.select().from(generationSessions).where(eq(generationSessions.userId, userId));
    expect(sessions.every((s) => s.status === "completed" && s.attempts === 1 && s.attemptLog.length === 0)).toBe(true);
    expect(sessions).toHaveLength(10 * 3 + 1);
  });
});
