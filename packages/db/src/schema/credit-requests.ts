import { sql } from "drizzle-orm";
import { bigint, check, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import { users } from "./auth";
import { ledgerEntries } from "./credits";

// A user's request for credits, which an admin grants (through the ledger) or declines.
// There is no payment provider: this is how a user who ran out gets more.

export const creditRequestStatus = pgEnum("credit_request_status", ["open", "granted", "declined", "withdrawn"]);

export const creditRequests = pgTable(
  "credit_requests",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** What the user asked for. */
    amount: integer().notNull(),
    /** The user's words, if any. */
    reason: text(),
    status: creditRequestStatus().notNull().default("open"),
    /** What the admin granted (may differ from `amount`); set only when granted. */
    grantedAmount: integer(),
    /** The grant's ledger entry; set only when granted. */
    ledgerEntryId: bigint({ mode: "number" }).references(() => ledgerEntries.id, { onDelete: "set null" }),
    /** The admin who granted or declined; kept (as text) even if that user goes. */
    decidedBy: text(),
    /** The admin's note to the user, if any. */
    note: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /** When it stopped being open: granted, declined or withdrawn. */
    closedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    // At most one open request per user, whatever the code path or race.
    uniqueIndex("credit_requests_one_open_per_user_idx").on(t.userId).where(sql`${t.status} = 'open'`),
    index().on(t.userId, t.createdAt),
    // The admins' queue: open requests, oldest first.
    index("credit_requests_open_idx").on(t.createdAt).where(sql`${t.status} = 'open'`),
    check("credit_requests_amount_positive", sql`${t.amount} > 0`),
    check(
      "credit_requests_status_consistent",
      sql`case ${t.status}
        when 'open' then ${t.closedAt} is null and ${t.grantedAmount} is null and ${t.decidedBy} is null
        when 'granted' then ${t.closedAt} is not null and ${t.grantedAmount} > 0 and ${t.decidedBy} is not null
        when 'declined' then ${t.closedAt} is not null and ${t.grantedAmount} is null and ${t.decidedBy} is not null
        when 'withdrawn' then ${t.closedAt} is not null and ${t.grantedAmount} is null and ${t.decidedBy} is null
      end`,
    ),
  ],
);
