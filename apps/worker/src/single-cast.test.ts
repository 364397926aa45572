import { setTimeout as sleep } from "node:timers/promises";

import { BUILT_IN_CAPTION_SPELL_ID, createCast, createSpell, getCast } from "@spellcast/core";
import type { CastRequest, CastSnapshot } from "@spellcast/core";
import { datasetImages } from "@spellcast/db";
import { enqueueGeneration } from "@spellcast/queue";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

let h: GenerationHarness;
let c: CaptionHarness;

beforeAll(async () => {
  h = await createGenerationHarness("singlecast");
  c = captionHarness(h);
  await h.startWorker();
});
afterAll(async () => h.close());

/** Creates the cast as the router does (jobs enqueued after the commit), then waits for its end. */
async function castAndWait(userId: string, request: CastRequest): Promise<CastSnapshot> {
  const { cast, jobs } = await createCast(h.db, { userId, ...request }, { maxAttempts: 3, holdMs: 3_600_000 });
  for (const job of jobs) await enqueueGeneration(h.producers, job);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const last = await getCast(h.db, { userId, castId: cast.id });
    if (last.status !== "queued" && last.status !== "running") return last;
    await sleep(50);
  }
  throw new Error(`cast ${cast.id} did not end`);
}

describe("single casts (no caption run) through the worker", () => {
  it("a text cast (rewrite → chatgpt) completes with the model's text; only the paid step is charged", async () => {
    const userId = await h.userWith(10);
    const spell = await createSpell(h.db, {
      userId,
      spell: { name: "Tidy and polish", steps: [{ tool: "rewrite", params: {} }, { tool: "chatgpt", params: { prompt: "Make this a caption: {{input}}" } }] },
    });
    const cast = await castAndWait(userId, { spellId: spell.id, input: { kind: "text", text: "  this image shows a   red fox " } });
    expect(cast.status).toBe("completed");
    expect(cast.captionSetId).toBeNull();
    expect(cast.stepGenerationIds).toHaveLength(2);
    expect(cast.output?.kind).toBe("text");
    expect(cast.output?.kind === "text" ? cast.output.text.length : 0).toBeGreaterThan(0);
    expect(await h.balance(userId)).toEqual({ balance: 9, held: 0 });
  });

  it("an image cast on the built-in caption spell completes with text", async () => {
    const userId = await h.userWith(10);
    const datasetId = await c.datasetWith(userId, 1);
    const [image] = await h.db.select({ id: datasetImages.id }).from(datasetImages).where(eq(datasetImages.datasetId, datasetId));
    if (!image) throw new Error("no image");
    const cast = await castAndWait(userId, { spellId: BUILT_IN_CAPTION_SPELL_ID, input: { kind: "image", datasetId, imageId: image.id } });
    expect(cast).toMatchObject({ status: "completed", datasetId, imageId: image.id, imageIndex: 0 });
    expect(cast.output?.kind === "text" ? cast.output.text.length : 0).toBeGreaterThan(0);
    expect(await h.balance(userId)).toEqual({ balance: 7, held: 0 });
  });

  it("a fatal provider error fails the cast with the step's error details and failedStep; the hold is released", async () => {
    const userId = await h.userWith(10);
    const spell = await createSpell(h.db, { userId, spell: { name: "Doomed", steps: [{ tool: "chatgpt", params: { prompt: "SINGLEFAIL {{input}}" } }] } });
    h.sim.addFaults([{ match: { promptContains: "SINGLEFAIL" }, status: 400, body: JSON.stringify({ error: { message: "Bad single prompt", type: "invalid_request_error" } }) }]);
    const cast = await castAndWait(userId, { spellId: spell.id, input: { kind: "text", text: "hello" } });
    expect(cast.status).toBe("failed");
    expect(cast.errorDetails).toMatchObject({ failedStep: 0, providerStatus: 400, fatal: true, refundedCredits: 1 });
    expect(cast.errorDetails?.providerMessage).toContain("Bad single prompt");
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 0 });
  });

  it("credits run out between two paid steps: the cast fails at the step it cannot pay for; step 1 is called and charged once", async () => {
    const userId = await h.userWith(1);
    const spell = await createSpell(h.db, {
      userId,
      spell: {
        name: "Two polishes",
        steps: [
          { tool: "chatgpt", params: { prompt: "SHORTFIRST {{input}}" } },
          { tool: "chatgpt", params: { prompt: "SHORTSECOND {{input}}" } },
        ],
      },
    });
    const cast = await castAndWait(userId, { spellId: spell.id, input: { kind: "text", text: "a fox" } });
    expect(cast.status).toBe("failed");
    expect(cast.stepGenerationIds).toHaveLength(1);
    expect(cast.errorDetails).toMatchObject({ failedStep: 1, reason: "insufficient_credits", fatal: true, attempts: 0 });
    expect(cast.errorDetails?.providerMessage).toContain("Step 2");
    // The first step's provider call is made once (no retry of work already paid for), the second never.
    expect(h.simCallsFor("SHORTFIRST")).toHaveLength(1);
    expect(h.simCallsFor("SHORTSECOND")).toHaveLength(0);
    expect(await h.balance(userId)).toEqual({ balance: 0, held: 0 });
  });
});
