import { BUILT_IN_CAPTION_SPELL_ID, createSpell, findCastRetry, getCast, retryCast } from "@spellcast/core";
import type { SpellInput } from "@spellcast/core";
import { casts } from "@spellcast/db";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { captionHarness } from "./caption-test-harness";
import type { CaptionHarness } from "./caption-test-harness";
import { CAST_OPTIONS, castRunner, refuseOnce } from "./cast-test-helpers";
import type { CastRunner } from "./cast-test-helpers";
import { createGenerationHarness } from "./generation-test-harness";
import type { GenerationHarness } from "./generation-test-harness";

let h: GenerationHarness;
let c: CaptionHarness;
let run: CastRunner;

beforeAll(async () => {
  h = await createGenerationHarness("castretry");
  c = captionHarness(h);
  run = castRunner(h);
  await h.startWorker();
});
afterAll(async () => h.close());

/** A text spell of three steps (ChatGPT 1 → rewrite 0 → ChatGPT 1) whose prompts the sim's log and faults can find. */
const textSteps = (first: string, last: string): SpellInput["steps"] => [
  { tool: "chatgpt", params: { prompt: `${first} {{input}}` } },
  { tool: "rewrite", params: {} },
  { tool: "chatgpt", params: { prompt: `${last} {{input}}` } },
];


const retry = (userId: string, castId: string) => retryCast(h.db, { userId, castId }, CAST_OPTIONS);
const castCount = async (userId: string) => (await h.db.select({ n: sql<number>`count(*)::int` }).from(casts).where(eq(casts.userId, userId)))[0]?.n;

describe("retrying a failed single cast", () => {
  it("carries over the steps that completed: only the failed step runs again, and only it is charged", async () => {
    const userId = await h.userWith(10);
    const spell = await createSpell(h.db, { userId, spell: { name: "Polish twice", steps: textSteps("KEEPME", "RETRYLAST") } });
    refuseOnce(h, "RETRYLAST");
    const failed = await run.castAndWait(userId, { spellId: spell.id, input: { kind: "text", text: "a red fox" } });
    expect(failed).toMatchObject({ status: "failed", errorDetails: { failedStep: 2 } });
    // The first ChatGPT (1) ran and stays charged; the last one's credit came back.
    expect(await h.balance(userId)).toEqual({ balance: 9, held: 0 });

    const retried = await run.startAndWait(userId, await retry(userId, failed.id));
    expect(retried).toMatchObject({ status: "completed", carriedFrom: { castId: failed.id, steps: 2 } });
    expect(retried.stepGenerationIds.slice(0, 2)).toEqual(failed.stepGenerationIds.slice(0, 2));
    expect(retried.stepGenerationIds).toHaveLength(3);
    expect(retried.output?.kind === "text" && retried.output.text.length > 0).toBe(true);
    // Only the last step was charged again, and the first was not called again.
    expect(await h.balance(userId)).toEqual({ balance: 8, held: 0 });
    expect(h.simCallsFor("KEEPME")).toHaveLength(1);
    // The failed cast is left as it was: its page still tells what happened.
    expect(await getCast(h.db, { userId, castId: failed.id })).toEqual(failed);
  });

  it("casts every step again when the first one failed, as the cast was (not as its spell is now)", async () => {
    const userId = await h.userWith(10);
    const spell = await createSpell(h.db, { userId, spell: { name: "Fails first", steps: textSteps("FAILFIRST", "THENLAST") } });
    refuseOnce(h, "FAILFIRST");
    const failed = await run.castAndWait(userId, { spellId: spell.id, input: { kind: "text", text: "a grey wolf" } });
    expect(failed).toMatchObject({ status: "failed", errorDetails: { failedStep: 0 } });
    expect(await h.balance(userId)).toEqual({ balance: 10, held: 0 });
    const retried = await run.startAndWait(userId, await retry(userId, failed.id));
    expect(retried).toMatchObject({ status: "completed", carriedFrom: null, spellId: spell.id });
    expect(retried.steps).toEqual(failed.steps);
    expect(await h.balance(userId)).toEqual({ balance: 8, held: 0 });
  });

  it("a failed cast is retried once, however often it is asked; refuses casts that did not fail, a caption run's, another user's, and a retry the credits cannot start", async () => {
    const userId = await h.userWith(10);
    const other = await h.userWith(10);
    const spell = await createSpell(h.db, { userId, spell: { name: "Keyed", steps: textSteps("KEYFIRST", "KEYLAST") } });
    refuseOnce(h, "KEYLAST");
    const failed = await run.castAndWait(userId, { spellId: spell.id, input: { kind: "text", text: "a white hare" } });
    expect(failed.status).toBe("failed");

    await expect(retry(other, failed.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(retry(userId, "not-a-uuid")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await findCastRetry(h.db, { userId, castId: failed.id })).toBeNull();

    // Two tabs (or a double click) at once: one retry, one charge.
    const [first, again] = await Promise.all([retry(userId, failed.id), retry(userId, failed.id)]);
    expect(again.cast.id).toBe(first.cast.id);
    expect([first.created, again.created].sort()).toEqual([false, true]);
    const done = await run.startAndWait(userId, first.created ? first : again);
    expect(done.status).toBe("completed");
    expect(await h.balance(userId)).toEqual({ balance: 8, held: 0 });
    // The failed cast's page, opened again later, finds its retry rather than make another.
    expect((await findCastRetry(h.db, { userId, castId: failed.id }))?.id).toBe(done.id);
    expect(await retry(userId, failed.id)).toMatchObject({ created: false, cast: { id: done.id } });
    expect(await findCastRetry(h.db, { userId: other, castId: failed.id })).toBeNull();
    expect(await h.balance(userId)).toEqual({ balance: 8, held: 0 });
    await expect(retry(userId, done.id)).rejects.toMatchObject({ code: "INVALID_STATE", message: "Only a failed cast can be retried" });

    // A caption run's image is re-run from its run.
    const datasetId = await c.datasetWith(userId, 1);
    const set = await c.start(userId, datasetId, BUILT_IN_CAPTION_SPELL_ID);
    const { captions } = await c.waitForSet(userId, set.id, ["completed"]);
    await expect(retry(userId, captions[0]?.castId ?? "")).rejects.toMatchObject({ code: "INVALID_INPUT", message: expect.stringMatching(/caption run/) });

    // With no credits left for the failed step, nothing is written.
    const poor = await h.userWith(1);
    const poorSpell = await createSpell(h.db, { userId: poor, spell: { name: "Poor", steps: textSteps("POORFIRST", "POORLAST") } });
    refuseOnce(h, "POORLAST");
    const poorFailed = await run.castAndWait(poor, { spellId: poorSpell.id, input: { kind: "text", text: "a black cat" } });
    expect(await h.balance(poor)).toEqual({ balance: 0, held: 0 });
    const before = await castCount(poor);
    await expect(retry(poor, poorFailed.id)).rejects.toMatchObject({ code: "INSUFFICIENT_CREDITS" });
    expect(await castCount(poor)).toBe(before);
  });
});
