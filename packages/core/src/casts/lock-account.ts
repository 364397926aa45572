import { asc, eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { creditAccounts } from "@spellcast/db";

import { anyOf } from "../lib/any-of";

/**
 * Takes the user's account row lock. Every transaction that touches casts or caption sets takes
 * it right after any session row lock and before cast, set or event locks, so one user's chain,
 * resume and cancel transactions serialise here and never deadlock. Null: the user has no account.
 */
export async function lockAccountInTx(tx: DbOrTx, userId: string): Promise<{ balance: number; held: number } | null> {
  const [row] = await tx
    .select({ balance: creditAccounts.balance, held: creditAccounts.held })
    .from(creditAccounts)
    .where(eq(creditAccounts.userId, userId))
    .for("update");
  return row ?? null;
}

/** `lockAccountInTx` for several users at once, in user-id order (the order every batch uses). */
export async function lockAccountsInTx(tx: DbOrTx, userIds: readonly string[]): Promise<Map<string, { balance: number; held: number }>> {
  if (userIds.length === 0) return new Map();
  const rows = await tx
    .select({ userId: creditAccounts.userId, balance: creditAccounts.balance, held: creditAccounts.held })
    .from(creditAccounts)
    .where(anyOf(creditAccounts.userId, userIds))
    .orderBy(asc(creditAccounts.userId))
    .for("update");
  return new Map(rows.map((r) => [r.userId, { balance: r.balance, held: r.held }]));
}
