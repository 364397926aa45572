import { and, eq, isNotNull, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { captionSets, captions, datasetImages } from "@spellcast/db";

import { findCarryOvers } from "../casts/carried-steps";
import { lockAccountInTx } from "../casts/lock-account";
import type { StepJob, StepOptions } from "../casts/schema";
import { getDatasetSummary, shareDatasetForRun } from "../datasets/manage-datasets";
import { DomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { assertUuid, getSpell } from "../spells/manage-spells";
import type { SpellSnapshot } from "../spells/schema";
import { spellCost, stepCost } from "../spells/tools";
import { captionSource, castPendingBatch, castPendingBatchInTx } from "./cast-batch";
import type { CastBatchParams } from "./cast-batch";
import type { CaptionSetSnapshot, RerunEstimate } from "./schema";
import type { CaptionSetRow } from "./snapshot";
import { emitCaptionEvent, emitCaptionSetEvent, lockCaptionSet, toCaptionSetSnapshot, updateCaptionSet } from "./snapshot";

export interface RunOptions extends StepOptions {
  /**
   * Most casts created per transaction (default 500); each batch's jobs go to `enqueue` right
   * after its commit. Batches start at FIRST_BATCH, so the first steps start at once, and double.
   */
  batchSize?: number;
  /** Most casts of the run active at once (default CAST_WINDOW), kept on the set. */
  castWindow?: number;
}

/**
 * A run keeps this many casts active and each finished cast starts the next image in its own
 * transaction: credits are held and queue places taken for the window, not for every image of a
 * large dataset at once (other users' work interleaves, a user short of credits for the whole run
 * is not paused at its start), and the start call commits the window, not 5,000 casts. Sized by
 * Little's law for the captions bench, where casts are shortest: 50 provider slots at 50 ms take
 * 500 casts a second, each cast lives 0.3–0.4 s, so 200 left slots idle (1.67× the bound) and 400
 * did not (1.47×, as with no window). With calls of seconds a few dozen would do.
 */
export const CAST_WINDOW = 500;

/**
 * Measured on the captions bench: a batch holds the account lock that every completion of the
 * user's steps needs, and batches of 100 interleaved with completions took 2–3× as long as
 * alone (the start of 1,000 casts: 1.4–1.8 s; in batches of 500 or 1,000: 0.4–0.6 s). Doubling
 * from 100 gives the worker each batch's first steps to run while the next, larger one commits.
 */
const DEFAULT_BATCH = 500;
const FIRST_BATCH = 100;
export type EnqueueSteps = (jobs: StepJob[]) => Promise<void>;

/** A caption spell takes an image and ends with text. */
export function assertCaptionSpell(spell: SpellSnapshot): void {
  if (spell.input !== "image" || spell.output !== "text") {
    throw new DomainError("INVALID_INPUT", `"${spell.name}" does not turn an image into text, so it cannot caption a dataset`);
  }
}

export async function estimateCaptionRun(db: Database, params: { userId: string; datasetId: string; spellId: string }) {
  const dataset = await getDatasetSummary(db, params);
  const spell = await getSpell(db, params);
  assertCaptionSpell(spell);
  const steps = spell.steps.map((s) => ({ tool: s.tool, cost: stepCost(s) }));
  return { images: dataset.imageCount, perImage: spell.cost, total: dataset.imageCount * spell.cost, steps };
}

/**
 * Starts a caption run: the set (`in_progress`) with one pending caption per image commits with
 * its first batch of casts, so readers see the whole run at once and its first steps reach the
 * queue one transaction sooner; the rest of the window is cast in batches, each batch's first
 * steps enqueued after its commit.
 */
export async function startCaptionRun(
  db: Database,
  params: { userId: string; datasetId: string; spellId: string; budget?: number | null },
  options: RunOptions,
  enqueue: EnqueueSteps,
): Promise<CaptionSetSnapshot> {
  const dataset = await getDatasetSummary(db, params);
  const spell = await getSpell(db, params);
  assertCaptionSpell(spell);
  if (dataset.imageCount === 0) throw new DomainError("INVALID_INPUT", "This dataset has no images yet");
  const budget = params.budget ?? null;
  const firstCost = spell.steps[0] ? stepCost(spell.steps[0]) : 0;
  if (budget !== null && (!Number.isInteger(budget) || budget < 1)) throw new DomainError("INVALID_INPUT", "budget: a whole number of credits, at least 1");
  const castWindow = options.castWindow ?? CAST_WINDOW;
  if (!Number.isInteger(castWindow) || castWindow < 1) throw new DomainError("INVALID_INPUT", "castWindow: a whole number, at least 1");
  const firstSize = firstBatchSize(options);
  const first = await db.transaction(async (tx) => {
    const account = await lockAccountInTx(tx, params.userId);
    if ((account ? account.balance - account.held : 0) < firstCost) {
      throw new DomainError("INSUFFICIENT_CREDITS", "Not enough credits to start this run");
    }
    const [row] = await tx
      .insert(captionSets)
      .values({ userId: params.userId, datasetId: dataset.id, spellId: spell.id, status: "in_progress", total: 0, budget, castWindow })
      .returning();
    if (!row) throw new Error("caption set insert returned no row");
    // The set's insert holds the dataset's row (key share, by its foreign key) until commit: an
    // image removal waits for this run's images to be read, or this waits for the removal.
    const inserted = await tx.execute(sql`
      insert into ${captions} (caption_set_id, image_id, image_index, file_name)
      select ${row.id}, id, image_index, file_name from ${datasetImages} where dataset_id = ${dataset.id}`);
    const total = inserted.count;
    const updated = await updateCaptionSet(tx, row.id, { total });
    await emitCaptionSetEvent(tx, updated);
    return { set: updated, batch: await castPendingBatchInTx(tx, batchParams(updated, spell, options, firstSize)) };
  });
  if (first.batch.jobs.length > 0) await enqueue(first.batch.jobs);
  if (first.batch.more) await castAll(db, first.set, spell, options, enqueue, nextBatchSize(options, firstSize));
  return readSet(db, first.set.id);
}

const firstBatchSize = (options: RunOptions) => Math.min(FIRST_BATCH, options.batchSize ?? DEFAULT_BATCH);
const nextBatchSize = (options: RunOptions, size: number) => Math.min(options.batchSize ?? DEFAULT_BATCH, size * 2);

function batchParams(set: CaptionSetRow, spell: SpellSnapshot, options: RunOptions, limit: number): CastBatchParams {
  return {
    userId: set.userId,
    setId: set.id,
    limit,
    steps: spell.steps,
    spellId: spell.id,
    // What each cast keeps of the options: how its steps run, not how the run was batched.
    options: { maxAttempts: options.maxAttempts, holdMs: options.holdMs },
  };
}

async function castAll(db: Database, set: CaptionSetRow, spell: SpellSnapshot, options: RunOptions, enqueue: EnqueueSteps, from = firstBatchSize(options)) {
  for (let size = from; ; size = nextBatchSize(options, size)) {
    const batch = await castPendingBatch(db, batchParams(set, spell, options, size));
    if (batch.jobs.length > 0) await enqueue(batch.jobs);
    if (!batch.more) return;
  }
}

export async function readSet(db: Database, setId: string): Promise<CaptionSetSnapshot> {
  const [row] = await db.select().from(captionSets).where(eq(captionSets.id, setId));
  if (!row) throw new DomainError("NOT_FOUND", "Caption set not found");
  return toCaptionSetSnapshot(row);
}

export async function ownSet(db: Database, params: { userId: string; setId: string }): Promise<CaptionSetRow> {
  assertUuid(params.setId, "Caption set");
  const [row] = await db.select().from(captionSets).where(and(eq(captionSets.id, params.setId), eq(captionSets.userId, params.userId)));
  if (!row) throw new DomainError("NOT_FOUND", "Caption set not found");
  return row;
}

/**
 * Re-opens the set (from `paused`, or with a change applied under its lock by `prepare`) and
 * casts whatever still needs it: waiting casts continue, uncaptioned images without an active
 * cast get one. Images already captioned, or with a cast in flight, are never cast or charged again.
 */
async function reopenAndCast(
  db: Database,
  params: { userId: string; setId: string },
  options: RunOptions,
  enqueue: EnqueueSteps,
  prepare: (tx: DbOrTx, set: CaptionSetRow) => Promise<Partial<typeof captionSets.$inferInsert>> = () => Promise.resolve({}),
): Promise<CaptionSetSnapshot> {
  const owned = await ownSet(db, params);
  // The run's own spell, even if its owner deleted it since: what was started still finishes.
  const spell = await getSpell(db, { userId: params.userId, spellId: owned.spellId }, { includeDeleted: true });
  const set = await db.transaction(async (tx) => {
    await lockAccountInTx(tx, params.userId);
    const current = await lockCaptionSet(tx, owned.id);
    if (current.status === "canceled") throw new DomainError("INVALID_STATE", "This run was canceled");
    await shareDatasetForRun(tx, current.datasetId);
    const changes = await prepare(tx, current);
    const reopen = current.status === "paused" || "failed" in changes;
    if (!reopen && current.status !== "in_progress") return current;
    const row = await updateCaptionSet(tx, current.id, { ...changes, status: "in_progress", completedAt: null });
    await emitCaptionSetEvent(tx, row);
    return row;
  });
  if (set.status === "in_progress") await castAll(db, set, spell, options, enqueue);
  return readSet(db, set.id);
}

export const resumeCaptionSet = (db: Database, params: { userId: string; setId: string }, options: RunOptions, enqueue: EnqueueSteps) =>
  reopenAndCast(db, params, options, enqueue);

/** Raises the cap (never lowers it) and resumes a paused run. */
export async function raiseCaptionBudget(
  db: Database,
  params: { userId: string; setId: string; budget: number },
  options: RunOptions,
  enqueue: EnqueueSteps,
): Promise<CaptionSetSnapshot> {
  return reopenAndCast(db, params, options, enqueue, async (_tx, set) => {
    if (set.budget !== null && params.budget <= set.budget) {
      throw new DomainError("INVALID_INPUT", `budget: raise it above ${set.budget}`);
    }
    return { budget: params.budget };
  });
}

/**
 * Failed captions go back to pending (each with its event, so every open page sees it) and get
 * new casts, which carry over the steps their failed casts completed while the spell's steps up
 * to there are unchanged (see `findCarryOvers`): a caption whose last step failed runs only that
 * step again. Captions already done are untouched. What the failed casts charged stays on their
 * captions, and the re-run adds its own.
 */
export async function rerunFailedCaptions(
  db: Database,
  params: { userId: string; setId: string },
  options: RunOptions,
  enqueue: EnqueueSteps,
): Promise<CaptionSetSnapshot> {
  return reopenAndCast(db, params, options, enqueue, async (tx, set) => {
    if (set.failed === 0) throw new DomainError("INVALID_STATE", "No failed captions to re-run");
    const reset = await tx
      .update(captions)
      .set({ status: "pending", updatedAt: sql`clock_timestamp()` })
      // An image removed from the dataset since has nothing to cast: its caption stays failed.
      .where(and(eq(captions.captionSetId, set.id), eq(captions.status, "failed"), isNotNull(captions.imageId)))
      .returning();
    if (reset.length === 0) throw new DomainError("INVALID_STATE", "The failed images were removed from the dataset: nothing to re-run");
    // One insert for all of their events, however many failed.
    await withEventsLast(tx, async () => {
      for (const caption of reset) await emitCaptionEvent(tx, set.userId, caption, set);
    });
    return { failed: set.failed - reset.length };
  });
}

/**
 * What `rerunFailedCaptions` would cast now, with the set's spell as it is: the failed images
 * still in the dataset, how many of them carry steps over, and what their casts will charge.
 */
export async function estimateRerun(db: Database, params: { userId: string; setId: string }): Promise<RerunEstimate> {
  const set = await ownSet(db, params);
  const spell = await getSpell(db, { userId: params.userId, spellId: set.spellId }, { includeDeleted: true });
  const failed = await db
    .select({ castId: captions.castId, imageId: captions.imageId, imageIndex: captions.imageIndex })
    .from(captions)
    .where(and(eq(captions.captionSetId, set.id), eq(captions.status, "failed"), isNotNull(captions.imageId)));
  const earlier = failed.flatMap(({ castId, imageId, imageIndex }) => (castId && imageId ? [{ castId, source: captionSource(set, { imageId, imageIndex }) }] : []));
  const carryOvers = await findCarryOvers(db, earlier, spell.steps);
  const carried = failed.map((c) => (c.castId ? (carryOvers.get(c.castId)?.carried.steps ?? 0) : 0));
  return {
    images: failed.length,
    carriedOver: carried.filter((steps) => steps > 0).length,
    credits: carried.reduce((sum, steps) => sum + spellCost(spell.steps.slice(steps)), 0),
  };
}
