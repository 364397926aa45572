import type { DbOrTx } from "@spellcast/db";

import { failCaptionInTx } from "../captions/land-caption";
import { lockSetBook } from "../captions/set-book";
import { lockCaptionSet } from "../captions/snapshot";
import { sessionOutputsSchema } from "../sessions/schema";
import type { SessionRow } from "../sessions/snapshot";
import type { Continuation } from "./continue-casts";
import { continueCastsInTx, markFlips } from "./continue-casts";
import type { ChainResult } from "./schema";
import { emptyChain } from "./schema";
import { emitCastEvent, isActiveCast, lockCast, lockCasts, updateCast } from "./snapshot";

export interface CompletedStep {
  /** The step's session as just stored (completed, outputs written). */
  session: SessionRow;
  /** Credits its capture moved. */
  charged: number;
  /** The outputs the worker handed in. */
  snapshot: unknown;
}

/**
 * Steps of casts just completed (same transaction, their sessions and accounts locked): counts
 * their charges on the sets and moves each cast on (next step, or end and caption), all casts
 * of the batch at once. Returns the chain per completed session id.
 */
export async function advanceCastsInTx(tx: DbOrTx, steps: readonly CompletedStep[]): Promise<Map<string, ChainResult>> {
  const out = new Map<string, ChainResult>();
  const castIds = [...new Set(steps.flatMap((s) => (s.session.castId ? [s.session.castId] : [])))];
  if (castIds.length === 0) return out;
  // Pipelined, casts before sets (the lock order).
  const [locked, book] = await Promise.all([lockCasts(tx, castIds), lockSetBook(tx, { ofCasts: castIds })]);
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
    work.push({ cast, fromStep: s.session.stepIndex ?? 0, stored: stored.success ? stored.data : null, snapshot: s.snapshot });
    keys.push(s.session.id);
  }
  const chains = await continueCastsInTx(tx, work, book);
  markFlips(chains, await book.flush());
  keys.forEach((key, i) => out.set(key, chains[i] ?? emptyChain()));
  return out;
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
  if (set) await failCaptionInTx(tx, { set, cast });
  return { next: [], captionWrite: null, castStatus: cast.status };
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
