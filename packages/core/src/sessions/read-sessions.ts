import { and, eq, isNull } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { generationSessions } from "@spellcast/db";

import { DomainError } from "../errors";
import type { TimeCursor } from "../lib/keyset";
import { newestFirst, olderThan, pageOf } from "../lib/keyset";
import { generatedImageFileName } from "./image-file-name";
import type { SessionSnapshot } from "./schema";
import { toSessionSnapshot } from "./snapshot";

export async function getSession(db: DbOrTx, params: { userId: string; sessionId: string }): Promise<SessionSnapshot> {
  const [row] = await db
    .select()
    .from(generationSessions)
    .where(and(eq(generationSessions.id, params.sessionId), eq(generationSessions.userId, params.userId)));
  if (!row) throw new DomainError("NOT_FOUND", "Session not found");
  return toSessionSnapshot(row);
}

/**
 * The owner's completed image: its storage key and the name it downloads as; NOT_FOUND otherwise
 * (also for other users' sessions).
 */
export async function getSessionImage(db: DbOrTx, params: { userId: string; sessionId: string }): Promise<{ storageKey: string; fileName: string }> {
  const session = await getSession(db, params);
  if (session.outputs?.kind !== "image") throw new DomainError("NOT_FOUND", "This generation has no image");
  return { storageKey: session.outputs.storageKey, fileName: generatedImageFileName(session) };
}

export type SessionCursor = TimeCursor;

/** Keyset pagination, newest first; single generations only (spell steps live under their cast). */
export async function listSessions(
  db: DbOrTx,
  params: { userId: string; limit: number; cursor?: SessionCursor | null },
): Promise<{ items: SessionSnapshot[]; nextCursor: SessionCursor | null }> {
  const rows = await db
    .select()
    .from(generationSessions)
    .where(
      and(
        eq(generationSessions.userId, params.userId),
        isNull(generationSessions.castId),
        olderThan(generationSessions.createdAt, generationSessions.id, params.cursor),
      ),
    )
    .orderBy(...newestFirst(generationSessions.createdAt, generationSessions.id))
    .limit(params.limit + 1);
  return pageOf(rows, params.limit, toSessionSnapshot);
}
