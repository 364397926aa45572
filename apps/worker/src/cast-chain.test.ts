import { BUILT_IN_CAPTION_SPELL_ID, createSpell, getCast } from "@spellcast/core";
import { casts, events, generationSessions, reservations } from "@spellcast/db";
import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("castchain");
  c = captionHarness(h);
  await h.startWorker();
});
afterAll(async () => h.close());

async function stepsOf(castId: string) {
  return h.db.select().from(generationSessions).where(eq(generationSessions.castId, castId)).orderBy(asc(generationSessions.stepIndex));
}

describe("spell casts: each step a generation session", () => {
  it("a 3-step cast (joycaption → rewrite → chatgpt): outputs chain, stepGenerationIds in order, each step charged its cost", async () => {
    const userId = await h.userWith(100);
    const datasetId = await c.datasetWith(userId, 1);
    const started = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    expect(started.status).toBe("in_progress");
    const { set, captions } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set.status).toBe("completed");
    const caption = captions[0];
    if (!caption?.castId) throw new Error("no caption");
    const cast = await getCast(h.db, { userId, castId: caption.castId });
    expect(cast.status).toBe("completed");
    const steps = await stepsOf(cast.id);
    expect(cast.stepGenerationIds).toEqual(steps.map((s) => s.id));
    expect(steps.map((s) => [s.tool, s.stepIndex, s.status, s.cost])).toEqual([
      ["joycaption", 0, "completed", 2],
      ["rewrite", 1, "completed", 0],
      ["chatgpt", 2, "completed", 1],
    ]);
    const text = (s: (typeof steps)[number] | undefined) => (s?.outputs as { text?: string } | null)?.text;
    const inputText = (s: (typeof steps)[number] | undefined) => (s?.params.input as { text?: string } | undefined)?.text;
    expect(inputText(steps[1])).toBe(text(steps[0]));
    expect(inputText(steps[2])).toBe(text(steps[1]));
    expect(caption.text).toBe(text(steps[2]));
    expect(caption.text?.length).toBeGreaterThan(0);
    // The template's instruction went as the system message; the chat model answered the caption only.
    expect(caption.text).not.toContain("Rewrite this image caption");
    expect(caption.creditsCharged).toBe(3);
    const holds = await h.db.select().from(reservations).where(inArray(reservations.subjectId, steps.map((s) => s.id)));
    expect(holds.map((r) => [r.status, r.captured]).sort()).toEqual([["captured", 1], ["captured", 2]]);
    expect(await h.balance(userId)).toEqual({ balance: 97, held: 0 });
    expect(set.spent).toBe(3);
  });

  it("a fatal error in step 2: cast failed with step 2's details, step 3 never called or charged, step 2 refunded", async () => {
    const userId = await h.userWith(100);
    const spell = await createSpell(h.db, {
      userId,
      spell: {
        name: "Three calls",
        steps: [
          { tool: "joycaption", params: {} },
          { tool: "chatgpt", params: { prompt: "STEPTWO {{input}}" } },
          { tool: "chatgpt", params: { prompt: "STEPTHREE {{input}}" } },
        ],
      },
    });
    h.sim.addFaults([{ match: { promptContains: "STEPTWO" }, status: 400, body: JSON.stringify({ error: { message: "Bad prompt for step two", type: "invalid_request_error" } }) }]);
    const datasetId = await c.datasetWith(userId, 1);
    const started = await c.start(userId, datasetId, spell.id);
    const { set, captions } = await c.waitForSet(userId, started.id, ["completed", "completed_with_errors"]);
    expect(set.status).toBe("completed_with_errors");
    expect(set.failed).toBe(1);
    expect(captions[0]?.status).toBe("failed");
    const [castRow] = await h.db.select().from(casts).where(eq(casts.captionSetId, set.id));
    if (!castRow) throw new Error("no cast");
    const cast = await getCast(h.db, { userId, castId: castRow.id });
    expect(cast.status).toBe("failed");
    expect(cast.errorDetails?.failedStep).toBe(1);
    expect(cast.errorDetails?.providerStatus).toBe(400);
    expect(cast.errorDetails?.fatal).toBe(true);
    expect(cast.errorDetails?.refundedCredits).toBe(1);
    const steps = await stepsOf(cast.id);
    expect(steps.map((s) => [s.stepIndex, s.status])).toEqual([
      [0, "completed"],
      [1, "failed"],
    ]);
    expect(cast.stepGenerationIds).toHaveLength(2);
    expect(h.sim.calls().calls.filter((call) => call.prompt?.includes("STEPTHREE"))).toHaveLength(0);
    expect(h.sim.calls().calls.filter((call) => call.prompt?.includes("STEPTWO"))).toHaveLength(1);
    const [hold] = await h.db.select().from(reservations).where(eq(reservations.subjectId, steps[1]?.id ?? ""));
    expect([hold?.status, hold?.released]).toEqual(["released", 1]);
    expect(await h.balance(userId)).toEqual({ balance: 98, held: 0 });
    const castEvents = await h.db.select().from(events).where(and(eq(events.userId, userId), eq(events.type, "cast_updated"))).orderBy(asc(events.id));
    expect(castEvents.at(-1)?.payload).toMatchObject({ cast: { status: "failed" } });
  });
});
