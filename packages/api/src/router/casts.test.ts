import { randomUUID } from "node:crypto";

import { TRPCError } from "@trpc/server";
import { and, asc, count, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";

import { addImagesToDataset, BUILT_IN_CAPTION_SPELL_ID, completeSession, createCast, failSession, markSessionRunning, reserveCredits } from "@spellcast/core";
import { casts, events, generationSessions, ledgerEntries, reservations } from "@spellcast/db";
import { cancelChannel, generationJobId, QueueName } from "@spellcast/queue";

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

/** The user's jobs in this harness's queue key space. */
async function jobsOf(userId: string) {
  const jobs = await queue.getJobs(["waiting", "active", "delayed", "prioritized"]);
  return jobs.filter((j) => (j.data as { userId?: string }).userId === userId);
}

/** Everything a cast create writes for this user: casts, step sessions, holds, ledger entries, events. */
async function writtenFor(userId: string) {
  const n = async (table: typeof casts | typeof generationSessions | typeof reservations | typeof ledgerEntries | typeof events) => {
    const [row] = await api.db.select({ n: count() }).from(table).where(eq(table.userId, userId));
    return row?.n;
  };
  return { casts: await n(casts), sessions: await n(generationSessions), holds: await n(reservations), entries: await n(ledgerEntries), events: await n(events) };
}

const clientKey = () => `ck_${randomUUID()}`;

const chatSpell = (user: User) => user.caller.spells.create({ name: "Polish", steps: [{ tool: "chatgpt", params: { prompt: "Polish: {{input}}" } }] });

describe("casts router", () => {
  it("create: a text cast on a text spell is running with its first step queued, held and enqueued; get and list read it", async () => {
    const user = await api.signUp("Caster");
    const spell = await chatSpell(user);
    const cast = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "a red fox" } });
    expect(cast).toMatchObject({ spellId: spell.id, status: "running", captionSetId: null, datasetId: null, currentStep: 0 });
    // The cast's frozen plan: tool and credits of each step, no params (they travel in every event).
    expect(cast.steps).toEqual([{ tool: "chatgpt", cost: 1 }]);
    expect(cast.stepGenerationIds).toHaveLength(1);
    const stepId = cast.stepGenerationIds[0] ?? "";
    const [step] = await api.db.select().from(generationSessions).where(eq(generationSessions.id, stepId));
    expect(step).toMatchObject({ tool: "chatgpt", status: "queued", castId: cast.id, stepIndex: 0, cost: 1 });
    expect(step?.params.prompt).toBe("Polish: a red fox");
    expect(await queue.getJob(generationJobId(stepId))).toBeTruthy();
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100, held: 1 });
    const written = await api.db.select({ type: events.type }).from(events).where(eq(events.subjectId, cast.id));
    expect(written.map((e) => e.type)).toEqual(["cast_updated"]);
    await expect(user.caller.casts.get({ castId: cast.id })).resolves.toMatchObject({ id: cast.id, status: "running", steps: cast.steps });
    const page = await user.caller.casts.list({ limit: 1 });
    expect(page.items.map((c) => c.id)).toEqual([cast.id]);
    expect(page.items[0]?.steps).toEqual(cast.steps);
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
    expect(cast.steps).toEqual([
      { tool: "joycaption", cost: 2 },
      { tool: "rewrite", cost: 0 },
      { tool: "chatgpt", cost: 1 },
    ]);
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
    await expect(anon.casts.cancel({ id: BUILT_IN_CAPTION_SPELL_ID })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

/** The statuses the cast's `cast_updated` events carried, in order. */
async function castStatusEvents(castId: string) {
  const rows = await api.db.select({ type: events.type, payload: events.payload }).from(events).where(eq(events.subjectId, castId)).orderBy(asc(events.id));
  return rows.map((e) => `${e.type}:${(e.payload as { cast: { status: string } }).cast.status}`);
}

async function stepRow(sessionId: string) {
  const [row] = await api.db.select().from(generationSessions).where(eq(generationSessions.id, sessionId));
  return row;
}

describe("casts.cancel", () => {
  it("a cast whose first paid step is queued: canceled, the step canceled, its hold released, its job removed, cast_updated canceled", async () => {
    const user = await api.signUp("Canceller");
    const { id: userId } = await user.caller.me();
    const spell = await chatSpell(user);
    const cast = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "a red fox" } });
    const stepId = cast.stepGenerationIds[0] ?? "";
    expect(await queue.getJob(generationJobId(stepId))).toBeTruthy();
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100, held: 1 });

    const canceled = await user.caller.casts.cancel({ id: cast.id });
    expect(canceled).toMatchObject({ id: cast.id, status: "canceled", stepGenerationIds: [stepId], output: null });
    expect(canceled.completedAt).not.toBeNull();
    await expect(user.caller.casts.get({ castId: cast.id })).resolves.toEqual(canceled);
    expect(await stepRow(stepId)).toMatchObject({ status: "canceled" });
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
    const [hold] = await api.db.select().from(reservations).where(eq(reservations.subjectId, stepId));
    expect(hold).toMatchObject({ status: "released", captured: 0 });
    expect(await queue.getJob(generationJobId(stepId))).toBeUndefined();
    expect(await jobsOf(userId)).toHaveLength(0);
    expect(await castStatusEvents(cast.id)).toEqual(["cast_updated:running", "cast_updated:canceled"]);
    const stepEvents = await api.db.select({ type: events.type }).from(events).where(eq(events.subjectId, stepId)).orderBy(asc(events.id));
    expect(stepEvents.map((e) => e.type)).toEqual(["session_created", "session_completed"]);
  });

  it("canceling twice: the second call returns the same canceled cast and writes, charges and removes nothing", async () => {
    const user = await api.signUp("Twice");
    const { id: userId } = await user.caller.me();
    const cast = await user.caller.casts.create({ spellId: (await chatSpell(user)).id, input: { kind: "text", text: "hello" } });
    const first = await user.caller.casts.cancel({ id: cast.id });
    const written = await writtenFor(userId);
    const again = await user.caller.casts.cancel({ id: cast.id });
    expect(again).toEqual(first);
    expect(again.status).toBe("canceled");
    expect(await writtenFor(userId)).toEqual(written);
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
    expect(await castStatusEvents(cast.id)).toEqual(["cast_updated:running", "cast_updated:canceled"]);
  });

  it("a cast whose step is running: canceled, hold released, and the abort is published on the cancel channel", async () => {
    const user = await api.signUp("Running");
    const cast = await user.caller.casts.create({ spellId: (await chatSpell(user)).id, input: { kind: "text", text: "hello" } });
    const stepId = cast.stepGenerationIds[0] ?? "";
    await markSessionRunning(api.db, { sessionId: stepId, attempt: 1, leaseMs: 60_000 });
    const sub = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
    try {
      const heard: string[] = [];
      sub.on("message", (_channel: string, message: string) => heard.push(message));
      await sub.subscribe(cancelChannel(api.producers.prefix));
      const canceled = await user.caller.casts.cancel({ id: cast.id });
      expect(canceled.status).toBe("canceled");
      const deadline = Date.now() + 5_000;
      while (!heard.includes(stepId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(heard).toEqual([stepId]);
    } finally {
      sub.disconnect();
    }
    expect(await stepRow(stepId)).toMatchObject({ status: "canceled" });
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
    // The provider's answer that still arrives finds the step canceled: nothing charged, no next step.
    const late = await completeSession(api.db, { sessionId: stepId, outputs: { kind: "text", text: "too late" } });
    expect(late.completed).toBe(false);
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
    await expect(user.caller.casts.get({ castId: cast.id })).resolves.toMatchObject({ status: "canceled", stepGenerationIds: [stepId], output: null });
  });

  it("a cast that already ended (completed, failed) is returned unchanged: no error, nothing written, nothing charged", async () => {
    const user = await api.signUp("Ended");
    const { id: userId } = await user.caller.me();
    const tidy = await user.caller.spells.create({ name: "Tidy", steps: [{ tool: "rewrite", params: {} }] });
    const completed = await user.caller.casts.create({ spellId: tidy.id, input: { kind: "text", text: "  this image shows   a cat " } });
    expect(completed.status).toBe("completed");
    const failing = await user.caller.casts.create({ spellId: (await chatSpell(user)).id, input: { kind: "text", text: "hello" } });
    // The worker's final failure of its step fails the cast with the step's details.
    await failSession(api.db, {
      sessionId: failing.stepGenerationIds[0] ?? "",
      failure: { providerStatus: 400, providerMessage: "Bad prompt", providerBody: null, requestId: null, reason: "provider_error", attempts: 1, fatal: true },
    });
    const failed = await user.caller.casts.get({ castId: failing.id });
    expect(failed).toMatchObject({ status: "failed", errorDetails: { failedStep: 0 } });
    const written = await writtenFor(userId);

    await expect(user.caller.casts.cancel({ id: completed.id })).resolves.toEqual(completed);
    await expect(user.caller.casts.cancel({ id: failing.id })).resolves.toEqual(failed);
    expect(await writtenFor(userId)).toEqual(written);
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
  });

  it("another user's cast → NOT_FOUND and it goes on untouched; a random id → NOT_FOUND; a malformed id → BAD_REQUEST", async () => {
    const alice = await api.signUp("Alice");
    const bob = await api.signUp("Bob");
    const { id: aliceId } = await alice.caller.me();
    const cast = await alice.caller.casts.create({ spellId: (await chatSpell(alice)).id, input: { kind: "text", text: "mine" } });
    const stepId = cast.stepGenerationIds[0] ?? "";
    const written = await writtenFor(aliceId);
    await expect(bob.caller.casts.cancel({ id: cast.id })).rejects.toMatchObject({ code: "NOT_FOUND", message: "Cast not found" });
    await expect(bob.caller.casts.cancel({ id: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(bob.caller.casts.cancel({ id: "not-a-uuid" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    // Deliberately malformed: an unknown key is refused (strict input).
    const extra = { id: cast.id, force: true } as unknown as { id: string };
    await expect(alice.caller.casts.cancel(extra)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(alice.caller.casts.get({ castId: cast.id })).resolves.toEqual(cast);
    expect(await stepRow(stepId)).toMatchObject({ status: "queued" });
    expect(await queue.getJob(generationJobId(stepId))).toBeTruthy();
    expect(await writtenFor(aliceId)).toEqual(written);
    await expect(alice.caller.credits.balance()).resolves.toMatchObject({ balance: 100, held: 1 });
  });

  it("a cast of a caption run → BAD_REQUEST telling to cancel the run; the run and the cast go on", async () => {
    const user = await api.signUp("Captioner");
    const { id: userId } = await user.caller.me();
    const { datasetId } = await imageOf(user);
    const set = await user.caller.captions.start({ datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID });
    const [row] = await api.db.select().from(casts).where(eq(casts.captionSetId, set.id));
    if (!row) throw new Error("the run created no cast");
    const written = await writtenFor(userId);
    await expect(user.caller.casts.cancel({ id: row.id })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringContaining("cancel the run"),
    });
    await expect(user.caller.casts.get({ castId: row.id })).resolves.toMatchObject({ status: "running" });
    expect(await writtenFor(userId)).toEqual(written);
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ held: 2 });
    await user.caller.captions.cancel({ setId: set.id });
  });
});

describe("casts.create with a clientKey", () => {
  it("the same clientKey twice: one cast, one hold, one job; the repeat returns the first cast, also once its hold took the last credits", async () => {
    const user = await api.signUp("Retrier");
    const { id: userId } = await user.caller.me();
    const spell = await chatSpell(user);
    // Leave exactly the first step's cost (1): a repeat that checked the balance again would be refused.
    await reserveCredits(api.db, { userId, amount: 99, subject: { type: "adjustment", id: "x" }, key: `t:${userId}` });
    const key = clientKey();
    const first = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "a red fox" }, clientKey: key });
    expect(first).toMatchObject({ status: "running", currentStep: 0 });
    const before = await writtenFor(userId);
    const again = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "a red fox" }, clientKey: key });
    expect(again).toEqual(first);
    // A different request under the same key still returns the first cast (as generations do).
    const other = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "a blue whale" }, clientKey: key });
    expect(other.id).toBe(first.id);
    expect(await writtenFor(userId)).toEqual(before);

    const rows = await api.db.select().from(casts).where(eq(casts.userId, userId));
    expect(rows.map((r) => [r.id, r.clientKey])).toEqual([[first.id, key]]);
    const holds = await api.db.select().from(reservations).where(and(eq(reservations.userId, userId), eq(reservations.subjectType, "session")));
    expect(holds.map((h) => [h.subjectId, h.amount])).toEqual([[first.stepGenerationIds[0], 1]]);
    const reserves = await api.db.select().from(ledgerEntries).where(and(eq(ledgerEntries.userId, userId), eq(ledgerEntries.kind, "reserve")));
    expect(reserves).toHaveLength(2); // the test's own 99, and the cast's 1
    expect((await jobsOf(userId)).map((j) => j.id)).toEqual([generationJobId(first.stepGenerationIds[0] ?? "")]);
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 100, available: 0 });
  });

  it("the repeat returns the cast's current snapshot, not the one the first call saw", async () => {
    const user = await api.signUp("Later");
    const { id: userId } = await user.caller.me();
    const spell = await chatSpell(user);
    const key = clientKey();
    const first = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "hello" }, clientKey: key });
    await api.db.update(casts).set({ status: "failed", completedAt: new Date() }).where(eq(casts.id, first.id));
    const again = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "hello" }, clientKey: key });
    expect(again).toMatchObject({ id: first.id, status: "failed" });
    expect(await jobsOf(userId)).toHaveLength(1);
  });

  it("the same clientKey sent 20 times at once: one cast, one hold, one job, one cast_updated event", async () => {
    const user = await api.signUp("Racer");
    const { id: userId } = await user.caller.me();
    const spell = await chatSpell(user);
    const input = { spellId: spell.id, input: { kind: "text" as const, text: "a red fox" }, clientKey: clientKey() };
    const results = await Promise.all(Array.from({ length: 20 }, () => user.caller.casts.create(input)));
    expect(new Set(results.map((c) => c.id)).size).toBe(1);
    const castId = results[0]?.id ?? "";
    expect(await writtenFor(userId)).toMatchObject({ casts: 1, sessions: 1, holds: 1 });
    expect(await jobsOf(userId)).toHaveLength(1);
    const castEvents = await api.db.select({ type: events.type }).from(events).where(eq(events.subjectId, castId));
    expect(castEvents.map((e) => e.type)).toEqual(["cast_updated"]);
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ balance: 100, held: 1 });
  });

  it("the same clientKey at once from a user with no account row (nothing to lock): the unique index keeps one cast", async () => {
    const broke = createApiHarness({ startingCredits: 0 });
    try {
      const user = await broke.signUp("No account");
      const { id: userId } = await user.caller.me();
      const spell = await user.caller.spells.create({ name: "Tidy", steps: [{ tool: "rewrite", params: {} }] });
      // A few rounds: the racers must overlap inside their transactions for the index to matter.
      const keys = [clientKey(), clientKey(), clientKey()];
      for (const key of keys) {
        const input = { spellId: spell.id, input: { kind: "text" as const, text: "  this image shows   a cat " }, clientKey: key };
        const results = await Promise.all(Array.from({ length: 20 }, () => user.caller.casts.create(input)));
        expect(new Set(results.map((c) => c.id)).size).toBe(1);
        expect(results.every((c) => c.status === "completed")).toBe(true);
      }
      const rows = await broke.db.select({ id: casts.id, clientKey: casts.clientKey }).from(casts).where(eq(casts.userId, userId));
      expect(rows.map((r) => r.clientKey).sort()).toEqual([...keys].sort());
      const castEvents = await broke.db.select({ subjectId: events.subjectId }).from(events).where(and(eq(events.userId, userId), eq(events.type, "cast_updated")));
      expect(castEvents.map((e) => e.subjectId).sort()).toEqual(rows.map((r) => r.id).sort());
    } finally {
      await broke.cleanup();
    }
  });

  it("the same clientKey from another user is independent: two casts, each charged to its owner", async () => {
    const alice = await api.signUp("Alice");
    const bob = await api.signUp("Bob");
    const key = clientKey();
    const aliceCast = await alice.caller.casts.create({ spellId: (await chatSpell(alice)).id, input: { kind: "text", text: "hi" }, clientKey: key });
    const bobCast = await bob.caller.casts.create({ spellId: (await chatSpell(bob)).id, input: { kind: "text", text: "hi" }, clientKey: key });
    expect(bobCast.id).not.toBe(aliceCast.id);
    await expect(alice.caller.casts.get({ castId: aliceCast.id })).resolves.toMatchObject({ id: aliceCast.id });
    await expect(bob.caller.casts.get({ castId: bobCast.id })).resolves.toMatchObject({ id: bobCast.id });
    await expect(bob.caller.casts.get({ castId: aliceCast.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(alice.caller.credits.balance()).resolves.toMatchObject({ held: 1 });
    await expect(bob.caller.credits.balance()).resolves.toMatchObject({ held: 1 });
  });

  it("without a clientKey every create is a new cast (keys of null never collide)", async () => {
    const user = await api.signUp("Keyless");
    const { id: userId } = await user.caller.me();
    const spell = await chatSpell(user);
    const a = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "same" } });
    const b = await user.caller.casts.create({ spellId: spell.id, input: { kind: "text", text: "same" } });
    expect(b.id).not.toBe(a.id);
    expect(await writtenFor(userId)).toMatchObject({ casts: 2, holds: 2 });
    await expect(user.caller.credits.balance()).resolves.toMatchObject({ held: 2 });
  });

  it.each([
    ["an empty clientKey", ""],
    ["a 7-character clientKey", "abcdefg"],
    ["a blank clientKey", "          "],
    ["a 101-character clientKey", "k".repeat(101)],
    ["a clientKey with a space", "ck with space"],
    ["a clientKey with a colon", "ck:1234567"],
    ["a clientKey of the wrong type", 12345678],
  ])("%s → BAD_REQUEST naming clientKey, nothing written or charged", async (_name, bad) => {
    const user = await api.signUp("Bad key");
    const { id: userId } = await user.caller.me();
    const spell = await chatSpell(user);
    const before = await writtenFor(userId);
    // Deliberately malformed input, as a raw client could send it.
    const input = { spellId: spell.id, input: { kind: "text", text: "hi" }, clientKey: bad } as unknown as Parameters<typeof user.caller.casts.create>[0];
    const err: unknown = await user.caller.casts.create(input).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("BAD_REQUEST");
    // The errorFormatter sends this zod error on, flattened: the field at fault is clientKey.
    const cause = (err as TRPCError).cause;
    expect(cause).toBeInstanceOf(ZodError);
    expect(Object.keys((cause as ZodError).flatten().fieldErrors)).toEqual(["clientKey"]);
    // Core refuses it too, for callers that skip the router.
    await expect(createCast(api.db, { userId, ...input }, api.deps.generationConfig)).rejects.toMatchObject({
      name: "DomainError",
      code: "INVALID_INPUT",
      message: expect.stringContaining("clientKey"),
    });
    expect(await writtenFor(userId)).toEqual(before);
    expect(await jobsOf(userId)).toHaveLength(0);
    await expect(user.caller.credits.balance()).resolves.toEqual({ balance: 100, held: 0, available: 100 });
  });
});
