import { and, desc, eq, lt } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { creditAccounts, ledgerEntries, reservations } from "@spellcast/db";

import type { ListLedgerEntriesInput, ListOpenHoldsInput } from "./schema";
import { accountInputSchema, listLedgerEntriesInputSchema, listOpenHoldsInputSchema, parseCreditsInput } from "./schema";
import type { AccountSnapshot, LedgerEntry, Reservation } from "./types";

/** The user's balance, held and available credits; zeros when they have no account yet. */
export async function getBalance(db: DbOrTx, params: { userId: string }): Promise<AccountSnapshot> {
  const { userId } = parseCreditsInput(accountInputSchema, params);
  const [row] = await db
    .select({ balance: creditAccounts.balance, held: creditAccounts.held })
    .from(creditAccounts)
    .where(eq(creditAccounts.userId, userId));
  const balance = row?.balance ?? 0;
  const held = row?.held ?? 0;
  return { balance, held, available: balance - held };
}

/**
 * The user's ledger, newest first, by keyset on the entry id. Per account, ids are assigned under
 * the account's row lock, so they commit in id order and a page boundary never skips an entry.
 */
export async function listLedgerEntries(
  db: DbOrTx,
  params: ListLedgerEntriesInput,
): Promise<{ items: LedgerEntry[]; nextCursor: number | null }> {
  const { userId, limit, cursor } = parseCreditsInput(listLedgerEntriesInputSchema, params);
  const rows = await db
    .select()
    .from(ledgerEntries)
    .where(and(eq(ledgerEntries.userId, userId), cursor ? lt(ledgerEntries.id, cursor) : undefined))
    .orderBy(desc(ledgerEntries.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}

/** The user's reservations still holding credits, newest first. */
export async function listOpenHolds(db: DbOrTx, params: ListOpenHoldsInput): Promise<Reservation[]> {
  const { userId, limit } = parseCreditsInput(listOpenHoldsInputSchema, params);
  return db
    .select()
    .from(reservations)
    .where(and(eq(reservations.userId, userId), eq(reservations.status, "held")))
    .orderBy(desc(reservations.createdAt), desc(reservations.id))
    .limit(limit);
}
