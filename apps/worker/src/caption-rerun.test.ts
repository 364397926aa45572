import { BUILT_IN_CAPTION_SPELL_ID, createSpell } from "@spellcast/core";
import { events } from "@spellcast/db";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("caprerun");
  c = captionHarness(h);
  await h.startWorker();
});
afterAll(async () => h.close());

describe("a run with a failed image", () => {
  it("says where and why it failed and what it kept; re-run failed casts just that image and the set completes", async () => {
    const userId = await h.userWith(100);
    // The built-in Caption spell's steps (joycaption 2 → rewrite 0 → chatgpt 1), with a prompt the fault can find.
    const spell = await createSpell(h.db, {
      userId,
      spell: {
        name: "Caption, marked",
        steps: [
          { tool: "joycaption", params: {} },
          { tool: "rewrite", params: {} },
          { tool: "chatgpt", params: { prompt: "RERUNME {{input}}" } },
        ],
      },
    });
    // The first ChatGPT call of the run is refused for good: that image fails at its last step.
    h.sim.addFaults([
      {
        match: { promptContains: "RERUNME" },
        status: 400,
        times: 1,
        body: JSON.stringify({ error: { message: "Caption refused by the content policy", type: "invalid_request_error" } }),
      },
    ]);
    const datasetId = await c.datasetWith(userId, 3);
    const started = await c.start(userId, datasetId, spell.id);
    const first = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(first.set).toMatchObject({ status: "completed_with_errors", done: 2, failed: 1, spent: 8 });
    const failed = first.captions.find((x) => x.status === "failed");
    if (!failed) throw new Error("no failed caption");
    // JoyCaption's 2 credits stay charged (it ran); ChatGPT's 1 went back.
    expect(failed.creditsCharged).toBe(2);
    expect(failed.failure).toEqual({ step: 2, tool: "chatgpt", message: "Caption refused by the content policy", refundedCredits: 1, refundPending: false });
    expect(await h.balance(userId)).toEqual({ balance: 92, held: 0 });
    const doneBefore = first.captions.filter((x) => x.status === "done");

    const reopened = await c.rerunFailed(userId, started.id);
    expect(reopened).toMatchObject({ status: "in_progress", failed: 0 });
    const second = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(second.set).toMatchObject({ status: "completed", done: 3, failed: 0, spent: 11 });
    const again = second.captions.find((x) => x.id === failed.id);
    // The image's two casts: 2 kept from the failed one, 3 for the one that landed.
    expect(again).toMatchObject({ status: "done", creditsCharged: 5, failure: null });
    expect(again?.castId).not.toBe(failed.castId);
    // The captions already done were neither cast nor charged again.
    expect(second.captions.filter((x) => x.id !== failed.id)).toEqual(doneBefore);
    expect(second.captions.reduce((sum, x) => sum + x.creditsCharged, 0)).toBe(second.set.spent);
    expect(await h.balance(userId)).toEqual({ balance: 89, held: 0 });

    // Every open page saw the image go failed → pending → done, each with what its row shows.
    const rows = await h.db
      .select({ payload: events.payload })
      .from(events)
      .where(and(eq(events.userId, userId), eq(events.type, "caption_updated"), eq(events.subjectId, failed.id)))
      .orderBy(asc(events.id));
    expect(rows.map((r) => (r.payload as { caption: { status: string } }).caption.status)).toEqual(["failed", "pending", "done"]);
    expect(rows[0]?.payload).toMatchObject({ caption: { failure: { step: 2, tool: "chatgpt" }, creditsCharged: 2 } });
  });

  it("re-run refuses a set with nothing failed, and another user's set", async () => {
    const userId = await h.userWith(100);
    const other = await h.userWith(100);
    const datasetId = await c.datasetWith(userId, 1);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    await c.waitForSet(userId, started.id, ["completed"]);
    await expect(c.rerunFailed(userId, started.id)).rejects.toThrow(/No failed captions/);
    await expect(c.rerunFailed(other, started.id)).rejects.toThrow(/not found/i);
    expect(await h.balance(other)).toEqual({ balance: 100, held: 0 });
  });
});
