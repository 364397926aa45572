import { and, eq, isNotNull, lt } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { BUILT_IN_CAPTION_SPELL_ID } from "@spellcast/core";
import { casts, generationSessions } from "@spellcast/db";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("interactive");
  c = captionHarness(h);
});
afterAll(async () => h.close());

describe("interactive work before a caption run's steps", () => {
  it("a generation submitted while a run fills the queue and the provider's slot is served next, not after the run", async () => {
    // One provider call at a time, four jobs in hand: the run's eight images alone take 16 calls.
    h.sim.setLatency(120);
    await h.startWorker({ WORKER_CONCURRENCY: "1", WORKER_JOBS_IN_FLIGHT: "4" });
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 8);
    const run = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    // Submitted once the run's calls have begun: behind its steps in arrival order.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = await h.userWith(100);
    const generation = await h.submit(other, "a lighthouse at dusk, interactive");
    const done = await h.waitForStatus(other, generation.id, ["completed", "failed"], 20_000);
    expect(done.status).toBe("completed");
    const { set } = await c.waitForSet(userId, run.id, ["completed", "completed_with_errors"], 30_000);
    expect(set).toMatchObject({ status: "completed", done: 8 });

    // When it completed, at most two of the run's images had: in arrival order, all eight's first
    // steps were ahead of it, and six or more would have been done.
    const [row] = await h.db.select({ completedAt: generationSessions.completedAt }).from(generationSessions).where(eq(generationSessions.id, generation.id));
    const completedAt = row?.completedAt;
    if (!completedAt) throw new Error("no completion time");
    const before = await h.db
      .select({ id: casts.id })
      .from(casts)
      .where(and(eq(casts.captionSetId, run.id), isNotNull(casts.completedAt), lt(casts.completedAt, completedAt)));
    expect(before.length).toBeLessThanOrEqual(2);
  });
});
