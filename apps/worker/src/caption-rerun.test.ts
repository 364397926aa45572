import { BUILT_IN_CAPTION_SPELL_ID, createSpell, estimateRerun, getCast, updateSpell } from "@spellcast/core";
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

/** The built-in Caption spell's steps (joycaption 2 → rewrite 0 → chatgpt 1), with prompts the sim's log and faults can find. */
const markedSteps = (joyPrompt: string, chatPrompt: string): Array<{ tool: "joycaption" | "rewrite" | "chatgpt"; params: Record<string, string> }> => [
  { tool: "joycaption" as const, params: { prompt: joyPrompt } },
  { tool: "rewrite" as const, params: {} },
  { tool: "chatgpt" as const, params: { prompt: `${chatPrompt} {{input}}` } },
];

/** Refuses the first ChatGPT call whose prompt holds `marker`, for good: that image fails at its last step. */
function refuseOnce(marker: string) {
  h.sim.addFaults([
    {
      match: { promptContains: marker },
      status: 400,
      times: 1,
      body: JSON.stringify({ error: { message: "Caption refused by the content policy", type: "invalid_request_error" } }),
    },
  ]);
}

describe("a run with a failed image", () => {
  it("says where and why it failed and what it kept; re-run casts just that image from its failed step, and the set completes", async () => {
    const userId = await h.userWith(100);
    const spell = await createSpell(h.db, { userId, spell: { name: "Caption, marked", steps: markedSteps("JOYRERUN describe", "RERUNME") } });
    refuseOnce("RERUNME");
    const datasetId = await c.datasetWith(userId, 3);
    // A budget of exactly the run's cost: a re-run from the first step (3 more) would not fit in what is left.
    const started = await c.start(userId, datasetId, spell.id, 9);
    const first = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(first.set).toMatchObject({ status: "completed_with_errors", done: 2, failed: 1, spent: 8 });
    const failed = first.captions.find((x) => x.status === "failed");
    if (!failed?.castId) throw new Error("no failed caption");
    // JoyCaption's 2 credits stay charged (it ran); ChatGPT's 1 went back.
    expect(failed.creditsCharged).toBe(2);
    expect(failed.failure).toEqual({ step: 2, tool: "chatgpt", message: "Caption refused by the content policy", refundedCredits: 1, refundPending: false });
    expect(await h.balance(userId)).toEqual({ balance: 92, held: 0 });
    const doneBefore = first.captions.filter((x) => x.status === "done");
    const failedCast = await getCast(h.db, { userId, castId: failed.castId });

    // The estimate: one image, whose JoyCaption and rewrite carry over, so only ChatGPT's 1 credit.
    expect(await estimateRerun(h.db, { userId, setId: started.id })).toEqual({ images: 1, carriedOver: 1, credits: 1 });
    const reopened = await c.rerunFailed(userId, started.id);
    expect(reopened).toMatchObject({ status: "in_progress", failed: 0 });
    const second = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors", "paused"]);
    expect(second.set).toMatchObject({ status: "completed", done: 3, failed: 0, spent: 9 });
    const again = second.captions.find((x) => x.id === failed.id);
    // The image's two casts: 2 kept from the failed one, 1 for the step the new one ran.
    expect(again).toMatchObject({ status: "done", creditsCharged: 3, failure: null });
    if (!again?.castId || again.castId === failed.castId) throw new Error("the re-run made no new cast");
    const rerunCast = await getCast(h.db, { userId, castId: again.castId });
    expect(rerunCast.carriedFrom).toEqual({ castId: failed.castId, steps: 2 });
    expect(rerunCast.stepGenerationIds.slice(0, 2)).toEqual(failedCast.stepGenerationIds.slice(0, 2));
    expect(rerunCast.stepGenerationIds).toHaveLength(3);
    // JoyCaption ran once per image: the re-run did not call it again.
    expect(h.simCallsFor("JOYRERUN")).toHaveLength(3);
    // The captions already done were neither cast nor charged again.
    expect(second.captions.filter((x) => x.id !== failed.id)).toEqual(doneBefore);
    expect(second.captions.reduce((sum, x) => sum + x.creditsCharged, 0)).toBe(second.set.spent);
    expect(await h.balance(userId)).toEqual({ balance: 91, held: 0 });

    // Every open page saw the image go failed → pending → done, each with what its row shows.
    const rows = await h.db
      .select({ payload: events.payload })
      .from(events)
      .where(and(eq(events.userId, userId), eq(events.type, "caption_updated"), eq(events.subjectId, failed.id)))
      .orderBy(asc(events.id));
    expect(rows.map((r) => (r.payload as { caption: { status: string } }).caption.status)).toEqual(["failed", "pending", "done"]);
    expect(rows[0]?.payload).toMatchObject({ caption: { failure: { step: 2, tool: "chatgpt" }, creditsCharged: 2 } });
  });

  it("re-runs every step when the spell's first step was edited since, and carries over what is unchanged when only a later one was", async () => {
    const userId = await h.userWith(100);
    const spell = await createSpell(h.db, { userId, spell: { name: "Caption, to edit", steps: markedSteps("JOYEDIT describe", "EDITME") } });
    refuseOnce("EDITME");
    const datasetId = await c.datasetWith(userId, 2);
    const started = await c.start(userId, datasetId, spell.id);
    await c.waitForSet(userId, started.id, ["completed_with_errors"]);

    // Only ChatGPT's prompt changed: JoyCaption and rewrite are the same steps, so they carry over.
    await updateSpell(h.db, { userId, spellId: spell.id, spell: { name: spell.name, steps: markedSteps("JOYEDIT describe", "EDITED") } });
    expect(await estimateRerun(h.db, { userId, setId: started.id })).toEqual({ images: 1, carriedOver: 1, credits: 1 });
    // JoyCaption's prompt changed: its output may differ, so the image is cast from its first step.
    await updateSpell(h.db, { userId, spellId: spell.id, spell: { name: spell.name, steps: markedSteps("JOYEDIT2 describe", "EDITED") } });
    expect(await estimateRerun(h.db, { userId, setId: started.id })).toEqual({ images: 1, carriedOver: 0, credits: 3 });

    await c.rerunFailed(userId, started.id);
    const second = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    // The image done at once (3), the failed cast's JoyCaption (2), the re-run's whole cast (3).
    expect(second.set).toMatchObject({ status: "completed", done: 2, spent: 3 + 2 + 3 });
    const rerunCast = await getCast(h.db, { userId, castId: second.captions.find((x) => x.creditsCharged === 5)?.castId ?? "" });
    expect(rerunCast.carriedFrom).toBeNull();
    expect(h.simCallsFor("JOYEDIT2")).toHaveLength(1);
    expect(await h.balance(userId)).toEqual({ balance: 100 - second.set.spent, held: 0 });
  });

  it("re-run refuses a set with nothing failed, and another user's set", async () => {
    const userId = await h.userWith(100);
    const other = await h.userWith(100);
    const datasetId = await c.datasetWith(userId, 1);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    await c.waitForSet(userId, started.id, ["completed"]);
    await expect(c.rerunFailed(userId, started.id)).rejects.toThrow(/No failed captions/);
    await expect(c.rerunFailed(other, started.id)).rejects.toThrow(/not found/i);
    await expect(estimateRerun(h.db, { userId: other, setId: started.id })).rejects.toThrow(/not found/i);
    expect(await estimateRerun(h.db, { userId, setId: started.id })).toEqual({ images: 0, carriedOver: 0, credits: 0 });
    expect(await h.balance(other)).toEqual({ balance: 100, held: 0 });
  });
});
