import { and, asc, eq, lte } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { reservations } from "@spellcast/db";

import { applyOps } from "./apply-ops";
import { inTransaction } from "./run-op";
import { expireHoldsInputSchema, parseCreditsInput } from "./schema";
import type { SettleOp, SettleResult } from "./types";

/**
 * Releases up to `limit` held reservations whose `expires_at` ≤ `now`, in one transaction, and
 * returns those this call settled (a hold captured or released meanwhile is skipped: the engine
 * re-reads each one under its account lock). The sweeper calls it again while a page comes back
 * full.
 */
export async function expireHolds(db: DbOrTx, now: Date, limit = 500): Promise<SettleResult[]> {
  const ops = await findExpiredHolds(db, now, limit);
  if (ops.length === 0) return [];
  const outcomes = await inTransaction(db, (tx) => applyOps(tx, ops));
  return outcomes.flatMap((o) =>
    o.ok && (o.value.kind === "release" || o.value.kind === "capture") && o.value.settled ? [o.value] : [],
  );
}

/** Release ops for up to `limit` held reservations past their expiry, oldest expiry first. */
export async function findExpiredHolds(db: DbOrTx, now: Date, limit: number): Promise<SettleOp[]> {
  const input = parseCreditsInput(expireHoldsInputSchema, { now, limit });
  const due = await db
    .select({ id: reservations.id, userId: reservations.userId })
    .from(reservations)
    .where(and(eq(reservations.status, "held"), lte(reservations.expiresAt, input.now)))
    .orderBy(asc(reservations.expiresAt))
    .limit(input.limit);
  return due.map((r) => ({ kind: "release", reservationId: r.id, userId: r.userId, actualAmount: 0, reason: "expired" }));
}
