import { and, asc, eq, gt, max } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { events } from "@spellcast/db";

import type { LogStreamEvent } from "./schema";
import { eventTypeSchema } from "./schema";

export interface ReadEventsAfterInput {
  userId: string;
  /** Exclusive lower bound; null reads from the start of the user's log. */
  afterId: bigint | null;
  limit: number;
}

export interface StoredEvent {
  id: bigint;
  type: string;
  subjectId: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

/**
 * The user's events with id > afterId, ascending, at most `limit`. Safe as a cursor read: for one
 * user, appendEvent makes ids visible in id order, so nothing can later appear below what this
 * returns (see append-event.ts).
 */
export async function readEventsAfter(db: DbOrTx, input: ReadEventsAfterInput): Promise<StoredEvent[]> {
  const byUser = eq(events.userId, input.userId);
  return db
    .select({
      id: events.id,
      type: events.type,
      subjectId: events.subjectId,
      payload: events.payload,
      createdAt: events.createdAt,
    })
    .from(events)
    .where(input.afterId === null ? byUser : and(byUser, gt(events.id, input.afterId)))
    .orderBy(asc(events.id))
    .limit(input.limit);
}

/** The user's newest visible event id, or null when they have none. */
export async function readLatestEventId(db: DbOrTx, userId: string): Promise<bigint | null> {
  const [row] = await db
    .select({ id: max(events.id) })
    .from(events)
    .where(eq(events.userId, userId));
  return row?.id ?? null;
}

/** The streamed shape of a stored row; null for a type this build does not know (a newer writer). */
export function toLogStreamEvent(row: StoredEvent): LogStreamEvent | null {
  const type = eventTypeSchema.safeParse(row.type);
  if (!type.success) return null;
  return {
    id: String(row.id),
    type: type.data,
    subjectId: row.subjectId,
    payload: row.payload,
    createdAt: row.createdAt.toISOString(),
  };
}
