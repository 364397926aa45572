import { and, asc, eq, inArray } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import { DomainError, isDomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { cancelSession } from "../sessions/cancel-session";
import type { CanceledStep } from "../sessions/cancel-session";
import type { CastSnapshot } from "../spells/schema";
import { endCastCanceledInTx } from "./advance-cast";
import { lockAccountInTx } from "./lock-account";
import { getCast } from "./read-casts";
import { isActiveCast } from "./snapshot";

/** Rounds of "cancel the open step, read the cast again" before giving up (each extra round needs a step to complete meanwhile). */
const MAX_CANCEL_ROUNDS = 5;

export interface CancelCastResult {
  /** The cast as it is now: `canceled`, or the terminal status it had already reached. */
  cast: CastSnapshot;
  /** Step sessions this call canceled, with the status each had: the caller removes a queued job or signals a running one. */
  canceled: CanceledStep[];
}

/**
 * Cancels one of the caller's single casts. Another user's cast or a malformed id is NOT_FOUND.
 * A cast that already ended is returned unchanged (canceling twice is a no-op). Otherwise its open
 * step is canceled through `cancelSession` (hold released, session event, and the cast ends
 * `canceled` with its `cast_updated` event, all in that transaction; session lock first, then the
 * account and the cast). That step may complete just before, and its completion may have created
 * the next step: the cast is read again after each round and its new open step canceled, until it
 * has ended.
 *
 * Casts of a caption run are refused (INVALID_INPUT): the run's sweeper and resume re-cast every
 * pending image that has no active cast, so a cast canceled on its own would be cast (and charged)
 * again within a sweep. Such a cast is stopped by canceling its run (`cancelCaptionSet`).
 */
export async function cancelCast(db: Database, params: { userId: string; castId: string }): Promise<CancelCastResult> {
  const canceled: CancelCastResult["canceled"] = [];
  let cast = await getCast(db, params);
  if (cast.captionSetId) {
    throw new DomainError("INVALID_INPUT", "This cast is part of a caption run: cancel the run instead (captions.cancel)");
  }
  for (let round = 0; round < MAX_CANCEL_ROUNDS && isActiveCast(cast.status); round++) {
    const open = await openStepIds(db, cast.id);
    if (open.length === 0) await cancelStepless(db, params);
    for (const sessionId of open) {
      try {
        const { previousStatus, jobId } = await cancelSession(db, { userId: params.userId, sessionId });
        canceled.push({ sessionId, previousStatus, jobId });
      } catch (err) {
        // The step ended on its own meanwhile (completed or failed); the next round reads what it led to.
        if (!isDomainError(err) || err.code !== "INVALID_STATE") throw err;
      }
    }
    cast = await getCast(db, params);
  }
  if (isActiveCast(cast.status)) {
    throw new Error(`cast ${cast.id} is still ${cast.status} after ${MAX_CANCEL_ROUNDS} rounds of canceling its open step`);
  }
  return { cast, canceled };
}

/** The cast's queued or running step sessions (a single cast has at most one). */
async function openStepIds(db: DbOrTx, castId: string): Promise<string[]> {
  const rows = await db
    .select({ id: generationSessions.id })
    .from(generationSessions)
    .where(and(eq(generationSessions.castId, castId), inArray(generationSessions.status, ["queued", "running"])))
    .orderBy(asc(generationSessions.stepIndex));
  return rows.map((r) => r.id);
}

/**
 * An active cast with no open step holds nothing: it ends canceled directly (account lock, then
 * the cast). Under the account lock no chain can be moving it on, so a step found open there is
 * left to the next round.
 */
async function cancelStepless(db: Database, params: { userId: string; castId: string }): Promise<void> {
  await db.transaction((tx) =>
    withEventsLast(tx, async () => {
      await lockAccountInTx(tx, params.userId);
      if ((await openStepIds(tx, params.castId)).length > 0) return;
      await endCastCanceledInTx(tx, params.castId);
    }),
  );
}
