import { sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { events } from "@spellcast/db";

import { recordset } from "../lib/any-of";
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
  const held = deferred.get(tx);
  if (held) {
    held.push(event);
    return -1n;
  }
  // Pipelined: sent together, run in order (lock, insert, notify), one round trip.
  const [, [row]] = await Promise.all([
    tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${"events:" + event.userId}, 0))`),
    tx
      .insert(events)
      .values({ userId: event.userId, type: event.type, subjectId: event.subjectId, payload: event.payload })
      .returning({ id: events.id }),
    tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${event.userId})`),
  ]);
  if (!row) throw new Error("event insert returned no row");
  return row.id;
}

const deferred = new WeakMap<object, EventInput[]>();

/**
 * Runs `work` in `tx` with its events held back, then writes them all at its end, in order: the
 * per-user advisory locks (in user order), one multi-row insert (ids in the order written), one
 * NOTIFY per user. Long transactions (a spell step that creates the next step or lands a caption)
 * so hold the event lock only for their last statements, and short ones of the same user (a step
 * marked running) are not queued behind their whole body. Ids returned inside `work` are -1.
 */
export async function withEventsLast<T>(tx: DbOrTx, work: () => Promise<T>): Promise<T> {
  if (deferred.has(tx)) return work();
  const held: EventInput[] = [];
  deferred.set(tx, held);
  try {
    const result = await work();
    deferred.delete(tx);
    await appendHeldEvents(tx, held);
    return result;
  } finally {
    deferred.delete(tx);
  }
}

async function appendHeldEvents(tx: DbOrTx, held: readonly EventInput[]): Promise<void> {
  if (held.length === 0) return;
  const userIds = [...new Set(held.map((e) => e.userId))].sort();
  // Pipelined: sent together and run in order — locks (user order), insert, notifies.
  await Promise.all([
    ...userIds.map((userId) => tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${"events:" + userId}, 0))`)),
    // One jsonb parameter (the text never changes, so it stays prepared); ids in the order written.
    tx.execute(sql`
      insert into ${events} (user_id, type, subject_id, payload)
      select v.user_id, v.type, v.subject_id, v.payload
      from ${recordset(held.map((e, n) => ({ n, user_id: e.userId, type: e.type, subject_id: e.subjectId, payload: e.payload })), "v", "n integer, user_id text, type text, subject_id text, payload jsonb")}
      order by v.n`),
    ...userIds.map((userId) => tx.execute(sql`select pg_notify(${EVENTS_CHANNEL}, ${userId})`)),
  ]);
}
