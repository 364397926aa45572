import { setTimeout as sleep } from "node:timers/promises";

import { BUILT_IN_CAPTION_SPELL_ID, cancelDatasetRuns, deleteDataset } from "@spellcast/core";
import { generationSessions } from "@spellcast/db";
import { createLocalStorage } from "@spellcast/storage";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("dsdelete");
  c = captionHarness(h);
  await h.startWorker();
});
afterAll(async () => h.close());

const joyCaptionCalls = () => h.sim.calls().calls.filter((call) => call.model === "joycaption-alpha-two");

describe("deleting a dataset while its run's provider calls are in flight", () => {
  it("charges nothing for the canceled steps, leaves nothing held, and the worker goes on with other runs", async () => {
    const userId = await h.userWith(100);
    const datasetId = await c.datasetWith(userId, 3);
    // Slow enough that all three JoyCaption calls are in flight when the dataset goes.
    h.sim.addFaults([{ match: { model: "joycaption-alpha-two" }, delayMs: 1_500, times: 3 }]);
    const before = joyCaptionCalls().length;
    await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    await expect.poll(() => joyCaptionCalls().length - before, { timeout: 10_000 }).toBe(3);

    const canceled = await cancelDatasetRuns(h.db, { userId, datasetId });
    expect(canceled.map((s) => s.previousStatus)).toEqual(["running", "running", "running"]);
    await deleteDataset(h.db, createLocalStorage(h.storageDir), { userId, datasetId });
    expect(await h.balance(userId)).toEqual({ balance: 100, held: 0 });

    // The three calls answer after the rows are gone: nothing is charged for them, nothing fails.
    await expect.poll(() => joyCaptionCalls().slice(-3).every((call) => call.outcome !== "pending"), { timeout: 10_000 }).toBe(true);
    await sleep(500);
    expect(await h.balance(userId)).toEqual({ balance: 100, held: 0 });
    const steps = await h.db.select({ status: generationSessions.status }).from(generationSessions).where(eq(generationSessions.userId, userId));
    expect(steps.map((s) => s.status)).toEqual(["canceled", "canceled", "canceled"]);

    // Another run of the same user still completes: no job of the deleted run is stuck or poisoned.
    const other = await c.datasetWith(userId, 2);
    const started = await c.start(userId, other, BUILT_IN_CAPTION_SPELL_ID);
    const { set } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set).toMatchObject({ status: "completed", done: 2 });
    expect(await h.balance(userId)).toEqual({ balance: 94, held: 0 });
  });
});
