import { index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";

import { users } from "./auth";

/** A user's folder of images to caption. `imageCount` is kept in step with its rows (and caps uploads). */
export const datasets = pgTable(
  "datasets",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    imageCount: integer().notNull().default(0),
    /**
     * The next `image_index` to hand out: an upload takes its images' places from here, or from a
     * range reserved ahead (`reserveImageIndexes`), so an index is never handed out twice.
     */
    nextImageIndex: integer().notNull().default(0),
    /** Millisecond precision: the keyset cursor travels as an ISO string. */
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.userId, t.createdAt, t.id)],
);

/** One validated image: original and thumbnail in storage, the rest here. */
export const datasetImages = pgTable(
  "dataset_images",
  {
    id: uuid().primaryKey().defaultRandom(),
    datasetId: uuid()
      .notNull()
      .references(() => datasets.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** Stable order inside the dataset (0, 1, 2… as the files were chosen; never reused); casts carry it as metadata. */
    imageIndex: integer().notNull(),
    /** The sanitised original name, unique per dataset (collisions get " (2)"…). Exports use it. */
    fileName: text().notNull(),
    storageKey: text().notNull(),
    thumbKey: text().notNull(),
    contentType: text().notNull(),
    bytes: integer().notNull(),
    width: integer().notNull(),
    height: integer().notNull(),
    /** Hex SHA-256 of the original; an upload refuses bytes the dataset already holds. */
    sha256: text().notNull(),
    createdAt: timestamp({ withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex().on(t.datasetId, t.imageIndex),
    uniqueIndex().on(t.datasetId, t.fileName),
    // For the upload's duplicate lookup (`dataset_id = $1 and sha256 = any($2)`). Deliberately not
    // UNIQUE: datasets filled before uploads refused repeats may already hold duplicates, which would
    // fail the migration. The check runs under the dataset's row lock instead (add-images.ts).
    index().on(t.datasetId, t.sha256),
    index().on(t.userId),
  ],
);
