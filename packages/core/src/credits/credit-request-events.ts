import { eq } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { users } from "@spellcast/db";

import { appendEvent, withEventsLast } from "../events/append-event";
import type { CreditRequestUpdatedPayload } from "./credit-request-schema";

/**
 * Announces a change to a credit request to its requester and to every admin (the admins' queue
 * is live too), in the caller's transaction. The events are held back (`withEventsLast`) so the
 * per-user event locks of all these users are taken together, in user order (never a deadlock
 * between two such writers); inside the caller's own `withEventsLast`, at the end of its work.
 */
export async function appendCreditRequestEvents(tx: DbOrTx, request: { id: string; userId: string; status: CreditRequestUpdatedPayload["status"] }): Promise<void> {
  const admins = await tx.select({ id: users.id }).from(users).where(eq(users.role, "admin"));
  const recipients = new Set([request.userId, ...admins.map((a) => a.id)]);
  const payload: CreditRequestUpdatedPayload = { requestId: request.id, status: request.status };
  await withEventsLast(tx, async () => {
    for (const userId of recipients) await appendEvent(tx, { userId, type: "credit_request_updated", subjectId: request.id, payload });
  });
}
