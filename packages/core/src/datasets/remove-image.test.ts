import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { eq } from "drizzle-orm";
import sharp from "sharp";
import { strFromU8, unzipSync } from "fflate";
import { afterAll, describe, expect, it } from "vitest";

import { casts, generationSessions } from "@spellcast/db";
import { createLocalStorage } from "@spellcast/storage";

import { exportCaptionSet } from "../captions/export-captions";
import { getCaptionSet } from "../captions/read-captions";
import { rerunFailedCaptions, startCaptionRun } from "../captions/run-captions";
import type { StepJob } from "../casts/schema";
import { describeLedgerSubjects } from "../credits/ledger-subjects";
import { createUserWithCredits, openTestDb } from "../credits/test-support";
import { failSession } from "../sessions/fail-session";
import { completeSession, markSessionRunning } from "../sessions/transitions";
import { BUILT_IN_CAPTION_SPELL_ID } from "../spells/schema";
import { addImagesToDataset } from "./add-images";
import { createDataset, getDatasetSummary } from "./manage-datasets";
import { getDataset } from "./read-dataset";
import { removeDatasetImages } from "./remove-image";

const { db, close } = openTestDb(5);
const dir = await mkdtemp(path.join(tmpdir(), "spellcast-remove-image-"));
const storage = createLocalStorage(dir);
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});
const options = { maxAttempts: 3, holdMs: 3_600_000 };
const fatal = { providerStatus: 400, providerMessage: "rejected", providerBody: null, requestId: "req_1", reason: "provider_error", attempts: 1, fatal: true };

const png = async (shade: number) =>
  new Uint8Array(await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: shade, g: 90, b: 30 } } }).png().toBuffer());

/** A user with credits and a dataset of `n` distinct images named p0.png, p1.png… */
async function datasetOf(n: number) {
  const userId = await createUserWithCredits(db, 100);
  const dataset = await createDataset(db, { userId, name: "to prune" });
  const files = await Promise.all(Array.from({ length: n }, async (_, i) => ({ name: `p${i}.png`, bytes: await png(i * 20) })));
  await addImagesToDataset(db, storage, { userId, datasetId: dataset.id, files });
  const { images } = await getDataset(db, { userId, datasetId: dataset.id, limit: 100 });
  return { userId, datasetId: dataset.id, images };
}

const removeOne = (userId: string, datasetId: string, imageId: string) => removeDatasetImages(db, storage, { userId, datasetId, imageIds: [imageId] });

const filesOf = async (datasetId: string) =>
  (await readdir(path.join(dir, "datasets", datasetId), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).length;

/** A caption run of the dataset; `failIndex` fails that image's first step, the others complete every step. */
async function finishedRun(userId: string, datasetId: string, failIndex: number | null) {
  const queue: StepJob[] = [];
  const set = await startCaptionRun(db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, options, async (jobs) => {
    queue.push(...jobs);
  });
  for (let job = queue.pop(); job; job = queue.pop()) {
    await markSessionRunning(db, { sessionId: job.sessionId, attempt: 1, leaseMs: 60_000 });
    if (job.cast.imageIndex === failIndex && job.cast.stepIndex === 0) {
      queue.push(...(await failSession(db, { sessionId: job.sessionId, failure: fatal })).next);
    } else {
      queue.push(...(await completeSession(db, { sessionId: job.sessionId, outputs: { kind: "text", text: `caption of ${job.cast.imageIndex}` } })).chain.next);
    }
  }
  return set.id;
}

describe("removing images from a dataset", () => {
  it("drops their rows, count and files, all or none; the same bytes under the same name can be added again; another user gets NOT_FOUND", async () => {
    const { userId, datasetId, images } = await datasetOf(3);
    const [first, second] = images;
    if (!first || !second) throw new Error("no images");
    expect(await filesOf(datasetId)).toBe(6);

    const stranger = await createUserWithCredits(db, 0);
    await expect(removeOne(stranger, datasetId, first.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // All or none: one id that is not an image of this dataset refuses the whole removal.
    const foreign = (await datasetOf(1)).images[0]?.id ?? "";
    await expect(removeDatasetImages(db, storage, { userId, datasetId, imageIds: [first.id, foreign] })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(removeDatasetImages(db, storage, { userId, datasetId, imageIds: [] })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    expect((await getDatasetSummary(db, { userId, datasetId })).imageCount).toBe(3);

    expect(await removeOne(userId, datasetId, first.id)).toEqual({ removed: [{ id: first.id, fileName: "p0.png" }], fileErrors: [] });
    const after = await getDataset(db, { userId, datasetId, limit: 100 });
    expect(after.dataset.imageCount).toBe(2);
    expect(after.images.map((i) => i.fileName)).toEqual(["p1.png", "p2.png"]);
    expect(await filesOf(datasetId)).toBe(4);
    await expect(removeOne(userId, datasetId, first.id)).rejects.toMatchObject({ code: "NOT_FOUND" });
    // An id given twice is one image.
    const twice = await removeDatasetImages(db, storage, { userId, datasetId, imageIds: [second.id, second.id] });
    expect(twice.removed).toEqual([{ id: second.id, fileName: "p1.png" }]);
    expect((await getDatasetSummary(db, { userId, datasetId })).imageCount).toBe(1);

    // Its name and bytes are free again; it comes back last, with a new index.
    const again = await addImagesToDataset(db, storage, { userId, datasetId, files: [{ name: "p0.png", bytes: await png(0) }] });
    expect(again.rejected).toEqual([]);
    expect(again.added.map((i) => [i.fileName, i.imageIndex])).toEqual([["p0.png", 3]]);
    expect((await getDatasetSummary(db, { userId, datasetId })).imageCount).toBe(2);
  });

  it("is refused while a caption run of the dataset is unfinished; once it ends, the run keeps its caption of the image, its counts and its export", async () => {
    const { userId, datasetId, images } = await datasetOf(2);
    const [first] = images;
    if (!first) throw new Error("no image");
    const held: StepJob[] = [];
    const set = await startCaptionRun(db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, options, async (jobs) => {
      held.push(...jobs);
    });
    await expect(removeOne(userId, datasetId, first.id)).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: expect.stringContaining("A caption run on this dataset is still going or paused"),
    });
    expect((await getDatasetSummary(db, { userId, datasetId })).imageCount).toBe(2);

    for (let job = held.pop(); job; job = held.pop()) {
      await markSessionRunning(db, { sessionId: job.sessionId, attempt: 1, leaseMs: 60_000 });
      held.push(...(await completeSession(db, { sessionId: job.sessionId, outputs: { kind: "text", text: `caption of ${job.cast.imageIndex}` } })).chain.next);
    }
    await removeOne(userId, datasetId, first.id);

    const read = await getCaptionSet(db, { userId, setId: set.id });
    expect(read.set).toMatchObject({ status: "completed", total: 2, done: 2, spent: 6 });
    const kept = read.captions.find((c) => c.fileName === "p0.png");
    expect(kept).toMatchObject({ imageId: null, status: "done", text: "caption of 0" });
    // Its cast stays on record (steps and charges), with no image behind it.
    const [cast] = await db.select({ imageId: casts.imageId, status: casts.status }).from(casts).where(eq(casts.id, kept?.castId ?? ""));
    expect(cast).toEqual({ imageId: null, status: "completed" });
    // The credits history still names what its charges paid for.
    const steps = await db.select({ id: generationSessions.id }).from(generationSessions).where(eq(generationSessions.castId, kept?.castId ?? ""));
    const subjects = await describeLedgerSubjects(db, { userId, entries: steps.map((s) => ({ subjectType: "session", subjectId: s.id })) });
    expect([...subjects.values()].map((s) => (s.kind === "caption_step" ? s.fileName : s.kind))).toEqual(["p0.png", "p0.png", "p0.png"]);
    const zip = unzipSync((await exportCaptionSet(db, { userId, setId: set.id, format: "zip" })).bytes);
    expect(Object.keys(zip).sort()).toEqual(["p0.txt", "p1.txt"]);
    expect(strFromU8(zip["p0.txt"] ?? new Uint8Array())).toBe("caption of 0");
  });

  it("a re-run of failed captions leaves out an image removed since, and with nothing else to cast is refused with the set unchanged", async () => {
    const { userId, datasetId, images } = await datasetOf(2);
    const setId = await finishedRun(userId, datasetId, 0);
    expect((await getCaptionSet(db, { userId, setId })).set).toMatchObject({ status: "completed_with_errors", done: 1, failed: 1 });
    const failedImage = images.find((i) => i.imageIndex === 0);
    await removeOne(userId, datasetId, failedImage?.id ?? "");

    await expect(rerunFailedCaptions(db, { userId, setId }, options, async () => undefined)).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: "The failed images were removed from the dataset: nothing to re-run",
    });
    const read = await getCaptionSet(db, { userId, setId });
    expect(read.set).toMatchObject({ status: "completed_with_errors", done: 1, failed: 1 });
    expect(read.captions.find((c) => c.imageIndex === 0)).toMatchObject({ imageId: null, status: "failed" });
    expect(read.captions.filter((c) => c.status === "pending")).toEqual([]);
  });

  it("racing a run's start: either the run has the image and the removal is refused, or the image is gone and the run never had it", async () => {
    for (let round = 0; round < 16; round++) {
      const { userId, datasetId, images } = await datasetOf(2);
      const target = images[round % 2];
      if (!target) throw new Error("no image");
      // The removal goes 0–7 ms after the start, so some rounds land inside its transaction.
      const [started, removal] = await Promise.allSettled([
        startCaptionRun(db, { userId, datasetId, spellId: BUILT_IN_CAPTION_SPELL_ID }, options, async () => undefined),
        sleep(round % 8).then(() => removeOne(userId, datasetId, target.id)),
      ]);
      if (started.status !== "fulfilled") throw started.reason;
      const run = await getCaptionSet(db, { userId, setId: started.value.id });
      if (removal.status === "fulfilled") {
        expect(run.captions.map((c) => c.fileName)).toEqual(images.filter((i) => i !== target).map((i) => i.fileName));
      } else {
        expect(removal.reason).toMatchObject({ code: "INVALID_STATE" });
        expect(run.captions.map((c) => c.imageId)).toContain(target.id);
      }
      // Never a caption waiting to be cast with no image to cast.
      expect(run.captions.filter((c) => c.imageId === null)).toEqual([]);
    }
  });

  it("racing a re-run of failed captions: the run never holds a pending caption of a removed image, and it ends", async () => {
    for (let round = 0; round < 16; round++) {
      const { userId, datasetId, images } = await datasetOf(2);
      const setId = await finishedRun(userId, datasetId, 0);
      const failedImage = images.find((i) => i.imageIndex === 0);
      if (!failedImage) throw new Error("no image");
      const jobs: StepJob[] = [];
      const [rerun, removal] = await Promise.allSettled([
        rerunFailedCaptions(db, { userId, setId }, options, async (j) => {
          jobs.push(...j);
        }),
        sleep(round % 8).then(() => removeOne(userId, datasetId, failedImage.id)),
      ]);
      const read = await getCaptionSet(db, { userId, setId });
      expect(read.captions.filter((c) => c.status === "pending" && c.imageId === null)).toEqual([]);
      if (rerun.status === "fulfilled") {
        // The re-run took the image: the removal waited for it and was refused, or came first and it was never reset.
        expect(removal.status).toBe("rejected");
        expect(jobs).toHaveLength(1);
      } else {
        expect(removal.status).toBe("fulfilled");
        expect(read.set).toMatchObject({ status: "completed_with_errors", failed: 1 });
      }
    }
  });
});
