import { bigserial, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

import { users } from "./auth";

/**
 * The transactional outbox: every state change writes one row here in the same transaction.
 * Per user, ids become visible in commit order (writers hold a per-user advisory lock from the
 * insert to commit), so a subscriber's cursor never skips a late-committing smaller id.
 */
export const events = pgTable(
  "events",
  {
    id: bigserial({ mode: "bigint" }).primaryKey(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text().notNull(),
    subjectId: text().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.userId, t.id)],
);
