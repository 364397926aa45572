import { and, eq, isNull, lt, or, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { apiKeys, users } from "@spellcast/db";

import { DomainError } from "../errors";
import type { Caller } from "../users/caller";
import { hashApiKey, isWellFormedApiKey } from "./key-format";

/** last_used_at is refreshed at most this often, so busy keys don't write on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * Resolves the user behind an API key. A malformed, unknown or revoked key is UNAUTHORIZED with
 * a message that says which, so the other app's developer knows what to fix.
 */
export async function verifyApiKey(db: DbOrTx, key: string): Promise<Caller> {
  if (!isWellFormedApiKey(key)) {
    throw new DomainError("UNAUTHORIZED", "Malformed API key: expected sc_ followed by 43 characters");
  }
  const hash = hashApiKey(key);
  const [row] = await db
    .select({
      keyId: apiKeys.id,
      revokedAt: apiKeys.revokedAt,
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      banned: users.banned,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.hash, hash));
  if (!row) throw new DomainError("UNAUTHORIZED", "Unknown API key");
  if (row.revokedAt) throw new DomainError("UNAUTHORIZED", "This API key has been revoked");
  if (row.banned) throw new DomainError("FORBIDDEN", "This account is suspended");

  await db
    .update(apiKeys)
    .set({ lastUsedAt: new Date() })
    .where(
      and(
        eq(apiKeys.id, row.keyId),
        or(
          isNull(apiKeys.lastUsedAt),
          lt(apiKeys.lastUsedAt, sql`now() - make_interval(secs => ${LAST_USED_RESOLUTION_MS / 1000})`),
        ),
      ),
    );
  return { id: row.id, name: row.name, email: row.email, role: toRole(row.role), via: "api_key", apiKeyId: row.keyId };
}

function toRole(role: string): Caller["role"] {
  return role === "admin" ? "admin" : "user";
}
