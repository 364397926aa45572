import { and, asc, desc, eq, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { creditAccounts, creditRequests, users } from "@spellcast/db";

import { DomainError } from "../errors";
import { withEventsLast } from "../events/append-event";
import { parseDomainInput } from "../parse-input";
import { appendCreditRequestEvents } from "./credit-request-events";
import type { CreateCreditRequestInput, CreditRequestView, OpenCreditRequest } from "./credit-request-schema";
import { createCreditRequestInputSchema, creditRequestIdInputSchema } from "./credit-request-schema";
import { inTransaction, isUniqueViolationOf } from "./run-op";

export type CreditRequestRow = typeof creditRequests.$inferSelect;

/** The partial unique index that allows one open request per user (packages/db). */
const ONE_OPEN_PER_USER = "credit_requests_one_open_per_user_idx";

/** A stored request as its owner sees it. */
export function toCreditRequestView(row: CreditRequestRow): CreditRequestView {
  const { id, amount, reason, status, grantedAmount, note, createdAt, closedAt } = row;
  return { id, amount, reason, status, grantedAmount, note, createdAt, closedAt };
}

/**
 * The user asks the admins for credits. A second request while one is open is refused (CONFLICT)
 * by the database's one-open-per-user index, so two submits at once cannot both land.
 */
export async function createCreditRequest(db: DbOrTx, params: { userId: string } & CreateCreditRequestInput): Promise<CreditRequestView> {
  const { userId, ...fields } = params;
  const input = parseDomainInput(createCreditRequestInputSchema, fields);
  try {
    return await inTransaction(db, (tx) =>
      withEventsLast(tx, async () => {
        const [row] = await tx.insert(creditRequests).values({ userId, amount: input.amount, reason: input.reason }).returning();
        if (!row) throw new Error("credit request insert returned no row");
        await appendCreditRequestEvents(tx, row);
        return toCreditRequestView(row);
      }),
    );
  } catch (err) {
    if (isUniqueViolationOf(err, ONE_OPEN_PER_USER)) {
      throw new DomainError("CONFLICT", "You already have an open credit request: withdraw it, or wait for an admin's answer");
    }
    throw err;
  }
}

/** The user takes back their open request. Someone else's (or no such) request → NOT_FOUND. */
export async function withdrawCreditRequest(db: DbOrTx, params: { userId: string; requestId: string }): Promise<CreditRequestView> {
  const { requestId } = parseDomainInput(creditRequestIdInputSchema, { requestId: params.requestId });
  return inTransaction(db, (tx) =>
    withEventsLast(tx, async () => {
      const mine = and(eq(creditRequests.id, requestId), eq(creditRequests.userId, params.userId));
      // Conditional: only an open request changes, so a withdrawal never undoes a decision.
      const [row] = await tx
        .update(creditRequests)
        .set({ status: "withdrawn", closedAt: sql`now()` })
        .where(and(mine, eq(creditRequests.status, "open")))
        .returning();
      if (!row) {
        const [existing] = await tx.select({ status: creditRequests.status }).from(creditRequests).where(mine);
        if (!existing) throw new DomainError("NOT_FOUND", "Credit request not found");
        throw new DomainError("INVALID_STATE", `This request was already ${existing.status}`);
      }
      await appendCreditRequestEvents(tx, row);
      return toCreditRequestView(row);
    }),
  );
}

/** The user's own requests, newest first. */
export async function listCreditRequests(db: DbOrTx, params: { userId: string; limit?: number }): Promise<CreditRequestView[]> {
  const rows = await db
    .select()
    .from(creditRequests)
    .where(eq(creditRequests.userId, params.userId))
    .orderBy(desc(creditRequests.createdAt), desc(creditRequests.id))
    .limit(params.limit ?? 20);
  return rows.map(toCreditRequestView);
}

/** Every user's open requests, oldest first (the admins' queue), with who asks and their balance. */
export async function listOpenCreditRequests(db: DbOrTx, params: { limit?: number } = {}): Promise<OpenCreditRequest[]> {
  return db
    .select({
      id: creditRequests.id,
      userId: creditRequests.userId,
      userEmail: users.email,
      userName: users.name,
      amount: creditRequests.amount,
      reason: creditRequests.reason,
      createdAt: creditRequests.createdAt,
      balance: sql<number>`coalesce(${creditAccounts.balance}, 0)`.mapWith(Number),
    })
    .from(creditRequests)
    .innerJoin(users, eq(users.id, creditRequests.userId))
    .leftJoin(creditAccounts, eq(creditAccounts.userId, creditRequests.userId))
    .where(eq(creditRequests.status, "open"))
    .orderBy(asc(creditRequests.createdAt), asc(creditRequests.id))
    .limit(params.limit ?? 100);
}
