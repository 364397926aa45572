import type { Database } from "@spellcast/db";

import { advanceCastInTx } from "../casts/advance-cast";
import { lockAccountInTx } from "../casts/lock-account";
import type { ChainResult } from "../casts/schema";
import { emptyChain } from "../casts/schema";
import { captureReservationInTx } from "../credits/settle-reservation";
import { withEventsLast } from "../events/append-event";
import type { AttemptLogEntry, SessionOutputs, SessionSnapshot } from "./schema";
import { isTerminalStatus } from "./schema";
import { emitSessionEvent, lockSession, toSessionSnapshot, updateSession } from "./snapshot";

/**
 * Marks a session running for `attempt` (1-based). Returns null when the session is already
 * terminal (canceled while queued, or settled by a duplicate job): the processor must stop.
 */
export async function markSessionRunning(
  db: Database,
  params: { sessionId: string; attempt: number; deadlineMs: number },
): Promise<SessionSnapshot | null> {
  return db.transaction(async (tx) => {
    const current = await lockSession(tx, params.sessionId);
    if (isTerminalStatus(current.status)) return null;
    const now = new Date();
    const row = await updateSession(tx, current.id, {
      status: "running",
      attempts: Math.max(current.attempts, params.attempt),
      startedAt: current.startedAt ?? now,
      deadlineAt: new Date(now.getTime() + params.deadlineMs),
    });
    await emitSessionEvent(tx, "session_running", row);
    return toSessionSnapshot(row);
  });
}

/** Records a failed attempt that will be retried (the timeline shows each one). */
export async function recordAttemptFailure(
  db: Database,
  params: { sessionId: string; entry: AttemptLogEntry },
): Promise<SessionSnapshot | null> {
  return db.transaction(async (tx) => {
    const current = await lockSession(tx, params.sessionId);
    if (isTerminalStatus(current.status)) return null;
    const log = [...current.attemptLog, params.entry];
    const row = await updateSession(tx, current.id, { attemptLog: log });
    await emitSessionEvent(tx, "session_attempt_failed", row);
    return toSessionSnapshot(row);
  });
}

/**
 * Completes a session: captures its cost, stores the outputs and writes the terminal event in
 * one transaction. A session already terminal (e.g. canceled mid-call) is left as it is and
 * nothing is charged; the caller learns it from `completed: false`.
 * A spell step also moves its cast on in the same transaction (`chain`): the next step's session
 * (to enqueue after commit), or the cast's end and its caption.
 */
export async function completeSession(
  db: Database,
  params: { sessionId: string; outputs: SessionOutputs; actualCost?: number },
): Promise<{ session: SessionSnapshot; completed: boolean; chain: ChainResult }> {
  return db.transaction((tx) => withEventsLast(tx, async () => {
    const current = await lockSession(tx, params.sessionId);
    if (isTerminalStatus(current.status)) return { session: toSessionSnapshot(current), completed: false, chain: emptyChain() };
    // Spell steps: the account lock comes before cast, set and event locks (see lock-account.ts).
    if (current.castId) await lockAccountInTx(tx, current.userId);
    let charged = 0;
    if (current.reservationId && current.cost > 0) {
      ({ captured: charged } = await captureReservationInTx(tx, {
        reservationId: current.reservationId,
        actualAmount: Math.min(params.actualCost ?? current.cost, current.cost),
        reason: "Generation completed",
      }));
    }
    const row = await updateSession(tx, current.id, {
      status: "completed",
      outputs: params.outputs,
      completedAt: new Date(),
      deadlineAt: null,
    });
    await emitSessionEvent(tx, "session_completed", row);
    const chain = row.castId ? await advanceCastInTx(tx, row, charged) : emptyChain();
    return { session: toSessionSnapshot(row), completed: true, chain };
  }));
}
