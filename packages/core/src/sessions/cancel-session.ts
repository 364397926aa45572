import type { Database } from "@spellcast/db";

import { cancelCastInTx } from "../casts/advance-cast";
import { lockAccountInTx } from "../casts/lock-account";
import { lockCast } from "../casts/snapshot";
import { DomainError } from "../errors";
import type { SessionSnapshot, SessionStatus } from "./schema";
import { isTerminalStatus } from "./schema";
import { refundSession } from "./fail-session";
import { emitSessionEvent, lockSession, toSessionSnapshot, updateSession } from "./snapshot";

/**
 * Cancels the caller's queued or running session: releases its hold and ends it `canceled` in
 * one transaction. The caller then removes the queued job or signals the running one to abort;
 * a provider answer that still arrives finds the session terminal and charges nothing.
 */
/** A step a cancel ended, for the caller to remove its queued job or signal its running call. */
export interface CanceledStep {
  sessionId: string;
  previousStatus: SessionStatus;
  /** The BullMQ job that ran or would run it: gen_<id>, or for a cast's continued step the job that owns it. */
  jobId: string | null;
}

export interface CanceledSession {
  session: SessionSnapshot;
  previousStatus: SessionStatus;
  jobId: string | null;
}

export async function cancelSession(
  db: Database,
  params: { userId: string; sessionId: string },
): Promise<CanceledSession> {
  return db.transaction(async (tx) => {
    const current = await lockSession(tx, params.sessionId).catch(() => null);
    // Another user's session is reported exactly like a missing one: ids can't be probed.
    if (!current || current.userId !== params.userId) throw new DomainError("NOT_FOUND", "Session not found");
    if (isTerminalStatus(current.status)) {
      throw new DomainError("INVALID_STATE", `This generation already ended (${current.status})`);
    }
    if (current.castId) {
      // The documented order — account, then cast — before the refund takes the event lock.
      await lockAccountInTx(tx, current.userId);
      await lockCast(tx, current.castId);
    }
    const refund = await refundSession(tx, current, "Generation canceled: credits returned");
    const row = await updateSession(tx, current.id, {
      status: "canceled",
      completedAt: new Date(),
      deadlineAt: null,
      errorDetails: refund.refundError
        ? {
            providerStatus: null,
            providerMessage: "Canceled",
            providerBody: null,
            requestId: null,
            reason: "canceled",
            attempts: current.attempts,
            maxAttempts: current.maxAttempts,
            fatal: true,
            firstFailedAt: null,
            failedAt: new Date().toISOString(),
            ...refund,
          }
        : null,
    });
    await emitSessionEvent(tx, "session_completed", row);
    if (row.castId) await cancelCastInTx(tx, row);
    return { session: toSessionSnapshot(row), previousStatus: current.status, jobId: current.jobId };
  });
}
