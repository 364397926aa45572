import type { Database, DbOrTx, generationSessions } from "@spellcast/db";

import { DomainError } from "../errors";
import type { CompleteInput, CompleteResult, RunningInput } from "./batch-transitions";
import { completeSessions, markSessionsRunning } from "./batch-transitions";
import type { AttemptLogEntry, SessionSnapshot } from "./schema";
import { isTerminalStatus } from "./schema";
import type { SessionRow } from "./snapshot";
import { emitSessionEvent, lockSession, toSessionSnapshot, updateSession } from "./snapshot";

/**
 * Marks a session running for `attempt` (1-based). Returns null when the session is already
 * terminal (canceled while queued, or settled by a duplicate job): the processor must stop.
 */
export async function markSessionRunning(db: Database, params: RunningInput): Promise<SessionSnapshot | null> {
  const [result] = await markSessionsRunning(db, [params]);
  if (result === undefined) throw new DomainError("NOT_FOUND", "Session not found");
  return result;
}

/** Records a failed attempt that will be retried (the timeline shows each one). */
export async function recordAttemptFailure(
  db: Database,
  params: { sessionId: string; entry: AttemptLogEntry },
): Promise<SessionSnapshot | null> {
  return db.transaction(async (tx) => {
    const current = await lockSession(tx, params.sessionId);
    if (isTerminalStatus(current.status)) return null;
    return logFailedAttempt(tx, current, params.entry);
  });
}

/** Appends `entry` to the locked session's attempt log (with `values`) and writes its event. */
async function logFailedAttempt(tx: DbOrTx, current: SessionRow, entry: AttemptLogEntry, values: Partial<typeof generationSessions.$inferInsert> = {}) {
  const row = await updateSession(tx, current.id, { ...values, attemptLog: [...current.attemptLog, entry] });
  await emitSessionEvent(tx, "session_attempt_failed", row);
  return toSessionSnapshot(row);
}

/**
 * Completes a session: captures its cost, stores the outputs and writes the terminal event in
 * one transaction. A session already terminal (e.g. canceled mid-call) is left as it is and
 * nothing is charged; the caller learns it from `completed: false`.
 * A spell step also moves its cast on in the same transaction (`chain`): the next step's session
 * (to enqueue after commit), or the cast's end and its caption.
 */
export async function completeSession(db: Database, params: CompleteInput): Promise<CompleteResult> {
  const [result] = await completeSessions(db, [params]);
  if (!result) throw new DomainError("NOT_FOUND", "Session not found");
  return result;
}

/**
 * A running session whose job the queue lost (Redis restarted without its data): the attempt in
 * flight is recorded as failed and the session goes back to `queued`, with no job of its own, to
 * be enqueued again for the attempts it has left. Null when it is no longer running, or has no
 * attempt left (the caller fails it instead). The session keeps its hold: nothing was charged.
 */
export async function requeueLostSession(
  db: Database,
  params: { sessionId: string; message: string },
): Promise<SessionSnapshot | null> {
  return db.transaction(async (tx) => {
    const current = await lockSession(tx, params.sessionId);
    if (current.status !== "running" || current.attempts >= current.maxAttempts) return null;
    const entry: AttemptLogEntry = { attempt: current.attempts, at: new Date().toISOString(), providerStatus: null, message: params.message, retryInMs: 0 };
    return logFailedAttempt(tx, current, entry, { status: "queued", jobId: null, deadlineAt: null });
  });
}
