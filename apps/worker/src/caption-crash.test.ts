import { setTimeout as sleep } from "node:timers/promises";

import { BUILT_IN_CAPTION_SPELL_ID, getCaptionSet, startCaptionRun } from "@spellcast/core";
import { captionVersions, captions, casts, generationSessions, reservations } from "@spellcast/db";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";
import { spawnedWorkers } from "./spawned-workers";
import type { SpawnedWorkers } from "./spawned-workers";
import { sweepSessions } from "./sweeper";

let h: GenerationHarness;
let c: CaptionHarness;
let workers: SpawnedWorkers;

beforeAll(async () => {
  h = await createGenerationHarness("captioncrash");
  c = captionHarness(h);
  workers = spawnedWorkers(h);
});
afterAll(async () => {
  workers.killAll();
  await h.close();
});

async function assertCaptionedOnce(userId: string, setId: string, images: number) {
  const { set, captions: rows } = await getCaptionSet(h.db, { userId, setId });
  expect(set).toMatchObject({ status: "completed", done: images, failed: 0, spent: images * 3 });
  expect(rows.every((r) => r.status === "done" && r.creditsCharged === 3)).toBe(true);
  // Exactly one completed cast per image; no image got a second caption version from a second cast.
  const perImage = await h.db
    .select({ imageId: casts.imageId, n: sql<number>`count(*)::int` })
    .from(casts)
    .where(and(eq(casts.captionSetId, setId), eq(casts.status, "completed")))
    .groupBy(casts.imageId);
  expect(perImage).toHaveLength(images);
  expect(perImage.every((r) => r.n === 1)).toBe(true);
  const versions = await h.db.select().from(captionVersions).innerJoin(captions, eq(captions.id, captionVersions.captionId)).where(eq(captions.captionSetId, setId));
  expect(versions).toHaveLength(images);
  // Charged once: the captured holds of the run's steps add up to images × spell cost.
  const steps = await h.db.select({ id: generationSessions.id }).from(generationSessions).innerJoin(casts, eq(casts.id, generationSessions.castId)).where(eq(casts.captionSetId, setId));
  const held = await h.db.select().from(reservations).where(inArray(reservations.subjectId, steps.map((s) => s.id)));
  expect(held.reduce((sum, r) => sum + r.captured, 0)).toBe(images * 3);
  expect(held.every((r) => r.status !== "held")).toBe(true);
}

describe("caption runs survive crashes", () => {
  it("kill -9 the worker mid-run, start it again: completes, every image captioned once, none charged twice", { timeout: 120_000 }, async () => {
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 20);
    h.sim.setLatency(150);
    const first = await workers.spawn();
    // A window of 6 of the 20 images: the kill also lands between casts ending and the next starting.
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID, undefined, 6);
    for (;;) {
      const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
      if (set.done >= 4) break;
      await sleep(20);
    }
    await workers.kill(first);
    const atKill = await getCaptionSet(h.db, { userId, setId: started.id });
    expect(atKill.set.status).toBe("in_progress");
    expect(atKill.set.done).toBeLessThan(20);

    await workers.spawn();
    // The scheduled sweeper's work, scoped to this user: queued steps whose enqueue died with the
    // worker are enqueued again; sets with uncast images are resumed.
    const deadline = Date.now() + 100_000;
    for (;;) {
      const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
      if (set.status !== "in_progress" || Date.now() > deadline) break;
      await sweepSessions(h.sweepDeps(), { queuedAfterMs: 1_000, userIds: [userId] });
      await sleep(250);
    }
    await assertCaptionedOnce(userId, started.id, 20);
    expect(await h.balance(userId)).toEqual({ balance: 1000 - 60, held: 0 });
    h.sim.setLatency(0);
  });

  it("the web process dies between cast batches: the sweeper resumes the set, which completes once", { timeout: 60_000 }, async () => {
    // The worker starts after the sweep: a running worker's first casts, ending, would cast the
    // images the dead web process left (each cast that ends casts the next), and the sweeper would
    // then rightly find nothing to resume.
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 6);
    let batches = 0;
    await expect(
      startCaptionRun(h.db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, { maxAttempts: 3, holdMs: 3_600_000, batchSize: 2 }, async (jobs) => {
        batches += 1;
        if (batches > 1) throw new Error("web process died");
        await c.enqueueJobs(jobs);
      }),
    ).rejects.toThrow("web process died");
    // The second batch's casts committed but their jobs never reached Redis: enqueued again. The
    // images after them have no cast: the set is resumed.
    const report = await sweepSessions(h.sweepDeps(), { queuedAfterMs: 0, userIds: [userId] });
    expect(report.requeued).toHaveLength(2);
    expect(report.resumedSets).toHaveLength(1);
    const setId = report.resumedSets[0] ?? "";
    await h.startWorker({ WORKER_CONCURRENCY: "4" });
    await c.waitForSet(userId, setId, ["completed"], 30_000);
    await assertCaptionedOnce(userId, setId, 6);
  });
});
