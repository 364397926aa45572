import { eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { creditAccounts } from "@spellcast/db";

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
