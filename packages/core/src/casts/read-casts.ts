import { and, eq, isNotNull, isNull } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts } from "@spellcast/db";

import { DomainError } from "../errors";
import { anyOf } from "../lib/any-of";
import type { TimeCursor } from "../lib/keyset";
import { newestFirst, olderThan, pageOf } from "../lib/keyset";
import { assertUuid } from "../spells/manage-spells";
import type { CastSnapshot } from "../spells/schema";
import { toCastSnapshot } from "./snapshot";

export async function getCast(db: DbOrTx, params: { userId: string; castId: string }): Promise<CastSnapshot> {
  assertUuid(params.castId, "Cast");
  const [row] = await db.select().from(casts).where(and(eq(casts.id, params.castId), eq(casts.userId, params.userId)));
  if (!row) throw new DomainError("NOT_FOUND", "Cast not found");
  return toCastSnapshot(row);
}

/** Where the previous page ended: its last cast's creation time and id. */
export type CastCursor = TimeCursor;

/** The caller's single casts (not those of caption runs), newest first, keyset on (createdAt, id). */
export async function listCasts(
  db: DbOrTx,
  params: { userId: string; limit: number; cursor?: CastCursor | null },
): Promise<{ items: CastSnapshot[]; nextCursor: CastCursor | null }> {
  const rows = await db
    .select()
    .from(casts)
    .where(
      and(
        eq(casts.userId, params.userId),
        isNull(casts.captionSetId),
        olderThan(casts.createdAt, casts.id, params.cursor),
      ),
    )
    .orderBy(...newestFirst(casts.createdAt, casts.id))
    .limit(params.limit + 1);
  return pageOf(rows, params.limit, toCastSnapshot);
}

/** Which of `castIds` are casts of a caption run (the others are single casts, or none of `userId`'s). */
export async function captionRunCastIds(db: DbOrTx, params: { userId: string; castIds: readonly string[] }): Promise<Set<string>> {
  if (params.castIds.length === 0) return new Set();
  const rows = await db
    .select({ id: casts.id })
    .from(casts)
    .where(and(anyOf(casts.id, params.castIds), eq(casts.userId, params.userId), isNotNull(casts.captionSetId)));
  return new Set(rows.map((r) => r.id));
}
