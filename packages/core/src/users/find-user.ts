import { eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { users } from "@spellcast/db";

export interface UserRef {
  id: string;
  email: string;
}

/** The user with this email, matched lower-cased as better-auth stores it, or null. */
export async function findUserByEmail(db: DbOrTx, email: string): Promise<UserRef | null> {
  const [row] = await db
    .select({ id: users.id, email: users.email })
    .from(users)
    .where(eq(users.email, email.trim().toLowerCase()))
    .limit(1);
  return row ?? null;
}

/** The user with this id, or null. */
export async function findUserById(db: DbOrTx, id: string): Promise<UserRef | null> {
  const [row] = await db.select({ id: users.id, email: users.email }).from(users).where(eq(users.id, id)).limit(1);
  return row ?? null;
}
