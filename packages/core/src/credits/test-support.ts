import { randomUUID } from "node:crypto";

import { count, eq, inArray, sql } from "drizzle-orm";

import type { Database } from "@spellcast/db";
import { createDb, events, ledgerEntries, reservations, users } from "@spellcast/db";

import { testEnv } from "../../../../tooling/test/env";
import { grantCredits } from "./grant-credits";

// Shared by core's tests (not exported from the package).

export function openTestDb(max = 10) {
  return createDb(testEnv().databaseUrl, { max, appName: "credits-test" });
}

/** Inserts `n` users with random ids, straight into `users`. */
export async function createTestUsers(db: Database, n: number): Promise<string[]> {
  const rows = Array.from({ length: n }, () => {
    const id = `u_${randomUUID()}`;
    return { id, name: id, email: `${id}@test.spellcast`, role: "user" };
  });
  await db.insert(users).values(rows);
  return rows.map((r) => r.id);
}

/** One new user with `credits` granted (none when 0). */
export async function createUserWithCredits(db: Database, credits: number): Promise<string> {
  const [userId] = await createTestUsers(db, 1);
  if (!userId) throw new Error("no user");
  if (credits > 0) await grantCredits(db, { userId, amount: credits, reason: "test", subject: { type: "seed", id: userId }, key: "seed" });
  return userId;
}

/** Everything the ledger could have written for these users, to assert "nothing written". */
export async function ledgerFootprint(db: Database, userIds: readonly string[]) {
  const [entries] = await db.select({ n: count() }).from(ledgerEntries).where(inArray(ledgerEntries.userId, [...userIds]));
  const [holds] = await db.select({ n: count() }).from(reservations).where(inArray(reservations.userId, [...userIds]));
  const [evts] = await db
    .select({ n: count() })
    .from(events)
    .where(sql`${inArray(events.userId, [...userIds])} and ${eq(events.type, "credits_changed")}`);
  const accounts = await db.execute<{ user_id: string; balance: string; held: string }>(
    sql`select user_id, balance, held from credit_accounts where user_id in (select jsonb_array_elements_text(${JSON.stringify(userIds)}::jsonb)) order by user_id`,
  );
  return {
    entries: entries?.n ?? 0,
    reservations: holds?.n ?? 0,
    events: evts?.n ?? 0,
    accounts: accounts.map((a) => `${a.user_id}:${a.balance}/${a.held}`),
  };
}
