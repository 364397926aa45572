import type { DbOrTx } from "@spellcast/db";

import { applyOne, inTransaction } from "./run-op";
import type { ReserveCreditsInput } from "./schema";
import { parseCreditsInput, reserveCreditsInputSchema } from "./schema";
import type { LedgerResult, ReserveOp, ReserveResult } from "./types";

/** How long a hold lasts when the caller gives no expiry; the sweeper releases it after. */
export const DEFAULT_HOLD_MS = 60 * 60 * 1000;

export function toReserveOp(params: ReserveCreditsInput): ReserveOp {
  const p = parseCreditsInput(reserveCreditsInputSchema, params);
  return { kind: "reserve", ...p, expiresAt: p.expiresAt ?? new Date(Date.now() + DEFAULT_HOLD_MS) };
}

export function asReserveResult(result: LedgerResult): ReserveResult {
  if (result.kind !== "reserve") throw new Error(`ledger: expected a reserve result, got ${result.kind}`);
  return result;
}

/**
 * Puts `amount` credits on hold for `subject`. INSUFFICIENT_CREDITS when balance − held < amount
 * (nothing written). Idempotent by `key` per user: a replay (same amount and subject; the expiry
 * is not compared, retries recompute it) returns the original reservation; else CONFLICT.
 */
export async function reserveCredits(db: DbOrTx, params: ReserveCreditsInput): Promise<ReserveResult> {
  const op = toReserveOp(params);
  return inTransaction(db, async (tx) => asReserveResult(await applyOne(tx, op)));
}

/** `reserveCredits` inside the caller's transaction (e.g. with the session it pays for). */
export async function reserveCreditsInTx(tx: DbOrTx, params: ReserveCreditsInput): Promise<ReserveResult> {
  return asReserveResult(await applyOne(tx, toReserveOp(params)));
}
