import { BUILT_IN_CAPTION_SPELL_ID, cancelCaptionSet, getCaptionSet, raiseCaptionBudget, readEventsAfter } from "@spellcast/core";
import { captionSets, casts, events } from "@spellcast/db";
import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("captionrun");
  c = captionHarness(h);
  await h.startWorker({ WORKER_CONCURRENCY: "8" });
});
afterAll(async () => h.close());

describe("caption runs", () => {
  it("a 20-image run: in_progress at once, captions land one by one, flips completed once, 20 captions, charges = 20 × spell cost", async () => {
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 20);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    expect(started.status).toBe("in_progress");
    expect(started.total).toBe(20);
    const { set, captions } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set).toMatchObject({ status: "completed", done: 20, failed: 0, total: 20, spent: 60 });
    expect(captions).toHaveLength(20);
    expect(captions.every((x) => x.status === "done" && (x.text ?? "").length > 0 && x.creditsCharged === 3)).toBe(true);
    expect(new Set(captions.map((x) => x.fileName)).size).toBe(20);
    expect(await h.balance(userId)).toEqual({ balance: 1000 - 60, held: 0 });

    const log = await h.db
      .select()
      .from(events)
      .where(and(eq(events.userId, userId)))
      .orderBy(asc(events.id));
    const landed = log.filter((e) => e.type === "caption_updated").map((e) => e.payload as { caption: { id: string; status: string }; set: { done: number } });
    expect(landed).toHaveLength(20);
    expect(landed.map((e) => e.set.done)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(new Set(landed.map((e) => e.caption.id)).size).toBe(20);
    const setEvents = log.filter((e) => e.type === "caption_set_updated").map((e) => (e.payload as { set: { status: string } }).set.status);
    expect(setEvents).toEqual(["in_progress", "completed"]);
    // The caption set exists once for this run; the flip happened on it.
    const sets = await h.db.select().from(captionSets).where(eq(captionSets.datasetId, datasetId));
    expect(sets).toHaveLength(1);
    // Every caption event is visible to a reader of the log (the stream's read path).
    const streamed = await readEventsAfter(h.db, { userId, afterId: null, limit: 1000 });
    expect(streamed.filter((e) => e.type === "caption_updated")).toHaveLength(20);
  });

  it("a 12-image run with a window of 3: never more than 3 casts active, each finished cast starts the next image, completes once", async () => {
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 12);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID, undefined, 3);
    let mostActive = 0;
    for (;;) {
      const active = await h.db.select().from(casts).where(and(eq(casts.captionSetId, started.id), inArray(casts.status, ["queued", "running"])));
      mostActive = Math.max(mostActive, active.length);
      const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
      if (set.status !== "in_progress") break;
    }
    const { set, captions } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set).toMatchObject({ status: "completed", done: 12, failed: 0, spent: 36 });
    expect(captions.every((x) => x.status === "done" && x.creditsCharged === 3)).toBe(true);
    expect(mostActive).toBeGreaterThan(0);
    expect(mostActive).toBeLessThanOrEqual(3);
    expect(await h.db.select().from(casts).where(eq(casts.captionSetId, started.id))).toHaveLength(12);
    expect(await h.balance(userId)).toEqual({ balance: 1000 - 36, held: 0 });
  });

  it("budget cap: the run casts whole casts within the cap and pauses (every cast it started finishes), raising it resumes to completion; cancel releases holds", async () => {
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 10);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID, 14);
    const paused = await c.waitForSet(userId, started.id, ["paused"]);
    // Let in-flight steps settle, then check nothing passed the cap.
    await new Promise((r) => setTimeout(r, 500));
    const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
    expect(paused.set.done).toBeLessThan(10);
    // Whole casts only (3 credits each): four fit in 14, and every one it started finished.
    expect(set).toMatchObject({ status: "paused", done: 4, spent: 12 });
    expect(await h.balance(userId)).toEqual({ balance: 1000 - 12, held: 0 });
    await raiseCaptionBudget(h.db, { userId, setId: started.id, budget: 100 }, { maxAttempts: 3, holdMs: 3_600_000 }, c.enqueueJobs);
    const done = await c.waitForSet(userId, started.id, ["completed"]);
    expect(done.set).toMatchObject({ done: 10, spent: 30 });
    expect(await h.balance(userId)).toEqual({ balance: 970, held: 0 });

    const other = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    const canceled = await cancelCaptionSet(h.db, { userId, setId: other.id });
    expect(canceled.set.status).toBe("canceled");
    await new Promise((r) => setTimeout(r, 500));
    expect((await h.balance(userId)).held).toBe(0);
  });

  it("budget cap with a small window: the cast that would pass the cap is never made, and the set pauses there", async () => {
    const userId = await h.userWith(1000);
    const datasetId = await c.datasetWith(userId, 10);
    // A window of 2: every image after the first two is cast by the batch that ends a cast, which
    // finds the budget spent and must pause the set in that same transaction.
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID, 9, 2);
    const paused = await c.waitForSet(userId, started.id, ["paused"], 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
    // Three whole casts fit in 9; each finished, and no fourth was made.
    expect(paused.set.done).toBeLessThanOrEqual(3);
    expect(set).toMatchObject({ status: "paused", done: 3, spent: 9 });
    expect(await h.db.select().from(casts).where(eq(casts.captionSetId, started.id))).toHaveLength(3);
    expect(await h.balance(userId)).toEqual({ balance: 1000 - set.spent, held: 0 });
  });

  it("credits short of the run: it casts only the images the credits can finish, captions them, and pauses with nothing held", async () => {
    // 10 credits, 3 per image: three images can be captioned. Holding each image's first step
    // alone (2 credits) would start five, spend everything on JoyCaption and caption none.
    const userId = await h.userWith(10);
    const datasetId = await c.datasetWith(userId, 6);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    await c.waitForSet(userId, started.id, ["paused"], 10_000);
    await new Promise((r) => setTimeout(r, 500));
    const { set } = await getCaptionSet(h.db, { userId, setId: started.id });
    expect(set).toMatchObject({ status: "paused", done: 3, failed: 0, spent: 9 });
    expect(await h.db.select().from(casts).where(eq(casts.captionSetId, started.id))).toHaveLength(3);
    expect(await h.balance(userId)).toEqual({ balance: 1, held: 0 });
  });
});
