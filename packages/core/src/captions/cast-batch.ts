import { randomUUID } from "node:crypto";

import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { captions, casts, generationSessions } from "@spellcast/db";

import { anyOf } from "../lib/any-of";
import type { ContinueOptions, Continuation } from "../casts/continue-casts";
import { continueCastsInTx, markFlips } from "../casts/continue-casts";
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
  const pending = uncast.slice(0, count);
  const fit = await howManyFit(book, set, { wanted: pending.length, cost, castCost: spellCost(template.steps), available });
  const casting = pending.slice(0, fit);
  // A set short of budget or credits pauses once its casts are planned (a paused set casts
  // none): then the caller's last statements (the book's flush) wait for that, not go along.
  const short = fit < pending.length;
  const created = newCasts(set, casting, template);
  // Pipelined: the captions learn their casts while the casts are written with their first steps.
  const [, chains] = await Promise.all([
    linkCaptions(tx, casting, created),
    continueCastsInTx(tx, created.map((c) => ({ cast: c, fromStep: -1, stored: null, snapshot: null, unsaved: true })), book, ledger, { alongside: short ? undefined : ahead.alongside }),
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

/**
 * How many new casts the credits and the budget allow, each needing its whole cost: a cast
 * started is one they let finish. Holding only a cast's first step would let a run short of
 * credits start as many images as first steps fit, spend it all on them and caption none. The
 * credits (`available`: holds this transaction took counted) must also cover what the user's
 * active casts will still hold. Takes their budget and credits from the book.
 */
async function howManyFit(
  book: SetBook,
  set: CaptionSetRow,
  need: { wanted: number; cost: number; castCost: number; available: number },
): Promise<number> {
  const { wanted, cost, castCost, available } = need;
  if (castCost === 0 || wanted === 0) return wanted;
  const byCredits = cost > 0 ? await fitByCredits(book, set, { wanted, castCost, available }) : wanted;
  const fit = Math.max(0, Math.min(wanted, byCredits, Math.floor((await book.room(set.id)) / castCost)));
  book.admit(set.id, fit * castCost);
  book.owe(set.userId, fit * (castCost - cost));
  return fit;
}

async function fitByCredits(book: SetBook, set: CaptionSetRow, need: { wanted: number; castCost: number; available: number }): Promise<number> {
  const { wanted, castCost, available } = need;
  // Plenty: twice a whole window and these casts could all finish, so what the active casts
  // still owe is not read (a run with credits to spare skips a query per refill).
  if (available >= (2 * set.castWindow + wanted) * castCost) return wanted;
  return Math.floor((available - (await book.owed(set.userId))) / castCost);
}

/**
 * The casts of `pending`, built here and written by `continueCastsInTx` once their first steps
 * are planned: one insert per cast, already running, rather than an insert and an update.
 */
function newCasts(set: CaptionSetRow, pending: ReadonlyArray<{ imageId: string; imageIndex: number }>, template: CastTemplate): CastRow[] {
  const now = new Date();
  return pending.map((caption) => {
    const source: CastInput["source"] = { kind: "image", datasetId: set.datasetId, imageId: caption.imageId, imageIndex: caption.imageIndex };
    const input: CastInput = { steps: template.steps, source, options: template.options };
    return {
      id: randomUUID(),
      userId: set.userId,
      spellId: template.spellId,
      datasetId: set.datasetId,
      imageId: caption.imageId,
      imageIndex: caption.imageIndex,
      captionSetId: set.id,
      clientKey: null,
      status: "queued",
      stepGenerationIds: [],
      currentStep: 0,
      input,
      output: null,
      errorDetails: null,
      createdAt: now,
      updatedAt: now,
      completedAt: null,
    };
  });
}

/** Points each pending caption at the cast made for its image. */
async function linkCaptions(tx: DbOrTx, pending: ReadonlyArray<{ id: string }>, created: readonly CastRow[]): Promise<void> {
  if (pending.length === 0) return;
  const json = pending.map((c, i) => ({ id: c.id, cast_id: created[i]?.id ?? null }));
  await tx.update(captions).set({ castId: sql`v.cast_id` }).from(recordset(json, "v", "id uuid, cast_id uuid")).where(sql`${captions.id} = v.id`);
}
