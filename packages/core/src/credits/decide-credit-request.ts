import { and, eq, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { creditRequests } from "@spellcast/db";

import { DomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { parseDomainInput } from "../parse-input";
import { appendCreditRequestEvents } from "./credit-request-events";
import type { CreditRequestView, DeclineCreditRequestInput, GrantCreditRequestInput } from "./credit-request-schema";
import { declineCreditRequestInputSchema, grantCreditRequestInputSchema, REQUEST_TEXT_MAX } from "./credit-request-schema";
import type { CreditRequestRow } from "./credit-requests";
import { toCreditRequestView } from "./credit-requests";
import { grantCreditsInTx } from "./grant-credits";
import { inTransaction } from "./run-op";
import type { AccountSnapshot, LedgerEntry } from "./types";

type Decision = { status: "granted"; grantedAmount: number; ledgerEntryId: number } | { status: "declined" };

/**
 * Runs `decide` on the open request under its row lock, then records the decision, in one
 * transaction. The lock makes a second decision (another admin, a double click) wait for the
 * first and then find the request no longer open: INVALID_STATE, nothing written.
 */
async function decideOpenRequest<T>(
  db: DbOrTx,
  params: { requestId: string; adminId: string; note: string | null },
  decide: (tx: DbOrTx, request: CreditRequestRow) => Promise<{ decision: Decision; extra: T }>,
): Promise<{ request: CreditRequestView; userId: string } & T> {
  return inTransaction(db, (tx) =>
    withEventsLast(tx, async () => {
      const [request] = await tx.select().from(creditRequests).where(eq(creditRequests.id, params.requestId)).for("update");
      if (!request) throw new DomainError("NOT_FOUND", "Credit request not found");
      if (request.status !== "open") throw new DomainError("INVALID_STATE", `This request was already ${request.status}`);
      const { decision, extra } = await decide(tx, request);
      const [row] = await tx
        .update(creditRequests)
        .set({ ...decision, decidedBy: params.adminId, note: params.note, closedAt: sql`now()` })
        .where(and(eq(creditRequests.id, request.id), eq(creditRequests.status, "open")))
        .returning();
      if (!row) throw new Error(`credit request ${request.id} changed under its row lock`);
      await appendCreditRequestEvents(tx, row);
      return { request: toCreditRequestView(row), userId: row.userId, ...extra };
    }),
  );
}

/** What the grant's ledger entry says; the subject (`credit_request`, its id) names the request. */
function grantReason(note: string | null): string {
  return note ? `Credit request granted: ${note}`.slice(0, REQUEST_TEXT_MAX) : "Credit request granted";
}

/**
 * An admin grants an open request (the amount asked, or `amount`): one ledger grant (keyed by the
 * request, so even a replay could not grant twice) with the user's `credits_changed` event, and
 * the request marked granted, in one transaction.
 */
export async function grantCreditRequest(
  db: DbOrTx,
  params: { adminId: string } & GrantCreditRequestInput,
): Promise<{ request: CreditRequestView; userId: string; entry: LedgerEntry; account: AccountSnapshot }> {
  const { adminId, ...fields } = params;
  const input = parseDomainInput(grantCreditRequestInputSchema, fields);
  return decideOpenRequest(db, { requestId: input.requestId, adminId, note: input.note }, async (tx, request) => {
    const grantedAmount = input.amount ?? request.amount;
    const grant = await grantCreditsInTx(tx, {
      userId: request.userId,
      amount: grantedAmount,
      reason: grantReason(input.note),
      subject: { type: "credit_request", id: request.id },
      actorId: adminId,
      key: `credit_request:${request.id}`,
    });
    return {
      decision: { status: "granted", grantedAmount, ledgerEntryId: grant.entry.id },
      extra: { entry: grant.entry, account: grant.account },
    };
  });
}

/** An admin declines an open request, with an optional note to the user. */
export async function declineCreditRequest(
  db: DbOrTx,
  params: { adminId: string } & DeclineCreditRequestInput,
): Promise<{ request: CreditRequestView; userId: string }> {
  const { adminId, ...fields } = params;
  const input = parseDomainInput(declineCreditRequestInputSchema, fields);
  return decideOpenRequest(db, { requestId: input.requestId, adminId, note: input.note }, async () => ({
    decision: { status: "declined" },
    extra: {},
  }));
}
