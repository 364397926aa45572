import { sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { events } from "@spellcast/db";

import type { EventInput } from "./schema";

export const EVENTS_CHANNEL = "spellcast_events";

/**
 * Writes one event row inside the caller's transaction and wakes listeners at commit.
 *
 * The per-user advisory lock is held until commit, so for one user event ids become visible in
 * id order: a subscriber's cursor can never pass an id that commits later. Different users never
 * wait on each other. Call this last in a transaction so the lock is held only for the commit.
 * The NOTIFY carries just the user id (listeners read the table); Postgres folds identical
 * notifications within one transaction into one.
 */
export async function appendEvent(tx: DbOrTx, event: EventInput): Promise<bigint> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${"events:" + event.userId}, 0))`);
  const [row] = await tx
    .insert(events)
    .values({
      userId: event.userId,
      type: event.type,
      subjectId: event.subjectId,
      payload: event.payload,
    })
    .returning({ id: events.id });
  if (!row) throw new Error("event insert returned no row");
  await tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${event.userId})`);
  return row.id;
}
