import { setTimeout as sleep } from "node:timers/promises";

import { BUILT_IN_CAPTION_SPELL_ID, cancelCast, createCast, createSpell, getCast } from "@spellcast/core";
import { casts, datasetImages, events, generationSessions, spells } from "@spellcast/db";
import { enqueueGeneration, generationJobId, publishCancel, QueueName } from "@spellcast/queue";
import { and, asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import { castRunner } from "./cast-test-helpers";
import type { CastRunner } from "./cast-test-helpers";
import type { CaptionHarness } from "./caption-test-harness";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";
import { waitForJobState } from "./test-helpers";

let h: GenerationHarness;
let c: CaptionHarness;
let castAndWait: CastRunner["castAndWait"];
let waitForCastEnd: CastRunner["waitForCastEnd"];

beforeAll(async () => {
  h = await createGenerationHarness("singlecast");
  c = captionHarness(h);
  ({ castAndWait, waitForCastEnd } = castRunner(h));
  await h.startWorker();
});
afterAll(async () => h.close());

const stepSessionsOf = (castId: string) =>
  h.db.select().from(generationSessions).where(eq(generationSessions.castId, castId)).orderBy(asc(generationSessions.stepIndex));

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

  it("a text → image cast (chatgpt → seedream) completes with an image drawn at the step's size, each step charged its cost", async () => {
    const userId = await h.userWith(10);
    const spell = await createSpell(h.db, {
      userId,
      spell: { name: "Polish then paint", steps: [{ tool: "chatgpt", params: { prompt: "Polish: {{input}}" } }, { tool: "seedream", params: { size: "512x512" } }] },
    });
    expect(spell.cost).toBe(3);
    const cast = await castAndWait(userId, { spellId: spell.id, input: { kind: "text", text: "a red fox" } });
    expect(cast.status).toBe("completed");
    expect(cast.output).toMatchObject({ kind: "image", contentType: "image/png" });
    const steps = await stepSessionsOf(cast.id);
    expect(steps.map((s) => [s.tool, s.status, s.cost, s.params.size])).toEqual([
      ["chatgpt", "completed", 1, undefined],
      ["seedream", "completed", 2, "512x512"],
    ]);
    expect(await h.balance(userId)).toEqual({ balance: 7, held: 0 });
  });

  it("a spell saved before Seedream steps had a size casts at the default size, the price it was shown", async () => {
    const userId = await h.userWith(10);
    const [legacy] = await h.db
      .insert(spells)
      .values({ userId, name: "Old painter", steps: [{ tool: "chatgpt", params: {} }, { tool: "seedream", params: {} }], builtIn: false })
      .returning();
    if (!legacy) throw new Error("no spell");
    const cast = await castAndWait(userId, { spellId: legacy.id, input: { kind: "text", text: "a blue fox" } });
    expect(cast.status).toBe("completed");
    expect(cast.output?.kind).toBe("image");
    const steps = await stepSessionsOf(cast.id);
    expect(steps.map((s) => [s.tool, s.cost, s.params.size])).toEqual([
      ["chatgpt", 1, undefined],
      ["seedream", 4, "1024x1024"],
    ]);
    expect(await h.balance(userId)).toEqual({ balance: 5, held: 0 });
  });

  it("a cast whose plan was frozen with a size-less Seedream step (before the fix) still draws, at the default size", async () => {
    const userId = await h.userWith(10);
    const spell = await createSpell(h.db, { userId, spell: { name: "Painter", steps: [{ tool: "chatgpt", params: {} }, { tool: "seedream", params: {} }] } });
    const { cast, jobs } = await createCast(h.db, { userId, spellId: spell.id, input: { kind: "text", text: "a green fox" } }, { maxAttempts: 3, holdMs: 3_600_000 });
    // The plan as such a cast stored it: step 2 without params.
    await h.db.update(casts).set({ input: sql`jsonb_set(${casts.input}, '{steps,1,params}', '{}'::jsonb)` }).where(eq(casts.id, cast.id));
    for (const job of jobs) await enqueueGeneration(h.producers, job);
    const done = await waitForCastEnd(userId, cast.id);
    expect(done.status).toBe("completed");
    const [, image] = await stepSessionsOf(cast.id);
    expect([image?.params.size, image?.cost, image?.status]).toEqual([undefined, 4, "completed"]);
    expect(await h.balance(userId)).toEqual({ balance: 5, held: 0 });
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

describe("canceling a single cast while its step's provider call is in flight", () => {
  /** A two-step cast whose first call the sim holds for `delayMs`; resolves once that call is in flight. */
  async function castInFlight(marker: string, delayMs: number) {
    const userId = await h.userWith(10);
    const spell = await createSpell(h.db, {
      userId,
      spell: {
        name: "Slow then next",
        steps: [
          { tool: "chatgpt", params: { prompt: `${marker}_FIRST {{input}}` } },
          { tool: "chatgpt", params: { prompt: `${marker}_NEXT {{input}}` } },
        ],
      },
    });
    h.sim.addFaults([{ match: { promptContains: `${marker}_FIRST` }, delayMs }]);
    const { cast, jobs } = await createCast(h.db, { userId, spellId: spell.id, input: { kind: "text", text: "a fox" } }, { maxAttempts: 3, holdMs: 3_600_000 });
    for (const job of jobs) await enqueueGeneration(h.producers, job);
    const stepId = cast.stepGenerationIds[0] ?? "";
    for (let i = 0; i < 500 && h.simCallsFor(`${marker}_FIRST`).length === 0; i++) await sleep(10);
    expect(h.simCallsFor(`${marker}_FIRST`)).toHaveLength(1);
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 1 });
    return { userId, castId: cast.id, stepId };
  }

  /** What the cast ended as, once nothing more can happen: no step after the first, nothing charged. */
  async function expectCanceledAndUncharged(marker: string, ids: { userId: string; castId: string; stepId: string }) {
    const cast = await getCast(h.db, { userId: ids.userId, castId: ids.castId });
    expect(cast).toMatchObject({ status: "canceled", stepGenerationIds: [ids.stepId], output: null });
    const steps = await h.db.select().from(generationSessions).where(eq(generationSessions.castId, ids.castId)).orderBy(asc(generationSessions.stepIndex));
    expect(steps.map((s) => [s.stepIndex, s.status, s.outputs])).toEqual([[0, "canceled", null]]);
    expect(h.simCallsFor(`${marker}_NEXT`)).toHaveLength(0);
    expect(await h.balance(ids.userId)).toEqual({ balance: 10, held: 0 });
    const castEvents = await h.db
      .select({ payload: events.payload })
      .from(events)
      .where(and(eq(events.subjectId, ids.castId), eq(events.type, "cast_updated")))
      .orderBy(asc(events.id));
    expect(castEvents.map((e) => (e.payload as { cast: { status: string } }).cast.status)).toEqual(["running", "canceled"]);
    expect((await h.eventTypes(ids.stepId)).filter((t) => t === "session_completed")).toHaveLength(1);
  }

  it("canceled, then the running call aborted (as casts.cancel signals it): the cast ends canceled, nothing charged, no next step", async () => {
    const ids = await castInFlight("CASTABORT", 1_500);
    const { cast, canceled } = await cancelCast(h.db, { userId: ids.userId, castId: ids.castId });
    expect(cast.status).toBe("canceled");
    expect(canceled).toEqual([{ sessionId: ids.stepId, previousStatus: "running", jobId: generationJobId(ids.stepId) }]);
    // What generationJobs.cancelRunning does for a running step.
    await publishCancel(h.redis, h.prefix, ids.stepId);
    const job = await waitForJobState(h.producers.queue(QueueName.generation), generationJobId(ids.stepId), ["completed", "failed"], 5_000);
    expect(job.returnvalue).toEqual({ outcome: "canceled" });
    expect(h.simCallsFor("CASTABORT_FIRST").map((c) => c.outcome)).toEqual(["client_closed"]);
    await sleep(1_700); // past the sim's delay: nothing may still arrive
    await expectCanceledAndUncharged("CASTABORT", ids);
  });

  it("canceled while the call runs and the abort never reaches the worker: the answer arrives, is discarded, nothing charged, no next step", async () => {
    const ids = await castInFlight("CASTLATE", 800);
    const { cast } = await cancelCast(h.db, { userId: ids.userId, castId: ids.castId });
    expect(cast.status).toBe("canceled");
    const job = await waitForJobState(h.producers.queue(QueueName.generation), generationJobId(ids.stepId), ["completed", "failed"], 10_000);
    expect(job.returnvalue).toEqual({ outcome: "already_terminal" });
    expect(h.simCallsFor("CASTLATE_FIRST").map((c) => c.outcome)).toEqual(["ok"]);
    await expectCanceledAndUncharged("CASTLATE", ids);
  });
});
