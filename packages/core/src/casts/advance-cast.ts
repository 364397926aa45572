import type { DbOrTx } from "@spellcast/db";

import type { CastAhead, UncastAhead } from "../captions/cast-batch";
import { castImagesInTx, findUncastCaptions } from "../captions/cast-batch";
import { failCaptionInTx } from "../captions/land-caption";
import type { SetBook } from "../captions/set-book";
import { lockSetBook } from "../captions/set-book";
import type { CaptionSetRow } from "../captions/snapshot";
import { lockCaptionSet } from "../captions/snapshot";
import type { LedgerBatch } from "../credits/ledger-batch";
import { createLedgerBatch } from "../credits/ledger-batch";
import { sessionOutputsSchema } from "../sessions/schema";
import type { SessionRow } from "../sessions/snapshot";
import type { Continuation } from "./continue-casts";
import { continueCastsInTx, markFlips } from "./continue-casts";
import type { ChainResult, ContinueAs, StepJob } from "./schema";
import { emptyChain } from "./schema";
import type { CastRow } from "./snapshot";
import { castInputOf, emitCastEvent, isActiveCast, lockCast, lockCasts, updateCast } from "./snapshot";
import { isLocalStep } from "./steps";

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
 * and caption), all casts of the batch at once; the holds go into `ledger`, written here with the
 * sets' counters. Returns the chain per completed session id.
 */
export async function advanceCastsInTx(
  tx: DbOrTx,
  steps: readonly CompletedStep[],
  locks: CastLocks,
  ledger: LedgerBatch,
): Promise<Map<string, ChainResult>> {
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
  const uncast = readNextImages(tx, book, work);
  const chains = await continueCastsInTx(tx, work, book, ledger);
  // The sets' counters and the ledger go last: with the refill's writes when there is one.
  const finish = once(() => Promise.all([book.flush(), ledger.write()]));
  const moved = work.map((w, i) => ({ cast: w.cast, chain: chains[i] ?? emptyChain() }));
  await refillWindows(tx, book, ledger, { uncast, finish }, moved, (i, jobs) => {
    const chain = chains[i] ?? emptyChain();
    chains[i] = { ...chain, next: [...chain.next, ...jobs] };
  });
  const [flips] = await finish();
  markFlips(chains, flips);
  keys.forEach((key, i) => out.set(key, chains[i] ?? emptyChain()));
  return out;
}

/**
 * The images each running set will cast next, read now, in the same round trip as the casts'
 * writes rather than after them: as many as the batch's casts that end here (every step after
 * the completed one is local), plus one. A cast still running here keeps its image out of the
 * list, before and after those writes alike.
 */
function readNextImages(tx: DbOrTx, book: SetBook, work: readonly Continuation[]): Map<string, UncastAhead> {
  const ending = new Map<string, number>();
  for (const { cast, fromStep } of work) {
    const setId = cast.captionSetId;
    if (!setId || book.row(setId)?.status !== "in_progress") continue;
    if (castInputOf(cast).steps.slice(fromStep + 1).every(isLocalStep)) ending.set(setId, (ending.get(setId) ?? 0) + 1);
  }
  return new Map(
    [...ending].map(([setId, n]) => {
      const rows = findUncastCaptions(tx, setId, n + 1);
      rows.catch(() => undefined); // awaited by the refill; a set that no longer refills never reads it
      return [setId, { limit: n + 1, rows }] as const;
    }),
  );
}

/** `fn` run at its first call only; later calls return that first promise. */
function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let run: Promise<T> | undefined;
  return () => (run ??= fn());
}

const isEnded = (status: ChainResult["castStatus"]) => status === "completed" || status === "failed" || status === "canceled";

/**
 * Each cast of a caption run that ended here frees a place in its set's window: as many images
 * are cast in the same transaction (locks held: account, casts, sets). Their first steps' jobs
 * are handed to `addJobs` with the index of one of the ended casts, so its worker enqueues them.
 */
async function refillWindows(
  tx: DbOrTx,
  book: SetBook,
  ledger: LedgerBatch,
  ahead: { uncast: ReadonlyMap<string, UncastAhead>; finish: () => Promise<unknown> },
  moved: ReadonlyArray<{ cast: CastRow; chain: ChainResult }>,
  addJobs: (index: number, jobs: StepJob[]) => void,
): Promise<void> {
  const endedBySet = new Map<string, number[]>();
  moved.forEach(({ cast, chain }, i) => {
    if (!cast.captionSetId || !isEnded(chain.castStatus)) return;
    endedBySet.set(cast.captionSetId, [...(endedBySet.get(cast.captionSetId) ?? []), i]);
  });
  const refilling = [...endedBySet].flatMap(([setId, ended]) => {
    const set = book.row(setId);
    const first = ended[0];
    return set && set.status === "in_progress" && first !== undefined ? [{ set, count: ended.length, first }] : [];
  });
  for (const [k, { set, count, first }] of refilling.entries()) {
    // Only the last refill can take the caller's last statements along: each plans into the book.
    const alongside = k === refilling.length - 1 ? ahead.finish : undefined;
    const jobs = await castNextImagesInTx(tx, book, ledger, set, count, moved[first]?.cast, { uncast: ahead.uncast.get(set.id), alongside });
    if (jobs.length > 0) addJobs(first, jobs);
  }
}

/** Casts up to `count` more images of `set` with the spell and options `like` was cast with. */
async function castNextImagesInTx(
  tx: DbOrTx,
  book: SetBook,
  ledger: LedgerBatch,
  set: CaptionSetRow,
  count: number,
  like: CastRow | undefined,
  ahead: CastAhead = {},
): Promise<StepJob[]> {
  if (!like?.spellId) return [];
  const { steps, options } = castInputOf(like);
  const { chains } = await castImagesInTx(tx, book, ledger, set, count, { steps, spellId: like.spellId, options }, ahead);
  return chains.flatMap((c) => c.next);
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
  const ledger = createLedgerBatch(tx);
  const next = row ? await castNextImagesInTx(tx, book, ledger, row, 1, cast) : [];
  await Promise.all([book.flush(), ledger.write()]);
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
