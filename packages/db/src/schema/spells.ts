import { sql } from "drizzle-orm";
import {
  boolean,
  check,
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
import { datasetImages, datasets } from "./datasets";

/** An ordered list of steps (tool + parameter template). Built-ins have no owner. */
export const spells = pgTable(
  "spells",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text().references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    steps: jsonb().$type<Array<{ tool: string; params: Record<string, unknown> }>>().notNull(),
    builtIn: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    /**
     * Set when its owner deletes it: gone from their list and from new casts, while the runs made
     * with it keep their spell (a run in flight still finishes, resumes and re-runs its failures).
     */
    deletedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.userId, t.createdAt)],
);

export const castStatus = pgEnum("cast_status", ["queued", "running", "completed", "failed", "canceled"]);

export const captionSetStatus = pgEnum("caption_set_status", [
  "in_progress",
  "paused",
  "completed",
  "completed_with_errors",
  "canceled",
]);

/** One run of a caption spell over a dataset; counters move in the transactions that land captions. */
export const captionSets = pgTable(
  "caption_sets",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    datasetId: uuid()
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    spellId: uuid()
      .notNull()
      .references(() => spells.id),
    status: captionSetStatus().notNull().default("in_progress"),
    total: integer().notNull(),
    done: integer().notNull().default(0),
    failed: integer().notNull().default(0),
    /** Credits cap for the whole run; null = no cap. */
    budget: integer(),
    /** Credits captured by the run's steps so far. */
    spent: integer().notNull().default(0),
    /**
     * Most casts of the run active at once: a finished cast starts the next image in its own
     * transaction, so a large run holds credits and queue places for this many, not for all.
     */
    castWindow: integer().notNull().default(500),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    index().on(t.datasetId, t.createdAt),
    index().on(t.status),
    check("caption_sets_counts", sql`${t.done} + ${t.failed} <= ${t.total}`),
    check("caption_sets_cast_window_positive", sql`${t.castWindow} > 0`),
  ],
);

/** One run of a spell on one input; each step is a generation session, listed in order. */
export const casts = pgTable(
  "casts",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    spellId: uuid()
      .notNull()
      .references(() => spells.id),
    datasetId: uuid().references(() => datasets.id, { onDelete: "cascade" }),
    /** Null once the image is removed from its dataset: the cast, its steps and charges stay on record. */
    imageId: uuid().references(() => datasetImages.id, { onDelete: "set null" }),
    imageIndex: integer(),
    captionSetId: uuid().references(() => captionSets.id, { onDelete: "cascade" }),
    /** The caller's idempotency key (single casts only): a retried request returns the same cast. */
    clientKey: text(),
    status: castStatus().notNull().default("queued"),
    stepGenerationIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
    /** Index of the step now running (or waiting to be created, when a budget paused the run). */
    currentStep: integer().notNull().default(0),
    input: jsonb().$type<Record<string, unknown>>().notNull(),
    output: jsonb().$type<Record<string, unknown>>(),
    errorDetails: jsonb().$type<Record<string, unknown>>(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp({ withTimezone: true }),
  },
  // Partial: the casts of a caption run have no client key.
  (t) => [
    uniqueIndex().on(t.userId, t.clientKey).where(sql`${t.clientKey} is not null`),
    index().on(t.captionSetId, t.status),
    index().on(t.userId, t.createdAt),
    // A removed image's casts are found by it (the foreign key's SET NULL, the running-cast check).
    index().on(t.imageId),
  ],
);

export const captionStatus = pgEnum("caption_status", ["pending", "done", "failed"]);

/** One row per image of a caption set, created `pending` when the run starts. */
export const captions = pgTable(
  "captions",
  {
    id: uuid().primaryKey().defaultRandom(),
    captionSetId: uuid()
      .notNull()
      .references(() => captionSets.id, { onDelete: "cascade" }),
    /** Null once the image is removed from its dataset: a finished run keeps its caption and counts. */
    imageId: uuid().references(() => datasetImages.id, { onDelete: "set null" }),
    imageIndex: integer().notNull(),
    fileName: text().notNull(),
    status: captionStatus().notNull().default("pending"),
    text: text(),
    castId: uuid(),
    creditsCharged: integer().notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex().on(t.captionSetId, t.imageId),
    // A removed image's captions are found by it (the foreign key's SET NULL): without it, each removed image scans every caption.
    index().on(t.imageId),
    index().on(t.captionSetId, t.imageIndex),
    // Where a run's next images are found each time a cast finishes: only the pending ones, in order.
    index("captions_pending_idx").on(t.captionSetId, t.imageIndex).where(sql`${t.status} = 'pending'`),
  ],
);

/** Every edit of a caption's text (version 1 is what the spell wrote). */
export const captionVersions = pgTable(
  "caption_versions",
  {
    captionId: uuid()
      .notNull()
      .references(() => captions.id, { onDelete: "cascade" }),
    version: integer().notNull(),
    text: text().notNull(),
    editedBy: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex().on(t.captionId, t.version)],
);
