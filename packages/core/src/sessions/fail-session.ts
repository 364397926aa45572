import { eq } from "drizzle-orm";

import type { Database, DbOrTx } from "@spellcast/db";
import { reservations } from "@spellcast/db";

import { failCastInTx } from "../casts/advance-cast";
import type { StepJob } from "../casts/schema";
import { lockAccountInTx } from "../casts/lock-account";
import { releaseReservationInTx } from "../credits/settle-reservation";
import { parseDomainInput } from "../parse-input";
import type { ErrorDetails, SessionFailure } from "./error-details";
import { sessionFailureSchema, trimBody } from "./error-details";
import type { SessionSnapshot } from "./schema";
import { isTerminalStatus } from "./schema";
import type { SessionRow } from "./snapshot";
import { emitSessionEvent, lockSession, toSessionSnapshot, updateSession } from "./snapshot";

interface Refund {
  reservationAmount: number;
  refundedCredits: number;
  refundedAt: string | null;
  refundError: string | null;
}

/**
 * Settles a final failure in one transaction: releases the reservation (the amount it returns is
 * the refund shown to the user), sets `failed` with `error_details`, and writes the terminal
 * event. Running it twice, or concurrently, refunds once and emits one event: the second caller
 * finds the session terminal under the row lock. If the release itself fails, the failure is
 * still recorded with `refundError`, and the sweeper retries the refund later.
 */
export async function failSession(
  db: Database,
  params: { sessionId: string; failure: SessionFailure },
): Promise<{ session: SessionSnapshot; failed: boolean; next: StepJob[] }> {
  const failure = parseDomainInput(sessionFailureSchema, params.failure);
  return db.transaction(async (tx) => {
    const current = await lockSession(tx, params.sessionId);
    if (isTerminalStatus(current.status)) return { session: toSessionSnapshot(current), failed: false, next: [] };
    if (current.castId) await lockAccountInTx(tx, current.userId);
    const refund = await refundSession(tx, current, "Generation failed: credits returned");
    const now = new Date();
    const firstFailedAt = current.attemptLog[0]?.at;
    const details: ErrorDetails = {
      providerStatus: failure.providerStatus,
      providerMessage: failure.providerMessage,
      providerBody: trimBody(failure.providerBody),
      requestId: failure.requestId,
      reason: failure.reason,
      attempts: Math.max(failure.attempts, current.attempts),
      maxAttempts: current.maxAttempts,
      fatal: failure.fatal,
      firstFailedAt: typeof firstFailedAt === "string" ? firstFailedAt : now.toISOString(),
      failedAt: now.toISOString(),
      ...refund,
    };
    const row = await updateSession(tx, current.id, {
      status: "failed",
      attempts: details.attempts,
      errorDetails: details,
      completedAt: now,
      deadlineAt: null,
    });
    await emitSessionEvent(tx, "session_completed", row);
    // A spell step: its cast fails with these details; later steps were never created or charged.
    // In a caption run the next image takes its place: `next` are its first step's jobs to enqueue.
    const chain = row.castId ? await failCastInTx(tx, row) : null;
    return { session: toSessionSnapshot(row), failed: true, next: chain?.next ?? [] };
  });
}

/**
 * Releases a session's hold inside a savepoint, so a failed release is recorded instead of
 * aborting the transaction that settles the session.
 */
export async function refundSession(tx: DbOrTx, session: SessionRow, reason: string): Promise<Refund> {
  const reservationAmount = session.cost;
  if (!session.reservationId) {
    return { reservationAmount, refundedCredits: 0, refundedAt: null, refundError: null };
  }
  const reservationId = session.reservationId;
  try {
    const result = await tx.transaction((sp) => releaseReservationInTx(sp, { reservationId, reason }));
    const { reservation } = result;
    return {
      reservationAmount: reservation.amount,
      refundedCredits: reservation.released,
      refundedAt: reservation.settledAt ? reservation.settledAt.toISOString() : null,
      refundError: null,
    };
  } catch (err) {
    return {
      reservationAmount,
      refundedCredits: 0,
      refundedAt: null,
      refundError: err instanceof Error ? err.message : String(err),
    };
  }
}

/** Retries a refund that failed earlier (sweeper). Returns the updated session, or null if none was owed. */
export async function retryFailedRefund(db: Database, sessionId: string): Promise<SessionSnapshot | null> {
  return db.transaction(async (tx) => {
    const current = await lockSession(tx, sessionId);
    const details = current.errorDetails as ErrorDetails | null;
    if (current.status !== "failed" || !details?.refundError) return null;
    const refund = await refundSession(tx, current, "Refund retried by the sweeper");
    if (refund.refundError) return null;
    const row = await updateSession(tx, current.id, { errorDetails: { ...details, ...refund } });
    await emitSessionEvent(tx, "session_completed", row);
    return toSessionSnapshot(row);
  });
}

export async function reservationStatus(db: DbOrTx, reservationId: string) {
  const [row] = await db.select().from(reservations).where(eq(reservations.id, reservationId));
  return row ?? null;
}
