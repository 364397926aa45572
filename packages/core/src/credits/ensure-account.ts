import { eq, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { creditAccounts } from "@spellcast/db";

import { DomainError } from "../errors";
import { accountInputSchema, parseCreditsInput } from "./schema";
import type { AccountSnapshot } from "./types";

/** Creates the user's credit account (balance 0) if missing; NOT_FOUND for an unknown user. */
export async function ensureAccount(db: DbOrTx, params: { userId: string }): Promise<AccountSnapshot> {
  const { userId } = parseCreditsInput(accountInputSchema, params);
  await db.execute(sql`
    insert into credit_accounts (user_id) select id from users where id = ${userId}
    on conflict do nothing`);
  const [row] = await db
    .select({ balance: creditAccounts.balance, held: creditAccounts.held })
    .from(creditAccounts)
    .where(eq(creditAccounts.userId, userId));
  if (!row) throw new DomainError("NOT_FOUND", "User not found", { userId });
  return { balance: row.balance, held: row.held, available: row.balance - row.held };
}
