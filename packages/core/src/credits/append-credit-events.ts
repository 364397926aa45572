import { sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";

import { appendEvent, EVENTS_CHANNEL } from "../events/append-event";

export interface CreditsChangedEvent {
  userId: string;
  payload: Record<string, unknown>;
}

/**
 * Appends one `credits_changed` event per account, last in the transaction. One account (every
 * plain call, a hot batch) goes through `appendEvent` itself. Several accounts (a batch spread
 * over many users) use the same outbox protocol in three statements instead of three per user,
 * which is what kept multi-account batches slow: each user's advisory lock (the key appendEvent
 * uses), taken in user-id order and held to commit so per-user ids commit in order; one
 * multi-row insert; one NOTIFY per user carrying only the user id. Keep the two in step with
 * events/append-event.ts.
 */
export async function appendCreditEvents(tx: DbOrTx, events: readonly CreditsChangedEvent[]): Promise<void> {
  const sorted = [...events].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  const [only] = sorted;
  if (sorted.length === 0 || !only) return;
  if (sorted.length === 1) {
    await appendEvent(tx, { userId: only.userId, type: "credits_changed", subjectId: only.userId, payload: only.payload });
    return;
  }
  const userIds = JSON.stringify(sorted.map((e) => e.userId));
  // OFFSET 0 keeps the ordered subquery from being flattened, so locks are taken in that order.
  await tx.execute(sql`
    select count(pg_advisory_xact_lock(hashtextextended('events:' || u, 0)))
    from (select u from jsonb_array_elements_text(${userIds}::jsonb) as u order by u offset 0) ordered`);
  const rows = JSON.stringify(sorted.map((e, n) => ({ n, user_id: e.userId, payload: e.payload })));
  await tx.execute(sql`
    insert into events (user_id, type, subject_id, payload)
    select user_id, 'credits_changed', user_id, payload
    from jsonb_to_recordset(${rows}::jsonb) as v(n integer, user_id text, payload jsonb)
    order by n`);
  await tx.execute(sql`
    select count(pg_notify(${EVENTS_CHANNEL}, u)) from jsonb_array_elements_text(${userIds}::jsonb) as u`);
}
