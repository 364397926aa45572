import { index, jsonb, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

import { users } from "./auth";

/** Every admin action on user data (dead-letter replay, edit-and-replay, discard), with who did it. */
export const adminActions = pgTable(
  "admin_actions",
  {
    id: uuid().primaryKey().defaultRandom(),
    adminId: text()
      .notNull()
      .references(() => users.id),
    /** `dead_letter.replay`, `dead_letter.edit_replay`, `dead_letter.discard`. */
    action: text().notNull(),
    /** The session acted on (the original dead letter). */
    subjectId: text().notNull(),
    details: jsonb().$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.subjectId), index().on(t.adminId, t.createdAt)],
);
