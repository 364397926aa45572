import { randomUUID } from "node:crypto";

import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { captions, casts, generationSessions } from "@spellcast/db";

import { anyOf } from "../lib/any-of";
import type { ContinueOptions, Continuation } from "../casts/continue-casts";
import { continueCastsInTx, markFlips } from "../casts/continue-casts";
import { findCarryOvers, ownSteps } from "../casts/carried-steps";
import { hasNoOpenStep } from "../casts/open-steps";
import type { CastInput, ChainResult, StepJob, StepOptions } from "../casts/schema";
import type { CastRow } from "../casts/snapshot";
import type { LedgerBatch } from "../credits/ledger-batch";
import { createLedgerBatch } from "../credits/ledger-batch";
import { DomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { recordset } from "../lib/any-of";
import { sessionOutputsSchema } from "../sessions/schema";
import type { SpellStep } from "../spells/schema";
import { spellCost, stepCost } from "../spells/tools";
import type { SetBook } from "./set-book";
import { lockSetBook } from "./set-book";
import type { CaptionSetRow } from "./snapshot";

/** A pending caption with no active cast. */
export interface UncastCaption {
  id: string;
  imageId: string;
  imageIndex: number;
  castId: string | null;
}

/** `findUncastCaptions(…, limit)` sent ahead of need, with the limit it was sent with. */
export interface UncastAhead {
  limit: number;
  rows: Promise<UncastCaption[]>;
}

/** What a caller sent ahead of a `castImagesInTx`: the uncast images it read, its own last statements. */
export type CastAhead = { uncast?: UncastAhead } & ContinueOptions;

/**
 * Pending captions of the set with no active cast: the images a start, resume or re-run must cast.
 * (A pending caption always has its image: one is removed only when no run of its dataset is unfinished.)
 */
export async function findUncastCaptions(tx: DbOrTx, setId: string, limit: number): Promise<UncastCaption[]> {
  const rows = await tx
    .select({ id: captions.id, imageId: captions.imageId, imageIndex: captions.imageIndex, castId: captions.castId })
    .from(captions)
    .where(
      and(
        eq(captions.captionSetId, setId),
        eq(captions.status, "pending"),
        isNotNull(captions.imageId),
        sql`not exists (select 1 from ${casts} c where c.id = ${captions.castId} and c.status in ('queued', 'running'))`,
      ),
    )
    .orderBy(asc(captions.imageIndex))
    .limit(limit);
  return rows.flatMap(({ imageId, ...row }) => (imageId ? [{ ...row, imageId }] : []));
}

/** Active casts of the set with no open step: a pause stopped them between steps. */
export async function findWaitingCasts(tx: DbOrTx, setId: string, limit: number): Promise<CastRow[]> {
  return tx
    .select()
    .from(casts)
    .where(and(eq(casts.captionSetId, setId), inArray(casts.status, ["queued", "running"]), hasNoOpenStep(sql`${casts.id}`)))
    .orderBy(asc(casts.imageIndex))
    .limit(limit);
}

export interface BatchResult {
  jobs: StepJob[];
  /** More images may be waiting for a cast (the batch was full and the set is still running). */
  more: boolean;
  set: CaptionSetRow;
}

export interface CastBatchParams {
  userId: string;
  setId: string;
  limit: number;
  steps: SpellStep[];
  spellId: string;
  options: StepOptions;
}

/** `castPendingBatchInTx` in a transaction of its own. */
export function castPendingBatch(db: Database, params: CastBatchParams): Promise<BatchResult> {
  return db.transaction((tx) => castPendingBatchInTx(tx, params));
}

/**
 * Continues waiting casts, then casts up to `limit` images that have neither a caption nor an
 * active cast (one cast per image, its first paid step reserved), as many as the set's cast
 * window, the budget and the credits allow (if the money runs short, the set turns `paused`).
 * Every table is written with one statement for the whole batch. Account lock, then set lock.
 */
export async function castPendingBatchInTx(tx: DbOrTx, params: CastBatchParams): Promise<BatchResult> {
  return withEventsLast(tx, async () => {
    const ledger = createLedgerBatch(tx);
    await ledger.lock([params.userId]);
    const book = await lockSetBook(tx, [params.setId]);
    const locked = book.row(params.setId);
    if (!locked) throw new DomainError("NOT_FOUND", "Caption set not found");
    if (locked.status !== "in_progress") return { jobs: [], more: false, set: locked };
    // One more than the batch takes of each: whether another batch is needed, without a transaction to find out.
    const allWaiting = await findWaitingCasts(tx, locked.id, params.limit + 1);
    const waiting = await continuationsOf(tx, allWaiting.slice(0, params.limit));
    const chains = await continueCastsInTx(tx, waiting, book, ledger);
    // Counted after the waiting casts moved on: one that finished there frees its place.
    const take = Math.min(params.limit, Math.max(0, locked.castWindow - (await countActiveCasts(tx, locked.id))));
    const casting = await castImagesInTx(tx, book, ledger, locked, take, params);
    chains.push(...casting.chains);
    const [flips] = await Promise.all([book.flush(), ledger.write()]);
    markFlips(chains, flips);
    const set = book.row(locked.id) ?? locked;
    // Another batch only while this one was full (not cut short by the window) and more wait.
    const more = (casting.moreUncast && take === params.limit) || allWaiting.length > params.limit;
    return { jobs: chains.flatMap((c) => c.next), more: set.status === "in_progress" && more, set };
  });
}

/** What new casts copy: the run's frozen spell steps and step options. */
export interface CastTemplate {
  steps: SpellStep[];
  spellId: string;
  options: StepOptions;
}

/**
 * Casts up to `count` images of the locked set (account and set locks held, `book` its book)
 * that have neither a caption nor an active cast: as many as the budget and the credits `ledger`
 * leaves allow (if fewer, the set pauses), each with its first paid step's hold decided there
 * (the caller writes it). `moreUncast`: images beyond `count` are still waiting for a cast.
 */
export async function castImagesInTx(
  tx: DbOrTx,
  book: SetBook,
  ledger: LedgerBatch,
  set: CaptionSetRow,
  count: number,
  template: CastTemplate,
  /** The uncast images are used if their limit covers `count` + 1. */
  ahead: CastAhead = {},
): Promise<{ chains: ChainResult[]; moreUncast: boolean }> {
  if (count <= 0) return { chains: [], moreUncast: false };
  const cost = firstPaidCost(template.steps);
  // Pipelined: one more image than it takes (whether another batch is needed, without a
  // transaction to find out), and the credits left after the holds this transaction decided.
  const uncastRows = ahead.uncast && ahead.uncast.limit > count ? ahead.uncast.rows : findUncastCaptions(tx, set.id, count + 1);
  const [uncast, available] = await Promise.all([uncastRows, cost > 0 ? ledger.available(set.userId) : 0]);
  const planned = await planNewCasts(tx, set, uncast.slice(0, count), template);
  const fit = await howManyFit(book, set, { planned, fullCost: spellCost(template.steps), available });
  const casting = planned.slice(0, fit);
  // A set short of budget or credits pauses once its casts are planned (a paused set casts
  // none): then the caller's last statements (the book's flush) wait for that, not go along.
  const short = fit < planned.length;
  // Pipelined: the captions learn their casts while the casts are written with their first steps.
  const [, chains] = await Promise.all([
    linkCaptions(tx, casting),
    continueCastsInTx(tx, casting.map((p) => p.work), book, ledger, { alongside: short ? undefined : ahead.alongside }),
  ]);
  if (short) book.pause(set.id);
  return { chains, moreUncast: uncast.length > count };
}

/** Casts of the set still queued or running (waiting between steps included): its window in use. */
export async function countActiveCasts(tx: DbOrTx, setId: string): Promise<number> {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(casts)
    .where(and(eq(casts.captionSetId, setId), inArray(casts.status, ["queued", "running"])));
  return row?.n ?? 0;
}

/** Waiting casts carry on from their last step's stored output (or from their source, if they have none). */
async function continuationsOf(tx: DbOrTx, waiting: CastRow[]): Promise<Continuation[]> {
  const lastIds = waiting.flatMap((c) => {
    const last = c.stepGenerationIds.at(-1);
    return last ? [last] : [];
  });
  const rows = lastIds.length
    ? await tx.select({ id: generationSessions.id, outputs: generationSessions.outputs }).from(generationSessions).where(anyOf(generationSessions.id, lastIds))
    : [];
  const outputs = new Map(rows.map((r) => [r.id, sessionOutputsSchema.safeParse(r.outputs)]));
  return waiting.map((cast) => {
    const last = cast.stepGenerationIds.at(-1);
    const stored = last ? outputs.get(last) : undefined;
    return { cast, fromStep: cast.stepGenerationIds.length - 1, stored: stored?.success ? stored.data : null, snapshot: null };
  });
}

/** The cost of the first step that needs a hold (0: the spell is free until its end). */
const firstPaidCost = (steps: readonly SpellStep[]) => steps.map(stepCost).find((c) => c > 0) ?? 0;

/** What a caption's cast reads: its image of the set's dataset. */
export const captionSource = (set: CaptionSetRow, caption: { imageId: string; imageIndex: number }): CastInput["source"] => ({
  kind: "image",
  datasetId: set.datasetId,
  imageId: caption.imageId,
  imageIndex: caption.imageIndex,
});

/** A new cast for a pending caption, built here and written by `continueCastsInTx`. */
interface NewCast {
  captionId: string;
  work: Continuation;
  /** The cost of its first paid step (held now) and of every step it runs itself. */
  first: number;
  whole: number;
}

/**
 * One new cast per pending caption, each inserted already moved on by `continueCastsInTx` (one
 * insert, not an insert and an update). A caption whose earlier cast failed after completing
 * some steps (a re-run) carries those over: its cast starts after them and pays only for the rest.
 */
async function planNewCasts(tx: DbOrTx, set: CaptionSetRow, pending: readonly UncastCaption[], template: CastTemplate): Promise<NewCast[]> {
  const sourceOf = (caption: UncastCaption) => captionSource(set, caption);
  const earlier = pending.flatMap((c) => (c.castId ? [{ castId: c.castId, source: sourceOf(c) }] : []));
  const carryOvers = await findCarryOvers(tx, earlier, template.steps);
  const now = new Date();
  return pending.map((caption) => {
    const carry = caption.castId ? carryOvers.get(caption.castId) : undefined;
    const input: CastInput = { steps: template.steps, source: sourceOf(caption), options: template.options, ...(carry && { carriedFrom: carry.carried }) };
    const cast: CastRow = {
      id: randomUUID(),
      userId: set.userId,
      spellId: template.spellId,
      datasetId: set.datasetId,
      imageId: caption.imageId,
      imageIndex: caption.imageIndex,
      captionSetId: set.id,
      clientKey: null,
      status: "queued",
      stepGenerationIds: carry?.stepIds ?? [],
      currentStep: carry ? carry.stepIds.length - 1 : 0,
      input,
      output: null,
      errorDetails: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    };
    const fromStep = (carry?.stepIds.length ?? 0) - 1;
    const own = ownSteps(input);
    return {
      captionId: caption.id,
      work: { cast, fromStep, stored: carry?.stored ?? null, snapshot: null, unsaved: true },
      first: firstPaidCost(own),
      whole: spellCost(own),
    };
  });
}

/**
 * How many of the new casts (in order) the credits and the budget allow, each needing its whole
 * cost: a cast started is one they let finish. Holding only a cast's first step would let a run
 * short of credits start as many images as first steps fit, spend it all on them and caption
 * none. The credits (`available`: holds this transaction took counted) must also cover what the
 * user's active casts will still hold. Takes their budget and credits from the book.
 */
async function howManyFit(book: SetBook, set: CaptionSetRow, need: { planned: readonly NewCast[]; fullCost: number; available: number }): Promise<number> {
  const { planned, fullCost, available } = need;
  const total = planned.reduce((sum, p) => sum + p.whole, 0);
  if (total === 0) return planned.length;
  // Plenty: twice a whole window and these casts could all finish, so what the active casts
  // still owe is not read (a run with credits to spare skips a query per refill).
  const plenty = available >= 2 * set.castWindow * fullCost + total;
  const byCredits = plenty ? total : available - (await book.owed(set.userId));
  const limit = Math.min(byCredits, await book.room(set.id));
  let fit = 0;
  let admitted = 0;
  let owed = 0;
  for (const p of planned) {
    if (admitted + p.whole > limit) break;
    fit += 1;
    admitted += p.whole;
    owed += p.whole - p.first;
  }
  book.admit(set.id, admitted);
  book.owe(set.userId, owed);
  return fit;
}

/** Points each pending caption at the cast made for its image. */
async function linkCaptions(tx: DbOrTx, casting: readonly NewCast[]): Promise<void> {
  if (casting.length === 0) return;
  const json = casting.map((c) => ({ id: c.captionId, cast_id: c.work.cast.id }));
  await tx.update(captions).set({ castId: sql`v.cast_id` }).from(recordset(json, "v", "id uuid, cast_id uuid")).where(sql`${captions.id} = v.id`);
}
