import { and, desc, eq, inArray, sql } from "drizzle-orm";

import type { DbOrTx } from "@spellcast/db";
import { casts, datasetImages, datasets } from "@spellcast/db";
import type { Storage } from "@spellcast/storage";

import { DomainError } from "../errors";
import { parseDomainInput } from "../parse-input";
import type { DatasetSummary } from "./schema";
import { datasetNameSchema } from "./schema";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id names nothing: NOT_FOUND, rather than a database error. */
export function assertDatasetId(id: string, what: "Dataset" | "Image" = "Dataset"): void {
  if (!UUID.test(id)) throw new DomainError("NOT_FOUND", `${what} not found`);
}

const summaryColumns = {
  id: datasets.id,
  name: datasets.name,
  imageCount: datasets.imageCount,
  createdAt: datasets.createdAt,
  updatedAt: datasets.updatedAt,
};

export async function createDataset(db: DbOrTx, params: { userId: string; name: string }): Promise<DatasetSummary> {
  const name = parseDomainInput(datasetNameSchema, params.name);
  const [row] = await db.insert(datasets).values({ userId: params.userId, name }).returning(summaryColumns);
  if (!row) throw new Error("insert into datasets returned no row");
  return row;
}

/** The owner's datasets, newest first (a person has tens, not thousands: no paging). */
export async function listDatasets(db: DbOrTx, params: { userId: string }): Promise<DatasetSummary[]> {
  return db
    .select(summaryColumns)
    .from(datasets)
    .where(eq(datasets.userId, params.userId))
    .orderBy(desc(datasets.createdAt), desc(datasets.id));
}

/** The dataset if the caller owns it; NOT_FOUND otherwise (another user's id looks like a missing one). */
export async function getDatasetSummary(db: DbOrTx, params: { userId: string; datasetId: string }): Promise<DatasetSummary> {
  assertDatasetId(params.datasetId);
  const [row] = await db
    .select(summaryColumns)
    .from(datasets)
    .where(and(eq(datasets.id, params.datasetId), eq(datasets.userId, params.userId)));
  if (!row) throw new DomainError("NOT_FOUND", "Dataset not found");
  return row;
}

/**
 * The caller's dataset, its row locked for the rest of the transaction (uploads, removals and a
 * run's reads of its images take it in turn); NOT_FOUND when it is not theirs.
 */
export async function lockOwnedDataset(tx: DbOrTx, params: { userId: string; datasetId: string }): Promise<{ id: string }> {
  const [owned] = await tx
    .select({ id: datasets.id })
    .from(datasets)
    .where(and(eq(datasets.id, params.datasetId), eq(datasets.userId, params.userId)))
    .for("update");
  if (!owned) throw new DomainError("NOT_FOUND", "Dataset not found");
  return owned;
}

/**
 * Takes the dataset's row shared until the caller commits, for a resume or a re-run of failed
 * captions, which read its images: a removal of images (`lockOwnedDataset`) waits for it, and it
 * for a removal, so a run never holds a pending caption whose image is gone. A start needs no
 * call: inserting its set takes the same row's key-share lock through the foreign key.
 */
export async function shareDatasetForRun(tx: DbOrTx, datasetId: string): Promise<void> {
  await tx.execute(sql`select 1 from ${datasets} where ${datasets.id} = ${datasetId} for share`);
}

/**
 * Deletes the rows first (one statement; images cascade), then the files. A crash between the two
 * leaves unreachable files, never a row pointing at a missing file.
 */
export async function deleteDataset(
  db: DbOrTx,
  storage: Storage,
  params: { userId: string; datasetId: string },
): Promise<{ id: string; deletedImages: number; fileErrors: Array<{ key: string; error: unknown }> }> {
  assertDatasetId(params.datasetId);
  const keys = await db.transaction(async (tx) => {
    // The row lock waits for an upload in flight, so its files are in the list below too.
    const owned = await lockOwnedDataset(tx, params);
    // Its rows would take their casts with them while steps still hold credits: the caller cancels
    // the runs first (cancelDatasetRuns); one started since is refused here, nothing deleted.
    const [active] = await tx
      .select({ id: casts.id })
      .from(casts)
      .where(and(eq(casts.datasetId, owned.id), inArray(casts.status, ["queued", "running"])))
      .limit(1);
    if (active) throw new DomainError("INVALID_STATE", "A run on this dataset is still going: cancel it, then delete the dataset");
    const images = await tx
      .select({ storageKey: datasetImages.storageKey, thumbKey: datasetImages.thumbKey })
      .from(datasetImages)
      .where(eq(datasetImages.datasetId, owned.id));
    await tx.delete(datasets).where(eq(datasets.id, owned.id));
    return images.flatMap((i) => [i.storageKey, i.thumbKey]);
  });
  return { id: params.datasetId, deletedImages: keys.length / 2, fileErrors: await deleteStoredFiles(storage, keys) };
}

/**
 * Deletes files whose rows are already gone (committed): a crash before leaves unreachable files,
 * never a row pointing at a missing file. A file left behind is reported, not fatal.
 */
export async function deleteStoredFiles(storage: Storage, keys: readonly string[]): Promise<Array<{ key: string; error: unknown }>> {
  const results = await Promise.allSettled(keys.map((key) => storage.delete(key)));
  return results.flatMap((r, i) => (r.status === "rejected" ? [{ key: keys[i] ?? "", error: r.reason as unknown }] : []));
}
