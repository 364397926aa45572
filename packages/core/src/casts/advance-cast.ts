import type { DbOrTx } from "@spellcast/db";

import { castImagesInTx } from "../captions/cast-batch";
import { failCaptionInTx } from "../captions/land-caption";
import type { SetBook } from "../captions/set-book";
import { lockSetBook } from "../captions/set-book";
import type { CaptionSetRow } from "../captions/snapshot";
import { lockCaptionSet } from "../captions/snapshot";
import { sessionOutputsSchema } from "../sessions/schema";
import type { SessionRow } from "../sessions/snapshot";
import type { Continuation } from "./continue-casts";
import { continueCastsInTx, markFlips } from "./continue-casts";
import type { ChainResult, ContinueAs, StepJob } from "./schema";
import { emptyChain } from "./schema";
import type { CastRow } from "./snapshot";
import { castInputOf, emitCastEvent, isActiveCast, lockCast, lockCasts, updateCast } from "./snapshot";

export interface CompletedStep {
  /** The step's session as just stored (completed, outputs written). */
  session: SessionRow;
  /** Credits its capture moved. */
  charged: number;
  /** The outputs the worker handed in. */
  snapshot: unknown;
  /** The completing job runs the cast's next paid step itself. */
  continueAs?: ContinueAs;
}

/** Casts a completion batch moves on, and the book of their caption sets, locked in its transaction. */
export interface CastLocks {
  casts: Map<string, CastRow>;
  book: SetBook;
}

/**
 * Locks the casts and then their sets (the lock order). The completion batch issues this with its
 * account and ledger statements, so the locks cost no round trip of their own; it must come after
 * the account lock in that pipeline.
 */
export async function lockCastsAndSets(tx: DbOrTx, castIds: readonly string[]): Promise<CastLocks> {
  const [locked, book] = await Promise.all([lockCasts(tx, castIds), lockSetBook(tx, { ofCasts: castIds })]);
  return { casts: locked, book };
}

/**
 * Steps of casts just completed (same transaction, their sessions, accounts, casts and sets
 * locked: `locks`): counts their charges on the sets and moves each cast on (next step, or end
 * and caption), all casts of the batch at once. Returns the chain per completed session id.
 */
export async function advanceCastsInTx(tx: DbOrTx, steps: readonly CompletedStep[], locks: CastLocks): Promise<Map<string, ChainResult>> {
  const out = new Map<string, ChainResult>();
  if (!steps.some((s) => s.session.castId)) return out;
  const { casts: locked, book } = locks;
  const work: Continuation[] = [];
  const keys: string[] = [];
  for (const s of steps) {
    const cast = s.session.castId ? locked.get(s.session.castId) : undefined;
    if (!cast || !isActiveCast(cast.status)) {
      out.set(s.session.id, emptyChain());
      continue;
    }
    if (cast.captionSetId && s.charged > 0) book.charge(cast.captionSetId, s.charged);
    const stored = sessionOutputsSchema.safeParse(s.session.outputs);
    work.push({ cast, fromStep: s.session.stepIndex ?? 0, stored: stored.success ? stored.data : null, snapshot: s.snapshot, continueAs: s.continueAs });
    keys.push(s.session.id);
  }
  const chains = await continueCastsInTx(tx, work, book);
  await refillWindows(tx, book, work, chains);
  markFlips(chains, await book.flush());
  keys.forEach((key, i) => out.set(key, chains[i] ?? emptyChain()));
  return out;
}

const isEnded = (status: ChainResult["castStatus"]) => status === "completed" || status === "failed" || status === "canceled";

/**
 * Each cast of a caption run that ended here frees a place in its set's window: as many images
 * are cast in the same transaction (locks held: account, casts, sets). The job that ended a cast
 * goes on with one new cast's first step (created running for it, `chains[i].continued`), as it
 * goes on with a cast's next step: no enqueue, fetch or "running" transition between casts
 * either. The first steps no such job takes are queued, their jobs on the first ended cast's chain.
 */
async function refillWindows(tx: DbOrTx, book: SetBook, work: readonly Continuation[], chains: ChainResult[]): Promise<void> {
  const endedBySet = new Map<string, number[]>();
  work.forEach(({ cast }, i) => {
    if (!cast.captionSetId || !isEnded(chains[i]?.castStatus ?? null)) return;
    endedBySet.set(cast.captionSetId, [...(endedBySet.get(cast.captionSetId) ?? []), i]);
  });
  for (const [setId, ended] of endedBySet) {
    const set = book.row(setId);
    const first = ended[0];
    if (!set || set.status !== "in_progress" || first === undefined) continue;
    const owners = ended.map((i) => {
      const owner = work[i]?.continueAs;
      return owner?.takeNewCast ? owner : undefined;
    });
    const refills = await castMoreLike(tx, book, set, work[first]?.cast, owners.length, owners);
    const queued: StepJob[] = [];
    refills.forEach((refill, k) => {
      const i = ended[k];
      const chain = i === undefined ? undefined : chains[i];
      if (i !== undefined && chain && refill.continued) chains[i] = { ...chain, continued: refill.continued };
      queued.push(...refill.next);
    });
    const chain = chains[first];
    if (chain && queued.length > 0) chains[first] = { ...chain, next: [...chain.next, ...queued] };
  }
}

/** Casts up to `count` more images of `set` with the spell and options `like` was cast with (`owners`: see castImagesInTx). */
async function castMoreLike(
  tx: DbOrTx,
  book: SetBook,
  set: CaptionSetRow,
  like: CastRow | undefined,
  count: number,
  owners: ReadonlyArray<ContinueAs | undefined> = [],
): Promise<ChainResult[]> {
  if (!like?.spellId) return [];
  const { steps, options } = castInputOf(like);
  return (await castImagesInTx(tx, book, set, count, { steps, spellId: like.spellId, options }, owners)).chains;
}

/** Step `session` failed for good: the cast fails with its error details; its caption is counted failed. */
export async function failCastInTx(tx: DbOrTx, session: SessionRow): Promise<ChainResult> {
  if (!session.castId) return emptyChain();
  const current = await lockCast(tx, session.castId);
  if (!isActiveCast(current.status)) return emptyChain();
  const set = current.captionSetId ? await lockCaptionSet(tx, current.captionSetId) : null;
  const cast = await updateCast(tx, current.id, {
    status: "failed",
    currentStep: session.stepIndex ?? current.currentStep,
    errorDetails: { ...(session.errorDetails ?? {}), failedStep: session.stepIndex ?? 0 },
    completedAt: new Date(),
  });
  await emitCastEvent(tx, cast);
  if (!set) return { ...emptyChain(), castStatus: cast.status };
  const counted = await failCaptionInTx(tx, { set, cast });
  // Its place in the run's window goes to the next image (the account is locked: the caller refunds first).
  if (counted.set.status !== "in_progress") return { ...emptyChain(), castStatus: cast.status };
  const book = await lockSetBook(tx, [set.id]);
  const row = book.row(set.id);
  const next = row ? (await castMoreLike(tx, book, row, cast, 1)).flatMap((c) => c.next) : [];
  await book.flush();
  return { ...emptyChain(), next, castStatus: cast.status };
}

/** Step `session` was canceled: the cast ends canceled; its caption stays pending (a resume may re-cast it). */
export async function cancelCastInTx(tx: DbOrTx, session: SessionRow): Promise<void> {
  if (session.castId) await endCastCanceledInTx(tx, session.castId);
}

/**
 * Ends the cast `canceled` with its `cast_updated` event, if it is still active (caller holds the
 * account lock: the cast is locked after it). A cast already ended is left as it is.
 */
export async function endCastCanceledInTx(tx: DbOrTx, castId: string): Promise<void> {
  const current = await lockCast(tx, castId);
  if (!isActiveCast(current.status)) return;
  const cast = await updateCast(tx, current.id, { status: "canceled", completedAt: new Date() });
  await emitCastEvent(tx, cast);
}
