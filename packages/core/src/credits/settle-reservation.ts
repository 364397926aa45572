import type { DbOrTx } from "@spellcast/db";

import { applyOne, inTransaction } from "./run-op";
import type { CaptureReservationInput, ReleaseReservationInput } from "./schema";
import { captureReservationInputSchema, parseCreditsInput, releaseReservationInputSchema } from "./schema";
import type { LedgerResult, SettleOp, SettleResult } from "./types";

export function toCaptureOp(params: CaptureReservationInput): SettleOp {
  const p = parseCreditsInput(captureReservationInputSchema, params);
  return { kind: "capture", reservationId: p.reservationId, userId: p.userId ?? null, actualAmount: p.actualAmount, reason: p.reason ?? null };
}

export function toReleaseOp(params: ReleaseReservationInput): SettleOp {
  const p = parseCreditsInput(releaseReservationInputSchema, params);
  return { kind: "release", reservationId: p.reservationId, userId: p.userId ?? null, actualAmount: 0, reason: p.reason ?? null };
}

export function asSettleResult(result: LedgerResult): SettleResult {
  if (result.kind !== "capture" && result.kind !== "release") {
    throw new Error(`ledger: expected a settle result, got ${result.kind}`);
  }
  return result;
}

/**
 * Charges `actualAmount` (0..reserved) of a held reservation and releases the rest. Returns what
 * this call moved: a reservation already captured or released reports 0 (it is never settled
 * twice). Unknown reservation → NOT_FOUND; another user's (when `userId` is given) → FORBIDDEN;
 * `actualAmount` above the reserved amount → INVALID_INPUT.
 */
export async function captureReservation(db: DbOrTx, params: CaptureReservationInput): Promise<SettleResult> {
  const op = toCaptureOp(params);
  return inTransaction(db, async (tx) => asSettleResult(await applyOne(tx, op)));
}

export async function captureReservationInTx(tx: DbOrTx, params: CaptureReservationInput): Promise<SettleResult> {
  return asSettleResult(await applyOne(tx, toCaptureOp(params)));
}

/** Returns a held reservation's credits to the account; 0 moved if it was already settled. */
export async function releaseReservation(db: DbOrTx, params: ReleaseReservationInput): Promise<SettleResult> {
  const op = toReleaseOp(params);
  return inTransaction(db, async (tx) => asSettleResult(await applyOne(tx, op)));
}

export async function releaseReservationInTx(tx: DbOrTx, params: ReleaseReservationInput): Promise<SettleResult> {
  return asSettleResult(await applyOne(tx, toReleaseOp(params)));
}
