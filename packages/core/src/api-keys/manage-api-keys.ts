import { and, desc, eq, isNull } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { apiKeys } from "@spellcast/db";

import { DomainError } from "../errors";
import { displayPrefix, generateApiKey, hashApiKey } from "./key-format";
import type { ApiKeySummary } from "./schema";
import { apiKeyNameSchema } from "./schema";

const summaryColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

/** Creates a key; the plain key is returned here and never again (only its hash is stored). */
export async function createApiKey(
  db: DbOrTx,
  params: { userId: string; name: string },
): Promise<{ key: string; apiKey: ApiKeySummary }> {
  const name = apiKeyNameSchema.parse(params.name);
  const key = generateApiKey();
  const [row] = await db
    .insert(apiKeys)
    .values({ userId: params.userId, name, prefix: displayPrefix(key), hash: hashApiKey(key) })
    .returning(summaryColumns);
  if (!row) throw new Error("api key insert returned no row");
  return { key, apiKey: row };
}

export async function listApiKeys(db: DbOrTx, params: { userId: string }): Promise<ApiKeySummary[]> {
  return db
    .select(summaryColumns)
    .from(apiKeys)
    .where(eq(apiKeys.userId, params.userId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/**
 * Revokes one of the caller's keys. Someone else's key is reported as not found, so ids of
 * other users' keys cannot be probed. Revoking twice is harmless and returns the same row.
 */
export async function revokeApiKey(
  db: DbOrTx,
  params: { userId: string; id: string },
): Promise<ApiKeySummary> {
  const owned = and(eq(apiKeys.id, params.id), eq(apiKeys.userId, params.userId));
  const [revoked] = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(owned, isNull(apiKeys.revokedAt)))
    .returning(summaryColumns);
  if (revoked) return revoked;
  const [existing] = await db.select(summaryColumns).from(apiKeys).where(owned);
  if (!existing) throw new DomainError("NOT_FOUND", "API key not found");
  return existing;
}
