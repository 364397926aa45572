import { eq } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { addImagesToDataset, BUILT_IN_CAPTION_SPELL_ID } from "@spellcast/core";
import { events, generationSessions } from "@spellcast/db";
import { generationJobId, QueueName } from "@spellcast/queue";

import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness({ startingCredits: 100 });
const queue = api.producers.queue(QueueName.generation);
afterAll(async () => {
  await queue.obliterate({ force: true });
  await api.cleanup();
});

type User = Awaited<ReturnType<typeof api.signUp>>;

async function imageOf(owner: User) {
  const ds = await owner.caller.datasets.create({ name: "To cast on" });
  const buf = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 200, g: 10, b: 10 } } }).png().toBuffer();
  const me = await owner.caller.me();
  const { added } = await addImagesToDataset(api.db, api.storage, { userId: me.id, datasetId: ds.id, files: [{ name: "red.png", bytes: new Uint8Array(buf) }] });
  const image = added[0];
  if (!image) throw new Error("no image added");
  return { datasetId: ds.id, imageId: image.id };
}

const chatSpell = (user: User) => user.caller.spells.create({ name: "Polish", steps: [{ tool: "chatgpt", params: { prompt: "Polish: {{input}}" } }] });

describe("casts router", () => {
  it("create: a text cast on a text spell is running with its first step queued, held and enqueued; get and list read it", async () => {
    const user = await api.signUp("Caster");
    const spell = await chatSpell(user);
    const cast = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "a red fox" } });
    expect(cast).toMatchObject({ spellId: spell.id, status: "running", captionSetId: null, datasetId: null, currentStep: 0 });
    expect(cast.stepGenerationIds).toHaveLength(1);
    const stepId = cast.stepGenerationIds[0] ?? "";
    const [step] = await api.db.select().from(generationSessions).where(eq(generationSessions.id, stepId));
    expect(step).toMatchObject({ tool: "chatgpt", status: "queued", castId: cast.id, stepIndex: 0, cost: 1 });
    expect(step?.params.prompt).toBe("Polish: a red fox");
    expect(await queue.getJob(generationJobId(stepId))).toBeTruthy();
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100, held: 1 });
    const written = await api.db.select({ type: events.type }).from(events).where(eq(events.subjectId, cast.id));
    expect(written.map((e) => e.type)).toEqual(["cast_updated"]);
    await expect(user.caller.casts.get({ castId: cast.id })).resolves.toMatchObject({ id: cast.id, status: "running" });
    const page = await user.caller.casts.list({ limit: 1 });
    expect(page.items.map((c) => c.id)).toEqual([cast.id]);
  });

  it("a spell of local steps only completes inside the create: no job, nothing charged", async () => {
    const user = await api.signUp("Local");
    const spell = await user.caller.spells.create({ name: "Tidy", steps: [{ tool: "rewrite", params: {} }] });
    const cast = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "  this image shows   a cat " } });
    expect(cast).toMatchObject({ status: "completed", output: { kind: "text", text: "A cat" } });
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100, held: 0 });
  });

  it("an image cast on the built-in caption spell reserves its first step (joycaption) with the image's index", async () => {
    const user = await api.signUp("Imager");
    const { datasetId, imageId } = await imageOf(user);
    const cast = await user.caller.casts.create({ spellId: BUILT_IN_CAPTION_SPELL_ID, input: { kind: "image", datasetId, imageId } });
    expect(cast).toMatchObject({ status: "running", datasetId, imageId, imageIndex: 0, captionSetId: null });
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ held: 2 });
  });

  it("wrong input kind → BAD_REQUEST naming what the spell takes", async () => {
    const user = await api.signUp("Wrong");
    const spell = await chatSpell(user);
    const { datasetId, imageId } = await imageOf(user);
    await expect(user.caller.casts.create({ spellId: BUILT_IN_CAPTION_SPELL_ID, input: { kind: "text", text: "hello" } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("takes an image as input, not text"),
    });
    await expect(user.caller.casts.create({ spellId: spell.id, input: { kind: "image", datasetId, imageId } })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("takes text as input, not an image"),
    });
    await expect(user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "   " } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ held: 0 });
  });

  it("another user's image, cast or spell → NOT_FOUND", async () => {
    const alice = await api.signUp("Alice");
    const bob = await api.signUp("Bob");
    const { datasetId, imageId } = await imageOf(alice);
    await expect(bob.caller.casts.create({ spellId: BUILT_IN_CAPTION_SPELL_ID, input: { kind: "image", datasetId, imageId } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const bobs = await imageOf(bob);
    // Bob's own image, claimed to be in Alice's dataset.
    await expect(bob.caller.casts.create({ spellId: BUILT_IN_CAPTION_SPELL_ID, input: { kind: "image", datasetId, imageId: bobs.imageId } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const spell = await chatSpell(alice);
    await expect(bob.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "hi" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const cast = await alice.caller.casts.create({ spellId: BUILT_IN_CAPTION_SPELL_ID, input: { kind: "image", datasetId, imageId } });
    await expect(bob.caller.casts.get({ castId: cast.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.casts.list({})).resolves.toMatchObject({ items: [] });
  });

  it("no credits for the first paid step → PAYMENT_REQUIRED, nothing written", async () => {
    const poor = createApiHarness({ startingCredits: 0 });
    try {
      const user = await poor.signUp("Poor");
      const spell = await user.caller.spells.create({ name: "Tidy then polish", steps: [{ tool: "rewrite", params: {} }, { tool: "chatgpt", params: {} }] });
      await expect(user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "hello" } })).rejects.toMatchObject({ code: "PAYMENT_REQUIRED" });
      await expect(user.caller.casts.list({})).resolves.toMatchObject({ items: [] });
    } finally {
      await poor.cleanup();
    }
  });

  it("unauthenticated → UNAUTHORIZED", async () => {
    const anon = api.callerFor();
    await expect(anon.casts.create({ spellId: BUILT_IN_CAPTION_SPELL_ID, input: { kind: "text", text: "hi" } })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anon.casts.get({ castId: BUILT_IN_CAPTION_SPELL_ID })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(anon.casts.list({})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
