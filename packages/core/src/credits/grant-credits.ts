import type { DbOrTx } from "@spellcast/db";

import { applyOne, inTransaction } from "./run-op";
import type { GrantCreditsInput } from "./schema";
import { grantCreditsInputSchema, parseCreditsInput } from "./schema";
import type { GrantOp, GrantResult, LedgerResult } from "./types";

/** Validates grant input (INVALID_INPUT otherwise). */
export function toGrantOp(params: GrantCreditsInput): GrantOp {
  const p = parseCreditsInput(grantCreditsInputSchema, params);
  return { kind: "grant", ...p, actorId: p.actorId ?? null };
}

export function asGrantResult(result: LedgerResult): GrantResult {
  if (result.kind !== "grant") throw new Error(`ledger: expected a grant result, got ${result.kind}`);
  return result;
}

/**
 * Adds credits to a user's balance (admins, signup and the demo seed); creates the account.
 * Idempotent by `key` per user: a replay returns the original entry; other arguments → CONFLICT.
 * Unknown user → NOT_FOUND.
 */
export async function grantCredits(db: DbOrTx, params: GrantCreditsInput): Promise<GrantResult> {
  const op = toGrantOp(params);
  return inTransaction(db, async (tx) => asGrantResult(await applyOne(tx, op)));
}

/** `grantCredits` inside the caller's transaction (which then owns the commit). */
export async function grantCreditsInTx(tx: DbOrTx, params: GrantCreditsInput): Promise<GrantResult> {
  return asGrantResult(await applyOne(tx, toGrantOp(params)));
}
