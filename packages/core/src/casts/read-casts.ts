import { and, desc, eq, isNull, lt, or } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts } from "@spellcast/db";

import { DomainError } from "../errors";
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
export interface CastCursor {
  createdAt: string;
  id: string;
}

/** The caller's single casts (not those of caption runs), newest first, keyset on (createdAt, id). */
export async function listCasts(
  db: DbOrTx,
  params: { userId: string; limit: number; cursor?: CastCursor | null },
): Promise<{ items: CastSnapshot[]; nextCursor: CastCursor | null }> {
  const { cursor } = params;
  const rows = await db
    .select()
    .from(casts)
    .where(
      and(
        eq(casts.userId, params.userId),
        isNull(casts.captionSetId),
        cursor
          ? or(lt(casts.createdAt, new Date(cursor.createdAt)), and(eq(casts.createdAt, new Date(cursor.createdAt)), lt(casts.id, cursor.id)))
          : undefined,
      ),
    )
    .orderBy(desc(casts.createdAt), desc(casts.id))
    .limit(params.limit + 1);
  const page = rows.slice(0, params.limit);
  const last = page.at(-1);
  const nextCursor = rows.length > params.limit && last ? { createdAt: last.createdAt.toISOString(), id: last.id } : null;
  return { items: page.map(toCastSnapshot), nextCursor };
}
