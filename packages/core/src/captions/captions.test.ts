import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

import { and, asc, eq, inArray, sql } from "drizzle-orm";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";

import { captionSets, captionVersions, captions, casts, events, generationSessions } from "@spellcast/db";
import { createLocalStorage } from "@spellcast/storage";

import type { StepJob } from "../casts/schema";
import { castInputSchema } from "../casts/schema";
import { grantCredits } from "../credits/grant-credits";
import { reserveCredits } from "../credits/reserve-credits";
import { getBalance } from "../credits/read-credits";
import { createTestUsers, createUserWithCredits, openTestDb } from "../credits/test-support";
import { addImagesToDataset } from "../datasets/add-images";
import { createDataset } from "../datasets/manage-datasets";
import { failSession } from "../sessions/fail-session";
import { completeSession, markSessionRunning } from "../sessions/transitions";
import { createSpell, deleteSpell, listSpells, updateSpell } from "../spells/manage-spells";
import { BUILT_IN_CAPTION_SPELL_ID } from "../spells/schema";
import { rewriteText } from "../spells/tools";
import { cancelCaptionSet } from "./cancel-run";
import { getCaptionSet, listCaptionSets } from "./read-captions";
import { resumeStalledCaptionSets } from "./resume-stalled";
import { estimateCaptionRun, raiseCaptionBudget, resumeCaptionSet, startCaptionRun } from "./run-captions";

const { db, close } = openTestDb(10);
const dir = await mkdtemp(path.join(tmpdir(), "spellcast-captions-"));
const storage = createLocalStorage(dir);
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});
const options = { maxAttempts: 3, holdMs: 3_600_000, batchSize: 10 };
const fatal = { providerStatus: 400, providerMessage: "rejected", providerBody: null, requestId: "req_1", reason: "provider_error", attempts: 1, fatal: true };

const userWith = (credits: number) => createUserWithCredits(db, credits);

async function datasetWith(userId: string, n: number) {
  const ds = await createDataset(db, { userId, name: "caps" });
  const files = [];
  for (let i = 0; i < n; i++) {
    const buf = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: i * 10, g: 80, b: 40 } } }).png().toBuffer();
    files.push({ name: `p${i}.png`, bytes: new Uint8Array(buf) });
  }
  await addImagesToDataset(db, storage, { userId, datasetId: ds.id, files });
  return ds.id;
}

/** A run of the Caption spell keeping `castWindow` casts active; `queue` collects the jobs it enqueues. */
async function startWithWindow(userId: string, datasetId: string, castWindow: number) {
  const queue: StepJob[] = [];
  const set = await startCaptionRun(db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, { ...options, castWindow }, async (j) => {
    queue.push(...j);
  });
  return { set, queue };
}

/** Plays the worker's part for one step: running, then completed with a text output. */
async function completeStep(job: StepJob, text: string) {
  await markSessionRunning(db, { sessionId: job.sessionId, attempt: 1, leaseMs: 60_000 });
  return completeSession(db, { sessionId: job.sessionId, outputs: { kind: "text", text } });
}

describe("caption sets in core", () => {
  it("the last two casts finishing concurrently: one flip, one completed event, no second set", async () => {
    for (let round = 0; round < 5; round++) {
      const userId = await userWith(100);
      const datasetId = await datasetWith(userId, 2);
      const first: StepJob[] = [];
      const set = await startCaptionRun(db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, options, async (jobs) => {
        first.push(...jobs);
      });
      expect(first).toHaveLength(2);
      const second = (await Promise.all(first.map((j) => completeStep(j, "The image shows  a red   square")))).flatMap((r) => r.chain.next);
      expect(second).toHaveLength(2);
      const finals = await Promise.all(second.map((j) => completeStep(j, `final caption ${j.cast.imageIndex}`)));
      expect(finals.filter((f) => f.chain.captionWrite?.setFlippedTo === "completed")).toHaveLength(1);
      const flips = await db
        .select()
        .from(events)
        .where(and(eq(events.userId, userId), eq(events.type, "caption_set_updated"), eq(events.subjectId, set.id)))
        .orderBy(asc(events.id));
      expect(flips.map((e) => (e.payload as { set: { status: string } }).set.status)).toEqual(["in_progress", "completed"]);
      expect(await db.select().from(captionSets).where(eq(captionSets.datasetId, datasetId))).toHaveLength(1);
      const read = await getCaptionSet(db, { userId, setId: set.id });
      expect(read.set).toMatchObject({ status: "completed", done: 2, failed: 0, spent: 6 });
      expect(read.captions.map((x) => x.text).sort()).toEqual(["final caption 0", "final caption 1"]);
    }
  });

  it("budget cap: admits whole casts only, pauses before one would exceed it; raising resumes; cancel releases open holds", async () => {
    const userId = await userWith(100);
    const datasetId = await datasetWith(userId, 6);
    const jobs: StepJob[] = [];
    const enqueue = async (j: StepJob[]) => void jobs.push(...j);
    // Each cast: 2 (joycaption) + 1 (chatgpt). Budget 7: two whole casts fit (6), not a third.
    const set = await startCaptionRun(db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID, budget: 7 }, options, enqueue);
    expect(set.status).toBe("paused");
    expect(jobs).toHaveLength(2);
    // A cast the run started finishes within the budget, paused or not: its chatgpt step comes next.
    const r1 = await completeStep(jobs[0] as StepJob, "a cat");
    expect(r1.chain.next.map((j) => j.cast.stepIndex)).toEqual([2]);
    const finished = await completeStep(r1.chain.next[0] as StepJob, "A cat.");
    expect(finished.chain.castStatus).toBe("completed");
    const paused = await getCaptionSet(db, { userId, setId: set.id });
    expect(paused.set).toMatchObject({ status: "paused", done: 1, spent: 3 });
    const raised = await raiseCaptionBudget(db, { userId, setId: set.id, budget: 100 }, options, enqueue);
    expect(raised.status).toBe("in_progress");
    // The four uncast images got casts; the second cast still holds its first step.
    expect(jobs).toHaveLength(2 + 4);
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 97, held: 5 * 2 });
    const canceled = await cancelCaptionSet(db, { userId, setId: set.id });
    expect(canceled.set.status).toBe("canceled");
    expect(canceled.canceled).toHaveLength(5);
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 97, held: 0 });
    const afterCancel = await completeStep(jobs[1] as StepJob, "late answer");
    expect(afterCancel.completed).toBe(false);
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 97, held: 0 });
  });

  it("a budget below one cast's cost casts nothing: the run pauses at its start, spending nothing", async () => {
    const userId = await userWith(100);
    const datasetId = await datasetWith(userId, 3);
    const jobs: StepJob[] = [];
    const set = await startCaptionRun(db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID, budget: 2 }, options, async (j) => void jobs.push(...j));
    expect(set).toMatchObject({ status: "paused", spent: 0 });
    expect(jobs).toHaveLength(0);
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 100, held: 0 });
  });

  it("a run and a resume larger than one batch: every image cast, every waiting cast continued, batch by batch", async () => {
    // Credits for the five whole casts (3 each); then another hold takes what the chatgpt steps
    // would need, so every cast waits after its first step.
    const userId = await userWith(15);
    const datasetId = await datasetWith(userId, 5);
    const batches: StepJob[][] = [];
    const enqueue = async (j: StepJob[]) => void batches.push(j);
    const small = { ...options, batchSize: 2 };
    const set = await startCaptionRun(db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, small, enqueue);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    await reserveCredits(db, { userId, amount: 5, subject: { type: "session", id: "elsewhere" }, key: `elsewhere-${set.id}` });
    const first = batches.flat();
    const results = await Promise.all(first.map((j) => completeStep(j, "a square")));
    expect(results.flatMap((r) => r.chain.next)).toHaveLength(0);
    expect((await getCaptionSet(db, { userId, setId: set.id })).set.status).toBe("paused");

    // Five casts wait between steps; with credits again, the resume continues them two at a time.
    batches.length = 0;
    await grantCredits(db, { userId, amount: 100, reason: "top-up", subject: { type: "admin_grant", id: "test" }, key: `topup-${set.id}` });
    await resumeCaptionSet(db, { userId, setId: set.id }, small, enqueue);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(new Set(batches.flat().map((j) => j.cast.castId)).size).toBe(5);
    expect(batches.flat().every((j) => j.cast.stepIndex === 2)).toBe(true);
  });

  it("a run keeps its cast window: 2 of 5 images cast at start, each finished cast starts the next in its transaction, every image captioned once", async () => {
    const userId = await userWith(100);
    const datasetId = await datasetWith(userId, 5);
    const { set, queue } = await startWithWindow(userId, datasetId, 2);
    const [row] = await db.select({ castWindow: captionSets.castWindow }).from(captionSets).where(eq(captionSets.id, set.id));
    expect(row?.castWindow).toBe(2);
    expect(queue).toHaveLength(2);
    const active = async () =>
      (await db.select().from(casts).where(and(eq(casts.captionSetId, set.id), inArray(casts.status, ["queued", "running"])))).length;
    let mostActive = await active();
    // Work through the steps as a worker would, newest first, so casts finish at different times.
    for (let job = queue.pop(); job; job = queue.pop()) {
      const done = await completeStep(job, `caption of image ${job.cast.imageIndex}`);
      queue.push(...done.chain.next);
      mostActive = Math.max(mostActive, await active());
    }
    expect(mostActive).toBe(2);
    const read = await getCaptionSet(db, { userId, setId: set.id });
    expect(read.set).toMatchObject({ status: "completed", done: 5, failed: 0, spent: 15 });
    expect(read.captions.map((c) => c.text)).toEqual([0, 1, 2, 3, 4].map((i) => `caption of image ${i}`));
    expect(await db.select().from(casts).where(eq(casts.captionSetId, set.id))).toHaveLength(5);
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 85, held: 0 });
  });

  it("a cast that fails for good gives its place in the window to the next image; the sweeper leaves a full window alone", async () => {
    const userId = await userWith(100);
    const datasetId = await datasetWith(userId, 3);
    const { set, queue } = await startWithWindow(userId, datasetId, 1);
    expect(queue.map((j) => j.cast.imageIndex)).toEqual([0]);
    const noop = async () => undefined;
    expect(await resumeStalledCaptionSets(db, { limit: 10, userIds: [userId] }, options, noop)).toEqual([]);

    const first = queue.pop() as StepJob;
    await markSessionRunning(db, { sessionId: first.sessionId, attempt: 1, leaseMs: 60_000 });
    const failed = await failSession(db, { sessionId: first.sessionId, failure: fatal });
    expect(failed.next.map((j) => j.cast.imageIndex)).toEqual([1]);
    queue.push(...failed.next);
    for (let job = queue.pop(); job; job = queue.pop()) queue.push(...(await completeStep(job, "a square")).chain.next);

    const read = await getCaptionSet(db, { userId, setId: set.id });
    expect(read.set).toMatchObject({ status: "completed_with_errors", done: 2, failed: 1 });
    expect(read.captions.map((c) => c.status)).toEqual(["failed", "done", "done"]);
    // Image 0's hold (2) was refunded; images 1 and 2 were charged 3 each.
    expect(await getBalance(db, { userId })).toMatchObject({ balance: 94, held: 0 });
  });

  it("a run whose window lost a cast without a refill (a crash) is resumed by the sweeper", async () => {
    const userId = await userWith(100);
    const datasetId = await datasetWith(userId, 3);
    const { set, queue } = await startWithWindow(userId, datasetId, 2);
    expect(queue).toHaveLength(2);
    // A place freed outside the normal path: image 1's cast gone with its step.
    const [lost] = queue.splice(1, 1);
    await db.update(generationSessions).set({ status: "canceled" }).where(eq(generationSessions.id, lost?.sessionId ?? ""));
    await db.update(casts).set({ status: "canceled" }).where(eq(casts.id, lost?.cast.castId ?? ""));
    const resumed: StepJob[] = [];
    expect(await resumeStalledCaptionSets(db, { limit: 10, userIds: [userId] }, options, async (j) => void resumed.push(...j))).toEqual([set.id]);
    // Image 1's caption is still pending with no active cast, so it is cast again, before image 2.
    expect(resumed.map((j) => j.cast.imageIndex)).toEqual([1]);
  });

  it("a batch of 1 cast and a batch of 3: one statement text each for casts and step sessions, rows as before", async () => {
    // One connection, so its pg_prepared_statements holds every statement the run prepared.
    const one = openTestDb(1);
    try {
      const userId = await userWith(100);
      const datasetId = await datasetWith(userId, 4);
      const jobs: StepJob[] = [];
      const enqueue = async (j: StepJob[]) => void jobs.push(...j);
      // Budget 3: one whole cast (2 + 1) fits; raising it casts the other three in one batch.
      const set = await startCaptionRun(one.db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID, budget: 3 }, options, enqueue);
      expect(jobs).toHaveLength(1);
      await raiseCaptionBudget(one.db, { userId, setId: set.id, budget: 100 }, options, enqueue);
      expect(jobs).toHaveLength(4);
      const prepared = (pattern: string) =>
        one.db.execute<{ statement: string }>(sql`select statement from pg_prepared_statements where statement like ${pattern}`);
      expect(await prepared('%insert into "casts"%')).toHaveLength(1);
      expect(await prepared('%insert into "generation_sessions"%')).toHaveLength(1);

      const rows = await db.select().from(casts).where(eq(casts.captionSetId, set.id)).orderBy(asc(casts.imageIndex));
      const sessions = await db.select().from(generationSessions).where(inArray(generationSessions.id, jobs.map((j) => j.sessionId)));
      expect(rows.map((c) => c.imageIndex)).toEqual([0, 1, 2, 3]);
      for (const cast of rows) {
        expect(castInputSchema.safeParse(cast.input).success).toBe(true);
        const source = { kind: "image", datasetId, imageId: cast.imageId, imageIndex: cast.imageIndex };
        // How its steps run, not how the run was batched.
        expect(cast.input).toEqual({ steps: expect.any(Array), source, options: { maxAttempts: options.maxAttempts, holdMs: options.holdMs } });
        expect(cast).toMatchObject({ userId, spellId: BUILT_IN_CAPTION_SPELL_ID, datasetId, status: "running", currentStep: 0, output: null, errorDetails: null, completedAt: null });
        expect(cast.createdAt).toBeInstanceOf(Date);
        const session = sessions.find((x) => x.castId === cast.id);
        expect(cast.stepGenerationIds).toEqual([session?.id]);
        expect(session).toMatchObject({ userId, tool: "joycaption", status: "queued", cost: 2, attempts: 0, attemptLog: [], maxAttempts: 3, stepIndex: 0, outputs: null, startedAt: null });
        expect(session?.jobId).toBe(`gen_${session?.id}`);
        expect(session?.reservationId).toEqual(expect.any(String));
      }
      // Each caption lands with its version 1.
      const next = (await Promise.all(jobs.map((j) => completeStep(j, "a cat")))).flatMap((r) => r.chain.next);
      await Promise.all(next.map((j) => completeStep(j, `caption ${j.cast.imageIndex}`)));
      const versions = await db
        .select({ version: captionVersions.version, text: captionVersions.text, editedBy: captionVersions.editedBy })
        .from(captionVersions)
        .innerJoin(captions, eq(captions.id, captionVersions.captionId))
        .where(eq(captions.captionSetId, set.id))
        .orderBy(asc(captions.imageIndex));
      expect(versions).toEqual([0, 1, 2, 3].map((i) => ({ version: 1, text: `caption ${i}`, editedBy: null })));
    } finally {
      await one.close();
    }
  });

  it("estimate = images × step costs; another user cannot see or run on my dataset or set", async () => {
    const me = await userWith(100);
    const other = await userWith(100);
    const datasetId = await datasetWith(me, 3);
    expect(await estimateCaptionRun(db, { userId: me, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID })).toMatchObject({ images: 3, perImage: 3, total: 9 });
    await expect(estimateCaptionRun(db, { userId: other, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const noop = async () => undefined;
    await expect(startCaptionRun(db, { userId: other, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, options, noop)).rejects.toMatchObject({ code: "NOT_FOUND" });
    const set = await startCaptionRun(db, { userId: me, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, options, noop);
    await expect(getCaptionSet(db, { userId: other, setId: set.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(cancelCaptionSet(db, { userId: other, setId: set.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(listCaptionSets(db, { userId: other, datasetId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await cancelCaptionSet(db, { userId: me, setId: set.id });
  });
});

describe("spells", () => {
  it("validates tools and type chains; users edit and delete their own, never built-ins", async () => {
    const userId = await userWith(1);
    await expect(createSpell(db, { userId, spell: { name: "x", steps: [{ tool: "chatgpt", params: {} }, { tool: "joycaption", params: {} }] } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(createSpell(db, { userId, spell: { name: "x", steps: [{ tool: "nope" as "chatgpt", params: {} }] } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(createSpell(db, { userId, spell: { name: "x", steps: [] } })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    const mine = await createSpell(db, { userId, spell: { name: "Short", steps: [{ tool: "joycaption", params: {} }, { tool: "rewrite", params: {} }] } });
    expect(mine).toMatchObject({ cost: 2, input: "image", output: "text", builtIn: false });
    const edited = await updateSpell(db, { userId, spellId: mine.id, spell: { name: "Shorter", steps: [{ tool: "joycaption", params: {} }] } });
    expect(edited.name).toBe("Shorter");
    const list = await listSpells(db, { userId });
    expect(list[0]?.id).toBe(BUILT_IN_CAPTION_SPELL_ID);
    expect(list.map((s) => s.id)).toContain(mine.id);
    await expect(updateSpell(db, { userId, spellId: BUILT_IN_CAPTION_SPELL_ID, spell: { name: "mine", steps: [{ tool: "joycaption", params: {} }] } })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(deleteSpell(db, { userId, spellId: BUILT_IN_CAPTION_SPELL_ID })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const [stranger] = await createTestUsers(db, 1);
    await expect(deleteSpell(db, { userId: stranger ?? "", spellId: mine.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await deleteSpell(db, { userId, spellId: mine.id });
  });

  it("rewrite: trims, collapses whitespace, strips boilerplate", () => {
    expect(rewriteText("  This image shows   a red\n\nbarn at dusk. ")).toBe("A red barn at dusk.");
    expect(rewriteText("The image depicts a cat")).toBe("A cat");
    expect(rewriteText("   ")).toBe("");
  });
});
