import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { and, eq, inArray } from "drizzle-orm";

import { addImagesToDataset, BUILT_IN_CAPTION_SPELL_ID } from "@spellcast/core";
import { generationSessions } from "@spellcast/db";

import { createApiHarness } from "../testing/api-harness";

const api = createApiHarness({ startingCredits: 100 });
afterAll(() => api.cleanup());

async function datasetWith(owner: Awaited<ReturnType<typeof api.signUp>>, n: number) {
  const ds = await owner.caller.datasets.create({ name: "To caption" });
  const files = [];
  for (let i = 0; i < n; i++) {
    const buf = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: i * 30, g: 10, b: 10 } } }).png().toBuffer();
    files.push({ name: `cat ${i}.png`, bytes: new Uint8Array(buf) });
  }
  const me = await owner.caller.me();
  await addImagesToDataset(api.db, api.storage, { userId: me.id, datasetId: ds.id, files });
  return ds.id;
}

describe("captions and spells routers", () => {
  it("estimate, start (set in_progress with one pending caption per image), get, list, cancel", async () => {
    const owner = await api.signUp("Captioner");
    const datasetId = await datasetWith(owner, 3);
    await expect(owner.caller.captions.estimate({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID })).resolves.toMatchObject({ images: 3, perImage: 3, total: 9 });
    const set = await owner.caller.captions.start({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID });
    expect(set).toMatchObject({ status: "in_progress", total: 3, done: 0 });
    const read = await owner.caller.captions.get({ setId: set.id });
    expect(read.captions.map((c) => [c.fileName, c.status])).toEqual([
      ["cat 0.png", "pending"],
      ["cat 1.png", "pending"],
      ["cat 2.png", "pending"],
    ]);
    await expect(owner.caller.captions.list({ datasetId })).resolves.toHaveLength(1);
    await expect(owner.caller.captions.cancel({ setId: set.id })).resolves.toMatchObject({ status: "canceled" });
    await expect(owner.caller.credits.balance()).resolves.toMatchObject({ held: 0 });
  });

  it("another user cannot see, run on or cancel my dataset or set; bad input is BAD_REQUEST", async () => {
    const alice = await api.signUp("Alice");
    const bob = await api.signUp("Bob");
    const datasetId = await datasetWith(alice, 1);
    await expect(bob.caller.captions.estimate({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.captions.start({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const set = await alice.caller.captions.start({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID, budget: 50 });
    await expect(bob.caller.captions.get({ setId: set.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.captions.cancel({ setId: set.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.captions.rerunEstimate({ setId: set.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(alice.caller.captions.rerunEstimate({ setId: set.id })).resolves.toEqual({ images: 0, carriedOver: 0, credits: 0 });
    await expect(alice.caller.captions.rerunEstimate({ setId: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(alice.caller.captions.start({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID, budget: 0 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(alice.caller.spells.create({ name: "bad", steps: [{ tool: "chatgpt", params: {} }, { tool: "joycaption", params: {} }] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const mine = await alice.caller.spells.create({ name: "Mine", steps: [{ tool: "joycaption", params: {} }] });
    await expect(bob.caller.spells.delete({ id: mine.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await alice.caller.captions.cancel({ setId: set.id });
  });

  it("deleting a used spell: gone from the list and from new runs; its paused run still resumes; no edit or second delete", async () => {
    const owner = await api.signUp("Spell Pruner");
    const datasetId = await datasetWith(owner, 2);
    const spell = await owner.caller.spells.create({ name: "Short caption", steps: [{ tool: "joycaption", params: {} }] });
    // Budget 2 buys one image of two: the run pauses with the spell in use.
    const set = await owner.caller.captions.start({ datasetId, spellId: spell.id, budget: 2 });
    await expect(owner.caller.spells.delete({ id: spell.id })).resolves.toEqual({ id: spell.id });
    expect((await owner.caller.spells.list()).map((s) => s.id)).not.toContain(spell.id);
    // Still there to name the runs made with it, marked deleted.
    const named = (await owner.caller.spells.list({ includeDeleted: true })).find((s) => s.id === spell.id);
    expect(named).toMatchObject({ name: "Short caption", deletedAt: expect.any(String) });
    await expect(owner.caller.captions.start({ datasetId, spellId: spell.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.caller.captions.estimate({ datasetId, spellId: spell.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.caller.spells.update({ id: spell.id, spell: { name: "Back", steps: [{ tool: "joycaption", params: {} }] } })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.caller.spells.delete({ id: spell.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The run made with it goes on: raising its budget casts the second image with the same spell.
    await expect(owner.caller.captions.raiseBudget({ setId: set.id, budget: 4 })).resolves.toMatchObject({ status: "in_progress", budget: 4 });
    await owner.caller.captions.cancel({ setId: set.id });
    await expect(owner.caller.credits.balance()).resolves.toMatchObject({ held: 0 });
  });

  it("deleting a dataset mid-run cancels the run first: every hold released, every step canceled, nothing left held", async () => {
    const owner = await api.signUp("Dataset Dropper");
    const me = await owner.caller.me();
    const datasetId = await datasetWith(owner, 3);
    const set = await owner.caller.captions.start({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID });
    // Three casts on their first step (JoyCaption, 2 credits each), held.
    await expect(owner.caller.credits.balance()).resolves.toMatchObject({ balance: 100, held: 6 });
    await expect(owner.caller.datasets.delete({ id: datasetId })).resolves.toEqual({ id: datasetId, deletedImages: 3 });
    await expect(owner.caller.credits.balance()).resolves.toMatchObject({ balance: 100, held: 0 });
    const open = await api.db
      .select({ id: generationSessions.id })
      .from(generationSessions)
      .where(and(eq(generationSessions.userId, me.id), inArray(generationSessions.status, ["queued", "running"])));
    expect(open).toEqual([]);
    await expect(owner.caller.captions.get({ setId: set.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("the credits page names what each hold paid for: a caption run's image and step, a cast's step, a sign-up grant", async () => {
    const owner = await api.signUp("Ledger Reader");
    const datasetId = await datasetWith(owner, 2);
    const set = await owner.caller.captions.start({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID });
    const polish = await owner.caller.spells.create({ name: "Polish", steps: [{ tool: "chatgpt", params: { prompt: "Polish: {{input}}" } }] });
    const cast = await owner.caller.casts.create({ spellId: polish.id, input: { kind: "text", text: "a red fox" } });

    const holds = await owner.caller.credits.holds();
    // Newest first: the cast's, then the run's two (made in one transaction, in either order).
    const [castHold, ...captionHolds] = holds.map((h) => h.subject);
    expect(castHold).toEqual({ kind: "cast_step", castId: cast.id, step: 0, tool: "chatgpt", spellName: "Polish" });
    const runStep = { kind: "caption_step", captionSetId: set.id, datasetId, datasetName: "To caption", step: 0, tool: "joycaption" };
    expect(captionHolds).toEqual(
      expect.arrayContaining([
        { ...runStep, fileName: "cat 0.png" },
        { ...runStep, fileName: "cat 1.png" },
      ]),
    );
    expect(captionHolds).toHaveLength(2);
    const history = await owner.caller.credits.history({ limit: 10 });
    expect(history.items.filter((e) => e.kind === "reserve").map((e) => e.subject?.kind)).toEqual(["cast_step", "caption_step", "caption_step"]);
    expect(history.items.find((e) => e.kind === "grant")?.subject).toBeNull();
    await owner.caller.captions.cancel({ setId: set.id });
    await owner.caller.casts.cancel({ id: cast.id });
  });
});
