import { sql } from "drizzle-orm";
import {
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

import { users } from "./auth";

export const sessionStatus = pgEnum("session_status", [
  "queued",
  "running",
  "completed",
  "failed",
  "canceled",
]);

/** One unit of provider work: a single generation, or one step of a spell cast. */
export const generationSessions = pgTable(
  "generation_sessions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The browser's idempotency key: a retried submit returns the same session. */
    clientKey: text(),
    tool: text().notNull(),
    status: sessionStatus().notNull().default("queued"),
    params: jsonb().$type<Record<string, unknown>>().notNull(),
    outputs: jsonb().$type<Record<string, unknown>>(),
    errorDetails: jsonb().$type<Record<string, unknown>>(),
    cost: integer().notNull().default(0),
    attempts: integer().notNull().default(0),
    /** One entry per failed attempt (time, status, message): the details modal's timeline. */
    attemptLog: jsonb().$type<Record<string, unknown>[]>().notNull().default([]),
    /** BullMQ job id, so the sweeper and cancel can find the job. */
    jobId: text(),
    maxAttempts: integer().notNull().default(3),
    reservationId: uuid(),
    castId: uuid(),
    stepIndex: integer(),
    /** Millisecond precision: the keyset cursor travels as a JS Date / ISO string. */
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    startedAt: timestamp({ withTimezone: true }),
    completedAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    deadlineAt: timestamp({ withTimezone: true }),
    /** An admin's replay of a dead-lettered session points at the original. */
    replayOf: uuid(),
    /** Hidden from the dead-letter list by an admin (who, when). */
    discardedAt: timestamp({ withTimezone: true }),
    discardedBy: text(),
  },
  // Partial where a key is usually null (spell steps have no client key and are no replay): an
  // index entry per row version would be written for every step's insert and updates for nothing.
  // The status likewise, only where a query looks for it — open sessions (sweeper, holds), dead
  // letters, owed refunds: completed sessions, nearly every row, write no entry.
  (t) => [
    uniqueIndex().on(t.userId, t.clientKey).where(sql`${t.clientKey} is not null`),
    index().on(t.userId, t.createdAt, t.id),
    index("generation_sessions_open_idx").on(t.status).where(sql`${t.status} in ('queued', 'running')`),
    index("generation_sessions_dead_letters_idx").on(t.completedAt, t.id).where(sql`${t.status} = 'failed' and ${t.discardedAt} is null`),
    index("generation_sessions_refund_owed_idx")
      .on(t.updatedAt)
      .where(sql`${t.status} = 'failed' and coalesce(${t.errorDetails} ->> 'refundError', '') <> ''`),
    index().on(t.castId, t.stepIndex),
    index().on(t.replayOf).where(sql`${t.replayOf} is not null`),
  ],
);
